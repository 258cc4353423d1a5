//===- SmoothingSearch.h - SmoothQuant scales and the alpha search -*- C++ -*-===//
//
// Plain C++17, no MLIR. SmoothQuant divides input channel j of x by s_j and
// multiplies column j of every reader's weight by it:
//
//   s_j = xmax_j^alpha / wmax_j^(1 - alpha)      (1 where either max is 0,
//                                                 clamped to [1e-5, 1e5])
//
// The search picks alpha from a grid by a closed-form estimate of the error
// the quantized product x~ W~^T makes, with rounding noise of variance
// step^2 / 12 on both factors (independent, zero mean):
//
//   E(alpha) = sum over readers, rows i, groups g of
//                (dw_ig^2 / 12) * sum_{j in g} E[x_j^2] / s_j^2     (weights)
//            + (dx^2 / 12) * sum over readers of ||W diag(s)||_F^2   (inputs)
//
//   dw_ig = max_{j in g} |W_ij s_j| / qmax_w   (symmetric, per row and group)
//   dx    = max_j (xmax_j / s_j) / qmax_a      (the range the activation
//                                               scale has to cover)
//
// with qmax = 2^(bits - 1) - 1. E[x_j^2] is the diagonal of the calibrated
// X^T X / rows. A model with consistent outlier channels (they appear in
// every token) has per-token ranges close to xmax, so the same estimate
// serves per-token (dynamic) and per-tensor scales.
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_SMOOTHINGSEARCH_H
#define LOWBIT_NUMERICS_SMOOTHINGSEARCH_H

#include <cstdint>
#include <vector>

namespace lowbit::numerics {

/// The SmoothQuant scales for one alpha.
std::vector<float> smoothingScales(const std::vector<float> &xmax,
                                   const std::vector<float> &wmax,
                                   double alpha);

/// The linears reading one tensor x of `channels` channels.
struct SmoothingProblem {
  int64_t channels = 0;
  std::vector<float> xmax;         ///< max |x_j| over the calibration data
  std::vector<double> meanSquare;  ///< E[x_j^2]
  std::vector<std::vector<float>> weights; ///< each row-major [rows, channels]
  int weightBits = 8, actBits = 8;
  int64_t groupSize = 0; ///< 0: one group per row
};

/// E(alpha) above for the scales `s`.
double smoothingErrorEstimate(const SmoothingProblem &problem,
                              const std::vector<float> &s);

struct SmoothingChoice {
  double alpha = 0.0;
  double error = 0.0;         ///< E at alpha
  double unsmoothedError = 0; ///< E with s = 1
};

/// The alpha of `grid` with the smallest E (the first on ties).
SmoothingChoice searchSmoothingAlpha(const SmoothingProblem &problem,
                                     const std::vector<float> &wmax,
                                     const std::vector<double> &grid);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_SMOOTHINGSEARCH_H
