//===- NumericsTestUtil.h - Shared helpers of the numerics tests ----------===//
//
// Independent references (brute-force code search, exact products) and
// deterministic random data used by the numerics unit tests.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_UNITTESTS_NUMERICS_NUMERICSTESTUTIL_H
#define LOWBIT_UNITTESTS_NUMERICS_NUMERICSTESTUTIL_H

#include "lowbit/Numerics/UniformQuantizer.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace lowbit {
namespace numerics {
namespace test {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// Nearest code to x on the grid s * (c - z), found by scanning all codes;
/// ties (equal distance) go to the candidate with even c - z. Distances are
/// measured on the float quotient x / s, which the convention defines.
inline int32_t bruteForceCode(float x, float s, int32_t z, int32_t qmin,
                              int32_t qmax) {
  if (std::isnan(x))
    return z;
  const double r = static_cast<double>(x / s);
  if (std::isinf(r))
    return r > 0 ? qmax : qmin;
  int32_t best = qmin;
  double bestDist = std::numeric_limits<double>::infinity();
  for (int32_t c = qmin; c <= qmax; ++c) {
    const double d = std::fabs(r - static_cast<double>(c - z));
    if (d < bestDist || (d == bestDist && (c - z) % 2 == 0)) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

/// float(s * q) computed exactly in double and rounded once: equals the
/// correctly rounded float product the convention requires.
inline float exactProduct(float s, int64_t q) {
  return static_cast<float>(static_cast<double>(s) * static_cast<double>(q));
}

/// Deterministic uniform float in [lo, hi) from raw mt19937 output (the
/// std distributions differ between standard libraries).
inline float uniform(std::mt19937 &rng, float lo, float hi) {
  return lo + (hi - lo) * static_cast<float>(rng() >> 8) * 0x1p-24f;
}

/// Roughly Gaussian rows with per-row magnitude and a few outliers, the shape
/// of real weight matrices.
inline std::vector<float> randomMatrix(int64_t N, int64_t K, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> W(static_cast<size_t>(N * K));
  for (int64_t n = 0; n < N; ++n) {
    const float rowScale = uniform(rng, 0.05f, 2.0f);
    for (int64_t k = 0; k < K; ++k) {
      float v = 0;
      for (int i = 0; i < 4; ++i)
        v += uniform(rng, -1.0f, 1.0f);
      if (rng() % 97 == 0)
        v *= 6.0f;
      W[n * K + k] = v * rowScale;
    }
  }
  return W;
}

inline QuantParams makeParams(int bits, bool symmetric, Granularity g,
                              int64_t groupSize = 0,
                              CodeDomain domain = CodeDomain::Weight) {
  QuantParams p;
  p.bits = bits;
  p.symmetric = symmetric;
  p.granularity = g;
  p.groupSize = groupSize;
  p.domain = domain;
  return p;
}

/// Fake quantization of a row-major [N, K] matrix with a given grid, using
/// bruteForceCode and exactProduct only (not the code under test).
inline std::vector<float> referenceFakeQuantize(const std::vector<float> &W,
                                                int64_t N, int64_t K,
                                                const QuantScales &grid,
                                                CodeRange range) {
  std::vector<float> out(W.size());
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t k = 0; k < K; ++k) {
      // Locate the grid cell by hand rather than through indexFor.
      const int64_t row = grid.rows == 1 ? 0 : n;
      const int64_t cell = row * grid.cols + k / grid.groupSize;
      const float s = grid.scales[cell];
      const int32_t z = grid.zeroPoints[cell];
      const int32_t c =
          bruteForceCode(W[n * K + k], s, z, range.qmin, range.qmax);
      out[n * K + k] = exactProduct(s, c - z);
    }
  }
  return out;
}

} // namespace test
} // namespace numerics
} // namespace lowbit

#endif // LOWBIT_UNITTESTS_NUMERICS_NUMERICSTESTUTIL_H
