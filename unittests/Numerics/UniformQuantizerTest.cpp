//===- UniformQuantizerTest.cpp - Tests of the quantization reference -----===//
//
// Expected values are either written out by hand (closed form) or computed by
// an independent brute-force reference that scans every code; the code under
// test is never used to produce its own expectation.
//
//===----------------------------------------------------------------------===//

#include "NumericsTestUtil.h"

#include <gtest/gtest.h>

#include <cfenv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

using namespace lowbit::numerics;
using namespace lowbit::numerics::test;

namespace {

//===----------------------------------------------------------------------===//
// Rounding
//===----------------------------------------------------------------------===//

TEST(RoundHalfToEven, HandPickedValues) {
  EXPECT_EQ(roundHalfToEven(0.5f), 0.0f);
  EXPECT_EQ(roundHalfToEven(1.5f), 2.0f);
  EXPECT_EQ(roundHalfToEven(2.5f), 2.0f);
  EXPECT_EQ(roundHalfToEven(3.5f), 4.0f);
  EXPECT_EQ(roundHalfToEven(-0.5f), 0.0f);
  EXPECT_EQ(roundHalfToEven(-1.5f), -2.0f);
  EXPECT_EQ(roundHalfToEven(-2.5f), -2.0f);
  EXPECT_EQ(roundHalfToEven(0.49999997f), 0.0f);
  EXPECT_EQ(roundHalfToEven(0.50000006f), 1.0f);
  EXPECT_EQ(roundHalfToEven(-2.5000002f), -3.0f);
  EXPECT_EQ(roundHalfToEven(8388607.5f), 8388608.0f); // largest tie, odd
  EXPECT_EQ(roundHalfToEven(8388606.5f), 8388606.0f);
  EXPECT_EQ(roundHalfToEven(1e20f), 1e20f);
  EXPECT_EQ(roundHalfToEven(kInf), kInf);
  EXPECT_EQ(roundHalfToEven(-kInf), -kInf);
  EXPECT_TRUE(std::isnan(roundHalfToEven(kNaN)));
}

TEST(RoundHalfToEven, MatchesFloorBasedReferenceOnQuarterGrid) {
  for (int j = -40000; j <= 40000; ++j) {
    const float x = static_cast<float>(j) / 4.0f;
    const double fl = std::floor(static_cast<double>(x));
    const double frac = static_cast<double>(x) - fl;
    const bool up = frac > 0.5 || (frac == 0.5 && std::fmod(fl, 2.0) != 0.0);
    const double want = up ? fl + 1 : fl;
    ASSERT_EQ(roundHalfToEven(x), static_cast<float>(want)) << "x=" << x;
  }
}

TEST(RoundHalfToEven, IndependentOfFpRoundingMode) {
  const int modes[] = {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
  const float inputs[] = {0.5f,  1.5f, 2.5f,  -0.5f, -1.5f,
                          -2.5f, 0.7f, -0.7f, 1.2f,  -1.2f};
  const float expected[] = {0, 2, 2, 0, -2, -2, 1, -1, 1, -1};
  const int saved = std::fegetround();
  for (int mode : modes) {
    ASSERT_EQ(std::fesetround(mode), 0);
    for (size_t i = 0; i < std::size(inputs); ++i) {
      volatile float x = inputs[i]; // keep the call at run time
      EXPECT_EQ(roundHalfToEven(x), expected[i]) << "mode " << mode;
      // Power-of-two scale: x / s is exact, so the code is mode-free too.
      EXPECT_EQ(quantizeValue(x, 1.0f, 8, {0, 15}),
                8 + static_cast<int32_t>(expected[i]));
    }
  }
  std::fesetround(saved);
}

//===----------------------------------------------------------------------===//
// Code ranges
//===----------------------------------------------------------------------===//

TEST(CodeRange, SupportedBits) {
  for (int b : {2, 3, 4, 6, 8})
    EXPECT_TRUE(isSupportedBits(b, CodeDomain::Weight)) << b;
  for (int b : {-1, 0, 1, 5, 7, 9, 16})
    EXPECT_FALSE(isSupportedBits(b, CodeDomain::Weight)) << b;
  for (int b = 2; b <= 8; ++b)
    EXPECT_TRUE(isSupportedBits(b, CodeDomain::Activation)) << b;
  for (int b : {0, 1, 9})
    EXPECT_FALSE(isSupportedBits(b, CodeDomain::Activation)) << b;
}

TEST(CodeRange, HandWrittenTable) {
  struct Row {
    int bits;
    CodeDomain domain;
    int32_t qmin, qmax, zSym;
  };
  const Row rows[] = {
      {2, CodeDomain::Weight, 0, 3, 2},
      {3, CodeDomain::Weight, 0, 7, 4},
      {4, CodeDomain::Weight, 0, 15, 8},
      {6, CodeDomain::Weight, 0, 63, 32},
      {8, CodeDomain::Weight, 0, 255, 128},
      {2, CodeDomain::Activation, -2, 1, 0},
      {4, CodeDomain::Activation, -8, 7, 0},
      {5, CodeDomain::Activation, -16, 15, 0},
      {8, CodeDomain::Activation, -128, 127, 0},
  };
  for (const Row &r : rows) {
    CodeRange cr = codeRange(r.bits, r.domain);
    EXPECT_EQ(cr.qmin, r.qmin) << r.bits;
    EXPECT_EQ(cr.qmax, r.qmax) << r.bits;
    EXPECT_EQ(symmetricZeroPoint(r.bits, r.domain), r.zSym) << r.bits;
  }
}

//===----------------------------------------------------------------------===//
// Scalar quantize/dequantize vs brute force, every supported configuration
//===----------------------------------------------------------------------===//

using ScalarConfig = std::tuple<int, bool, CodeDomain>;

class ScalarBruteForce : public ::testing::TestWithParam<ScalarConfig> {};

TEST_P(ScalarBruteForce, NearestCodeTiesToEvenClamped) {
  const auto [bits, symmetric, domain] = GetParam();
  const CodeRange range = codeRange(bits, domain);
  std::vector<int32_t> zeroPoints;
  if (symmetric)
    zeroPoints = {symmetricZeroPoint(bits, domain)};
  else // asymmetric zero points can be anywhere in range, odd ones included
    zeroPoints = {range.qmin, range.qmin + 1, (range.qmin + range.qmax) / 2,
                  range.qmax};
  const int32_t levels = range.qmax - range.qmin + 1;
  int ties = 0, saturated = 0;
  for (float s : {1.0f, 0.25f, 0.1f, 3.7f, 1e-3f}) {
    for (int32_t z : zeroPoints) {
      // Grid over [-2 * range, 2 * range] in steps of s/16: with power-of-two
      // s every x / s = k + 0.5 is an exact tie.
      for (int32_t j = -32 * levels; j <= 32 * levels; ++j) {
        const float x = s * static_cast<float>(j) / 16.0f;
        const int32_t want = bruteForceCode(x, s, z, range.qmin, range.qmax);
        const int32_t got = quantizeValue(x, s, z, range);
        ASSERT_EQ(got, want) << "x=" << x << " s=" << s << " z=" << z;
        const float r = x / s;
        ties += (r - std::floor(r) == 0.5f);
        saturated += (got == range.qmin || got == range.qmax);
        ASSERT_EQ(dequantizeValue(got, s, z), exactProduct(s, got - z));
      }
    }
  }
  // Each power-of-two scale contributes 4 * levels exact ties per zero point
  // (x / s = j / 16 with j = 8 mod 16); the others may add more.
  const int minTies = 2 * 4 * levels * static_cast<int>(zeroPoints.size());
  EXPECT_GE(ties, minTies);
  EXPECT_GT(saturated, 2 * levels);
}

TEST_P(ScalarBruteForce, SaturatesNonFiniteAndHugeInputs) {
  const auto [bits, symmetric, domain] = GetParam();
  const CodeRange range = codeRange(bits, domain);
  const int32_t z = symmetric ? symmetricZeroPoint(bits, domain) : range.qmin;
  EXPECT_EQ(quantizeValue(1e30f, 0.5f, z, range), range.qmax);
  EXPECT_EQ(quantizeValue(-1e30f, 0.5f, z, range), range.qmin);
  EXPECT_EQ(quantizeValue(kInf, 0.5f, z, range), range.qmax);
  EXPECT_EQ(quantizeValue(-kInf, 0.5f, z, range), range.qmin);
  EXPECT_EQ(quantizeValue(kNaN, 0.5f, z, range), z);
  // x / s overflows to inf for a tiny scale: still saturates.
  EXPECT_EQ(quantizeValue(1e30f, 1e-30f, z, range), range.qmax);
  EXPECT_EQ(quantizeValue(-1e30f, 1e-30f, z, range), range.qmin);
}

std::string scalarName(const ::testing::TestParamInfo<ScalarConfig> &info) {
  const auto [bits, symmetric, domain] = info.param;
  return std::string(domain == CodeDomain::Weight ? "W" : "A") +
         std::to_string(bits) + (symmetric ? "Sym" : "Asym");
}

INSTANTIATE_TEST_SUITE_P(
    Weights, ScalarBruteForce,
    ::testing::Combine(::testing::Values(2, 3, 4, 6, 8), ::testing::Bool(),
                       ::testing::Values(CodeDomain::Weight)),
    scalarName);
INSTANTIATE_TEST_SUITE_P(
    Activations, ScalarBruteForce,
    ::testing::Combine(::testing::Range(2, 9), ::testing::Bool(),
                       ::testing::Values(CodeDomain::Activation)),
    scalarName);

TEST(QuantizeValue, HalfToEvenSymmetricUnitScale) {
  // Activations, z = 0: the code is round(x) itself.
  const CodeRange a8 = codeRange(8, CodeDomain::Activation);
  EXPECT_EQ(quantizeValue(0.5f, 1.0f, 0, a8), 0);
  EXPECT_EQ(quantizeValue(1.5f, 1.0f, 0, a8), 2);
  EXPECT_EQ(quantizeValue(2.5f, 1.0f, 0, a8), 2);
  EXPECT_EQ(quantizeValue(-0.5f, 1.0f, 0, a8), 0);
  EXPECT_EQ(quantizeValue(-1.5f, 1.0f, 0, a8), -2);
  EXPECT_EQ(quantizeValue(-2.5f, 1.0f, 0, a8), -2);
  EXPECT_EQ(quantizeValue(127.5f, 1.0f, 0, a8), 127);   // tie, clamped
  EXPECT_EQ(quantizeValue(-128.5f, 1.0f, 0, a8), -128); // tie, clamped
  // 4-bit weights, z = 8: codes are 8 + round(x).
  const CodeRange w4 = codeRange(4, CodeDomain::Weight);
  EXPECT_EQ(quantizeValue(0.5f, 1.0f, 8, w4), 8);
  EXPECT_EQ(quantizeValue(1.5f, 1.0f, 8, w4), 10);
  EXPECT_EQ(quantizeValue(2.5f, 1.0f, 8, w4), 10);
  EXPECT_EQ(quantizeValue(-0.5f, 1.0f, 8, w4), 8);
  EXPECT_EQ(quantizeValue(-2.5f, 1.0f, 8, w4), 6);
  EXPECT_EQ(quantizeValue(7.0f, 1.0f, 8, w4), 15);
  // The most negative code is reachable only by saturation.
  EXPECT_EQ(quantizeValue(-8.0f, 1.0f, 8, w4), 0);
  EXPECT_EQ(quantizeValue(-20.0f, 1.0f, 8, w4), 0);
  // Evenness applies to c - z, not to c: with z = 3, 0.5 -> c = 3.
  EXPECT_EQ(quantizeValue(0.5f, 1.0f, 3, w4), 3);
  EXPECT_EQ(quantizeValue(1.5f, 1.0f, 3, w4), 5);
}

TEST(DequantizeValue, HandValues) {
  EXPECT_EQ(dequantizeValue(15, 0.5f, 8), 3.5f);
  EXPECT_EQ(dequantizeValue(0, 0.5f, 8), -4.0f);
  EXPECT_EQ(dequantizeValue(-128, 0.25f, 0), -32.0f);
  EXPECT_EQ(dequantizeValue(3, 2.0f, 3), 0.0f);
}

//===----------------------------------------------------------------------===//
// Random matrices: per-group vs per-channel vs per-tensor
//===----------------------------------------------------------------------===//

using MatrixConfig = std::tuple<int, bool>; // bits, symmetric

class RandomMatrix : public ::testing::TestWithParam<MatrixConfig> {
protected:
  static constexpr int64_t N = 16, K = 512;

  /// Fake-quantizes W, checks it against the brute-force reference and the
  /// per-element bound |x - x'| <= s/2, and returns the squared error.
  double checkedSquaredError(const std::vector<float> &W,
                             const QuantParams &p) {
    std::vector<float> deq;
    QuantScales g;
    EXPECT_EQ(fakeQuantize(W, N, K, p, deq, &g), QuantStatus::Ok);
    if (deq.size() != W.size())
      return 0;
    EXPECT_EQ(deq,
              referenceFakeQuantize(W, N, K, g, codeRange(p.bits, p.domain)));
    double sse = 0;
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t k = 0; k < K; ++k) {
        const float x = W[n * K + k], s = g.scales[g.indexFor(n, k)];
        const float err = std::fabs(deq[n * K + k] - x);
        // Slack covers the float rounding of s, x / s and s * q.
        EXPECT_LE(err, s / 2 + 1e-6f * std::fabs(x)) << "n=" << n << " k=" << k;
        sse += static_cast<double>(err) * err;
      }
    }
    return sse;
  }
};

TEST_P(RandomMatrix, GroupErrorBoundAndOrdering) {
  const auto [bits, symmetric] = GetParam();
  const std::vector<float> W = randomMatrix(N, K, 1234u + bits);
  double sse[3];
  const int64_t groups[] = {32, 64, 128};
  for (int i = 0; i < 3; ++i)
    sse[i] = checkedSquaredError(
        W, makeParams(bits, symmetric, Granularity::PerGroup, groups[i]));
  const double perChannel = checkedSquaredError(
      W, makeParams(bits, symmetric, Granularity::PerChannel));
  const double perTensor = checkedSquaredError(
      W, makeParams(bits, symmetric, Granularity::PerTensor));
  // Finer granularity never has a larger scale, so in aggregate its error is
  // smaller; the data has rows of very different magnitude.
  EXPECT_LE(sse[0], sse[1]);
  EXPECT_LE(sse[1], sse[2]);
  EXPECT_LE(sse[2], perChannel);
  EXPECT_LT(perChannel, perTensor);
}

TEST_P(RandomMatrix, MaxMagnitudeElementRoundTrips) {
  const auto [bits, symmetric] = GetParam();
  const std::vector<float> W = randomMatrix(N, K, 99u + bits);
  const int64_t g = 64;
  std::vector<float> deq;
  QuantScales grid;
  ASSERT_EQ(fakeQuantize(W, N, K,
                         makeParams(bits, symmetric, Granularity::PerGroup, g),
                         deq, &grid),
            QuantStatus::Ok);
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t j = 0; j < K / g; ++j) {
      int64_t arg = n * K + j * g; // index of the max-|x| element
      for (int64_t k = j * g; k < (j + 1) * g; ++k)
        if (std::fabs(W[n * K + k]) > std::fabs(W[arg]))
          arg = n * K + k;
      const float s = grid.scales[n * (K / g) + j];
      const float err = std::fabs(deq[arg] - W[arg]);
      EXPECT_LE(err, s / 2) << "n=" << n << " group " << j;
      if (symmetric) { // exactly on the grid: c - z = +-(2^(b-1) - 1)
        EXPECT_LE(err, 1e-6f * std::fabs(W[arg])) << "n=" << n;
      }
    }
  }
}

TEST_P(RandomMatrix, ClippedValuesSaturateOthersWithinHalfStep) {
  const auto [bits, symmetric] = GetParam();
  const std::vector<float> W = randomMatrix(N, K, 7u + bits);
  QuantParams p = makeParams(bits, symmetric, Granularity::PerChannel);
  p.clipRatio = 0.5f;
  const CodeRange range = codeRange(bits, p.domain);
  std::vector<float> deq;
  QuantScales g;
  ASSERT_EQ(fakeQuantize(W, N, K, p, deq, &g), QuantStatus::Ok);
  ASSERT_EQ(deq, referenceFakeQuantize(W, N, K, g, range));
  int clipped = 0;
  for (int64_t n = 0; n < N; ++n) {
    const float s = g.scales[n];
    const int32_t z = g.zeroPoints[n];
    // Representable interval, widened by half a step.
    const float lo = s * (static_cast<float>(range.qmin - z) - 0.5f);
    const float hi = s * (static_cast<float>(range.qmax - z) + 0.5f);
    for (int64_t k = 0; k < K; ++k) {
      const float x = W[n * K + k], err = std::fabs(deq[n * K + k] - x);
      if (x > lo && x < hi) {
        EXPECT_LE(err, s / 2 + 1e-6f * std::fabs(x));
      } else {
        ++clipped;
        const int32_t q = x > 0 ? range.qmax - z : range.qmin - z;
        EXPECT_EQ(deq[n * K + k], exactProduct(s, q));
      }
    }
  }
  EXPECT_GT(clipped, 0);
}

INSTANTIATE_TEST_SUITE_P(
    AllWeightBits, RandomMatrix,
    ::testing::Combine(::testing::Values(2, 3, 4, 6, 8), ::testing::Bool()),
    [](const ::testing::TestParamInfo<MatrixConfig> &info) {
      return "W" + std::to_string(std::get<0>(info.param)) +
             (std::get<1>(info.param) ? "Sym" : "Asym");
    });

} // namespace
