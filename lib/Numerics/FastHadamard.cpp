//===- FastHadamard.cpp - Fast (randomized) Hadamard transforms -----------===//
//
// See FastHadamard.h for the definitions (sign generator, Kronecker order,
// arithmetic). The dense Paley factor comes from hadamardMatrix() so the fast
// and the dense transforms can never disagree about the matrix.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/FastHadamard.h"

#include "lowbit/Numerics/Hadamard.h"

#include <cmath>
#include <cstddef>
#include <limits>

namespace lowbit::numerics {

const char *toString(HadamardStatus status) {
  switch (status) {
  case HadamardStatus::Ok:
    return "ok";
  case HadamardStatus::UnsupportedOrder:
    return "unsupported Hadamard order";
  case HadamardStatus::InvalidShape:
    return "invalid shape";
  case HadamardStatus::SizeMismatch:
    return "buffer size does not match shape";
  }
  return "unknown status";
}

uint64_t splitMix64Next(uint64_t &state) {
  state += 0x9E3779B97F4A7C15ull;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::vector<int8_t> hadamardSigns(int64_t n, uint64_t seed) {
  if (n <= 0)
    return {};
  std::vector<int8_t> signs(static_cast<size_t>(n), 1);
  if (seed == 0) // documented: seed 0 means "no random signs"
    return signs;
  uint64_t state = seed;
  for (int64_t i = 0; i < n; ++i)
    signs[i] = (splitMix64Next(state) & 1) ? -1 : 1;
  return signs;
}

namespace {

/// Unnormalized Walsh-Hadamard butterflies over len elements spaced `stride`
/// apart (len a power of two). With stride m this applies S_len (x) I_m.
void butterflies(float *x, int64_t len, int64_t stride) {
  for (int64_t h = 1; h < len; h *= 2) {
    for (int64_t i = 0; i < len; i += 2 * h) {
      for (int64_t j = i; j < i + h; ++j) {
        float &a = x[j * stride];
        float &b = x[(j + h) * stride];
        const float u = a, v = b;
        a = u + v;
        b = u - v;
      }
    }
  }
}

/// The normalization factor float(1 / sqrt(n)) of the header.
float normalization(int64_t n) {
  return static_cast<float>(1.0 / std::sqrt(static_cast<double>(n)));
}

/// Multiplies every contiguous chunk of m elements of x[0..n) by the dense
/// +-1 matrix P (row-major m x m), or by P^T when `transpose`.
void denseChunks(float *x, int64_t n, const std::vector<int8_t> &P, int64_t m,
                 bool transpose, std::vector<double> &tmp) {
  tmp.resize(static_cast<size_t>(m));
  for (int64_t base = 0; base < n; base += m) {
    float *chunk = x + base;
    for (int64_t i = 0; i < m; ++i) {
      double acc = 0.0;
      for (int64_t j = 0; j < m; ++j) {
        const int8_t p = transpose ? P[j * m + i] : P[i * m + j];
        acc += p > 0 ? chunk[j] : -static_cast<double>(chunk[j]);
      }
      tmp[i] = acc;
    }
    for (int64_t i = 0; i < m; ++i)
      chunk[i] = static_cast<float>(tmp[i]);
  }
}

HadamardStatus checkBlocked(const std::vector<float> &x, int64_t rows,
                            int64_t cols, int64_t n) {
  if (!isSupportedHadamardOrder(n))
    return HadamardStatus::UnsupportedOrder;
  if (rows < 0 || cols < 0 || cols % n != 0 ||
      (cols > 0 && rows > std::numeric_limits<int64_t>::max() / cols))
    return HadamardStatus::InvalidShape;
  if (x.size() != static_cast<size_t>(rows * cols))
    return HadamardStatus::SizeMismatch;
  return HadamardStatus::Ok;
}

/// Shared body of the forward (y = H D x) and inverse (x = D H^T y)
/// transforms. Arguments are validated.
void blockedTransform(std::vector<float> &x, int64_t rows, int64_t cols,
                      int64_t n, uint64_t seed, bool inverse) {
  const int64_t m = hadamardPaleyOrder(n);
  const int64_t pow2 = n / m;
  const std::vector<int8_t> P = m > 1 ? hadamardMatrix(m) : std::vector<int8_t>{};
  const std::vector<int8_t> signs = hadamardSigns(n, seed);
  const float norm = normalization(n);
  std::vector<double> tmp;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t b = 0; b < cols; b += n) {
      float *block = x.data() + r * cols + b;
      if (!inverse && seed != 0)
        for (int64_t j = 0; j < n; ++j)
          block[j] = signs[j] < 0 ? -block[j] : block[j];
      // (S (x) P) x = (S (x) I)(I (x) P) x; the transpose is S (x) P^T since
      // S is symmetric. The two factors commute, so the order is free.
      if (m > 1)
        denseChunks(block, n, P, m, /*transpose=*/inverse, tmp);
      for (int64_t i = 0; i < m; ++i)
        butterflies(block + i, pow2, m);
      for (int64_t j = 0; j < n; ++j)
        block[j] *= norm;
      if (inverse && seed != 0)
        for (int64_t j = 0; j < n; ++j)
          block[j] = signs[j] < 0 ? -block[j] : block[j];
    }
  }
}

} // namespace

HadamardStatus fastWalshHadamard(float *x, int64_t n) {
  if (!isPowerOfTwo(n))
    return HadamardStatus::UnsupportedOrder;
  butterflies(x, n, 1);
  const float norm = normalization(n);
  for (int64_t j = 0; j < n; ++j)
    x[j] *= norm;
  return HadamardStatus::Ok;
}

HadamardStatus fastWalshHadamard(std::vector<float> &x) {
  return fastWalshHadamard(x.data(), static_cast<int64_t>(x.size()));
}

HadamardStatus blockHadamardTransform(std::vector<float> &x, int64_t rows,
                                      int64_t cols, int64_t n, uint64_t seed) {
  const HadamardStatus st = checkBlocked(x, rows, cols, n);
  if (st == HadamardStatus::Ok)
    blockedTransform(x, rows, cols, n, seed, /*inverse=*/false);
  return st;
}

HadamardStatus inverseBlockHadamardTransform(std::vector<float> &x,
                                             int64_t rows, int64_t cols,
                                             int64_t n, uint64_t seed) {
  const HadamardStatus st = checkBlocked(x, rows, cols, n);
  if (st == HadamardStatus::Ok)
    blockedTransform(x, rows, cols, n, seed, /*inverse=*/true);
  return st;
}

} // namespace lowbit::numerics
