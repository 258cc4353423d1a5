//===- PackingTest.cpp - Tests of the k_major bitstream packing -----------===//
//
// Byte values are written out by hand for small cases; random cases are
// checked bit by bit against the layout definition (bit k*b + j of row n is
// bit (k*b + j) % 8 of byte n * rowBytes + (k*b + j) / 8) and round-tripped.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Packing.h"
#include "NumericsTestUtil.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

using namespace lowbit::numerics;

namespace {

using Bytes = std::vector<uint8_t>;
using Codes = std::vector<int32_t>;

Bytes packOk(const Codes &codes, int64_t N, int64_t K, int bits) {
  Bytes out;
  EXPECT_TRUE(pack(codes, N, K, bits, out));
  return out;
}

TEST(Packing, RowBytesTable) {
  struct Row {
    int64_t K;
    int bits;
    int64_t bytes;
  };
  const Row rows[] = {{0, 4, 0},       {1, 1, 1},      {8, 1, 1}, {9, 1, 2},
                      {3, 2, 1},       {5, 2, 2},      {3, 3, 2}, {8, 3, 3},
                      {3, 4, 2},       {4, 4, 2},      {7, 5, 5}, {5, 6, 4},
                      {4, 6, 3},       {7, 7, 7},      {9, 7, 8}, {2, 8, 2},
                      {4096, 3, 1536}, {4097, 3, 1537}};
  for (const Row &r : rows)
    EXPECT_EQ(packedRowBytes(r.K, r.bits), r.bytes)
        << "K=" << r.K << " bits=" << r.bits;
}

TEST(Packing, HandComputedBytes) {
  // 4-bit: low nibble first.
  EXPECT_EQ(packOk({1, 2, 3}, 1, 3, 4), (Bytes{0x21, 0x03}));
  EXPECT_EQ(packOk({15, 0, 10, 5}, 1, 4, 4), (Bytes{0x0F, 0x5A}));
  // 2-bit: 1 | 2<<2 | 3<<4 | 0<<6 = 0x39, then 3 alone.
  EXPECT_EQ(packOk({1, 2, 3, 0, 3}, 1, 5, 2), (Bytes{0x39, 0x03}));
  // 3-bit: 5 | 6<<3 | (7 & 3)<<6 = 0xF5; the top bit of 7 spills into byte 1.
  EXPECT_EQ(packOk({5, 6, 7}, 1, 3, 3), (Bytes{0xF5, 0x01}));
  // 3-bit 0..7 is octal 076543210 = 0xFAC688, little-endian.
  EXPECT_EQ(packOk({0, 1, 2, 3, 4, 5, 6, 7}, 1, 8, 3),
            (Bytes{0x88, 0xC6, 0xFA}));
  // 6-bit: 63 | 1<<6 | 42<<12 = 0x2A07F.
  EXPECT_EQ(packOk({63, 1, 42}, 1, 3, 6), (Bytes{0x7F, 0xA0, 0x02}));
  // 1-bit: bits 0,2,3,7 of byte 0, then bit 0 of byte 1.
  EXPECT_EQ(packOk({1, 0, 1, 1, 0, 0, 0, 1, 1}, 1, 9, 1), (Bytes{0x8D, 0x01}));
  // 5-bit: 31 | 0<<5 | 17<<10 = 0x441F.
  EXPECT_EQ(packOk({31, 0, 17}, 1, 3, 5), (Bytes{0x1F, 0x44}));
  // 7-bit: 127 | 1<<7 = 0xFF, then the remaining 6 bits of code 1 are 0.
  EXPECT_EQ(packOk({127, 1}, 1, 2, 7), (Bytes{0xFF, 0x00}));
  EXPECT_EQ(packOk({127, 127}, 1, 2, 7), (Bytes{0xFF, 0x3F}));
  // 8-bit: identity.
  EXPECT_EQ(packOk({0, 255, 17}, 1, 3, 8), (Bytes{0x00, 0xFF, 0x11}));
}

TEST(Packing, EachRowIsPaddedToWholeBytes) {
  // 4-bit K = 3: row 1 starts at byte 2, not in the middle of byte 1.
  EXPECT_EQ(packOk({1, 2, 3, 4, 5, 6}, 2, 3, 4),
            (Bytes{0x21, 0x03, 0x54, 0x06}));
  // 3-bit K = 3 (9 bits -> 2 bytes per row); row 1: 7 | 6<<3 | (5 & 3)<<6.
  EXPECT_EQ(packOk({5, 6, 7, 7, 6, 5}, 2, 3, 3),
            (Bytes{0xF5, 0x01, 0x77, 0x01}));
  // 1-bit K = 1: one byte per row.
  EXPECT_EQ(packOk({1, 0, 1}, 3, 1, 1), (Bytes{0x01, 0x00, 0x01}));
}

TEST(Packing, UnpackHandBytes) {
  Codes codes;
  ASSERT_TRUE(unpack({0x88, 0xC6, 0xFA}, 1, 8, 3, codes));
  EXPECT_EQ(codes, (Codes{0, 1, 2, 3, 4, 5, 6, 7}));
  ASSERT_TRUE(unpack({0x21, 0x03, 0x54, 0x06}, 2, 3, 4, codes));
  EXPECT_EQ(codes, (Codes{1, 2, 3, 4, 5, 6}));
  // Padding bits are ignored (pack writes them as 0, unpack does not care).
  ASSERT_TRUE(unpack({0x21, 0xF3}, 1, 3, 4, codes));
  EXPECT_EQ(codes, (Codes{1, 2, 3}));
  ASSERT_TRUE(unpack({0xF5, 0xFF}, 1, 3, 3, codes));
  EXPECT_EQ(codes, (Codes{5, 6, 7}));
}

class PackingRandom : public ::testing::TestWithParam<int> {};

TEST_P(PackingRandom, BitExactLayoutAndRoundTrip) {
  const int bits = GetParam();
  std::mt19937 rng(4242u + static_cast<uint32_t>(bits));
  // K values hit every residue of K*bits mod 8, plus larger rows.
  const int64_t ks[] = {1, 2, 3, 5, 7, 8, 9, 13, 16, 31, 33, 100, 127, 1000};
  for (int64_t K : ks) {
    const int64_t N = 1 + static_cast<int64_t>(rng() % 5);
    Codes codes(static_cast<size_t>(N * K));
    for (int32_t &c : codes) // bias toward the extremes 0 and 2^b - 1
      c = (rng() % 4 == 0) ? ((rng() & 1) ? (1 << bits) - 1 : 0)
                           : static_cast<int32_t>(rng() % (1u << bits));
    Bytes packed;
    ASSERT_TRUE(pack(codes, N, K, bits, packed));
    const int64_t rowBytes = (K * bits + 7) / 8; // ceil, written out again
    ASSERT_EQ(static_cast<int64_t>(packed.size()), N * rowBytes);

    // Every bit of the stream, including padding, against the definition.
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t bit = 0; bit < rowBytes * 8; ++bit) {
        const int actual = (packed[n * rowBytes + bit / 8] >> (bit % 8)) & 1;
        int expected = 0; // padding
        if (bit < K * bits)
          expected = (codes[n * K + bit / bits] >> (bit % bits)) & 1;
        ASSERT_EQ(actual, expected)
            << "bits=" << bits << " K=" << K << " n=" << n << " bit=" << bit;
      }
    }
    Codes back;
    ASSERT_TRUE(unpack(packed, N, K, bits, back));
    ASSERT_EQ(back, codes) << "bits=" << bits << " K=" << K;
  }
}

TEST_P(PackingRandom, AllOnesFillsEveryNonPaddingBit) {
  const int bits = GetParam();
  const int64_t K = 11; // 11 * bits is never a multiple of 8 here
  Bytes packed = packOk(Codes(K, (1 << bits) - 1), 1, K, bits);
  const int64_t used = K * bits;
  ASSERT_EQ(static_cast<int64_t>(packed.size()), (used + 7) / 8);
  for (size_t i = 0; i + 1 < packed.size(); ++i)
    EXPECT_EQ(packed[i], 0xFF);
  EXPECT_EQ(packed.back(), (1u << (used % 8 == 0 ? 8 : used % 8)) - 1u);
}

INSTANTIATE_TEST_SUITE_P(Bits1To8, PackingRandom, ::testing::Range(1, 9));

TEST(Packing, RejectsBadArguments) {
  Bytes packed{0xAB};
  EXPECT_FALSE(pack({1, 2}, 1, 2, 0, packed));
  EXPECT_FALSE(pack({1, 2}, 1, 2, 9, packed));
  EXPECT_FALSE(pack({1, 2}, 1, 3, 4, packed));   // size mismatch
  EXPECT_FALSE(pack({1, 2}, -1, -2, 4, packed)); // negative shape
  EXPECT_FALSE(pack({1, 16}, 1, 2, 4, packed));  // code >= 2^bits
  EXPECT_FALSE(pack({1, -1}, 1, 2, 4, packed));  // negative code
  EXPECT_FALSE(pack({2}, 1, 1, 1, packed));
  EXPECT_EQ(packed, Bytes{0xAB}); // untouched on failure

  Codes codes{-5};
  EXPECT_FALSE(unpack({0x21, 0x03}, 1, 3, 0, codes));
  EXPECT_FALSE(unpack({0x21, 0x03}, 1, 3, 9, codes));
  EXPECT_FALSE(unpack({0x21}, 1, 3, 4, codes));             // too short
  EXPECT_FALSE(unpack({0x21, 0x03, 0x00}, 1, 3, 4, codes)); // too long
  EXPECT_FALSE(unpack({0x21, 0x03}, -1, 3, 4, codes));
  EXPECT_FALSE(unpack({}, 1, kMaxPackedK + 1, 4, codes));
  EXPECT_EQ(codes, Codes{-5});
}

TEST(Packing, EmptyShapes) {
  Bytes packed{0xAB};
  ASSERT_TRUE(pack({}, 0, 7, 3, packed));
  EXPECT_TRUE(packed.empty());
  ASSERT_TRUE(pack({}, 4, 0, 3, packed));
  EXPECT_TRUE(packed.empty());
  Codes codes{1};
  ASSERT_TRUE(unpack({}, 3, 0, 5, codes));
  EXPECT_TRUE(codes.empty());
}

TEST(Packing, QuantizePackUnpackDequantizeMatchesFakeQuantize) {
  // The weight pipeline: what kernels see after unpacking must reproduce the
  // fake-quantized reference bit for bit.
  const int64_t N = 8, K = 96;
  const std::vector<float> W = test::randomMatrix(N, K, 77u);
  for (int bits : {2, 3, 4, 6, 8}) {
    for (bool symmetric : {true, false}) {
      QuantParams p =
          test::makeParams(bits, symmetric, Granularity::PerGroup, 32);
      QuantScales g;
      Codes codes, back;
      Bytes packed;
      std::vector<float> deq, ref;
      ASSERT_EQ(computeScales(W, N, K, p, g), QuantStatus::Ok);
      ASSERT_EQ(quantize(W, N, K, p, g, codes), QuantStatus::Ok);
      ASSERT_TRUE(pack(codes, N, K, bits, packed));
      EXPECT_EQ(static_cast<int64_t>(packed.size()), N * K * bits / 8);
      ASSERT_TRUE(unpack(packed, N, K, bits, back));
      ASSERT_EQ(dequantize(back, N, K, p, g, deq), QuantStatus::Ok);
      ASSERT_EQ(fakeQuantize(W, N, K, p, ref), QuantStatus::Ok);
      EXPECT_EQ(deq, ref) << bits << (symmetric ? " sym" : " asym");
      EXPECT_EQ(deq, test::referenceFakeQuantize(W, N, K, g,
                                                 codeRange(bits, p.domain)));
    }
  }
}

} // namespace
