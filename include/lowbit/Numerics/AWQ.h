//===- AWQ.h - Activation-aware weight quantization scaling ----*- C++ -*-===//
//
// AWQ (Lin et al., 2023): input channels that see large activations matter
// most, so scale them up before round-to-nearest quantization and fold the
// inverse scale into the previous operation:
//
//   y = x W^T = (x diag(1/s)) (W diag(s))^T  ~  (x diag(1/s)) Q(W diag(s))^T
//
// Scaling a column by s_j > 1 shrinks its relative rounding error by s_j
// (when it does not set the group's range), at the price of a coarser grid
// for the other columns of the group. AWQ searches one exponent alpha:
//
//   s_j(alpha) = max(a_j^alpha, minScale) / sqrt(max_k(.) * min_k(.))
//
// with a_j = mean |x_j| over the calibration set (the normalization by the
// geometric mean of the extreme scales keeps s centered around 1; the same
// formula as the reference implementation's auto_scale). The computation is
// done in double and the result rounded to float once. For alpha = 0 every
// s_j is exactly 1, i.e. plain RTN.
//
// Grid: alpha_i = i / (gridSize - 1), i = 0 .. gridSize - 1 (gridSize = 1:
// only alpha = 0). Each candidate is scored by the output error on the
// calibration sample X [M, K]:
//
//   E(alpha) = || X W^T - (X diag(1/s)) deq(Q(W diag(s)))^T ||_F^2
//
// computed in double, with W diag(s) formed in float (one multiplication per
// element, exactly what the folded model stores) and quantized by
// computeScales + quantize + dequantize with the caller's params. The first
// minimum wins (ties keep the smaller alpha, so RTN is kept when nothing
// helps, and E(best) <= E(0) = RTN's error always).
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_AWQ_H
#define LOWBIT_NUMERICS_AWQ_H

#include "lowbit/Numerics/UniformQuantizer.h"

#include <cstdint>
#include <vector>

namespace lowbit {
namespace numerics {

enum class AWQStatus {
  Ok,
  InvalidQuantParams, ///< validate(params, N, K) fails (see its status)
  SizeMismatch,       ///< a buffer does not have the size implied by N/K/M
  NonFiniteValue,     ///< NaN/inf in W, X or the activation statistics
  InvalidStatistics,  ///< a mean |x| that is negative
  InvalidOptions,     ///< gridSize < 1, or minScale not finite and > 0
};

const char *toString(AWQStatus status);

struct AWQOptions {
  int gridSize = 20;      ///< number of alpha candidates in [0, 1]
  float minScale = 1e-4f; ///< lower clamp of a_j^alpha before normalizing
};

struct AWQResult {
  /// s, length K: the caller multiplies the previous op's output channel j
  /// by 1 / s_j (x' = x diag(1/s)); the weights below are of W diag(s).
  std::vector<float> scales;
  float alpha = 0.0f;
  std::vector<int32_t> codes; ///< Q(W diag(s)), row-major [N, K]
  QuantScales quantScales;    ///< grid of Q(W diag(s)) for `params`
  double error = 0.0;         ///< E(alpha) of the chosen alpha
  std::vector<double> errorPerAlpha; ///< E for every grid point, in order
};

/// a_j = mean_m |X[m, j]| over a row-major [M, K] sample, accumulated in
/// double. Fails with SizeMismatch / NonFiniteValue (or InvalidOptions for
/// negative M/K); M == 0 gives all zeros.
AWQStatus meanAbsPerChannel(const std::vector<float> &X, int64_t M, int64_t K,
                            std::vector<float> &out);

/// s(alpha) of the file comment. Fails on bad statistics (negative or
/// non-finite a_j), alpha outside [0, 1] or bad minScale (InvalidOptions).
AWQStatus awqScales(const std::vector<float> &meanAbs, float alpha,
                    float minScale, std::vector<float> &out);

/// The grid search. W: row-major [N, K]; meanAbs: length K; X: row-major
/// [M, K] calibration inputs (M may be 0: every error is then 0 and alpha = 0
/// wins). Fails with InvalidQuantParams, InvalidOptions, SizeMismatch,
/// NonFiniteValue (also when W diag(s) overflows float) or
/// InvalidStatistics. `out` is left unchanged on failure.
AWQStatus awqSearch(const std::vector<float> &W, int64_t N, int64_t K,
                    const std::vector<float> &meanAbs,
                    const std::vector<float> &X, int64_t M,
                    const QuantParams &params, const AWQOptions &options,
                    AWQResult &out);

/// Calibration keeps G = X^T X / M instead of X. Any R [K, K] with
/// R^T R = G scores every candidate exactly as X does, up to the factor M
/// (||R D^T||^2 = sum_n d_n^T G d_n), so awqSearch(..., R, K, ...) finds
/// the same alpha without the activations. R is the upper Cholesky factor
/// of G + lambda I, computed in double, with lambda = 0 first and then
/// damp * mean(diag G), times 10 per retry (at most 6), when G is only
/// semi-definite (dead channels, fewer rows than K). Fails with
/// SizeMismatch, NonFiniteValue, or InvalidStatistics when no retry
/// factorizes (or mean(diag G) <= 0 with G not definite).
AWQStatus gramSampleRows(const std::vector<float> &G, int64_t K, double damp,
                         std::vector<float> &R);

} // namespace numerics
} // namespace lowbit

#endif // LOWBIT_NUMERICS_AWQ_H
