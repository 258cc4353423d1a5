//===- QuantScalesTest.cpp - Scales, granularity and matrix entry points --===//
//
// Scales are checked in closed form on hand-written data; random matrices are
// checked against the brute-force reference of NumericsTestUtil.h and
// against the error bound |x - x'| <= s/2.
//
//===----------------------------------------------------------------------===//

#include "NumericsTestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <tuple>
#include <vector>

using namespace lowbit::numerics;
using namespace lowbit::numerics::test;

namespace {

constexpr CodeDomain W = CodeDomain::Weight;
constexpr CodeDomain A = CodeDomain::Activation;

//===----------------------------------------------------------------------===//
// computeScaleZero in closed form
//===----------------------------------------------------------------------===//

TEST(ComputeScaleZero, ClosedForm) {
  struct Case {
    int bits;
    bool sym;
    CodeDomain domain;
    float clip, lo, hi, wantScale;
    int32_t wantZero;
  };
  const Case cases[] = {
      // Symmetric: s = clip * max|x| / (2^(b-1) - 1), z implicit.
      {4, true, W, 1.0f, -3.5f, 7.0f, 1.0f, 8},
      {8, true, W, 1.0f, -127.0f, 5.0f, 1.0f, 128},
      {2, true, W, 1.0f, -1.5f, 0.25f, 1.5f, 2},
      {3, true, W, 1.0f, 1.0f, 6.0f, 2.0f, 4},
      {6, true, W, 1.0f, -62.0f, 0.0f, 2.0f, 32},
      {4, true, W, 0.5f, -14.0f, 3.0f, 1.0f, 8},
      {8, true, A, 1.0f, -254.0f, 100.0f, 2.0f, 0},
      {4, true, A, 1.0f, -0.75f, 1.75f, 0.25f, 0},
      // Asymmetric: s = (hi - lo) / (2^b - 1), range extended to include 0.
      {4, false, W, 1.0f, -5.0f, 10.0f, 1.0f, 5},
      {4, false, W, 1.0f, 1.0f, 16.0f, 16.0f / 15.0f, 0}, // lo -> 0
      {4, false, W, 1.0f, -30.0f, -1.0f, 2.0f, 15},       // hi -> 0
      {3, false, W, 1.0f, -7.0f, 0.0f, 1.0f, 7},
      {6, false, W, 1.0f, -21.0f, 42.0f, 1.0f, 21},
      {8, false, W, 1.0f, -100.0f, 155.0f, 1.0f, 100},
      {2, false, W, 1.0f, -0.5f, 2.5f, 1.0f, 0}, // z = round(0.5) = 0
      {2, false, W, 1.0f, -1.5f, 1.5f, 1.0f, 2}, // z = round(1.5) = 2
      {2, false, W, 1.0f, -2.5f, 0.5f, 1.0f, 2}, // z = round(2.5) = 2
      {4, false, W, 0.5f, -10.0f, 20.0f, 1.0f, 5},
      {8, false, A, 1.0f, -10.0f, 245.0f, 1.0f, -118},
      {4, false, A, 1.0f, 0.5f, 15.0f, 1.0f, -8},
      // Zero range: s = 1, z from the usual formula, so x' == 0.
      {4, true, W, 1.0f, 0.0f, 0.0f, 1.0f, 8},
      {4, false, W, 1.0f, 0.0f, 0.0f, 1.0f, 0},
      {8, true, A, 1.0f, 0.0f, 0.0f, 1.0f, 0},
      {8, false, A, 1.0f, 0.0f, 0.0f, 1.0f, -128},
      // s underflows to 0 (denormal range): also s = 1.
      {4, true, W, 1.0f, 0.0f, 1e-45f, 1.0f, 8},
      {8, false, W, 1.0f, -1e-45f, 0.0f, 1.0f, 0},
  };
  for (const Case &c : cases) {
    QuantParams p =
        makeParams(c.bits, c.sym, Granularity::PerTensor, 0, c.domain);
    p.clipRatio = c.clip;
    ScaleZero sz{-1.0f, -999};
    ASSERT_EQ(computeScaleZero(c.lo, c.hi, p, sz), QuantStatus::Ok);
    EXPECT_FLOAT_EQ(sz.scale, c.wantScale)
        << c.bits << (c.sym ? " sym [" : " asym [") << c.lo << ", " << c.hi;
    EXPECT_EQ(sz.zeroPoint, c.wantZero)
        << c.bits << (c.sym ? " sym [" : " asym [") << c.lo << ", " << c.hi;
  }
}

TEST(ComputeScaleZero, RejectsBadArguments) {
  ScaleZero sz{0.5f, 3};
  QuantParams p = makeParams(4, false, Granularity::PerTensor);
  EXPECT_EQ(computeScaleZero(2.0f, 1.0f, p, sz), QuantStatus::InvalidRange);
  EXPECT_EQ(computeScaleZero(kNaN, 1.0f, p, sz), QuantStatus::NonFiniteValue);
  EXPECT_EQ(computeScaleZero(0.0f, kInf, p, sz), QuantStatus::NonFiniteValue);
  // hi - lo overflows to inf in float.
  EXPECT_EQ(computeScaleZero(-3e38f, 3e38f, p, sz),
            QuantStatus::NonFiniteValue);
  for (float clip : {0.0f, -0.5f, 1.01f, kNaN}) {
    p.clipRatio = clip;
    EXPECT_EQ(computeScaleZero(0.0f, 1.0f, p, sz),
              QuantStatus::InvalidClipRatio);
  }
  p = makeParams(5, true, Granularity::PerTensor);
  EXPECT_EQ(computeScaleZero(0.0f, 1.0f, p, sz), QuantStatus::InvalidBits);
  EXPECT_EQ(sz.scale, 0.5f); // untouched on failure
  EXPECT_EQ(sz.zeroPoint, 3);
  // The symmetric scale of the same huge range is fine.
  p = makeParams(4, true, Granularity::PerTensor);
  ASSERT_EQ(computeScaleZero(-3e38f, 3e38f, p, sz), QuantStatus::Ok);
  EXPECT_FLOAT_EQ(sz.scale, 3e38f / 7.0f);
}

//===----------------------------------------------------------------------===//
// computeScales / quantize on hand-written matrices
//===----------------------------------------------------------------------===//

// 2 x 4, row-major.
const std::vector<float> kSmall = {1.0f, -2.0f, 3.0f,  -4.0f,
                                   0.5f, 7.0f,  -1.0f, 2.0f};

void expectGrid(const QuantScales &g, int64_t rows, int64_t cols,
                int64_t groupSize, const std::vector<float> &scales,
                const std::vector<int32_t> &zeros) {
  EXPECT_EQ(g.rows, rows);
  EXPECT_EQ(g.cols, cols);
  EXPECT_EQ(g.groupSize, groupSize);
  ASSERT_EQ(g.scales.size(), scales.size());
  for (size_t i = 0; i < scales.size(); ++i)
    EXPECT_FLOAT_EQ(g.scales[i], scales[i]) << "cell " << i;
  EXPECT_EQ(g.zeroPoints, zeros);
}

TEST(ComputeScales, PerTensor) {
  QuantScales g;
  ASSERT_EQ(computeScales(kSmall, 2, 4,
                          makeParams(4, true, Granularity::PerTensor), g),
            QuantStatus::Ok);
  expectGrid(g, 1, 1, 4, {1.0f}, {8});
  std::vector<int32_t> codes;
  ASSERT_EQ(quantize(kSmall, 2, 4, makeParams(4, true, Granularity::PerTensor),
                     g, codes),
            QuantStatus::Ok);
  EXPECT_EQ(codes, (std::vector<int32_t>{9, 6, 11, 4, 8, 15, 7, 10}));

  ASSERT_EQ(computeScales(kSmall, 2, 4,
                          makeParams(4, false, Granularity::PerTensor), g),
            QuantStatus::Ok);
  expectGrid(g, 1, 1, 4, {11.0f / 15.0f}, {5}); // round(4 / (11/15)) = 5
}

TEST(ComputeScales, PerChannel) {
  QuantScales g;
  ASSERT_EQ(computeScales(kSmall, 2, 4,
                          makeParams(4, true, Granularity::PerChannel), g),
            QuantStatus::Ok);
  expectGrid(g, 2, 1, 4, {4.0f / 7.0f, 1.0f}, {8, 8});
  ASSERT_EQ(computeScales(kSmall, 2, 4,
                          makeParams(4, false, Granularity::PerChannel), g),
            QuantStatus::Ok);
  // Row 0: [-4, 3] -> z = round(4 * 15/7) = 9; row 1: [-1, 7] -> 2.
  expectGrid(g, 2, 1, 4, {7.0f / 15.0f, 8.0f / 15.0f}, {9, 2});
}

TEST(ComputeScales, PerGroup) {
  QuantScales g;
  ASSERT_EQ(computeScales(kSmall, 2, 4,
                          makeParams(4, true, Granularity::PerGroup, 2), g),
            QuantStatus::Ok);
  expectGrid(g, 2, 2, 2, {2.0f / 7, 4.0f / 7, 1.0f, 2.0f / 7}, {8, 8, 8, 8});
  ASSERT_EQ(computeScales(kSmall, 2, 4,
                          makeParams(4, false, Granularity::PerGroup, 2), g),
            QuantStatus::Ok);
  // Group [0.5, 7] is all positive: the range becomes [0, 7], z = 0.
  expectGrid(g, 2, 2, 2, {0.2f, 7.0f / 15, 7.0f / 15, 0.2f}, {10, 9, 0, 5});
  // groupSize == K behaves like per-channel.
  ASSERT_EQ(computeScales(kSmall, 2, 4,
                          makeParams(4, true, Granularity::PerGroup, 4), g),
            QuantStatus::Ok);
  expectGrid(g, 2, 1, 4, {4.0f / 7.0f, 1.0f}, {8, 8});
}

// Degenerate groups: all zero, constant, single sign, exact-tie zero point.
const std::vector<float> kSpecial = {0.0f, 0.0f, 3.0f,  3.0f, -2.0f, -2.0f,
                                     0.0f, 5.0f, -6.0f, 6.0f, 0.25f, 0.25f};

TEST(ComputeScales, SpecialGroupsAsymmetric) {
  const QuantParams p = makeParams(4, false, Granularity::PerGroup, 2);
  QuantScales g;
  std::vector<float> deq;
  ASSERT_EQ(fakeQuantize(kSpecial, 3, 4, p, deq, &g), QuantStatus::Ok);
  // [-6, 6]: s = 0.8, z = round(7.5) = 8 (tie to even).
  expectGrid(g, 3, 2, 2, {1.0f, 0.2f, 2.0f / 15, 1.0f / 3, 0.8f, 0.25f / 15},
             {0, 0, 15, 0, 8, 0});
  std::vector<int32_t> codes;
  ASSERT_EQ(quantize(kSpecial, 3, 4, p, g, codes), QuantStatus::Ok);
  // -6 / 0.8 = -7.5 -> -8 (even) -> c = 0; 6 / 0.8 = 7.5 -> 8 -> 16 -> 15.
  EXPECT_EQ(codes,
            (std::vector<int32_t>{0, 0, 15, 15, 0, 0, 0, 15, 0, 15, 15, 15}));
  EXPECT_EQ(deq[0], 0.0f); // all-zero group is exact, not NaN
  EXPECT_EQ(deq[1], 0.0f);
  EXPECT_EQ(deq[6], 0.0f); // 0 is always representable
  for (size_t i = 0; i < deq.size(); ++i) {
    const float s = g.scales[(i / 4) * 2 + (i % 4) / 2];
    EXPECT_LE(std::fabs(deq[i] - kSpecial[i]), s / 2 * (1 + 1e-6f)) << i;
  }
}

TEST(ComputeScales, SpecialGroupsSymmetric) {
  const QuantParams p = makeParams(4, true, Granularity::PerGroup, 2);
  QuantScales g;
  std::vector<float> deq;
  ASSERT_EQ(fakeQuantize(kSpecial, 3, 4, p, deq, &g), QuantStatus::Ok);
  expectGrid(g, 3, 2, 2,
             {1.0f, 3.0f / 7, 2.0f / 7, 5.0f / 7, 6.0f / 7, 0.25f / 7},
             {8, 8, 8, 8, 8, 8});
  std::vector<int32_t> codes;
  ASSERT_EQ(quantize(kSpecial, 3, 4, p, g, codes), QuantStatus::Ok);
  EXPECT_EQ(codes,
            (std::vector<int32_t>{8, 8, 15, 15, 1, 1, 8, 15, 1, 15, 15, 15}));
  EXPECT_EQ(deq[0], 0.0f);
  EXPECT_EQ(deq[1], 0.0f);
  // Max-magnitude elements come back almost exactly (|c - z| = 7).
  for (size_t i : {2u, 4u, 7u, 8u, 9u, 10u})
    EXPECT_NEAR(deq[i], kSpecial[i], 1e-6f * std::fabs(kSpecial[i])) << i;
}

TEST(ComputeScales, ClipRatioSaturates) {
  QuantParams p = makeParams(4, true, Granularity::PerChannel);
  p.clipRatio = 0.5f;
  const std::vector<float> sym = {14.0f, -14.0f, 3.0f, 1.0f};
  QuantScales g;
  std::vector<int32_t> codes;
  ASSERT_EQ(computeScales(sym, 1, 4, p, g), QuantStatus::Ok);
  expectGrid(g, 1, 1, 4, {1.0f}, {8});
  ASSERT_EQ(quantize(sym, 1, 4, p, g, codes), QuantStatus::Ok);
  // -14 saturates to the most negative code 0 (value -8).
  EXPECT_EQ(codes, (std::vector<int32_t>{15, 0, 11, 9}));

  p.symmetric = false;
  const std::vector<float> asym = {-10.0f, 20.0f, 3.0f, 6.0f};
  ASSERT_EQ(computeScales(asym, 1, 4, p, g), QuantStatus::Ok);
  expectGrid(g, 1, 1, 4, {1.0f}, {5}); // clipped range [-5, 10]
  ASSERT_EQ(quantize(asym, 1, 4, p, g, codes), QuantStatus::Ok);
  EXPECT_EQ(codes, (std::vector<int32_t>{0, 15, 8, 11}));
}

TEST(ComputeScales, ActivationDomain) {
  const std::vector<float> x = {-254.0f, 10.0f, 3.0f, 0.0f};
  QuantParams p = makeParams(8, true, Granularity::PerChannel, 0, A);
  QuantScales g;
  std::vector<int32_t> codes;
  ASSERT_EQ(computeScales(x, 1, 4, p, g), QuantStatus::Ok);
  expectGrid(g, 1, 1, 4, {2.0f}, {0});
  ASSERT_EQ(quantize(x, 1, 4, p, g, codes), QuantStatus::Ok);
  EXPECT_EQ(codes, (std::vector<int32_t>{-127, 5, 2, 0})); // 1.5 -> 2

  const std::vector<float> y = {-10.0f, 245.0f, 0.0f, 1.0f};
  p.symmetric = false;
  ASSERT_EQ(computeScales(y, 1, 4, p, g), QuantStatus::Ok);
  expectGrid(g, 1, 1, 4, {1.0f}, {-118});
  ASSERT_EQ(quantize(y, 1, 4, p, g, codes), QuantStatus::Ok);
  EXPECT_EQ(codes, (std::vector<int32_t>{-128, 127, -118, -117}));
}

TEST(ComputeScales, EmptyMatrices) {
  QuantScales g;
  std::vector<float> deq{1.0f};
  ASSERT_EQ(
      computeScales({}, 0, 4, makeParams(4, true, Granularity::PerTensor), g),
      QuantStatus::Ok);
  expectGrid(g, 1, 1, 4, {1.0f}, {8});
  ASSERT_EQ(fakeQuantize({}, 0, 4, makeParams(4, true, Granularity::PerChannel),
                         deq, &g),
            QuantStatus::Ok);
  EXPECT_TRUE(deq.empty());
  expectGrid(g, 0, 1, 4, {}, {});
  ASSERT_EQ(fakeQuantize({}, 2, 0,
                         makeParams(4, false, Granularity::PerGroup, 4), deq,
                         &g),
            QuantStatus::Ok);
  expectGrid(g, 2, 0, 4, {}, {});
}

//===----------------------------------------------------------------------===//
// Argument validation
//===----------------------------------------------------------------------===//

TEST(Validation, ComputeScales) {
  QuantScales g;
  g.rows = 42;
  const QuantParams ok = makeParams(4, true, Granularity::PerGroup, 2);
  EXPECT_EQ(computeScales(kSmall, 1, 4, ok, g), QuantStatus::SizeMismatch);
  EXPECT_EQ(computeScales(kSmall, -2, -4, ok, g), QuantStatus::InvalidShape);
  EXPECT_EQ(validate(ok, int64_t{1} << 40, int64_t{1} << 40),
            QuantStatus::InvalidShape); // N * K overflows
  for (int64_t gs : {0, -2, 3, 8}) {
    QuantParams p = ok;
    p.groupSize = gs;
    EXPECT_EQ(computeScales(kSmall, 2, 4, p, g), QuantStatus::InvalidGroupSize)
        << gs;
  }
  for (int bits : {0, 1, 5, 7, 9}) {
    QuantParams p = ok;
    p.bits = bits;
    EXPECT_EQ(computeScales(kSmall, 2, 4, p, g), QuantStatus::InvalidBits);
  }
  QuantParams clip = ok;
  clip.clipRatio = 1.5f;
  EXPECT_EQ(computeScales(kSmall, 2, 4, clip, g),
            QuantStatus::InvalidClipRatio);
  std::vector<float> bad = kSmall;
  bad[5] = kNaN;
  EXPECT_EQ(computeScales(bad, 2, 4, ok, g), QuantStatus::NonFiniteValue);
  bad[5] = -kInf;
  EXPECT_EQ(computeScales(bad, 2, 4, ok, g), QuantStatus::NonFiniteValue);
  EXPECT_EQ(g.rows, 42); // untouched on failure
}

TEST(Validation, QuantizeAndDequantize) {
  const QuantParams p = makeParams(4, false, Granularity::PerGroup, 2);
  QuantScales good;
  ASSERT_EQ(computeScales(kSmall, 2, 4, p, good), QuantStatus::Ok);
  std::vector<int32_t> codes{-7};
  std::vector<float> out{-7.0f};

  auto expectBadGrid = [&](QuantScales g) {
    EXPECT_EQ(quantize(kSmall, 2, 4, p, g, codes), QuantStatus::InvalidScales);
    EXPECT_EQ(dequantize({0, 0, 0, 0, 0, 0, 0, 0}, 2, 4, p, g, out),
              QuantStatus::InvalidScales);
  };
  QuantScales g = good;
  g.cols = 1;
  expectBadGrid(g);
  g = good;
  g.scales.pop_back();
  expectBadGrid(g);
  for (float s : {0.0f, -1.0f, kNaN, kInf}) {
    g = good;
    g.scales[1] = s;
    expectBadGrid(g);
  }
  for (int32_t z : {-1, 16}) { // 4-bit weight zero points live in [0, 15]
    g = good;
    g.zeroPoints[2] = z;
    expectBadGrid(g);
  }
  std::vector<float> nan = kSmall;
  nan[0] = kNaN;
  EXPECT_EQ(quantize(nan, 2, 4, p, good, codes), QuantStatus::NonFiniteValue);
  EXPECT_EQ(dequantize({0, 0, 0, 16, 0, 0, 0, 0}, 2, 4, p, good, out),
            QuantStatus::CodeOutOfRange);
  EXPECT_EQ(dequantize({0, -1, 0, 0, 0, 0, 0, 0}, 2, 4, p, good, out),
            QuantStatus::CodeOutOfRange);
  EXPECT_EQ(dequantize({0, 0, 0}, 2, 4, p, good, out),
            QuantStatus::SizeMismatch);
  EXPECT_EQ(codes, std::vector<int32_t>{-7}); // untouched on failure
  EXPECT_EQ(out, std::vector<float>{-7.0f});
}

TEST(Validation, StatusNamesAreDistinct) {
  std::set<std::string> names;
  for (int s = 0; s <= static_cast<int>(QuantStatus::InvalidScales); ++s)
    names.insert(toString(static_cast<QuantStatus>(s)));
  EXPECT_EQ(names.size(), 10u);
}

} // namespace
