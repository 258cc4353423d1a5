//===- GPTQReference.h - Independent GPTQ reference and test data ---------===//
//
// The reference is the plain optimal-brain-quantizer recursion: explicit
// inverse of the damped Hessian (Gauss-Jordan), one column at a time, with
// the rank-1 downdate of the inverse after each column; no Cholesky, no
// blocking, no laziness. Codes come from the brute-force code search of
// NumericsTestUtil.h. Scales use computeScales (tested elsewhere).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_UNITTESTS_NUMERICS_GPTQREFERENCE_H
#define LOWBIT_UNITTESTS_NUMERICS_GPTQREFERENCE_H

#include "NumericsTestUtil.h"

#include "lowbit/Numerics/GPTQ.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <utility>
#include <vector>

namespace lowbit {
namespace numerics {
namespace test {

inline std::vector<double> inverse(std::vector<double> A, int64_t K) {
  std::vector<double> I(static_cast<size_t>(K * K), 0.0);
  for (int64_t i = 0; i < K; ++i)
    I[i * K + i] = 1.0;
  for (int64_t c = 0; c < K; ++c) {
    int64_t piv = c;
    for (int64_t r = c + 1; r < K; ++r)
      if (std::fabs(A[r * K + c]) > std::fabs(A[piv * K + c]))
        piv = r;
    for (int64_t j = 0; j < K; ++j) {
      std::swap(A[c * K + j], A[piv * K + j]);
      std::swap(I[c * K + j], I[piv * K + j]);
    }
    const double d = A[c * K + c];
    for (int64_t j = 0; j < K; ++j) {
      A[c * K + j] /= d;
      I[c * K + j] /= d;
    }
    for (int64_t r = 0; r < K; ++r) {
      if (r == c)
        continue;
      const double f = A[r * K + c];
      for (int64_t j = 0; j < K; ++j) {
        A[r * K + j] -= f * A[c * K + j];
        I[r * K + j] -= f * I[c * K + j];
      }
    }
  }
  return I;
}

struct Reference {
  std::vector<int32_t> codes;
  QuantScales scales;
};

inline Reference referenceGPTQ(const std::vector<float> &W, int64_t N, int64_t K,
                        std::vector<double> H, const QuantParams &p,
                        double percdamp, bool actOrder, bool staticGroups) {
  std::vector<double> Wd(W.begin(), W.end());
  for (int64_t i = 0; i < K; ++i)
    if (H[i * K + i] == 0) {
      H[i * K + i] = 1;
      for (int64_t n = 0; n < N; ++n)
        Wd[n * K + i] = 0;
    }
  Reference ref;
  std::vector<float> Wf(Wd.begin(), Wd.end());
  EXPECT_EQ(computeScales(Wf, N, K, p, ref.scales), QuantStatus::Ok);
  const bool dynamic = p.granularity == Granularity::PerGroup && !actOrder &&
                       !staticGroups;
  // Order by selection: largest remaining diagonal, lowest index on ties.
  std::vector<int64_t> perm;
  std::vector<bool> used(K, false);
  for (int64_t t = 0; t < K; ++t) {
    int64_t best = -1;
    for (int64_t i = 0; i < K; ++i)
      if (!used[i] && (best < 0 || (actOrder && H[i * K + i] > H[best * K + best])))
        best = i;
    used[best] = true;
    perm.push_back(best);
  }
  double mean = 0;
  for (int64_t i = 0; i < K; ++i)
    mean += H[i * K + i] / K;
  std::vector<double> Hp(K * K), Wp(N * K);
  for (int64_t i = 0; i < K; ++i)
    for (int64_t j = 0; j < K; ++j)
      Hp[i * K + j] = H[perm[i] * K + perm[j]] + (i == j ? percdamp * mean : 0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < K; ++i)
      Wp[n * K + i] = Wd[n * K + perm[i]];
  std::vector<double> Hinv = inverse(Hp, K);
  const int32_t qmax = (1 << p.bits) - 1;
  ref.codes.assign(N * K, -1);
  for (int64_t i = 0; i < K; ++i) {
    if (dynamic && i % p.groupSize == 0) {
      std::vector<float> sub;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t k = i; k < i + p.groupSize; ++k)
          sub.push_back(static_cast<float>(Wp[n * K + k]));
      QuantParams rowP = p;
      rowP.granularity = Granularity::PerChannel;
      QuantScales g;
      EXPECT_EQ(computeScales(sub, N, p.groupSize, rowP, g), QuantStatus::Ok);
      for (int64_t n = 0; n < N; ++n) {
        ref.scales.scales[n * ref.scales.cols + i / p.groupSize] = g.scales[n];
        ref.scales.zeroPoints[n * ref.scales.cols + i / p.groupSize] =
            g.zeroPoints[n];
      }
    }
    for (int64_t n = 0; n < N; ++n) {
      const int64_t col = perm[i];
      const int64_t cell = (ref.scales.rows == 1 ? 0 : n) * ref.scales.cols +
                           col / ref.scales.groupSize;
      const float s = ref.scales.scales[cell];
      const int32_t z = ref.scales.zeroPoints[cell];
      const int32_t c =
          bruteForceCode(static_cast<float>(Wp[n * K + i]), s, z, 0, qmax);
      ref.codes[n * K + col] = c;
      const double e = (Wp[n * K + i] - exactProduct(s, c - z)) / Hinv[i * K + i];
      for (int64_t j = i + 1; j < K; ++j)
        Wp[n * K + j] -= e * Hinv[i * K + j];
    }
    // Remove column i from the inverse (OBS downdate).
    const double d = Hinv[i * K + i];
    for (int64_t a = i + 1; a < K; ++a)
      for (int64_t b = i + 1; b < K; ++b)
        Hinv[a * K + b] -= Hinv[a * K + i] * Hinv[i * K + b] / d;
  }
  return ref;
}

/// Correlated calibration inputs X = Z A D [M, K]: Z roughly Gaussian, A a
/// dense random mixing matrix, D random channel magnitudes.
inline std::vector<float> correlatedInputs(int64_t M, int64_t K, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<double> A(K * K), D(K);
  for (double &a : A)
    a = uniform(rng, -1.0f, 1.0f);
  for (double &d : D)
    d = uniform(rng, 0.2f, 3.0f);
  std::vector<float> X(M * K);
  std::vector<double> z(K);
  for (int64_t m = 0; m < M; ++m) {
    for (double &v : z)
      v = uniform(rng, -1, 1) + uniform(rng, -1, 1) + uniform(rng, -1, 1);
    for (int64_t k = 0; k < K; ++k) {
      double acc = 0;
      for (int64_t j = 0; j < K; ++j)
        acc += z[j] * A[j * K + k];
      X[m * K + k] = static_cast<float>(acc * D[k] / std::sqrt(double(K)));
    }
  }
  return X;
}

inline std::vector<double> hessianOf(const std::vector<float> &X, int64_t M, int64_t K) {
  HessianAccumulator acc(K);
  EXPECT_EQ(acc.addBatch(X, M), GPTQStatus::Ok);
  std::vector<double> H;
  EXPECT_EQ(acc.hessian(H), GPTQStatus::Ok);
  return H;
}

/// || (W - Wq) X^T ||^2 in double.
inline double outputError(const std::vector<float> &W, const std::vector<float> &Wq,
                   const std::vector<float> &X, int64_t M, int64_t N, int64_t K) {
  double e = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m) {
      double y = 0;
      for (int64_t k = 0; k < K; ++k)
        y += (double(W[n * K + k]) - Wq[n * K + k]) * X[m * K + k];
      e += y * y;
    }
  return e;
}

} // namespace test
} // namespace numerics
} // namespace lowbit

#endif // LOWBIT_UNITTESTS_NUMERICS_GPTQREFERENCE_H
