//===- HadamardTest.cpp - Hadamard matrices against their definition ------===//

#include "lowbit/Numerics/Hadamard.h"

#include <gtest/gtest.h>

#include <set>

using namespace lowbit::numerics;

namespace {

/// H * H^T == n * I, checked entry by entry.
void expectHadamard(int64_t n) {
  std::vector<int8_t> h = hadamardMatrix(n);
  ASSERT_EQ(h.size(), static_cast<size_t>(n * n)) << "order " << n;
  for (int8_t v : h)
    ASSERT_TRUE(v == 1 || v == -1) << "order " << n;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t dot = 0;
      for (int64_t k = 0; k < n; ++k)
        dot += h[i * n + k] * h[j * n + k];
      ASSERT_EQ(dot, i == j ? n : 0) << "order " << n << " rows " << i << ", " << j;
    }
}

TEST(Hadamard, SupportedOrdersAreExactlyTheConstructibleOnes) {
  // Independent list: powers of two, and (q + 1) * 2^k for primes q = 3 mod 4,
  // enumerated by hand up to 64.
  const std::set<int64_t> expected = {1,  2,  4,  8,  12, 16, 20, 24,
                                      32, 40, 44, 48, 60, 64};
  for (int64_t n = 0; n <= 64; ++n)
    EXPECT_EQ(isSupportedHadamardOrder(n), expected.count(n) == 1) << n;
  EXPECT_FALSE(isSupportedHadamardOrder(-4));
  EXPECT_TRUE(isSupportedHadamardOrder(4096));
  EXPECT_TRUE(isSupportedHadamardOrder(12 * 1024));
  EXPECT_FALSE(isSupportedHadamardOrder(36));
}

TEST(Hadamard, RowsAreOrthogonal) {
  for (int64_t n : {1, 2, 4, 8, 12, 16, 20, 24, 40, 44, 48, 60, 64, 128, 240})
    expectHadamard(n);
}

TEST(Hadamard, SylvesterIsSymmetricAndStartsWithOnes) {
  for (int64_t n : {2, 8, 64}) {
    std::vector<int8_t> h = hadamardMatrix(n);
    for (int64_t i = 0; i < n; ++i) {
      EXPECT_EQ(h[i], 1);
      EXPECT_EQ(h[i * n], 1);
      for (int64_t j = 0; j < n; ++j)
        EXPECT_EQ(h[i * n + j], h[j * n + i]);
    }
  }
  // H_2 by hand.
  EXPECT_EQ(hadamardMatrix(2), (std::vector<int8_t>{1, 1, 1, -1}));
}

TEST(Hadamard, UnsupportedOrderGivesEmptyMatrix) {
  EXPECT_TRUE(hadamardMatrix(36).empty());
  EXPECT_TRUE(hadamardMatrix(0).empty());
  EXPECT_TRUE(hadamardMatrix(6).empty());
}

} // namespace
