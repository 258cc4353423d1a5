//===- MSEClipping.h - MSE-optimal clip ratios for RTN ----------*- C++ -*-===//
//
// Round-to-nearest with the full observed range wastes resolution on rare
// outliers. MSE clipping shrinks the range of every grid cell (tensor, row or
// group, see Granularity in UniformQuantizer.h) by the clip ratio that
// minimizes the squared error of the cell's fake quantization:
//
//   r* = argmin_{r in candidates}  sum_{x in cell} (x - fq_r(x))^2
//
// where fq_r is exactly what fakeQuantize() does with params.clipRatio = r
// (computeScaleZero on the cell's [min, max], quantizeValue, dequantizeValue).
// The result is a QuantScales grid that quantize()/dequantize() accept with
// the same params, so kernels need no special case.
//
// Candidates (numCandidates = C >= 1, minClipRatio = r_min in (0, 1]):
//   r_i = float(1 - (1 - r_min) * i / (C - 1))  computed in double,
//   i = 0 .. C-1 (so r_0 = 1 and r_{C-1} = r_min; C == 1 gives {1}).
// Ties go to the candidate with the smallest i (the widest range), so a cell
// whose error no clipping improves keeps exactly the RTN scale, and the error
// of every cell is never larger than plain RTN's (r_0 = 1 is a candidate).
// Errors are summed in double, element by element in row-major order.
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_MSECLIPPING_H
#define LOWBIT_NUMERICS_MSECLIPPING_H

#include "lowbit/Numerics/UniformQuantizer.h"

#include <cstdint>
#include <vector>

namespace lowbit {
namespace numerics {

struct ClipSearchOptions {
  int numCandidates = 100;   ///< >= 1
  float minClipRatio = 0.5f; ///< smallest candidate, in (0, 1]
};

/// Candidate i of the grid (see file comment). Precondition: 0 <= i <
/// options.numCandidates and the options are valid.
float clipCandidate(const ClipSearchOptions &options, int i);

/// Per-cell MSE-optimal scales of W (row-major [N, K]) for the granularity of
/// `params`; params.clipRatio is ignored (the search chooses it per cell).
/// `clipRatios`, if not null, receives the chosen ratio of every cell in the
/// grid's row-major order. Fails like computeScales() does, or with
/// InvalidClipRatio when numCandidates < 1 or minClipRatio is not in (0, 1].
/// Outputs are left unchanged on failure.
QuantStatus computeMSEClippedScales(const std::vector<float> &W, int64_t N,
                                    int64_t K, const QuantParams &params,
                                    const ClipSearchOptions &options,
                                    QuantScales &out,
                                    std::vector<float> *clipRatios = nullptr);

/// computeMSEClippedScales + quantize + dequantize: the clipped counterpart
/// of fakeQuantize(). `scalesOut` may be null.
QuantStatus mseClippedFakeQuantize(const std::vector<float> &W, int64_t N,
                                   int64_t K, const QuantParams &params,
                                   const ClipSearchOptions &options,
                                   std::vector<float> &out,
                                   QuantScales *scalesOut = nullptr);

} // namespace numerics
} // namespace lowbit

#endif // LOWBIT_NUMERICS_MSECLIPPING_H
