//===- BitAllocation.cpp - Mixed-precision bit allocation -----------------===//
//
// See BitAllocation.h for the problem, the discretization of the exact DP and
// the two baselines.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/BitAllocation.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <utility>

namespace lowbit {
namespace numerics {

const char *toString(AllocStatus status) {
  switch (status) {
  case AllocStatus::Ok:
    return "ok";
  case AllocStatus::InvalidArgument:
    return "invalid argument";
  case AllocStatus::Infeasible:
    return "budget smaller than the smallest allowed sizes";
  }
  return "unknown status";
}

namespace {

constexpr size_t kMaxChoices = 65535; // choice indices are stored as uint16

/// Validated view of a problem: the allowed choices of every item (all of
/// them, or the pinned one) and the smallest total size.
struct Prepared {
  std::vector<std::vector<int>> allowed;
  std::vector<int64_t> minSize; ///< smallest allowed size per item
  int64_t sumMin = 0;
  int64_t sumMax = 0; ///< largest allowed sizes: bounds every total
};

AllocStatus prepare(const AllocationProblem &p, Prepared &out) {
  const size_t n = p.sizes.size();
  if (p.errors.size() != n || (!p.pinned.empty() && p.pinned.size() != n))
    return AllocStatus::InvalidArgument;
  Prepared r;
  r.allowed.resize(n);
  r.minSize.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = p.sizes[i].size();
    if (c == 0 || c > kMaxChoices || p.errors[i].size() != c)
      return AllocStatus::InvalidArgument;
    for (size_t k = 0; k < c; ++k)
      if (p.sizes[i][k] < 0 || !std::isfinite(p.errors[i][k]))
        return AllocStatus::InvalidArgument;
    const int pin = p.pinned.empty() ? -1 : p.pinned[i];
    if (pin < -1 || pin >= static_cast<int>(c))
      return AllocStatus::InvalidArgument;
    if (pin >= 0) {
      r.allowed[i] = {pin};
    } else {
      r.allowed[i].resize(c);
      std::iota(r.allowed[i].begin(), r.allowed[i].end(), 0);
    }
    int64_t lo = std::numeric_limits<int64_t>::max(), hi = 0;
    for (int k : r.allowed[i]) {
      lo = std::min(lo, p.sizes[i][k]);
      hi = std::max(hi, p.sizes[i][k]);
    }
    r.minSize[i] = lo;
    if (__builtin_add_overflow(r.sumMin, lo, &r.sumMin) ||
        __builtin_add_overflow(r.sumMax, hi, &r.sumMax))
      return AllocStatus::InvalidArgument;
  }
  if (r.sumMin > p.budget)
    return AllocStatus::Infeasible;
  out = std::move(r);
  return AllocStatus::Ok;
}

Allocation finish(const AllocationProblem &p, std::vector<int> choices,
                  bool optimal) {
  Allocation a;
  for (size_t i = 0; i < choices.size(); ++i) {
    a.totalSize += p.sizes[i][choices[i]];
    a.totalError += p.errors[i][choices[i]];
  }
  a.choices = std::move(choices);
  a.provablyOptimal = optimal;
  return a;
}

int64_t ceilDiv(int64_t a, int64_t b) { return a / b + (a % b != 0); }

} // namespace

AllocStatus allocateExact(const AllocationProblem &problem,
                          const ExactAllocOptions &options, Allocation &out) {
  if (options.maxCells < 1 || options.maxTableBytes < 1)
    return AllocStatus::InvalidArgument;
  Prepared prep;
  AllocStatus st = prepare(problem, prep);
  if (st != AllocStatus::Ok)
    return st;
  const size_t n = prep.allowed.size();

  // Budget left after every item's minimum; no allocation can use more than
  // sumMax - sumMin of it, so capping there loses nothing.
  const int64_t left =
      std::min(problem.budget - prep.sumMin, prep.sumMax - prep.sumMin);
  int64_t g = 0;
  for (size_t i = 0; i < n; ++i)
    for (int k : prep.allowed[i])
      g = std::gcd(g, problem.sizes[i][k] - prep.minSize[i]);

  int64_t unit = 1, cells = 0;
  bool exact = true;
  if (g > 0) {
    const int64_t q = left / g; // budget in units of g
    int64_t cap = options.maxCells;
    if (n > 0)
      cap = std::min<int64_t>(
          cap, options.maxTableBytes / static_cast<int64_t>(2 * n) - 1);
    const int64_t m = q <= cap ? 1 : (cap <= 0 ? q + 1 : ceilDiv(q, cap));
    unit = g * m; // cannot overflow: g * m <= g * (q + 1) <= left + g
    cells = q / m;
    exact = m == 1;
  }

  // Extra sizes in (rounded-up) units; the minimum-size choice costs 0.
  std::vector<std::vector<int64_t>> w(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t k = 0; k < problem.sizes[i].size(); ++k)
      w[i].push_back(ceilDiv(problem.sizes[i][k] - prep.minSize[i], unit));

  // dp[c] = least error of the items so far using at most c cells; it is
  // finite for every c because each item has a 0-cell choice.
  const size_t width = static_cast<size_t>(cells) + 1;
  std::vector<double> dp(width, 0.0), next(width);
  std::vector<uint16_t> arg(n * width);
  for (size_t i = 0; i < n; ++i) {
    for (size_t c = 0; c < width; ++c) {
      double best = std::numeric_limits<double>::infinity();
      int bestK = -1;
      for (int k : prep.allowed[i]) {
        if (w[i][k] > static_cast<int64_t>(c))
          continue;
        const double v = dp[c - w[i][k]] + problem.errors[i][k];
        if (v < best) {
          best = v;
          bestK = k;
        }
      }
      next[c] = best;
      arg[i * width + c] = static_cast<uint16_t>(bestK);
    }
    dp.swap(next);
  }

  std::vector<int> choices(n);
  int64_t c = cells;
  for (size_t i = n; i-- > 0;) {
    choices[i] = arg[i * width + static_cast<size_t>(c)];
    c -= w[i][choices[i]];
  }
  out = finish(problem, std::move(choices), exact);
  return AllocStatus::Ok;
}

AllocStatus allocateGreedy(const AllocationProblem &problem, Allocation &out) {
  Prepared prep;
  AllocStatus st = prepare(problem, prep);
  if (st != AllocStatus::Ok)
    return st;
  const auto &S = problem.sizes;
  const auto &E = problem.errors;
  const size_t n = prep.allowed.size();

  // Start: lowest error (ties: smaller size, then lower index).
  std::vector<int> cur(n);
  int64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    int b = prep.allowed[i][0];
    for (int k : prep.allowed[i])
      if (E[i][k] < E[i][b] || (E[i][k] == E[i][b] && S[i][k] < S[i][b]))
        b = k;
    cur[i] = b;
    total += S[i][b];
  }
  // Each move strictly shrinks the total, and while it exceeds the budget
  // (>= sumMin) some item is above its minimum size, so a move exists.
  while (total > problem.budget) {
    double bestRatio = std::numeric_limits<double>::infinity();
    int64_t bestSaved = 0;
    size_t bi = 0;
    int bk = -1;
    for (size_t i = 0; i < n; ++i) {
      for (int k : prep.allowed[i]) {
        const int64_t saved = S[i][cur[i]] - S[i][k];
        if (saved <= 0)
          continue;
        const double ratio = (E[i][k] - E[i][cur[i]]) / static_cast<double>(saved);
        if (bk < 0 || ratio < bestRatio ||
            (ratio == bestRatio && saved > bestSaved)) {
          bestRatio = ratio;
          bestSaved = saved;
          bi = i;
          bk = k;
        }
      }
    }
    total -= bestSaved;
    cur[bi] = bk;
  }
  out = finish(problem, std::move(cur), false);
  return AllocStatus::Ok;
}

std::vector<double> equalLossBits(const std::vector<double> &sensitivities,
                                  const std::vector<double> &weights,
                                  const std::vector<bool> &free, double bbar) {
  const size_t n = sensitivities.size();
  if (weights.size() != n || free.size() != n || !std::isfinite(bbar))
    return {};
  double sumW = 0, sumWLog = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!free[i])
      continue; // pinned items take no part in the allocation
    if (!(sensitivities[i] > 0) || !std::isfinite(sensitivities[i]) ||
        !(weights[i] > 0) || !std::isfinite(weights[i]))
      return {};
    sumW += weights[i];
    sumWLog += weights[i] * std::log(sensitivities[i]);
  }
  const double logG = sumW > 0 ? sumWLog / sumW : 0.0;
  std::vector<double> bits(n, std::numeric_limits<double>::quiet_NaN());
  for (size_t i = 0; i < n; ++i)
    if (free[i])
      bits[i] = bbar + 0.5 * (std::log(sensitivities[i]) - logG) / std::log(2.0);
  return bits;
}

AllocStatus allocateEqualLoss(const AllocationProblem &problem,
                              const EqualLossInputs &inputs, Allocation &out) {
  Prepared prep;
  AllocStatus st = prepare(problem, prep);
  if (st != AllocStatus::Ok)
    return st;
  const size_t n = prep.allowed.size();
  if (inputs.choiceBits.size() != n)
    return AllocStatus::InvalidArgument;
  double minB = std::numeric_limits<double>::infinity(), maxB = -minB;
  for (size_t i = 0; i < n; ++i) {
    if (inputs.choiceBits[i].size() != problem.sizes[i].size())
      return AllocStatus::InvalidArgument;
    for (double b : inputs.choiceBits[i]) {
      if (!std::isfinite(b))
        return AllocStatus::InvalidArgument;
      minB = std::min(minB, b);
      maxB = std::max(maxB, b);
    }
  }
  std::vector<bool> free(n);
  for (size_t i = 0; i < n; ++i)
    free[i] = problem.pinned.empty() || problem.pinned[i] < 0;
  const std::vector<double> ideal0 =
      equalLossBits(inputs.sensitivities, inputs.weights, free, 0.0);
  if (ideal0.size() != n)
    return AllocStatus::InvalidArgument;

  // Rounded allocation for a given bbar: nearest candidate, ties to the
  // lower bit width (then the lower index).
  auto allocationFor = [&](double bbar, int64_t &total) {
    std::vector<int> c(n);
    total = 0;
    for (size_t i = 0; i < n; ++i) {
      int b = prep.allowed[i][0];
      if (free[i]) {
        const double want = ideal0[i] + bbar;
        const auto &bits = inputs.choiceBits[i];
        for (int k : prep.allowed[i]) {
          const double dk = std::fabs(bits[k] - want), db = std::fabs(bits[b] - want);
          if (dk < db || (dk == db && bits[k] < bits[b]))
            b = k;
        }
      }
      c[i] = b;
      total += problem.sizes[i][b];
    }
    return c;
  };

  // Far enough out every item rounds to its lowest / highest bit width.
  double spread = 0;
  for (size_t i = 0; i < n; ++i)
    if (free[i])
      spread = std::max(spread, std::fabs(ideal0[i]));
  double lo = minB - spread - 1, hi = maxB + spread + 1;
  int64_t total = 0;
  std::vector<int> choices = allocationFor(hi, total);
  if (n > 0 && total > problem.budget) {
    choices = allocationFor(lo, total);
    if (total <= problem.budget) {
      // Invariant: lo fits, hi does not.
      for (int it = 0; it < 200 && hi - lo > 1e-9; ++it) {
        const double mid = 0.5 * (lo + hi);
        allocationFor(mid, total);
        (total <= problem.budget ? lo : hi) = mid;
      }
      choices = allocationFor(lo, total);
    } else {
      // Sizes not monotone in bits: fall back to the smallest sizes
      // (feasible, since prepare() checked sumMin <= budget).
      for (size_t i = 0; i < n; ++i) {
        int b = prep.allowed[i][0];
        for (int k : prep.allowed[i])
          if (problem.sizes[i][k] < problem.sizes[i][b] ||
              (problem.sizes[i][k] == problem.sizes[i][b] &&
               problem.errors[i][k] < problem.errors[i][b]))
            b = k;
        choices[i] = b;
      }
    }
  }
  out = finish(problem, std::move(choices), false);
  return AllocStatus::Ok;
}

} // namespace numerics
} // namespace lowbit
