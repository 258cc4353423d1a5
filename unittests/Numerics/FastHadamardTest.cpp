//===- FastHadamardTest.cpp - Fast transforms against dense products ------===//
//
// Every fast transform is compared with the dense matrix of hadamardMatrix()
// times the vector, computed in double in the test (brute force). Signs are
// checked against published splitmix64 outputs.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/FastHadamard.h"
#include "lowbit/Numerics/Hadamard.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

using namespace lowbit::numerics;

namespace {

std::vector<float> randomVector(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> x(static_cast<size_t>(n));
  for (float &v : x)
    v = static_cast<float>(static_cast<int64_t>(rng() % 20001) - 10000) /
        1000.0f;
  return x;
}

/// y = H diag(signs) x / sqrt(n) with the dense matrix, in double.
std::vector<double> denseTransform(const std::vector<float> &x, int64_t n,
                                   const std::vector<int> &signs,
                                   bool transpose) {
  const std::vector<int8_t> H = hadamardMatrix(n);
  std::vector<double> y(static_cast<size_t>(n), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    double acc = 0;
    for (int64_t j = 0; j < n; ++j) {
      const int h = transpose ? H[j * n + i] : H[i * n + j];
      // Forward: signs act on the input; inverse: on the output (below).
      acc += h * (transpose ? 1 : signs[j]) * static_cast<double>(x[j]);
    }
    y[i] = acc / std::sqrt(static_cast<double>(n)) * (transpose ? signs[i] : 1);
  }
  return y;
}

void expectClose(const std::vector<float> &got, const std::vector<double> &want,
                 double scale, const char *what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-5 * scale) << what << " index " << i;
}

/// Independent splitmix64, written out from the reference C code.
std::vector<int> referenceSigns(int64_t n, uint64_t seed) {
  std::vector<int> s(static_cast<size_t>(n), 1);
  if (seed == 0)
    return s;
  uint64_t x = seed;
  for (int64_t i = 0; i < n; ++i) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z = z ^ (z >> 31);
    s[i] = (z & 1) ? -1 : 1;
  }
  return s;
}

TEST(SplitMix64, PublishedOutputs) {
  // Outputs of Vigna's splitmix64 for seed 1234567 (also used by the
  // Rosetta Code task) and the first output for seed 0.
  uint64_t state = 1234567;
  const uint64_t want[] = {6457827717110365317ull, 3203168211198807973ull,
                           9817491932198370423ull, 4593380528125082431ull,
                           16408922859458223821ull};
  for (uint64_t w : want)
    EXPECT_EQ(splitMix64Next(state), w);
  uint64_t zero = 0;
  EXPECT_EQ(splitMix64Next(zero), 0xE220A8397B1DCDAFull);
}

TEST(HadamardSigns, BitZeroOfTheStream) {
  // The five published outputs above are all odd: bit 0 set -> sign -1.
  EXPECT_EQ(hadamardSigns(5, 1234567), (std::vector<int8_t>(5, -1)));
  for (uint64_t seed : {1ull, 42ull, 0xDEADBEEFull}) {
    const std::vector<int8_t> got = hadamardSigns(1000, seed);
    const std::vector<int> want = referenceSigns(1000, seed);
    int minus = 0;
    for (int i = 0; i < 1000; ++i) {
      ASSERT_EQ(got[i], want[i]) << "seed " << seed << " i " << i;
      minus += got[i] < 0;
    }
    EXPECT_GT(minus, 400); // a fair coin, not a constant
    EXPECT_LT(minus, 600);
  }
  EXPECT_EQ(hadamardSigns(7, 0), (std::vector<int8_t>(7, 1)));
  EXPECT_TRUE(hadamardSigns(0, 3).empty());
}

TEST(HadamardPaleyOrder, KroneckerStructureOfTheDenseMatrix) {
  for (int64_t n : {1, 2, 16, 12, 24, 40, 48, 80, 96}) {
    const int64_t m = hadamardPaleyOrder(n);
    ASSERT_GT(m, 0) << n;
    ASSERT_EQ(n % m, 0);
    const int64_t p = n / m;
    ASSERT_TRUE(isPowerOfTwo(p));
    const std::vector<int8_t> H = hadamardMatrix(n), S = hadamardMatrix(p),
                              P = hadamardMatrix(m);
    for (int64_t a = 0; a < p; ++a)
      for (int64_t b = 0; b < p; ++b)
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < m; ++j)
            ASSERT_EQ(H[(a * m + i) * n + b * m + j],
                      S[a * p + b] * P[i * m + j])
                << n;
  }
  EXPECT_EQ(hadamardPaleyOrder(64), 1);
  EXPECT_EQ(hadamardPaleyOrder(12), 12);
  EXPECT_EQ(hadamardPaleyOrder(48), 12); // the smallest: 4 (x) P_12
  EXPECT_EQ(hadamardPaleyOrder(40), 20); // 2 (x) P_20
  EXPECT_EQ(hadamardPaleyOrder(176), 44);
  EXPECT_EQ(hadamardPaleyOrder(24), 12); // not P_24: smaller is faster
  EXPECT_EQ(hadamardPaleyOrder(384), 12); // 32 (x) P_12, as QuaRot uses
  EXPECT_EQ(hadamardPaleyOrder(36), 0);
}

TEST(FastWalshHadamard, MatchesDenseSylvester) {
  for (int64_t n : {1, 2, 4, 8, 64, 256, 1024}) {
    std::vector<float> x = randomVector(n, static_cast<uint32_t>(n));
    const std::vector<double> want =
        denseTransform(x, n, std::vector<int>(n, 1), false);
    ASSERT_EQ(fastWalshHadamard(x), HadamardStatus::Ok);
    expectClose(x, want, 10.0, "fwht");
  }
}

TEST(FastWalshHadamard, IsAnInvolutionAndPreservesTheNorm) {
  const std::vector<float> x0 = randomVector(512, 7);
  std::vector<float> x = x0;
  ASSERT_EQ(fastWalshHadamard(x.data(), 512), HadamardStatus::Ok);
  double n0 = 0, n1 = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    n0 += static_cast<double>(x0[i]) * x0[i];
    n1 += static_cast<double>(x[i]) * x[i];
  }
  EXPECT_NEAR(n1, n0, 1e-5 * n0);
  ASSERT_EQ(fastWalshHadamard(x.data(), 512), HadamardStatus::Ok);
  for (size_t i = 0; i < x.size(); ++i)
    ASSERT_NEAR(x[i], x0[i], 1e-5);
}

TEST(FastWalshHadamard, UnitVectorGivesAConstantRow) {
  // H e_0 / sqrt(n) = first column of H / sqrt(n) = all 1/sqrt(n); n = 16
  // makes it exactly 0.25.
  std::vector<float> x(16, 0.0f);
  x[0] = 1.0f;
  ASSERT_EQ(fastWalshHadamard(x), HadamardStatus::Ok);
  for (float v : x)
    EXPECT_EQ(v, 0.25f);
}

TEST(FastWalshHadamard, RejectsNonPowersOfTwo) {
  std::vector<float> x(12, 1.0f);
  EXPECT_EQ(fastWalshHadamard(x), HadamardStatus::UnsupportedOrder);
  EXPECT_EQ(x, std::vector<float>(12, 1.0f));
  std::vector<float> empty;
  EXPECT_EQ(fastWalshHadamard(empty), HadamardStatus::UnsupportedOrder);
}

TEST(BlockHadamard, MatchesDenseForEveryKindOfOrder) {
  // Powers of two, pure Paley orders and Sylvester (x) Paley products.
  for (int64_t n : {1, 8, 64, 12, 20, 24, 40, 48, 80, 96, 176}) {
    for (uint64_t seed : {0ull, 1ull, 12345ull}) {
      const int64_t rows = 3, blocks = 2, cols = blocks * n;
      std::vector<float> x = randomVector(rows * cols, 100 + n);
      const std::vector<float> x0 = x;
      ASSERT_EQ(blockHadamardTransform(x, rows, cols, n, seed),
                HadamardStatus::Ok);
      const std::vector<int> signs = referenceSigns(n, seed);
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t b = 0; b < blocks; ++b) {
          const int64_t off = r * cols + b * n;
          const std::vector<float> in(x0.begin() + off, x0.begin() + off + n);
          const std::vector<float> got(x.begin() + off, x.begin() + off + n);
          expectClose(got, denseTransform(in, n, signs, false), 10.0, "fwd");
        }
      }
      // The inverse matches D H^T y / sqrt(n) and recovers the input.
      const std::vector<float> y = x;
      ASSERT_EQ(inverseBlockHadamardTransform(x, rows, cols, n, seed),
                HadamardStatus::Ok);
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t b = 0; b < blocks; ++b) {
          const int64_t off = r * cols + b * n;
          const std::vector<float> in(y.begin() + off, y.begin() + off + n);
          const std::vector<float> got(x.begin() + off, x.begin() + off + n);
          expectClose(got, denseTransform(in, n, signs, true), 10.0, "inv");
          for (int64_t j = 0; j < n; ++j)
            ASSERT_NEAR(x[off + j], x0[off + j], 1e-4) << "n " << n;
        }
      }
    }
  }
}

TEST(BlockHadamard, PreservesRowNorms) {
  const int64_t n = 40, rows = 4, cols = 3 * n;
  std::vector<float> x = randomVector(rows * cols, 5);
  const std::vector<float> x0 = x;
  ASSERT_EQ(blockHadamardTransform(x, rows, cols, n, 99), HadamardStatus::Ok);
  for (int64_t r = 0; r < rows; ++r) {
    double a = 0, b = 0;
    for (int64_t j = 0; j < cols; ++j) {
      a += static_cast<double>(x0[r * cols + j]) * x0[r * cols + j];
      b += static_cast<double>(x[r * cols + j]) * x[r * cols + j];
    }
    EXPECT_NEAR(b, a, 1e-5 * a);
  }
}

TEST(BlockHadamard, SeedZeroIsThePlainTransform) {
  // seed 0 == no signs: same result as the FWHT of every block.
  const int64_t n = 32, rows = 2, cols = 4 * n;
  std::vector<float> a = randomVector(rows * cols, 11), b = a;
  ASSERT_EQ(blockHadamardTransform(a, rows, cols, n, 0), HadamardStatus::Ok);
  for (int64_t off = 0; off < rows * cols; off += n)
    ASSERT_EQ(fastWalshHadamard(b.data() + off, n), HadamardStatus::Ok);
  EXPECT_EQ(a, b);
  // A nonzero seed changes the result.
  std::vector<float> c = randomVector(rows * cols, 11);
  ASSERT_EQ(blockHadamardTransform(c, rows, cols, n, 1), HadamardStatus::Ok);
  EXPECT_NE(a, c);
}

TEST(BlockHadamard, BadArguments) {
  std::vector<float> x(24, 1.0f);
  const std::vector<float> x0 = x;
  EXPECT_EQ(blockHadamardTransform(x, 1, 24, 36, 1),
            HadamardStatus::UnsupportedOrder);
  EXPECT_EQ(blockHadamardTransform(x, 1, 24, 0, 1),
            HadamardStatus::UnsupportedOrder);
  EXPECT_EQ(blockHadamardTransform(x, 1, 24, 16, 1),
            HadamardStatus::InvalidShape); // 24 % 16 != 0
  EXPECT_EQ(blockHadamardTransform(x, -1, 24, 8, 1),
            HadamardStatus::InvalidShape);
  EXPECT_EQ(blockHadamardTransform(x, 2, 24, 8, 1),
            HadamardStatus::SizeMismatch);
  EXPECT_EQ(inverseBlockHadamardTransform(x, 2, 24, 12, 1),
            HadamardStatus::SizeMismatch);
  EXPECT_EQ(x, x0);
  std::vector<float> empty;
  EXPECT_EQ(blockHadamardTransform(empty, 0, 0, 8, 1), HadamardStatus::Ok);
  EXPECT_STREQ(toString(HadamardStatus::UnsupportedOrder),
               "unsupported Hadamard order");
}

} // namespace
