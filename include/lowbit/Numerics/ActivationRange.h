//===- ActivationRange.h - Static activation clipping from a histogram -*- C++ -*-===//
//
// The clip threshold T of a static, symmetric, per-tensor activation scale
// s = T / (2^(b-1) - 1), chosen from the calibration histogram of |x|
// (`counts[i]` values in bin i = [i w, (i + 1) w), w = histMax / bins):
//
//   * MinMax:     T = max |x| (passed in: the histogram only bounds it).
//   * Percentile: the smallest bin edge below which `percentile` percent of
//                 the values lie.
//   * Entropy:    TensorRT's KL-divergence calibration: for every candidate
//                 edge i w (i from 2^(b-1) bins up), the reference P is the
//                 first i bins with the values beyond folded into bin i - 1;
//                 Q merges the first i bins WITHOUT the folded values into
//                 2^(b-1) levels and spreads each level evenly over the bins
//                 where P is non-empty; both are normalized, and where P
//                 has mass but Q none, Q is smoothed (its zeros get 1e-4,
//                 taken from its other entries); T is the
//                 edge whose KL(P || Q) is smallest (ties: the larger edge).
//   * MSE:        the bin edge T minimizing the expected squared error
//                 sum_i counts[i] e(c_i), c_i the bin center, with
//                 e(c) = (c - T)^2 for c > T (clipped) and s^2 / 12 for
//                 c <= T (rounding noise of a uniform grid of step s).
//
// With an empty histogram (or all values 0) every method returns 0; callers
// treat that as "no scale". Plain C++17, no exceptions.
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_ACTIVATIONRANGE_H
#define LOWBIT_NUMERICS_ACTIVATIONRANGE_H

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace lowbit {
namespace numerics {

enum class RangeMethod { MinMax, Percentile, Entropy, MSE };

/// Parses "minmax", "percentile", "entropy" or "mse".
std::optional<RangeMethod> parseRangeMethod(std::string_view name);

struct RangeOptions {
  RangeMethod method = RangeMethod::MinMax;
  int bits = 8;               ///< signed activation codes, 2..8
  double percentile = 99.99;  ///< Percentile only, in (0, 100]
};

/// The clip threshold T (see the file comment). `maxAbs` is the largest |x|
/// seen (MinMax's answer, and an upper bound for the others).
float activationClipThreshold(const std::vector<int64_t> &counts,
                              float histMax, float maxAbs,
                              const RangeOptions &options);

/// KL(P || Q) of TensorRT's entropy calibration at a cut of `cut` bins, as
/// described above, with `levels` quantization levels. Exposed for tests.
double entropyCalibrationDivergence(const std::vector<int64_t> &counts,
                                    size_t cut, size_t levels);

} // namespace numerics
} // namespace lowbit

#endif // LOWBIT_NUMERICS_ACTIVATIONRANGE_H
