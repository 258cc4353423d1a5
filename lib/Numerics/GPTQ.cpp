//===- GPTQ.cpp - GPTQ weight quantization of one linear layer ------------===//
//
// See GPTQ.h for the algorithm and the scale conventions. Scales come from
// computeScales and every value is rounded by quantizeValue/dequantizeValue,
// so the codes are consistent with dequantize() by construction.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/GPTQ.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <utility>

namespace lowbit {
namespace numerics {

const char *toString(GPTQStatus status) {
  switch (status) {
  case GPTQStatus::Ok:
    return "ok";
  case GPTQStatus::InvalidQuantParams:
    return "invalid quantization parameters";
  case GPTQStatus::InvalidShape:
    return "invalid shape";
  case GPTQStatus::SizeMismatch:
    return "buffer size does not match shape";
  case GPTQStatus::NonFiniteValue:
    return "non-finite value";
  case GPTQStatus::InvalidOptions:
    return "invalid options";
  case GPTQStatus::NotPositiveDefinite:
    return "Hessian not positive definite after dampening";
  case GPTQStatus::NoSamples:
    return "no calibration samples";
  }
  return "unknown status";
}

//===----------------------------------------------------------------------===//
// HessianAccumulator
//===----------------------------------------------------------------------===//

HessianAccumulator::HessianAccumulator(int64_t K) : K_(K) {
  // K * K must not overflow; larger layers could not be held anyway.
  if (K_ >= 0 && K_ <= (int64_t{1} << 31))
    xtx_.assign(static_cast<size_t>(K_ * K_), 0.0);
  else
    K_ = -1;
}

GPTQStatus HessianAccumulator::addBatch(const std::vector<float> &x,
                                        int64_t M) {
  if (K_ < 0 || M < 0)
    return GPTQStatus::InvalidShape;
  if (K_ > 0 && M > std::numeric_limits<int64_t>::max() / K_)
    return GPTQStatus::SizeMismatch;
  if (x.size() != static_cast<size_t>(M * K_))
    return GPTQStatus::SizeMismatch;
  return addBatch(x.data(), M);
}

GPTQStatus HessianAccumulator::addBatch(const float *x, int64_t M) {
  if (K_ < 0 || M < 0)
    return GPTQStatus::InvalidShape;
  if (K_ > 0 && M > std::numeric_limits<int64_t>::max() / K_)
    return GPTQStatus::SizeMismatch;
  for (int64_t i = 0; i < M * K_; ++i)
    if (!std::isfinite(x[i]))
      return GPTQStatus::NonFiniteValue; // checked first: all or nothing
  for (int64_t m = 0; m < M; ++m) {
    const float *row = x + m * K_;
    for (int64_t i = 0; i < K_; ++i) {
      const double xi = row[i];
      if (xi == 0.0)
        continue;
      double *dst = xtx_.data() + i * K_;
      for (int64_t j = 0; j <= i; ++j)
        dst[j] += xi * static_cast<double>(row[j]);
    }
  }
  samples_ += M;
  return GPTQStatus::Ok;
}

GPTQStatus HessianAccumulator::hessian(std::vector<double> &H) const {
  if (K_ < 0)
    return GPTQStatus::InvalidShape;
  if (samples_ == 0)
    return GPTQStatus::NoSamples;
  const double f = 2.0 / static_cast<double>(samples_);
  std::vector<double> out(xtx_.size());
  for (int64_t i = 0; i < K_; ++i)
    for (int64_t j = 0; j <= i; ++j)
      out[i * K_ + j] = out[j * K_ + i] = f * xtx_[i * K_ + j];
  H = std::move(out);
  return GPTQStatus::Ok;
}

void HessianAccumulator::reset() {
  std::fill(xtx_.begin(), xtx_.end(), 0.0);
  samples_ = 0;
}

//===----------------------------------------------------------------------===//
// Factorization
//===----------------------------------------------------------------------===//

namespace {

/// U, upper triangular with (H + lambda I)^-1 = U^T U, for symmetric H
/// (row-major [K, K]; only the upper triangle is read) such that H + lambda I
/// is positive definite. First the "reverse" Cholesky factor V (upper,
/// H + lambda I = V V^T), then U = V^-1 in place, which is upper and
/// satisfies U^T U = V^-T V^-1 = (V V^T)^-1: the unique upper Cholesky factor
/// of the inverse (positive diagonal), obtained without forming the inverse
/// and with a single K x K buffer. Returns false when a pivot is not > 0 or a
/// value is not finite.
bool inverseUpperCholesky(const std::vector<double> &H, double lambda,
                          int64_t K, std::vector<double> &U) {
  std::vector<double> &V = U;
  V.assign(static_cast<size_t>(K * K), 0.0);
  for (int64_t j = K - 1; j >= 0; --j) {
    const double *vj = V.data() + j * K;
    double d = H[j * K + j] + lambda;
    for (int64_t k = j + 1; k < K; ++k)
      d -= vj[k] * vj[k];
    if (!(d > 0.0) || !std::isfinite(d))
      return false;
    const double piv = std::sqrt(d);
    V[j * K + j] = piv;
    for (int64_t i = 0; i < j; ++i) {
      const double *vi = V.data() + i * K;
      double a = H[i * K + j];
      for (int64_t k = j + 1; k < K; ++k)
        a -= vi[k] * vj[k];
      V[i * K + j] = a / piv;
    }
  }
  // U = V^-1, rows from the bottom: U_ij = -(sum_{k=i+1..j} V_ik U_kj) / V_ii.
  // Row i of V is still intact when row i of U is computed (rows k > i are
  // already U), so the result can overwrite V row by row.
  std::vector<double> acc(static_cast<size_t>(K));
  for (int64_t i = K - 1; i >= 0; --i) {
    std::fill(acc.begin() + i, acc.end(), 0.0);
    for (int64_t k = i + 1; k < K; ++k) {
      const double a = V[i * K + k];
      const double *uk = U.data() + k * K;
      for (int64_t j = k; j < K; ++j)
        acc[j] += a * uk[j];
    }
    const double inv = 1.0 / V[i * K + i];
    U[i * K + i] = inv;
    for (int64_t j = i + 1; j < K; ++j) {
      U[i * K + j] = -acc[j] * inv;
      if (!std::isfinite(U[i * K + j]))
        return false;
    }
  }
  return true;
}

/// Float copy of columns [c0, c0 + w) of a double [N, K] matrix.
std::vector<float> columnsAsFloat(const std::vector<double> &W, int64_t N,
                                  int64_t K, int64_t c0, int64_t w) {
  std::vector<float> out(static_cast<size_t>(N * w));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < w; ++k)
      out[n * w + k] = static_cast<float>(W[n * K + c0 + k]);
  return out;
}

} // namespace

//===----------------------------------------------------------------------===//
// GPTQ
//===----------------------------------------------------------------------===//

GPTQStatus gptqQuantize(const std::vector<float> &W, int64_t N, int64_t K,
                        const std::vector<double> &H,
                        const QuantParams &params, const GPTQOptions &options,
                        GPTQResult &out) {
  if (validate(params, N, K) != QuantStatus::Ok ||
      params.domain != CodeDomain::Weight)
    return GPTQStatus::InvalidQuantParams;
  if (!std::isfinite(options.percdamp) || options.percdamp < 0.0 ||
      options.blockSize < 1 || options.maxDampRetries < 0)
    return GPTQStatus::InvalidOptions;
  if (W.size() != static_cast<size_t>(N * K) || K > (int64_t{1} << 31) ||
      H.size() != static_cast<size_t>(K * K))
    return GPTQStatus::SizeMismatch;
  if (!std::all_of(W.begin(), W.end(), [](float v) { return std::isfinite(v); }) ||
      !std::all_of(H.begin(), H.end(), [](double v) { return std::isfinite(v); }))
    return GPTQStatus::NonFiniteValue;

  // Dead inputs (H_ii == 0): zero their weights before anything else and
  // treat H_ii as 1. Only the diagonal is copied: the permuted Hessian below
  // is the one K x K copy of H this function makes.
  GPTQResult res;
  std::vector<double> diag(static_cast<size_t>(K));
  std::vector<float> Wz = W;
  for (int64_t i = 0; i < K; ++i) {
    diag[i] = H[i * K + i];
    if (diag[i] != 0.0)
      continue;
    diag[i] = 1.0;
    for (int64_t n = 0; n < N; ++n)
      Wz[n * K + i] = 0.0f;
    ++res.deadColumns;
  }

  const bool grouped = params.granularity == Granularity::PerGroup;
  const bool dynamicGroups = grouped && !options.actOrder && !options.staticGroups;
  const int64_t g = grouped ? params.groupSize : K;
  // Static grids: the whole grid from the (dead-zeroed) original weights.
  // Dynamic groups fill in the same grid one group column at a time.
  if (computeScales(Wz, N, K, params, res.scales) != QuantStatus::Ok)
    return GPTQStatus::NonFiniteValue; // arguments were validated above

  res.order.resize(static_cast<size_t>(K));
  std::iota(res.order.begin(), res.order.end(), int64_t{0});
  if (options.actOrder) // descending diagonal, ties in index order
    std::stable_sort(res.order.begin(), res.order.end(),
                     [&](int64_t a, int64_t b) { return diag[a] > diag[b]; });
  const std::vector<int64_t> &perm = res.order;
  std::vector<double> Wp(Wz.size()), Hp(H.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < K; ++i)
      Wp[n * K + i] = Wz[n * K + perm[i]];
  for (int64_t i = 0; i < K; ++i)
    for (int64_t j = 0; j < K; ++j)
      Hp[i * K + j] = i == j ? diag[perm[i]] : H[perm[i] * K + perm[j]];

  // Dampening with retries.
  double meanDiag = 0.0;
  for (double d : diag)
    meanDiag += d;
  meanDiag = K > 0 ? meanDiag / static_cast<double>(K) : 1.0;
  if (!(meanDiag > 0.0))
    return GPTQStatus::NotPositiveDefinite;
  std::vector<double> U;
  double p = options.percdamp;
  for (int attempt = 0;; ++attempt) {
    if (attempt > 0)
      p = std::max(p, 1e-4) * 10.0;
    if (inverseUpperCholesky(Hp, p * meanDiag, K, U))
      break;
    if (attempt == options.maxDampRetries)
      return GPTQStatus::NotPositiveDefinite;
  }
  Hp = std::vector<double>(); // release: only U is needed from here on
  res.percdampUsed = p;

  const CodeRange range = codeRange(params.bits, params.domain);
  int64_t block = options.blockSize;
  if (dynamicGroups) // whole groups per block; see header
    block = std::max<int64_t>(1, block / g) * g;
  std::vector<int32_t> codesPerm(Wp.size());
  std::vector<double> err(static_cast<size_t>(N * block));

  for (int64_t i1 = 0; i1 < K; i1 += block) {
    const int64_t i2 = std::min(K, i1 + block);
    const int64_t count = i2 - i1;
    for (int64_t i = i1; i < i2; ++i) {
      if (dynamicGroups && i % g == 0) {
        QuantParams rowParams = params;
        rowParams.granularity = Granularity::PerChannel;
        QuantScales grp;
        if (computeScales(columnsAsFloat(Wp, N, K, i, g), N, g, rowParams,
                          grp) != QuantStatus::Ok)
          return GPTQStatus::NonFiniteValue; // updates overflowed float
        for (int64_t n = 0; n < N; ++n) {
          res.scales.scales[n * res.scales.cols + i / g] = grp.scales[n];
          res.scales.zeroPoints[n * res.scales.cols + i / g] = grp.zeroPoints[n];
        }
      }
      const double d = U[i * K + i];
      const double *urow = U.data() + i * K;
      for (int64_t n = 0; n < N; ++n) {
        const int64_t cell = res.scales.indexFor(n, perm[i]);
        const float s = res.scales.scales[cell];
        const int32_t z = res.scales.zeroPoints[cell];
        double *wrow = Wp.data() + n * K;
        const int32_t c = quantizeValue(static_cast<float>(wrow[i]), s, z, range);
        const double q = dequantizeValue(c, s, z);
        codesPerm[n * K + i] = c;
        const double e = (wrow[i] - q) / d;
        res.loss += 0.5 * e * e;
        err[n * count + (i - i1)] = e;
        for (int64_t j = i + 1; j < i2; ++j)
          wrow[j] -= e * urow[j];
      }
    }
    // Lazy update of everything after the block.
    for (int64_t n = 0; n < N; ++n) {
      double *wrow = Wp.data() + n * K;
      for (int64_t t = 0; t < count; ++t) {
        const double e = err[n * count + t];
        if (e == 0.0)
          continue;
        const double *urow = U.data() + (i1 + t) * K;
        for (int64_t j = i2; j < K; ++j)
          wrow[j] -= e * urow[j];
      }
    }
  }

  res.codes.resize(codesPerm.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < K; ++i)
      res.codes[n * K + perm[i]] = codesPerm[n * K + i];
  out = std::move(res);
  return GPTQStatus::Ok;
}

} // namespace numerics
} // namespace lowbit
