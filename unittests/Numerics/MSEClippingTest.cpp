//===- MSEClippingTest.cpp - MSE clipping against brute force -------------===//
//
// The reference re-derives every candidate scale in closed form (the float
// formulas of UniformQuantizer.h written out here), quantizes with the
// brute-force code search of NumericsTestUtil.h and picks the first minimum.
//
//===----------------------------------------------------------------------===//

#include "NumericsTestUtil.h"

#include "lowbit/Numerics/MSEClipping.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>

using namespace lowbit::numerics;
using namespace lowbit::numerics::test;

namespace {

/// Closed-form (scale, zero) of a cell with observed [lo, hi] and clip r.
ScaleZero closedFormScale(float lo, float hi, float r, int bits, bool sym,
                          CodeDomain domain) {
  const int32_t qmin = domain == CodeDomain::Weight ? 0 : -(1 << (bits - 1));
  if (sym) {
    const float maxAbs = std::max(std::fabs(lo), std::fabs(hi)) * r;
    float s = maxAbs / static_cast<float>((1 << (bits - 1)) - 1);
    return {s == 0.0f ? 1.0f : s, qmin + (1 << (bits - 1))};
  }
  const float l = std::min(lo * r, 0.0f), h = std::max(hi * r, 0.0f);
  float s = (h - l) / static_cast<float>((1 << bits) - 1);
  if (s == 0.0f)
    s = 1.0f;
  const double steps = std::nearbyint(static_cast<double>(-l / s)); // ties even
  return {s, qmin + static_cast<int32_t>(std::min(
                        std::max(steps, 0.0), double((1 << bits) - 1)))};
}

struct RefResult {
  QuantScales grid;
  std::vector<float> ratios;
};

/// Brute-force search over the documented candidate list.
RefResult referenceSearch(const std::vector<float> &W, int64_t N, int64_t K,
                          const QuantParams &p, int C, float rmin) {
  RefResult res;
  const bool perTensor = p.granularity == Granularity::PerTensor;
  const int64_t g = p.granularity == Granularity::PerGroup ? p.groupSize : K;
  res.grid.rows = perTensor ? 1 : N;
  res.grid.cols = K / g;
  res.grid.groupSize = g;
  const int32_t qmin = p.domain == CodeDomain::Weight ? 0 : -(1 << (p.bits - 1));
  const int32_t qmax = qmin + (1 << p.bits) - 1;
  for (int64_t r = 0; r < res.grid.rows; ++r) {
    for (int64_t c = 0; c < res.grid.cols; ++c) {
      std::vector<float> vals;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t k = c * g; k < (c + 1) * g; ++k)
          if (perTensor || n == r)
            vals.push_back(W[n * K + k]);
      const float lo = *std::min_element(vals.begin(), vals.end());
      const float hi = *std::max_element(vals.begin(), vals.end());
      double bestErr = INFINITY;
      ScaleZero best{};
      float bestR = 0;
      for (int i = 0; i < C; ++i) {
        const float ratio =
            C == 1 ? 1.0f
                   : static_cast<float>(1.0 - (1.0 - rmin) * i / (C - 1.0));
        const ScaleZero sz =
            closedFormScale(lo, hi, ratio, p.bits, p.symmetric, p.domain);
        double err = 0;
        for (float x : vals) {
          const int32_t code = bruteForceCode(x, sz.scale, sz.zeroPoint, qmin, qmax);
          const double d = x - double(exactProduct(sz.scale, code - sz.zeroPoint));
          err += d * d;
        }
        if (err < bestErr) {
          bestErr = err;
          best = sz;
          bestR = ratio;
        }
      }
      res.grid.scales.push_back(best.scale);
      res.grid.zeroPoints.push_back(best.zeroPoint);
      res.ratios.push_back(bestR);
    }
  }
  return res;
}

double squaredError(const std::vector<float> &a, const std::vector<float> &b) {
  double e = 0;
  for (size_t i = 0; i < a.size(); ++i)
    e += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return e;
}

using Config = std::tuple<int, bool, Granularity>;
class MSEClipBruteForce : public ::testing::TestWithParam<Config> {};

TEST_P(MSEClipBruteForce, MatchesReferenceAndNeverLosesToRTN) {
  const auto [bits, sym, gran] = GetParam();
  const int64_t N = 5, K = 32;
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    const std::vector<float> W = randomMatrix(N, K, seed * 31 + bits);
    const QuantParams p = makeParams(bits, sym, gran, 8);
    ClipSearchOptions opt;
    opt.numCandidates = 40;
    opt.minClipRatio = 0.3f;
    QuantScales got;
    std::vector<float> ratios;
    ASSERT_EQ(computeMSEClippedScales(W, N, K, p, opt, got, &ratios),
              QuantStatus::Ok);
    const RefResult want = referenceSearch(W, N, K, p, 40, 0.3f);
    EXPECT_EQ(got.rows, want.grid.rows);
    EXPECT_EQ(got.cols, want.grid.cols);
    EXPECT_EQ(got.groupSize, want.grid.groupSize);
    EXPECT_EQ(got.scales, want.grid.scales) << "seed " << seed;
    EXPECT_EQ(got.zeroPoints, want.grid.zeroPoints) << "seed " << seed;
    EXPECT_EQ(ratios, want.ratios) << "seed " << seed;

    // The clipped fake quantization is the brute-force one with that grid,
    // and its error never exceeds RTN's (fakeQuantize, unclipped).
    std::vector<float> clipped, rtn;
    ASSERT_EQ(mseClippedFakeQuantize(W, N, K, p, opt, clipped), QuantStatus::Ok);
    const CodeRange range{0, (1 << bits) - 1};
    EXPECT_EQ(clipped, referenceFakeQuantize(W, N, K, want.grid, range));
    ASSERT_EQ(fakeQuantize(W, N, K, p, rtn), QuantStatus::Ok);
    EXPECT_LE(squaredError(W, clipped), squaredError(W, rtn));
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, MSEClipBruteForce,
    ::testing::Combine(::testing::Values(2, 3, 4, 6, 8), ::testing::Bool(),
                       ::testing::Values(Granularity::PerTensor,
                                         Granularity::PerChannel,
                                         Granularity::PerGroup)));

TEST(MSEClipping, DefaultGridNeverLosesToRTNPerCell) {
  // Larger random matrices with the default 100 candidates: every group's
  // error is <= its RTN error (both measured by the brute-force reference).
  const int64_t N = 16, K = 256, g = 64;
  for (int bits : {2, 3, 4}) {
    for (bool sym : {true, false}) {
      const std::vector<float> W = randomMatrix(N, K, 1000 + bits);
      const QuantParams p = makeParams(bits, sym, Granularity::PerGroup, g);
      QuantScales rtn, mse;
      ASSERT_EQ(computeScales(W, N, K, p, rtn), QuantStatus::Ok);
      ASSERT_EQ(computeMSEClippedScales(W, N, K, p, {}, mse), QuantStatus::Ok);
      const CodeRange range{0, (1 << bits) - 1};
      const std::vector<float> a = referenceFakeQuantize(W, N, K, rtn, range);
      const std::vector<float> b = referenceFakeQuantize(W, N, K, mse, range);
      int strictlyBetter = 0;
      for (int64_t n = 0; n < N; ++n) {
        for (int64_t c = 0; c < K / g; ++c) {
          double ea = 0, eb = 0;
          for (int64_t k = c * g; k < (c + 1) * g; ++k) {
            const double x = W[n * K + k];
            ea += (x - a[n * K + k]) * (x - a[n * K + k]);
            eb += (x - b[n * K + k]) * (x - b[n * K + k]);
          }
          EXPECT_LE(eb, ea);
          strictlyBetter += eb < ea;
        }
      }
      EXPECT_GT(strictlyBetter, 0) << bits << (sym ? " sym" : " asym");
    }
  }
}

TEST(MSEClipping, OutlierRowIsClippedBenignRowIsNot) {
  // 2-bit symmetric, s = r * max|x| / 1 = r for the first row.
  // Row 0: one outlier 1.0 and seven values +-0.45. Unclipped (r = 1): the
  // small values round to 0, error 7 * 0.45^2 = 1.4175. With r < 0.9 they
  // round to +-r and the outlier saturates at r:
  //   E(r) = 7 (r - 0.45)^2 + (1 - r)^2,  minimized at r = 0.51875,
  // and on the default grid r_i = 1 - i / 198 the best is i = 95
  // (E = 0.26470 vs 0.26479 at i = 96).
  // Row 1: values on the unclipped grid {-2, -1, 0, 1} * 1: error 0 at r = 1,
  // so the widest range is kept.
  const int64_t N = 2, K = 8;
  const std::vector<float> W = {1.0f,  0.45f, -0.45f, 0.45f, -0.45f, 0.45f,
                                -0.45f, 0.45f, 1.0f,  -1.0f, 0.0f,   1.0f,
                                -1.0f, 0.0f,  1.0f,  -1.0f};
  const QuantParams p = makeParams(2, true, Granularity::PerChannel);
  QuantScales s;
  std::vector<float> ratios;
  ASSERT_EQ(computeMSEClippedScales(W, N, K, p, {}, s, &ratios),
            QuantStatus::Ok);
  EXPECT_EQ(ratios[0], static_cast<float>(1.0 - 95.0 / 198.0));
  EXPECT_EQ(s.scales[0], static_cast<float>(1.0 - 95.0 / 198.0));
  EXPECT_EQ(ratios[1], 1.0f);
  EXPECT_EQ(s.scales[1], 1.0f);
  EXPECT_EQ(s.zeroPoints, (std::vector<int32_t>{2, 2}));

  std::vector<float> clipped, rtn;
  ASSERT_EQ(mseClippedFakeQuantize(W, N, K, p, {}, clipped), QuantStatus::Ok);
  ASSERT_EQ(fakeQuantize(W, N, K, p, rtn), QuantStatus::Ok);
  const std::vector<float> row0(W.begin(), W.begin() + 8);
  const double eClip =
      squaredError(row0, std::vector<float>(clipped.begin(), clipped.begin() + 8));
  const double eRtn =
      squaredError(row0, std::vector<float>(rtn.begin(), rtn.begin() + 8));
  EXPECT_NEAR(eRtn, 7 * 0.45 * 0.45, 1e-6);
  const double r = 1.0 - 95.0 / 198.0;
  EXPECT_NEAR(eClip, 7 * (r - 0.45) * (r - 0.45) + (1 - r) * (1 - r), 1e-6);
  EXPECT_LT(eClip, 0.2 * eRtn);
  // Row 1 is reproduced exactly.
  EXPECT_EQ(std::vector<float>(clipped.begin() + 8, clipped.end()),
            std::vector<float>(W.begin() + 8, W.end()));
}

TEST(MSEClipping, ActivationDomainPerTensor) {
  const int64_t N = 4, K = 16;
  const std::vector<float> W = randomMatrix(N, K, 77);
  for (bool sym : {true, false}) {
    const QuantParams p = makeParams(8, sym, Granularity::PerTensor, 0,
                                     CodeDomain::Activation);
    QuantScales got;
    ASSERT_EQ(computeMSEClippedScales(W, N, K, p, {}, got), QuantStatus::Ok);
    const RefResult want = referenceSearch(W, N, K, p, 100, 0.5f);
    EXPECT_EQ(got.scales, want.grid.scales);
    EXPECT_EQ(got.zeroPoints, want.grid.zeroPoints);
  }
}

TEST(MSEClipping, CandidateGrid) {
  ClipSearchOptions o;
  EXPECT_EQ(clipCandidate(o, 0), 1.0f);
  EXPECT_EQ(clipCandidate(o, 99), 0.5f);
  EXPECT_EQ(clipCandidate(o, 33), static_cast<float>(1.0 - 0.5 * 33 / 99.0));
  o.numCandidates = 1;
  EXPECT_EQ(clipCandidate(o, 0), 1.0f);
}

TEST(MSEClipping, SingleCandidateIsRTN) {
  const std::vector<float> W = randomMatrix(6, 64, 5);
  const QuantParams p = makeParams(3, false, Granularity::PerGroup, 32);
  ClipSearchOptions o;
  o.numCandidates = 1;
  QuantScales got, rtn;
  ASSERT_EQ(computeMSEClippedScales(W, 6, 64, p, o, got), QuantStatus::Ok);
  ASSERT_EQ(computeScales(W, 6, 64, p, rtn), QuantStatus::Ok);
  EXPECT_EQ(got.scales, rtn.scales);
  EXPECT_EQ(got.zeroPoints, rtn.zeroPoints);
}

TEST(MSEClipping, BadArgumentsLeaveOutputsUntouched) {
  const std::vector<float> W = randomMatrix(2, 8, 3);
  QuantParams p = makeParams(4, true, Granularity::PerChannel);
  QuantScales out;
  out.rows = 42;
  std::vector<float> ratios = {7.0f};
  ClipSearchOptions bad;
  bad.numCandidates = 0;
  EXPECT_EQ(computeMSEClippedScales(W, 2, 8, p, bad, out, &ratios),
            QuantStatus::InvalidClipRatio);
  for (float r : {0.0f, -0.1f, 1.5f, kNaN}) {
    bad = {};
    bad.minClipRatio = r;
    EXPECT_EQ(computeMSEClippedScales(W, 2, 8, p, bad, out, &ratios),
              QuantStatus::InvalidClipRatio);
  }
  EXPECT_EQ(computeMSEClippedScales(W, 3, 8, p, {}, out, &ratios),
            QuantStatus::SizeMismatch);
  p.bits = 5;
  EXPECT_EQ(computeMSEClippedScales(W, 2, 8, p, {}, out, &ratios),
            QuantStatus::InvalidBits);
  p = makeParams(4, true, Granularity::PerGroup, 3);
  EXPECT_EQ(computeMSEClippedScales(W, 2, 8, p, {}, out, &ratios),
            QuantStatus::InvalidGroupSize);
  std::vector<float> bad2 = W;
  bad2[3] = kNaN;
  p = makeParams(4, true, Granularity::PerChannel);
  EXPECT_EQ(computeMSEClippedScales(bad2, 2, 8, p, {}, out, &ratios),
            QuantStatus::NonFiniteValue);
  std::vector<float> fq = {1.0f};
  EXPECT_EQ(mseClippedFakeQuantize(bad2, 2, 8, p, {}, fq),
            QuantStatus::NonFiniteValue);
  EXPECT_EQ(out.rows, 42);
  EXPECT_EQ(ratios, std::vector<float>{7.0f});
  EXPECT_EQ(fq, std::vector<float>{1.0f});
  // params.clipRatio is ignored, even when it would be invalid.
  p.clipRatio = 0.0f;
  EXPECT_EQ(computeMSEClippedScales(W, 2, 8, p, {}, out), QuantStatus::Ok);
  // Empty matrices are fine.
  EXPECT_EQ(computeMSEClippedScales({}, 0, 8, p, {}, out), QuantStatus::Ok);
  EXPECT_EQ(out.rows, 0);
}

} // namespace
