//===- GPTQTest.cpp - GPTQ against the OBQ recursion and RTN --------------===//
//
// The reference (GPTQReference.h) is the unblocked OBQ recursion with an
// explicit inverse; RTN comparisons use fakeQuantize (tested elsewhere).
//
//===----------------------------------------------------------------------===//

#include "GPTQReference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

using namespace lowbit::numerics;
using namespace lowbit::numerics::test;

namespace {

QuantParams paramsFor(int bits, bool sym, int64_t group) {
  return group ? makeParams(bits, sym, Granularity::PerGroup, group)
               : makeParams(bits, sym, Granularity::PerChannel);
}

//===----------------------------------------------------------------------===//
// (a) Identical to the unblocked recursion
//===----------------------------------------------------------------------===//

void expectMatchesReference(const std::vector<float> &W, int64_t N, int64_t K,
                            const std::vector<double> &H, const QuantParams &p,
                            const GPTQOptions &o, const char *what) {
  GPTQResult r;
  ASSERT_EQ(gptqQuantize(W, N, K, H, p, o, r), GPTQStatus::Ok) << what;
  const Reference ref =
      referenceGPTQ(W, N, K, H, p, o.percdamp, o.actOrder, o.staticGroups);
  EXPECT_EQ(r.codes, ref.codes) << what;
  ASSERT_EQ(r.scales.scales.size(), ref.scales.scales.size());
  for (size_t i = 0; i < ref.scales.scales.size(); ++i)
    EXPECT_FLOAT_EQ(r.scales.scales[i], ref.scales.scales[i]) << what;
  EXPECT_EQ(r.scales.zeroPoints, ref.scales.zeroPoints) << what;
  EXPECT_EQ(r.percdampUsed, o.percdamp);
}

TEST(GPTQ, TinyLayerMatchesTheOBQRecursion) {
  const int64_t N = 4, K = 8, M = 32;
  const std::vector<float> W = randomMatrix(N, K, 17);
  const std::vector<double> H = hessianOf(correlatedInputs(M, K, 18), M, K);
  for (int bits : {2, 3, 4, 6, 8})
    for (bool sym : {true, false})
      for (int64_t group : {0, 4})
        for (bool act : {false, true})
          for (int64_t block : {128, 3, 1}) {
            GPTQOptions o;
            o.actOrder = act;
            o.blockSize = block;
            expectMatchesReference(W, N, K, H, paramsFor(bits, sym, group), o,
                                   "tiny");
          }
  GPTQOptions o;
  expectMatchesReference(W, N, K, H,
                         makeParams(3, true, Granularity::PerTensor), o,
                         "per-tensor");
}

TEST(GPTQ, BlockedLayerMatchesTheOBQRecursion) {
  // Several blocks and groups of different sizes: exercises the lazy
  // updates, groups inside blocks and blocks rounded to whole groups.
  const int64_t N = 8, K = 96, M = 200;
  const std::vector<float> W = randomMatrix(N, K, 5);
  const std::vector<double> H = hessianOf(correlatedInputs(M, K, 6), M, K);
  for (int64_t group : {0, 8, 32, 48})
    for (int64_t block : {16, 20, 128})
      for (int mode = 0; mode < 3; ++mode) {
        GPTQOptions o;
        o.blockSize = block;
        o.actOrder = mode == 1;
        o.staticGroups = mode == 2;
        expectMatchesReference(W, N, K, H, paramsFor(4, mode != 0, group), o,
                               "blocked");
      }
}

TEST(GPTQ, SingularHessianIsDampened) {
  // Fewer samples than inputs: H is singular, the dampening makes it PD.
  const int64_t N = 6, K = 32, M = 8;
  const std::vector<float> W = randomMatrix(N, K, 8);
  const std::vector<double> H = hessianOf(correlatedInputs(M, K, 9), M, K);
  GPTQOptions o;
  o.percdamp = 0.1;
  o.blockSize = 8;
  expectMatchesReference(W, N, K, H, paramsFor(3, false, 16), o, "singular");
}

//===----------------------------------------------------------------------===//
// (b) Better than RTN on correlated inputs
//===----------------------------------------------------------------------===//

TEST(GPTQ, BeatsRTNOnCorrelatedInputs) {
  const int64_t N = 64, K = 256, M = 512;
  const std::vector<float> W = randomMatrix(N, K, 101);
  const std::vector<float> X = correlatedInputs(M, K, 102);
  const std::vector<double> H = hessianOf(X, M, K);
  for (int bits : {3, 4})
    for (bool sym : {true, false})
      for (int64_t group : {0, 128})
        for (bool act : {false, true}) {
          const QuantParams p = paramsFor(bits, sym, group);
          GPTQOptions o;
          o.actOrder = act;
          GPTQResult r;
          ASSERT_EQ(gptqQuantize(W, N, K, H, p, o, r), GPTQStatus::Ok);
          std::vector<float> wq, rtn;
          ASSERT_EQ(dequantize(r.codes, N, K, p, r.scales, wq), QuantStatus::Ok);
          ASSERT_EQ(fakeQuantize(W, N, K, p, rtn), QuantStatus::Ok);
          const double eg = outputError(W, wq, X, M, N, K);
          const double er = outputError(W, rtn, X, M, N, K);
          std::printf("[ GPTQ     ] %d-bit %s %s act-order %d: error / RTN = "
                      "%.3f\n",
                      bits, sym ? "sym " : "asym", group ? "g128" : "chan",
                      act, eg / er);
          // The brief asks for >= 10% lower; measured 0.24 .. 0.54.
          EXPECT_LT(eg, 0.7 * er);
        }
}

//===----------------------------------------------------------------------===//
// (c) No correlations: exactly RTN
//===----------------------------------------------------------------------===//

TEST(GPTQ, DiagonalHessianGivesRTN) {
  const int64_t N = 8, K = 64;
  const std::vector<float> W = randomMatrix(N, K, 31);
  std::mt19937 rng(32);
  std::vector<double> I(K * K, 0.0), D(K * K, 0.0);
  for (int64_t i = 0; i < K; ++i) {
    I[i * K + i] = 1.0;
    D[i * K + i] = uniform(rng, 0.1f, 5.0f);
  }
  for (const QuantParams &p :
       {makeParams(4, true, Granularity::PerChannel),
        makeParams(3, false, Granularity::PerGroup, 16),
        makeParams(2, true, Granularity::PerTensor),
        makeParams(8, false, Granularity::PerGroup, 32)})
    for (bool act : {false, true})
      for (const std::vector<double> *H : {&I, &D}) {
        GPTQOptions o;
        o.actOrder = act;
        o.blockSize = 24;
        GPTQResult r;
        ASSERT_EQ(gptqQuantize(W, N, K, *H, p, o, r), GPTQStatus::Ok);
        QuantScales s;
        std::vector<int32_t> codes;
        ASSERT_EQ(computeScales(W, N, K, p, s), QuantStatus::Ok);
        ASSERT_EQ(quantize(W, N, K, p, s, codes), QuantStatus::Ok);
        EXPECT_EQ(r.codes, codes);
        EXPECT_EQ(r.scales.scales, s.scales);
        EXPECT_EQ(r.scales.zeroPoints, s.zeroPoints);
      }
}

TEST(GPTQ, ActOrderIsDescendingDiagonalWithStableTies) {
  // diag H = {1, 3, 3, 2, 3, 0 (dead -> 1)}: 3s in index order, then 2, then
  // the 1s in index order.
  const int64_t K = 6;
  std::vector<double> H(K * K, 0.0);
  const double diag[] = {1, 3, 3, 2, 3, 0};
  for (int64_t i = 0; i < K; ++i)
    H[i * K + i] = diag[i];
  H[1 * K + 2] = H[2 * K + 1] = 0.5; // some coupling
  const std::vector<float> W = randomMatrix(3, K, 4);
  const QuantParams p = makeParams(4, true, Granularity::PerChannel);
  GPTQOptions o;
  o.actOrder = true;
  GPTQResult r;
  ASSERT_EQ(gptqQuantize(W, 3, K, H, p, o, r), GPTQStatus::Ok);
  EXPECT_EQ(r.order, (std::vector<int64_t>{1, 2, 4, 3, 0, 5}));
  o.actOrder = false;
  ASSERT_EQ(gptqQuantize(W, 3, K, H, p, o, r), GPTQStatus::Ok);
  EXPECT_EQ(r.order, (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
}

//===----------------------------------------------------------------------===//
// (d) Dead columns, dampening retries and bad arguments
//===----------------------------------------------------------------------===//

TEST(GPTQ, DeadColumnsAreZeroedAndIgnoredByScales) {
  const int64_t N = 4, K = 16, M = 64;
  std::vector<float> X = correlatedInputs(M, K, 41);
  for (int64_t m = 0; m < M; ++m)
    X[m * K + 3] = X[m * K + 10] = 0.0f; // inputs 3 and 10 are always zero
  const std::vector<double> H = hessianOf(X, M, K);
  std::vector<float> W = randomMatrix(N, K, 42);
  W[0 * K + 3] = 1000.0f; // would dominate row 0's range if it counted
  for (const QuantParams &p : {makeParams(4, true, Granularity::PerChannel),
                               makeParams(4, false, Granularity::PerGroup, 8)}) {
    GPTQOptions o;
    o.actOrder = true;
    GPTQResult r;
    ASSERT_EQ(gptqQuantize(W, N, K, H, p, o, r), GPTQStatus::Ok);
    EXPECT_EQ(r.deadColumns, 2);
    std::vector<float> wq;
    ASSERT_EQ(dequantize(r.codes, N, K, p, r.scales, wq), QuantStatus::Ok);
    for (int64_t n = 0; n < N; ++n) {
      EXPECT_EQ(wq[n * K + 3], 0.0f);
      EXPECT_EQ(wq[n * K + 10], 0.0f);
    }
    // Row 0's scale is that of W with the dead columns zeroed.
    std::vector<float> Wz = W;
    for (int64_t n = 0; n < N; ++n)
      Wz[n * K + 3] = Wz[n * K + 10] = 0.0f;
    QuantScales s;
    ASSERT_EQ(computeScales(Wz, N, K, p, s), QuantStatus::Ok);
    EXPECT_EQ(r.scales.scales, s.scales);
    expectMatchesReference(W, N, K, H, p, o, "dead");
  }
}

TEST(GPTQ, DampeningRetriesAndNotPositiveDefinite) {
  const std::vector<float> W = {0.5f, -0.25f, 1.0f, 0.75f};
  const QuantParams p = makeParams(4, true, Granularity::PerChannel);
  GPTQResult r;
  // Eigenvalues 11 and -9, mean diagonal 1: p = 0.01, 0.1, 1 fail, p = 10
  // (lambda = 10) makes it PD.
  ASSERT_EQ(gptqQuantize(W, 2, 2, {1, 10, 10, 1}, p, {}, r), GPTQStatus::Ok);
  EXPECT_DOUBLE_EQ(r.percdampUsed, 10.0);
  GPTQOptions o;
  o.maxDampRetries = 2;
  r.deadColumns = -5;
  EXPECT_EQ(gptqQuantize(W, 2, 2, {1, 10, 10, 1}, p, o, r),
            GPTQStatus::NotPositiveDefinite);
  EXPECT_EQ(gptqQuantize(W, 2, 2, {1, 100, 100, 1}, p, {}, r),
            GPTQStatus::NotPositiveDefinite);
  EXPECT_EQ(gptqQuantize(W, 2, 2, {-1, 0, 0, -1}, p, {}, r),
            GPTQStatus::NotPositiveDefinite); // mean diagonal < 0
  // percdamp = 0 on a singular (but not dead) H: retried from 1e-4 * 10.
  o = {};
  o.percdamp = 0.0;
  ASSERT_EQ(gptqQuantize(W, 2, 2, {1, 1, 1, 1}, p, o, r), GPTQStatus::Ok);
  EXPECT_DOUBLE_EQ(r.percdampUsed, 1e-3);
  EXPECT_EQ(r.deadColumns, 0);
}

TEST(GPTQ, BadArguments) {
  const int64_t N = 2, K = 4;
  const std::vector<float> W = randomMatrix(N, K, 1);
  std::vector<double> H(K * K, 0.0);
  for (int64_t i = 0; i < K; ++i)
    H[i * K + i] = 1.0;
  const QuantParams p = makeParams(4, true, Granularity::PerChannel);
  GPTQResult r;
  r.deadColumns = -5;
  QuantParams bad = p;
  bad.bits = 5;
  EXPECT_EQ(gptqQuantize(W, N, K, H, bad, {}, r), GPTQStatus::InvalidQuantParams);
  bad = makeParams(8, true, Granularity::PerChannel, 0, CodeDomain::Activation);
  EXPECT_EQ(gptqQuantize(W, N, K, H, bad, {}, r), GPTQStatus::InvalidQuantParams);
  bad = makeParams(4, true, Granularity::PerGroup, 3);
  EXPECT_EQ(gptqQuantize(W, N, K, H, bad, {}, r), GPTQStatus::InvalidQuantParams);
  EXPECT_EQ(gptqQuantize(W, N, K + 1, H, p, {}, r), GPTQStatus::SizeMismatch);
  EXPECT_EQ(gptqQuantize(W, N, K, std::vector<double>(K * K + 1, 1.0), p, {}, r),
            GPTQStatus::SizeMismatch);
  std::vector<double> Hn = H;
  Hn[5] = NAN;
  EXPECT_EQ(gptqQuantize(W, N, K, Hn, p, {}, r), GPTQStatus::NonFiniteValue);
  std::vector<float> Wn = W;
  Wn[0] = kInf;
  EXPECT_EQ(gptqQuantize(Wn, N, K, H, p, {}, r), GPTQStatus::NonFiniteValue);
  for (GPTQOptions o : {GPTQOptions{-0.1}, GPTQOptions{NAN},
                        GPTQOptions{0.01, 0}, GPTQOptions{0.01, 128, false,
                                                          false, -1}})
    EXPECT_EQ(gptqQuantize(W, N, K, H, p, o, r), GPTQStatus::InvalidOptions);
  EXPECT_EQ(r.deadColumns, -5);
  // Empty layers are fine.
  ASSERT_EQ(gptqQuantize({}, 0, K, H, p, {}, r), GPTQStatus::Ok);
  EXPECT_TRUE(r.codes.empty());
  EXPECT_STREQ(toString(GPTQStatus::NotPositiveDefinite),
               "Hessian not positive definite after dampening");
}

} // namespace
