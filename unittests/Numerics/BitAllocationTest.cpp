//===- BitAllocationTest.cpp - Allocation against brute-force enumeration -===//
//
// The exact solver is checked against enumeration of every combination on
// small random instances; the baselines must be feasible and can never beat
// that enumeration optimum.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/BitAllocation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace lowbit::numerics;

namespace {

/// Best total error over every combination that respects pins and budget;
/// +inf when none fits.
double bruteForceOptimum(const AllocationProblem &p) {
  const size_t n = p.sizes.size();
  std::vector<size_t> idx(n, 0);
  double best = std::numeric_limits<double>::infinity();
  while (true) {
    bool ok = true;
    int64_t size = 0;
    double err = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!p.pinned.empty() && p.pinned[i] >= 0 &&
          static_cast<size_t>(p.pinned[i]) != idx[i])
        ok = false;
      size += p.sizes[i][idx[i]];
      err += p.errors[i][idx[i]];
    }
    if (ok && size <= p.budget)
      best = std::min(best, err);
    size_t i = 0;
    while (i < n && ++idx[i] == p.sizes[i].size())
      idx[i++] = 0;
    if (i == n)
      return best;
  }
}

/// Recomputes the totals of an allocation and checks pins and budget.
void expectConsistent(const AllocationProblem &p, const Allocation &a) {
  ASSERT_EQ(a.choices.size(), p.sizes.size());
  int64_t size = 0;
  double err = 0;
  for (size_t i = 0; i < a.choices.size(); ++i) {
    ASSERT_GE(a.choices[i], 0);
    ASSERT_LT(static_cast<size_t>(a.choices[i]), p.sizes[i].size());
    if (!p.pinned.empty() && p.pinned[i] >= 0) {
      EXPECT_EQ(a.choices[i], p.pinned[i]) << "pin of item " << i;
    }
    size += p.sizes[i][a.choices[i]];
    err += p.errors[i][a.choices[i]];
  }
  EXPECT_EQ(a.totalSize, size);
  EXPECT_LE(a.totalSize, p.budget);
  EXPECT_NEAR(a.totalError, err, 1e-9 * (1 + std::fabs(err)));
}

/// Random instance in the shape of real layers: sizes grow with the bit
/// width (params * bits + scale overhead), errors shrink like 4^-bits with
/// noise, so the baselines are reasonable but not exact.
AllocationProblem randomProblem(std::mt19937 &rng, size_t items, size_t choices,
                                bool pins, bool realistic) {
  AllocationProblem p;
  const int bits[] = {0, 2, 3, 4, 6, 8, 16};
  for (size_t i = 0; i < items; ++i) {
    const int64_t params = realistic ? 128 * (1 + rng() % 16) : 0;
    const double sens = 0.1 + (rng() % 1000) / 100.0;
    std::vector<int64_t> s;
    std::vector<double> e;
    for (size_t k = 0; k < choices; ++k) {
      if (realistic) {
        const int b = bits[k + 1];
        s.push_back(params * b + (params / 128) * 32);
        e.push_back(sens * std::pow(4.0, -b) * (0.8 + (rng() % 400) / 1000.0));
      } else {
        s.push_back(rng() % 200);
        e.push_back((rng() % 100000) / 1000.0);
      }
    }
    p.sizes.push_back(s);
    p.errors.push_back(e);
    p.pinned.push_back(pins && rng() % 4 == 0 ? int(rng() % choices) : -1);
  }
  int64_t lo = 0, hi = 0;
  for (const auto &s : p.sizes) {
    lo += *std::min_element(s.begin(), s.end());
    hi += *std::max_element(s.begin(), s.end());
  }
  // Mostly feasible budgets, sometimes slightly infeasible ones.
  p.budget = lo - (hi - lo) / 10 + static_cast<int64_t>(rng() % (hi - lo + 1));
  return p;
}

EqualLossInputs equalLossInputsFor(const AllocationProblem &p) {
  // Bits 2, 3, 4, 6 (choices 0..3); sensitivity = the 4-bit error * 4^4,
  // weight = the 4-bit size / 4 (the parameter count).
  EqualLossInputs in;
  for (size_t i = 0; i < p.sizes.size(); ++i) {
    in.choiceBits.push_back({2, 3, 4, 6});
    in.sensitivities.push_back(p.errors[i][2] * 256.0);
    in.weights.push_back(static_cast<double>(p.sizes[i][2]) / 4.0);
  }
  return in;
}

TEST(BitAllocation, ExactMatchesBruteForceAndBaselinesNeverBeatIt) {
  std::mt19937 rng(2024);
  int infeasible = 0, greedyWorse = 0, baqWorse = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const bool realistic = trial % 2 == 0;
    AllocationProblem p = randomProblem(rng, 6, 4, trial % 3 == 0, realistic);
    const double opt = bruteForceOptimum(p);
    Allocation exact, greedy, baq;
    const AllocStatus se = allocateExact(p, {}, exact);
    const AllocStatus sg = allocateGreedy(p, greedy);
    if (!std::isfinite(opt)) {
      ++infeasible;
      EXPECT_EQ(se, AllocStatus::Infeasible);
      EXPECT_EQ(sg, AllocStatus::Infeasible);
      continue;
    }
    ASSERT_EQ(se, AllocStatus::Ok) << trial;
    ASSERT_EQ(sg, AllocStatus::Ok) << trial;
    expectConsistent(p, exact);
    expectConsistent(p, greedy);
    EXPECT_TRUE(exact.provablyOptimal) << trial;
    EXPECT_NEAR(exact.totalError, opt, 1e-9 * (1 + std::fabs(opt))) << trial;
    EXPECT_GE(greedy.totalError, opt - 1e-9 * (1 + std::fabs(opt)));
    greedyWorse += greedy.totalError > opt + 1e-9;
    if (realistic) {
      ASSERT_EQ(allocateEqualLoss(p, equalLossInputsFor(p), baq),
                AllocStatus::Ok);
      expectConsistent(p, baq);
      EXPECT_GE(baq.totalError, opt - 1e-9 * (1 + std::fabs(opt)));
      baqWorse += baq.totalError > opt + 1e-9;
    }
  }
  // The instances exercise every branch.
  EXPECT_GT(infeasible, 5);
  EXPECT_GT(greedyWorse, 5);
  EXPECT_GT(baqWorse, 5);
}

TEST(BitAllocation, GreedyIsSuboptimalOnAClassicInstance) {
  // A: 10 bits / err 0 or 0 bits / err 10; B: 6 bits / 0 or 0 bits / 7;
  // budget 10. Greedy drops A first (1 error per bit < 7/6) and ends at
  // error 10; the optimum keeps A and drops B: error 7.
  AllocationProblem p;
  p.sizes = {{10, 0}, {6, 0}};
  p.errors = {{0, 10}, {0, 7}};
  p.budget = 10;
  Allocation g, e;
  ASSERT_EQ(allocateGreedy(p, g), AllocStatus::Ok);
  ASSERT_EQ(allocateExact(p, {}, e), AllocStatus::Ok);
  EXPECT_EQ(g.choices, (std::vector<int>{1, 0}));
  EXPECT_EQ(g.totalError, 10.0);
  EXPECT_EQ(e.choices, (std::vector<int>{0, 1}));
  EXPECT_EQ(e.totalError, 7.0);
  EXPECT_EQ(e.totalSize, 10);
}

TEST(BitAllocation, PinnedItemsAreRespectedAndCanMakeItInfeasible) {
  AllocationProblem p;
  p.sizes = {{100, 200, 400}, {100, 200, 400}, {100, 200, 400}};
  p.errors = {{9, 3, 1}, {9, 3, 1}, {90, 30, 10}};
  p.pinned = {2, -1, -1};
  p.budget = 800; // item 0 takes 400: the others share 400 -> 200 + 200
  Allocation a;
  ASSERT_EQ(allocateExact(p, {}, a), AllocStatus::Ok);
  EXPECT_EQ(a.choices, (std::vector<int>{2, 1, 1}));
  ASSERT_EQ(allocateGreedy(p, a), AllocStatus::Ok);
  EXPECT_EQ(a.choices[0], 2);
  EXPECT_LE(a.totalSize, 800);
  EqualLossInputs in{{{2, 4, 8}, {2, 4, 8}, {2, 4, 8}}, {1, 1, 1}, {50, 50, 50}};
  ASSERT_EQ(allocateEqualLoss(p, in, a), AllocStatus::Ok);
  EXPECT_EQ(a.choices[0], 2);
  EXPECT_LE(a.totalSize, 800);
  // Pinning two items at 400 leaves 0 < 100 for the third.
  p.pinned = {2, 2, -1};
  Allocation untouched;
  untouched.totalSize = -7;
  EXPECT_EQ(allocateExact(p, {}, untouched), AllocStatus::Infeasible);
  EXPECT_EQ(allocateGreedy(p, untouched), AllocStatus::Infeasible);
  EXPECT_EQ(allocateEqualLoss(p, in, untouched), AllocStatus::Infeasible);
  EXPECT_EQ(untouched.totalSize, -7);
  p.pinned = {};
  p.budget = 299;
  EXPECT_EQ(allocateExact(p, {}, untouched), AllocStatus::Infeasible);
  p.budget = -1;
  EXPECT_EQ(allocateExact(p, {}, untouched), AllocStatus::Infeasible);
}

TEST(BitAllocation, CoarseDiscretizationStaysFeasible) {
  // Capping the cells makes the DP approximate: still feasible and never
  // better than the optimum, but no longer flagged optimal.
  std::mt19937 rng(7);
  int approximate = 0;
  for (int trial = 0; trial < 100; ++trial) {
    AllocationProblem p = randomProblem(rng, 6, 4, false, trial % 2 == 0);
    const double opt = bruteForceOptimum(p);
    if (!std::isfinite(opt))
      continue;
    for (ExactAllocOptions o : {ExactAllocOptions{4, 1 << 20},
                                ExactAllocOptions{1 << 16, 20}}) {
      Allocation a;
      ASSERT_EQ(allocateExact(p, o, a), AllocStatus::Ok);
      expectConsistent(p, a);
      EXPECT_GE(a.totalError, opt - 1e-9 * (1 + std::fabs(opt)));
      if (a.totalError > opt + 1e-9) {
        EXPECT_FALSE(a.provablyOptimal);
      }
      approximate += !a.provablyOptimal;
    }
  }
  EXPECT_GT(approximate, 50); // the caps really did coarsen the grid
}

TEST(BitAllocation, LargeSizesWithCommonFactorStayExact) {
  // Sizes in the hundreds of millions of bits but multiples of 4096 (beyond
  // the per-item minimum): the gcd keeps the DP exact and small.
  AllocationProblem p;
  const int64_t params[] = {4096 * 4096, 4096 * 11008, 11008 * 4096, 4096 * 1024};
  const double sens[] = {3.0, 1.0, 5.0, 0.5};
  for (int i = 0; i < 4; ++i) {
    std::vector<int64_t> s;
    std::vector<double> e;
    for (int b : {2, 3, 4, 8}) {
      s.push_back(params[i] * b + params[i] / 128 * 16);
      e.push_back(sens[i] * params[i] * std::pow(4.0, -b));
    }
    p.sizes.push_back(s);
    p.errors.push_back(e);
  }
  p.budget = (params[0] + params[1] + params[2] + params[3]) * 4 + 12345;
  Allocation a;
  ASSERT_EQ(allocateExact(p, {}, a), AllocStatus::Ok);
  EXPECT_TRUE(a.provablyOptimal);
  EXPECT_NEAR(a.totalError, bruteForceOptimum(p), 1e-6);
  expectConsistent(p, a);
}

TEST(BitAllocation, EqualLossClosedForm) {
  // Unweighted: G = sqrt(256 * 1) = 16, so b = bbar +- 0.5 * log2(16) = +-2.
  std::vector<double> b = equalLossBits({256, 1}, {1, 1}, {true, true}, 4.0);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_NEAR(b[0], 6.0, 1e-12);
  EXPECT_NEAR(b[1], 2.0, 1e-12);
  // Weighted 3:1 with s = 16, 1: G = 16^(3/4) = 8 -> +0.5 and -1.5.
  b = equalLossBits({16, 1}, {3, 1}, {true, true}, 4.0);
  EXPECT_NEAR(b[0], 4.5, 1e-12);
  EXPECT_NEAR(b[1], 2.5, 1e-12);
  // The weighted average of the bits is bbar.
  EXPECT_NEAR((3 * b[0] + b[1]) / 4, 4.0, 1e-12);
  // Pinned items are excluded from G and get NaN.
  b = equalLossBits({16, 1, 1e9}, {1, 1, 1}, {true, true, false}, 3.0);
  EXPECT_NEAR(b[0], 4.0, 1e-12);
  EXPECT_NEAR(b[1], 2.0, 1e-12);
  EXPECT_TRUE(std::isnan(b[2]));
  EXPECT_TRUE(equalLossBits({0, 1}, {1, 1}, {true, true}, 4).empty());
  EXPECT_TRUE(equalLossBits({1, 1}, {1}, {true, true}, 4).empty());

  // Rounded allocation: two 1000-parameter layers, budget 4 bits average.
  AllocationProblem p;
  EqualLossInputs in;
  for (int i = 0; i < 2; ++i) {
    p.sizes.emplace_back();
    p.errors.emplace_back();
    in.choiceBits.emplace_back();
    for (int bits : kCandidateBits) {
      p.sizes.back().push_back(1000 * bits);
      p.errors.back().push_back((i == 0 ? 256.0 : 1.0) * std::pow(4.0, -bits));
      in.choiceBits.back().push_back(bits);
    }
  }
  in.sensitivities = {256, 1};
  in.weights = {1000, 1000};
  p.budget = 8000;
  Allocation a;
  ASSERT_EQ(allocateEqualLoss(p, in, a), AllocStatus::Ok);
  EXPECT_EQ(in.choiceBits[0][a.choices[0]], 6);
  EXPECT_EQ(in.choiceBits[1][a.choices[1]], 2);
  EXPECT_EQ(a.totalSize, 8000);
  // The same ranking as the exact solver on this separable instance.
  Allocation e;
  ASSERT_EQ(allocateExact(p, {}, e), AllocStatus::Ok);
  EXPECT_LE(e.totalError, a.totalError);
}

TEST(BitAllocation, InvalidArguments) {
  AllocationProblem good;
  good.sizes = {{1, 2}, {3, 4}};
  good.errors = {{1, 0}, {1, 0}};
  good.budget = 10;
  Allocation a;
  a.totalSize = -7;
  auto expectInvalid = [&](const AllocationProblem &p) {
    EXPECT_EQ(allocateExact(p, {}, a), AllocStatus::InvalidArgument);
    EXPECT_EQ(allocateGreedy(p, a), AllocStatus::InvalidArgument);
  };
  AllocationProblem p = good;
  p.errors.pop_back();
  expectInvalid(p);
  p = good;
  p.sizes[1] = {};
  p.errors[1] = {};
  expectInvalid(p);
  p = good;
  p.errors[0] = {1};
  expectInvalid(p);
  p = good;
  p.sizes[0][1] = -2;
  expectInvalid(p);
  p = good;
  p.errors[1][0] = std::numeric_limits<double>::quiet_NaN();
  expectInvalid(p);
  p = good;
  p.pinned = {0};
  expectInvalid(p);
  p.pinned = {0, 2};
  expectInvalid(p);
  p.pinned = {-2, 0};
  expectInvalid(p);
  p = good;
  p.sizes = {{std::numeric_limits<int64_t>::max()}, {1}};
  p.errors = {{0}, {0}};
  expectInvalid(p);
  EXPECT_EQ(allocateExact(good, {0, 1 << 20}, a), AllocStatus::InvalidArgument);
  EqualLossInputs in{{{2, 4}, {2, 4}}, {1, 1}, {1, 1}};
  EqualLossInputs bad = in;
  bad.sensitivities[0] = 0;
  EXPECT_EQ(allocateEqualLoss(good, bad, a), AllocStatus::InvalidArgument);
  bad = in;
  bad.choiceBits[1] = {2};
  EXPECT_EQ(allocateEqualLoss(good, bad, a), AllocStatus::InvalidArgument);
  bad = in;
  bad.weights.pop_back();
  EXPECT_EQ(allocateEqualLoss(good, bad, a), AllocStatus::InvalidArgument);
  EXPECT_EQ(a.totalSize, -7);
  // Empty problems are trivially fine.
  EXPECT_EQ(allocateExact({}, {}, a), AllocStatus::Ok);
  EXPECT_TRUE(a.choices.empty());
  EXPECT_STREQ(toString(AllocStatus::Infeasible),
               "budget smaller than the smallest allowed sizes");
}

} // namespace
