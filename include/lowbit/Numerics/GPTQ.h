//===- GPTQ.h - GPTQ weight quantization of one linear layer ---*- C++ -*-===//
//
// GPTQ (Frantar et al., 2022) quantizes the columns of W [N, K] (N outputs,
// K inputs, row-major) one at a time and spreads each column's rounding
// error over the not-yet-quantized columns so that the layer output on the
// calibration data, || W X^T - Wq X^T ||^2, stays small. It only needs the
// Hessian of that objective, H = 2 X^T X / n_samples [K, K], which
// HessianAccumulator builds from batches of calibration rows.
//
// ----------------------------------------------------------------------------
// Algorithm (as the reference implementation, arithmetic in double)
// ----------------------------------------------------------------------------
//  1. Dead inputs: every column i with H_ii == 0 (the input is always 0)
//     gets H_ii = 1 and W[:, i] = 0 before anything else, including the
//     scale computation (so a dead column never widens a range).
//  2. Act-order (optional): columns are processed in the order of
//     descending diag(H) (stable: equal values keep ascending index).
//  3. Dampening: lambda = p * mean(diag H) is added to the diagonal, p =
//     percdamp first. If the Cholesky factorization below finds a pivot that
//     is not > 0 (or a non-finite value), it is retried with
//     p <- max(p, 1e-4) * 10, at most maxDampRetries times; then the call
//     fails with NotPositiveDefinite (also at once if mean(diag H) <= 0).
//  4. U = the upper Cholesky factor of (H + lambda I)^-1 (H^-1 = U^T U),
//     computed as the inverse of the "reverse" factor H = U' U'^T.
//  5. For each column i in processing order, each row n:
//        c = quantizeValue(float(w), s, z),  q = dequantizeValue(c, s, z)
//        e = (w - q) / U_ii,   w_j -= e * U_ij  for every later column j.
//     Updates are lazy: applied immediately inside the current block of
//     columns and once per block to the columns after it.
//
// Scales (the QuantScales grid is always the plain one of `params`, so the
// packed layout and the kernels are those of RTN):
//   * PerTensor / PerChannel: computeScales on W (dead columns zeroed) once,
//     before any update, as the reference does.
//   * PerGroup, dynamic (default, without act-order): when the column that
//     starts group k is reached, the group's scales are computed by
//     computeScales from the CURRENT (error-updated) weights of that group.
//     All of the group's columns are fully updated at that point: the
//     effective block size is rounded to a multiple of the group size
//     (max(1, blockSize / g) * g) so a group never straddles two blocks.
//     (The reference implementation reads not-yet-updated weights when
//     groupSize < blockSize; this implementation equals the unblocked
//     recursion instead.)
//   * PerGroup with act-order: "static groups". Group scales are computed on
//     the original column order, from W (dead columns zeroed) before the
//     permutation and before any update; during the permuted sweep column
//     perm[i] uses the scales of its own group perm[i] / g. The grid stays
//     [N, K/g] over the ORIGINAL column order, so act-order needs no g_idx
//     indirection and runs on the same simple group kernels as RTN.
//     staticGroups = true selects the same scheme without act-order.
//
// Output: codes (weight domain, row-major [N, K]) in the ORIGINAL column
// order and the scale grid, such that dequantize(codes, params, scales)
// gives the GPTQ weights.
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_GPTQ_H
#define LOWBIT_NUMERICS_GPTQ_H

#include "lowbit/Numerics/UniformQuantizer.h"

#include <cstdint>
#include <vector>

namespace lowbit {
namespace numerics {

enum class GPTQStatus {
  Ok,
  InvalidQuantParams,  ///< validate(params, N, K) fails, or not Weight domain
  InvalidShape,        ///< negative N/K/M
  SizeMismatch,        ///< W, H or a batch does not have the implied size
  NonFiniteValue,      ///< NaN/inf in W, H or a batch (or in updated weights)
  InvalidOptions,      ///< percdamp < 0 or not finite, blockSize < 1,
                       ///< maxDampRetries < 0
  NotPositiveDefinite, ///< H + lambda I not positive definite even after
                       ///< the last retry
  NoSamples,           ///< hessian() before any sample was added
};

const char *toString(GPTQStatus status);

/// Accumulates X^T X over batches of calibration rows in double precision
/// and produces H = 2 X^T X / n (n = number of rows seen).
class HessianAccumulator {
public:
  /// K: number of input features. A negative K makes every call fail with
  /// InvalidShape.
  explicit HessianAccumulator(int64_t K);

  int64_t columns() const { return K_; }
  int64_t numSamples() const { return samples_; }

  /// Adds M rows x [M, K] (row-major). On failure nothing is added.
  GPTQStatus addBatch(const std::vector<float> &x, int64_t M);
  GPTQStatus addBatch(const float *x, int64_t M);

  /// H = 2 X^T X / n, row-major [K, K], symmetric.
  GPTQStatus hessian(std::vector<double> &H) const;

  void reset();

private:
  int64_t K_;
  int64_t samples_ = 0;
  std::vector<double> xtx_; ///< lower triangle (j <= i) of X^T X, [K, K]
};

struct GPTQOptions {
  double percdamp = 0.01;    ///< dampening, fraction of mean(diag H)
  int64_t blockSize = 128;   ///< lazy-update block (see file comment)
  bool actOrder = false;     ///< descending diag(H) order; implies static
                             ///< groups for PerGroup
  bool staticGroups = false; ///< group scales from W before any update
  int maxDampRetries = 3;    ///< retries with 10x the dampening
};

struct GPTQResult {
  std::vector<int32_t> codes; ///< [N, K], original column order
  QuantScales scales;         ///< grid of `params` over the original order
  std::vector<int64_t> order; ///< processing order (perm[i] = column)
  double percdampUsed = 0.0;  ///< the p that factorized
  int64_t deadColumns = 0;
  /// GPTQ's proxy loss: sum over columns of (w - q)^2 / (2 U_ii^2).
  double loss = 0.0;
};

/// GPTQ of one layer; see file comment. `out` is left unchanged on failure.
GPTQStatus gptqQuantize(const std::vector<float> &W, int64_t N, int64_t K,
                        const std::vector<double> &H,
                        const QuantParams &params, const GPTQOptions &options,
                        GPTQResult &out);

} // namespace numerics
} // namespace lowbit

#endif // LOWBIT_NUMERICS_GPTQ_H
