//===- AWQ.cpp - Activation-aware weight quantization scaling -------------===//
//
// See AWQ.h. Quantization goes through computeScales/quantize/dequantize so
// the scored weights are exactly the ones the compiler will emit.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/AWQ.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

namespace lowbit {
namespace numerics {

const char *toString(AWQStatus status) {
  switch (status) {
  case AWQStatus::Ok:
    return "ok";
  case AWQStatus::InvalidQuantParams:
    return "invalid quantization parameters";
  case AWQStatus::SizeMismatch:
    return "buffer size does not match shape";
  case AWQStatus::NonFiniteValue:
    return "non-finite value";
  case AWQStatus::InvalidStatistics:
    return "negative activation statistic";
  case AWQStatus::InvalidOptions:
    return "invalid options";
  }
  return "unknown status";
}

namespace {

bool allFinite(const std::vector<float> &v) {
  return std::all_of(v.begin(), v.end(),
                     [](float x) { return std::isfinite(x); });
}

bool sizeIs(const std::vector<float> &v, int64_t a, int64_t b) {
  return a >= 0 && b >= 0 &&
         (b == 0 || a <= std::numeric_limits<int64_t>::max() / b) &&
         v.size() == static_cast<size_t>(a * b);
}

AWQStatus checkStatistics(const std::vector<float> &meanAbs) {
  if (!allFinite(meanAbs))
    return AWQStatus::NonFiniteValue;
  for (float a : meanAbs)
    if (a < 0.0f)
      return AWQStatus::InvalidStatistics;
  return AWQStatus::Ok;
}

/// Y = X A^T in double for row-major X [M, K] and A [N, K] given in double.
std::vector<double> matmulT(const std::vector<double> &X,
                            const std::vector<double> &A, int64_t M, int64_t N,
                            int64_t K) {
  std::vector<double> Y(static_cast<size_t>(M * N), 0.0);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double acc = 0.0;
      for (int64_t k = 0; k < K; ++k)
        acc += X[m * K + k] * A[n * K + k];
      Y[m * N + n] = acc;
    }
  return Y;
}

} // namespace

AWQStatus meanAbsPerChannel(const std::vector<float> &X, int64_t M, int64_t K,
                            std::vector<float> &out) {
  if (M < 0 || K < 0)
    return AWQStatus::InvalidOptions;
  if (!sizeIs(X, M, K))
    return AWQStatus::SizeMismatch;
  if (!allFinite(X))
    return AWQStatus::NonFiniteValue;
  std::vector<double> sum(static_cast<size_t>(K), 0.0);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k)
      sum[k] += std::fabs(static_cast<double>(X[m * K + k]));
  std::vector<float> result(static_cast<size_t>(K), 0.0f);
  if (M > 0)
    for (int64_t k = 0; k < K; ++k)
      result[k] = static_cast<float>(sum[k] / static_cast<double>(M));
  out = std::move(result);
  return AWQStatus::Ok;
}

AWQStatus awqScales(const std::vector<float> &meanAbs, float alpha,
                    float minScale, std::vector<float> &out) {
  if (!(alpha >= 0.0f && alpha <= 1.0f) || !std::isfinite(minScale) ||
      !(minScale > 0.0f))
    return AWQStatus::InvalidOptions;
  AWQStatus st = checkStatistics(meanAbs);
  if (st != AWQStatus::Ok)
    return st;
  std::vector<double> s(meanAbs.size());
  double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
  for (size_t j = 0; j < s.size(); ++j) {
    // pow(a, 0) == 1 exactly (also for a == 0), so alpha = 0 gives s == 1.
    s[j] = std::max(std::pow(static_cast<double>(meanAbs[j]),
                             static_cast<double>(alpha)),
                    static_cast<double>(minScale));
    lo = std::min(lo, s[j]);
    hi = std::max(hi, s[j]);
  }
  // Doubles: hi * lo cannot overflow for float inputs (< 2^256).
  const double norm = s.empty() ? 1.0 : std::sqrt(hi * lo);
  std::vector<float> result(s.size());
  for (size_t j = 0; j < s.size(); ++j)
    result[j] = static_cast<float>(s[j] / norm);
  out = std::move(result);
  return AWQStatus::Ok;
}

AWQStatus awqSearch(const std::vector<float> &W, int64_t N, int64_t K,
                    const std::vector<float> &meanAbs,
                    const std::vector<float> &X, int64_t M,
                    const QuantParams &params, const AWQOptions &options,
                    AWQResult &out) {
  if (validate(params, N, K) != QuantStatus::Ok)
    return AWQStatus::InvalidQuantParams;
  if (options.gridSize < 1 || !std::isfinite(options.minScale) ||
      !(options.minScale > 0.0f) || M < 0)
    return AWQStatus::InvalidOptions;
  if (!sizeIs(W, N, K) || meanAbs.size() != static_cast<size_t>(K) ||
      !sizeIs(X, M, K))
    return AWQStatus::SizeMismatch;
  if (!allFinite(W) || !allFinite(X))
    return AWQStatus::NonFiniteValue;
  AWQStatus st = checkStatistics(meanAbs);
  if (st != AWQStatus::Ok)
    return st;

  const std::vector<double> Xd(X.begin(), X.end());
  const std::vector<double> Wd(W.begin(), W.end());
  const std::vector<double> Yref = matmulT(Xd, Wd, M, N, K);

  AWQResult best;
  best.error = std::numeric_limits<double>::infinity();
  bool found = false;
  std::vector<double> errors;
  std::vector<float> scaled(W.size()), deq;
  std::vector<double> effective(W.size());
  for (int i = 0; i < options.gridSize; ++i) {
    const float alpha =
        options.gridSize == 1
            ? 0.0f
            : static_cast<float>(static_cast<double>(i) / (options.gridSize - 1));
    std::vector<float> s;
    if ((st = awqScales(meanAbs, alpha, options.minScale, s)) != AWQStatus::Ok)
      return st;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k)
        scaled[n * K + k] = W[n * K + k] * s[k];
    // Scaled weights can overflow float for extreme statistics; the quantizer
    // rejects them (NonFiniteValue), which is the right answer here too.
    QuantScales qs;
    std::vector<int32_t> codes;
    QuantStatus qst = computeScales(scaled, N, K, params, qs);
    if (qst == QuantStatus::Ok)
      qst = quantize(scaled, N, K, params, qs, codes);
    if (qst == QuantStatus::Ok)
      qst = dequantize(codes, N, K, params, qs, deq);
    if (qst != QuantStatus::Ok)
      return AWQStatus::NonFiniteValue;
    // The folded model computes (x / s) . q; the same as x . (q / s).
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k)
        effective[n * K + k] =
            static_cast<double>(deq[n * K + k]) / static_cast<double>(s[k]);
    const std::vector<double> Y = matmulT(Xd, effective, M, N, K);
    double err = 0.0;
    for (size_t j = 0; j < Y.size(); ++j)
      err += (Yref[j] - Y[j]) * (Yref[j] - Y[j]);
    errors.push_back(err);
    if (!found || err < best.error) {
      found = true;
      best.error = err;
      best.alpha = alpha;
      best.scales = std::move(s);
      best.codes = std::move(codes);
      best.quantScales = std::move(qs);
    }
  }
  if (!std::isfinite(best.error))
    return AWQStatus::NonFiniteValue; // the products overflowed double
  best.errorPerAlpha = std::move(errors);
  out = std::move(best);
  return AWQStatus::Ok;
}

AWQStatus gramSampleRows(const std::vector<float> &G, int64_t K,
                         double damp, std::vector<float> &R) {
  if (!sizeIs(G, K, K))
    return AWQStatus::SizeMismatch;
  if (!allFinite(G))
    return AWQStatus::NonFiniteValue;
  double meanDiagonal = 0.0;
  for (int64_t i = 0; i < K; ++i)
    meanDiagonal += G[i * K + i];
  meanDiagonal = K > 0 ? meanDiagonal / K : 0.0;

  std::vector<double> U(static_cast<size_t>(K * K));
  double lambda = 0.0;
  for (int attempt = 0; attempt <= 6; ++attempt) {
    if (attempt > 0) {
      if (!(meanDiagonal > 0.0))
        return AWQStatus::InvalidStatistics;
      lambda = attempt == 1 ? std::max(damp, 1e-8) * meanDiagonal
                            : lambda * 10.0;
    }
    // Upper Cholesky factor: G + lambda I = U^T U, row by row.
    std::fill(U.begin(), U.end(), 0.0);
    bool positive = true;
    for (int64_t i = 0; i < K && positive; ++i) {
      double pivot = static_cast<double>(G[i * K + i]) + lambda;
      for (int64_t p = 0; p < i; ++p)
        pivot -= U[p * K + i] * U[p * K + i];
      if (!(pivot > 0.0) || !std::isfinite(pivot)) {
        positive = false;
        break;
      }
      double root = std::sqrt(pivot);
      U[i * K + i] = root;
      for (int64_t j = i + 1; j < K; ++j) {
        double value = G[i * K + j];
        for (int64_t p = 0; p < i; ++p)
          value -= U[p * K + i] * U[p * K + j];
        U[i * K + j] = value / root;
      }
    }
    if (positive) {
      R.assign(U.begin(), U.end());
      return AWQStatus::Ok;
    }
  }
  return AWQStatus::InvalidStatistics;
}

} // namespace numerics
} // namespace lowbit
