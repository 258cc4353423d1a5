//===- AWQTest.cpp - Activation-aware scaling search ----------------------===//
//
// Expected errors are recomputed here from fakeQuantize/dequantize (the
// already-tested quantizer) and a double matmul written in the test; scales
// are checked in closed form.
//
//===----------------------------------------------------------------------===//

#include "NumericsTestUtil.h"

#include "lowbit/Numerics/AWQ.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

using namespace lowbit::numerics;
using namespace lowbit::numerics::test;

namespace {

/// Calibration inputs [M, K]: roughly Gaussian, with a few salient channels
/// whose magnitude is `boost` times larger (the situation AWQ targets).
std::vector<float> calibration(int64_t M, int64_t K,
                               const std::vector<int64_t> &salient,
                               float boost, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> X(static_cast<size_t>(M * K));
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k) {
      float v = 0;
      for (int i = 0; i < 4; ++i)
        v += uniform(rng, -1.0f, 1.0f);
      X[m * K + k] = v;
    }
  for (int64_t k : salient)
    for (int64_t m = 0; m < M; ++m)
      X[m * K + k] *= boost;
  return X;
}

/// || X A^T - X B^T ||^2 with A, B [N, K] (B given per element as a double
/// effective weight), all in double.
double outputError(const std::vector<float> &X, const std::vector<float> &A,
                   const std::vector<double> &B, int64_t M, int64_t N,
                   int64_t K) {
  double e = 0;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double ya = 0, yb = 0;
      for (int64_t k = 0; k < K; ++k) {
        ya += double(X[m * K + k]) * A[n * K + k];
        yb += double(X[m * K + k]) * B[n * K + k];
      }
      e += (ya - yb) * (ya - yb);
    }
  return e;
}

double rtnError(const std::vector<float> &W, const std::vector<float> &X,
                int64_t M, int64_t N, int64_t K, const QuantParams &p) {
  std::vector<float> fq;
  EXPECT_EQ(fakeQuantize(W, N, K, p, fq), QuantStatus::Ok);
  return outputError(X, W, std::vector<double>(fq.begin(), fq.end()), M, N, K);
}

TEST(AWQ, ScalesClosedForm) {
  std::vector<float> s;
  // a^0.5 = 1, 2, 4; normalized by sqrt(4 * 1) = 2.
  ASSERT_EQ(awqScales({1, 4, 16}, 0.5f, 1e-4f, s), AWQStatus::Ok);
  EXPECT_EQ(s, (std::vector<float>{0.5f, 1.0f, 2.0f}));
  // alpha = 1 with a zero statistic: clamped to 1e-4, norm sqrt(1e-2) = 0.1.
  ASSERT_EQ(awqScales({0, 1, 100}, 1.0f, 1e-4f, s), AWQStatus::Ok);
  EXPECT_FLOAT_EQ(s[0], 1e-3f);
  EXPECT_FLOAT_EQ(s[1], 10.0f);
  EXPECT_FLOAT_EQ(s[2], 1000.0f);
  // alpha = 0: exactly 1, whatever the statistics.
  ASSERT_EQ(awqScales({0, 3e30f, 1e-30f, 7}, 0.0f, 1e-4f, s), AWQStatus::Ok);
  EXPECT_EQ(s, std::vector<float>(4, 1.0f));
}

TEST(AWQ, MeanAbsPerChannel) {
  std::vector<float> a;
  ASSERT_EQ(meanAbsPerChannel({1, -2, 3, -4, 5, 6}, 3, 2, a), AWQStatus::Ok);
  EXPECT_EQ(a, (std::vector<float>{3.0f, 4.0f})); // (1+3+5)/3, (2+4+6)/3
  ASSERT_EQ(meanAbsPerChannel({}, 0, 2, a), AWQStatus::Ok);
  EXPECT_EQ(a, (std::vector<float>{0.0f, 0.0f}));
  EXPECT_EQ(meanAbsPerChannel({1, 2, 3}, 2, 2, a), AWQStatus::SizeMismatch);
  EXPECT_EQ(meanAbsPerChannel({1, kNaN}, 1, 2, a), AWQStatus::NonFiniteValue);
}

TEST(AWQ, AlphaZeroIsExactlyRTN) {
  const int64_t N = 16, K = 64, M = 32;
  const std::vector<float> W = randomMatrix(N, K, 3);
  const std::vector<float> X = calibration(M, K, {5, 17}, 10.0f, 4);
  std::vector<float> a;
  ASSERT_EQ(meanAbsPerChannel(X, M, K, a), AWQStatus::Ok);
  for (const QuantParams &p :
       {makeParams(4, true, Granularity::PerChannel),
        makeParams(3, false, Granularity::PerGroup, 32)}) {
    AWQOptions o;
    o.gridSize = 1;
    AWQResult r;
    ASSERT_EQ(awqSearch(W, N, K, a, X, M, p, o, r), AWQStatus::Ok);
    EXPECT_EQ(r.alpha, 0.0f);
    EXPECT_EQ(r.scales, std::vector<float>(K, 1.0f));
    QuantScales qs;
    std::vector<int32_t> codes;
    ASSERT_EQ(computeScales(W, N, K, p, qs), QuantStatus::Ok);
    ASSERT_EQ(quantize(W, N, K, p, qs, codes), QuantStatus::Ok);
    EXPECT_EQ(r.codes, codes);
    EXPECT_EQ(r.quantScales.scales, qs.scales);
    EXPECT_EQ(r.quantScales.zeroPoints, qs.zeroPoints);
    const double rtn = rtnError(W, X, M, N, K, p);
    EXPECT_NEAR(r.error, rtn, 1e-9 * rtn);
    // The default grid starts at alpha = 0 with the same error.
    ASSERT_EQ(awqSearch(W, N, K, a, X, M, p, {}, r), AWQStatus::Ok);
    ASSERT_EQ(r.errorPerAlpha.size(), 20u);
    EXPECT_NEAR(r.errorPerAlpha[0], rtn, 1e-9 * rtn);
    EXPECT_LE(r.error, r.errorPerAlpha[0]);
  }
}

TEST(AWQ, SalientChannelsBeatRTN) {
  const int64_t N = 32, K = 256, M = 128;
  const std::vector<float> W = randomMatrix(N, K, 21);
  const std::vector<float> X =
      calibration(M, K, {3, 50, 101, 200, 230}, 20.0f, 22);
  std::vector<float> a;
  ASSERT_EQ(meanAbsPerChannel(X, M, K, a), AWQStatus::Ok);
  for (int bits : {3, 4}) {
    for (bool sym : {true, false}) {
      for (int64_t g : {int64_t{0}, int64_t{128}}) {
        const QuantParams p =
            g ? makeParams(bits, sym, Granularity::PerGroup, g)
              : makeParams(bits, sym, Granularity::PerChannel);
        AWQResult r;
        ASSERT_EQ(awqSearch(W, N, K, a, X, M, p, {}, r), AWQStatus::Ok);
        // Recompute the error of the returned result independently:
        // dequantize(codes) / s is the effective weight of the folded model.
        std::vector<float> deq;
        ASSERT_EQ(dequantize(r.codes, N, K, p, r.quantScales, deq),
                  QuantStatus::Ok);
        std::vector<double> eff(deq.size());
        for (int64_t n = 0; n < N; ++n)
          for (int64_t k = 0; k < K; ++k)
            eff[n * K + k] = double(deq[n * K + k]) / r.scales[k];
        const double err = outputError(X, W, eff, M, N, K);
        EXPECT_NEAR(r.error, err, 1e-9 * err);
        // The codes are the RTN codes of W diag(s).
        std::vector<float> ws(W.size());
        for (int64_t n = 0; n < N; ++n)
          for (int64_t k = 0; k < K; ++k)
            ws[n * K + k] = W[n * K + k] * r.scales[k];
        std::vector<float> fq;
        ASSERT_EQ(fakeQuantize(ws, N, K, p, fq), QuantStatus::Ok);
        EXPECT_EQ(fq, deq);

        const double rtn = rtnError(W, X, M, N, K, p);
        std::printf("[ AWQ      ] %d-bit %s %s: alpha %.3f, error / RTN = "
                    "%.3f\n",
                    bits, sym ? "sym " : "asym", g ? "g128" : "chan", r.alpha,
                    err / rtn);
        EXPECT_GT(r.alpha, 0.0f);
        EXPECT_LT(err, 0.5 * rtn); // measured 0.19 .. 0.26
      }
    }
  }
}

TEST(AWQ, ScalesArePositiveAndFinite) {
  // Extreme statistics: zeros, tiny and huge means.
  const int64_t N = 4, K = 8, M = 4;
  const std::vector<float> W = randomMatrix(N, K, 9);
  const std::vector<float> X = calibration(M, K, {}, 1.0f, 10);
  const std::vector<float> a = {0.0f, 1e-30f, 1e-3f, 1.0f,
                                30.0f, 1e4f,  1e9f,  0.5f};
  AWQResult r;
  ASSERT_EQ(awqSearch(W, N, K, a, X, M,
                      makeParams(4, true, Granularity::PerChannel), {}, r),
            AWQStatus::Ok);
  for (size_t i = 0; i < r.errorPerAlpha.size(); ++i) {
    const float alpha = static_cast<float>(i / 19.0);
    std::vector<float> s;
    ASSERT_EQ(awqScales(a, alpha, 1e-4f, s), AWQStatus::Ok);
    for (float v : s) {
      EXPECT_TRUE(std::isfinite(v));
      EXPECT_GT(v, 0.0f);
    }
    EXPECT_TRUE(std::isfinite(r.errorPerAlpha[i]));
  }
  for (float v : r.scales) {
    EXPECT_TRUE(std::isfinite(v));
    EXPECT_GT(v, 0.0f);
  }
}

TEST(AWQ, BadArguments) {
  const int64_t N = 2, K = 4, M = 3;
  const std::vector<float> W = randomMatrix(N, K, 1);
  const std::vector<float> X = calibration(M, K, {}, 1.0f, 2);
  const std::vector<float> a = {1, 1, 1, 1};
  const QuantParams p = makeParams(4, true, Granularity::PerChannel);
  AWQResult r;
  r.alpha = 42.0f;
  QuantParams badP = p;
  badP.bits = 5;
  EXPECT_EQ(awqSearch(W, N, K, a, X, M, badP, {}, r),
            AWQStatus::InvalidQuantParams);
  EXPECT_EQ(awqSearch(W, N, K, a, X, M,
                      makeParams(4, true, Granularity::PerGroup, 3), {}, r),
            AWQStatus::InvalidQuantParams);
  EXPECT_EQ(awqSearch(W, N + 1, K, a, X, M, p, {}, r), AWQStatus::SizeMismatch);
  EXPECT_EQ(awqSearch(W, N, K, {1, 1, 1}, X, M, p, {}, r),
            AWQStatus::SizeMismatch);
  EXPECT_EQ(awqSearch(W, N, K, a, X, M + 1, p, {}, r), AWQStatus::SizeMismatch);
  EXPECT_EQ(awqSearch(W, N, K, {1, -1, 1, 1}, X, M, p, {}, r),
            AWQStatus::InvalidStatistics);
  EXPECT_EQ(awqSearch(W, N, K, {1, kInf, 1, 1}, X, M, p, {}, r),
            AWQStatus::NonFiniteValue);
  std::vector<float> Xn = X;
  Xn[2] = kNaN;
  EXPECT_EQ(awqSearch(W, N, K, a, Xn, M, p, {}, r), AWQStatus::NonFiniteValue);
  AWQOptions o;
  o.gridSize = 0;
  EXPECT_EQ(awqSearch(W, N, K, a, X, M, p, o, r), AWQStatus::InvalidOptions);
  o = {};
  o.minScale = 0.0f;
  EXPECT_EQ(awqSearch(W, N, K, a, X, M, p, o, r), AWQStatus::InvalidOptions);
  EXPECT_EQ(r.alpha, 42.0f);
  std::vector<float> s = {5.0f};
  EXPECT_EQ(awqScales(a, 1.5f, 1e-4f, s), AWQStatus::InvalidOptions);
  EXPECT_EQ(awqScales(a, kNaN, 1e-4f, s), AWQStatus::InvalidOptions);
  EXPECT_EQ(s, std::vector<float>{5.0f});
  // No calibration rows: every error is 0, alpha = 0 wins.
  ASSERT_EQ(awqSearch(W, N, K, a, {}, 0, p, {}, r), AWQStatus::Ok);
  EXPECT_EQ(r.alpha, 0.0f);
  EXPECT_EQ(r.error, 0.0);
}

} // namespace

TEST(AWQ, GramSampleRowsReproduceTheGram) {
  const int64_t K = 24, M = 64;
  const std::vector<float> X = calibration(M, K, {2, 9}, 10.0f, 31);
  std::vector<float> G(static_cast<size_t>(K * K));
  for (int64_t i = 0; i < K; ++i)
    for (int64_t j = 0; j < K; ++j) {
      double sum = 0.0;
      for (int64_t m = 0; m < M; ++m)
        sum += double(X[m * K + i]) * X[m * K + j];
      G[i * K + j] = static_cast<float>(sum / M);
    }
  std::vector<float> R;
  ASSERT_EQ(gramSampleRows(G, K, 1e-6, R), AWQStatus::Ok);
  // R is upper triangular and R^T R = G.
  for (int64_t i = 0; i < K; ++i)
    for (int64_t j = 0; j < K; ++j) {
      if (i > j)
        EXPECT_EQ(R[i * K + j], 0.0f);
      double sum = 0.0;
      for (int64_t p = 0; p < K; ++p)
        sum += double(R[p * K + i]) * R[p * K + j];
      EXPECT_NEAR(sum, G[i * K + j], 1e-4 * (1.0 + std::fabs(G[i * K + j])));
    }
  // The search on R chooses what the search on X chooses, and its errors
  // are those on X divided by M.
  const int64_t N = 16;
  const std::vector<float> W = randomMatrix(N, K, 32);
  std::vector<float> a;
  ASSERT_EQ(meanAbsPerChannel(X, M, K, a), AWQStatus::Ok);
  const QuantParams p = makeParams(4, true, Granularity::PerGroup, 8);
  AWQResult onX, onR;
  ASSERT_EQ(awqSearch(W, N, K, a, X, M, p, {}, onX), AWQStatus::Ok);
  ASSERT_EQ(awqSearch(W, N, K, a, R, K, p, {}, onR), AWQStatus::Ok);
  EXPECT_EQ(onX.alpha, onR.alpha);
  for (size_t i = 0; i < onX.errorPerAlpha.size(); ++i)
    EXPECT_NEAR(onR.errorPerAlpha[i], onX.errorPerAlpha[i] / M,
                1e-3 * onX.errorPerAlpha[i] / M);
}

TEST(AWQ, GramSampleRowsDampenSingularGrams) {
  // Channel 1 is dead and channel 2 copies channel 0: G is singular.
  const int64_t K = 3;
  const std::vector<float> G = {4, 0, 4, 0, 0, 0, 4, 0, 4};
  std::vector<float> R;
  ASSERT_EQ(gramSampleRows(G, K, 1e-6, R), AWQStatus::Ok);
  for (float v : R)
    EXPECT_TRUE(std::isfinite(v));
  EXPECT_NEAR(R[0], 2.0f, 1e-4f);
  EXPECT_EQ(gramSampleRows({1, 2, 3}, K, 1e-6, R), AWQStatus::SizeMismatch);
  EXPECT_EQ(gramSampleRows(std::vector<float>(9, 0.0f), K, 1e-6, R),
            AWQStatus::InvalidStatistics);
}
