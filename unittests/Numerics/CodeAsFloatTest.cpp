//===- CodeAsFloatTest.cpp - codes read as floats, against plain products -===//
//
// The GPU GEMV's dequantization forms (CodeAsFloat.h) must give the very
// bits of the plain computation with converted codes: products and fma sums
// of x * c, times a power of two. The references below convert the codes
// with static_cast and multiply in float (or exactly in double).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/CodeAsFloat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>

using namespace lowbit::numerics;

namespace {

uint32_t bitsOf(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  return bits;
}

TEST(CodeAsFloat, Above2To23LeavesTheCodeAfterOneSubtraction) {
  for (uint32_t c = 0; c < 256; ++c) {
    EXPECT_EQ(codeAbove2To23(c), 8388608.0f + static_cast<float>(c));
    EXPECT_EQ(codeAbove2To23(c) - 8388608.0f, static_cast<float>(c));
  }
}

// Every 4-bit code at every position the GEMV uses (nibbles 0-4 in place,
// 5-7 after a shift of the word by 12: bits 0, 4, ..., 16), against the
// exact product in double rounded once to float.
TEST(CodeAsFloat, SubnormalProductIsTheProductTimes2ToMinus64) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  std::uniform_int_distribution<int> exponent(-40, 40);
  for (unsigned shift = 0; shift <= 16; shift += 4)
    for (uint32_t c = 0; c < 16; ++c) {
      // Other codes in the word must not leak into the masked one.
      uint32_t word = 0xFFFFFFFFu ^ ((15u ^ c) << shift);
      float code = maskedWordAsFloat(word, 15u << shift);
      EXPECT_EQ(bitsOf(code) >> 23, 0u) << "not subnormal: " << c;
      for (int i = 0; i < 200; ++i) {
        float x = std::ldexp(normal(rng), exponent(rng));
        float got = subnormalFactor(x, shift) * code;
        float want = std::ldexp(
            static_cast<float>(static_cast<double>(x) * c), kSubnormalSumExponent);
        ASSERT_EQ(bitsOf(got), bitsOf(want)) << "x " << x << " c " << c
                                             << " shift " << shift;
      }
    }
}

// The kernel's whole sum for one lane, row and group: 32 codes folded by
// fma, the zero point and the scale applied once (GemvCudaCore.cpp), in the
// subnormal form and plainly; the results must be the same bits.
TEST(CodeAsFloat, SubnormalSumsEqualThePlainOnesBitForBit) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal;
  std::uniform_int_distribution<uint32_t> any;
  std::uniform_real_distribution<float> scaleDist(1e-3f, 1e-1f);
  const unsigned shifts[8] = {0, 4, 8, 12, 16, 8, 12, 16};
  for (int trial = 0; trial < 2000; ++trial) {
    float scaledX = 0, plain = 0, xSum = 0;
    float x[32];
    uint32_t words[4];
    for (float &v : x)
      v = std::ldexp(normal(rng), trial % 30 - 15);
    for (uint32_t &w : words)
      w = any(rng);
    float sub = 0;
    bool first = true;
    for (int j = 0; j < 4; ++j) {
      uint32_t high = words[j] >> 12;
      for (int t = 0; t < 8; ++t) {
        float xv = x[8 * j + t];
        xSum = first ? xv : xSum + xv;
        uint32_t source = t >= 5 ? high : words[j];
        float code = maskedWordAsFloat(source, 15u << shifts[t]);
        uint32_t c = (words[j] >> (4 * t)) & 15u;
        scaledX = subnormalFactor(xv, shifts[t]);
        sub = first ? scaledX * code : std::fma(scaledX, code, sub);
        plain = first ? xv * static_cast<float>(c)
                      : std::fma(xv, static_cast<float>(c), plain);
        first = false;
      }
    }
    float zero = static_cast<float>(trial % 16), scale = scaleDist(rng);
    float unit = std::ldexp(1.0f, kSubnormalSumExponent);
    float accSub = std::fma(std::ldexp(scale, -kSubnormalSumExponent),
                            std::fma(-zero * unit, xSum, sub), 0.25f);
    float accPlain = std::fma(scale, std::fma(-zero, xSum, plain), 0.25f);
    ASSERT_EQ(bitsOf(sub), bitsOf(std::ldexp(plain, kSubnormalSumExponent)))
        << "trial " << trial;
    ASSERT_EQ(bitsOf(accSub), bitsOf(accPlain)) << "trial " << trial;
  }
}

// The stated limit: x * 2^85 is finite below |x| = 2^43.
TEST(CodeAsFloat, SubnormalFactorRange) {
  EXPECT_TRUE(std::isfinite(subnormalFactor(std::nextafter(std::ldexp(1.0f, 43), 0.0f), 0)));
  EXPECT_TRUE(std::isinf(subnormalFactor(std::ldexp(1.0f, 43), 0)));
  EXPECT_EQ(subnormalFactor(3.0f, 16), std::ldexp(3.0f, 69));
}

} // namespace
