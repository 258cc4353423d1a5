//===- MSEClipping.cpp - MSE-optimal clip ratios for RTN ------------------===//
//
// See MSEClipping.h. The grid geometry is taken from computeScales() itself
// (so the result always has the shape quantize() expects), and every
// candidate is evaluated with computeScaleZero/quantizeValue/dequantizeValue,
// the building blocks of fakeQuantize, so the searched error is exactly the
// error RTN will have with the chosen scale.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/MSEClipping.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <limits>
#include <utility>

namespace lowbit {
namespace numerics {

float clipCandidate(const ClipSearchOptions &options, int i) {
  assert(i >= 0 && i < options.numCandidates && "candidate out of range");
  if (options.numCandidates == 1)
    return 1.0f;
  const double step = (1.0 - static_cast<double>(options.minClipRatio)) /
                      static_cast<double>(options.numCandidates - 1);
  return static_cast<float>(1.0 - step * static_cast<double>(i));
}

namespace {

bool validOptions(const ClipSearchOptions &o) {
  return o.numCandidates >= 1 && o.minClipRatio > 0.0f &&
         o.minClipRatio <= 1.0f; // also rejects NaN
}

/// A rectangular block of W: rows [row0, row0 + rows), columns
/// [col0, col0 + cols).
struct Cell {
  int64_t row0, rows, col0, cols;
};

/// Squared fake-quantization error of a cell for one (scale, zero), summed
/// in row-major order. Stops early (returning a value >= `stopAt`) once the
/// partial sum reaches `stopAt`: partial sums of squares only grow, so such a
/// candidate can no longer win the strict comparison of the search, and the
/// early exit never changes the choice.
double cellError(const std::vector<float> &W, int64_t K, const Cell &c,
                 const ScaleZero &sz, CodeRange range, double stopAt) {
  double err = 0.0;
  for (int64_t n = c.row0; n < c.row0 + c.rows; ++n) {
    const float *row = W.data() + n * K + c.col0;
    for (int64_t k = 0; k < c.cols; ++k) {
      const int32_t code = quantizeValue(row[k], sz.scale, sz.zeroPoint, range);
      const double d = static_cast<double>(row[k]) -
                       dequantizeValue(code, sz.scale, sz.zeroPoint);
      err += d * d;
      if (err >= stopAt)
        return err;
    }
  }
  return err;
}

} // namespace

QuantStatus computeMSEClippedScales(const std::vector<float> &W, int64_t N,
                                    int64_t K, const QuantParams &params,
                                    const ClipSearchOptions &options,
                                    QuantScales &out,
                                    std::vector<float> *clipRatios) {
  QuantParams base = params;
  base.clipRatio = 1.0f;
  // Unclipped grid: validates everything and fixes the geometry.
  QuantScales grid;
  QuantStatus st = computeScales(W, N, K, base, grid);
  if (st != QuantStatus::Ok)
    return st;
  if (!validOptions(options))
    return QuantStatus::InvalidClipRatio;

  const CodeRange range = codeRange(params.bits, params.domain);
  const int64_t cellRows = grid.rows == 1 ? N : 1;
  const int64_t cellCols = grid.cols == 1 ? K : grid.groupSize;
  std::vector<float> ratios(grid.scales.size(), 1.0f);

  for (int64_t r = 0; r < grid.rows; ++r) {
    for (int64_t g = 0; g < grid.cols; ++g) {
      const Cell cell{r * cellRows, cellRows, g * cellCols, cellCols};
      if (cell.rows * cell.cols == 0)
        continue; // empty matrix: keep the unclipped (unit) scale
      float lo = W[cell.row0 * K + cell.col0], hi = lo;
      for (int64_t n = cell.row0; n < cell.row0 + cell.rows; ++n)
        for (int64_t k = cell.col0; k < cell.col0 + cell.cols; ++k) {
          lo = std::min(lo, W[n * K + k]);
          hi = std::max(hi, W[n * K + k]);
        }

      const size_t idx = static_cast<size_t>(r * grid.cols + g);
      ScaleZero best{grid.scales[idx], grid.zeroPoints[idx]};
      double bestErr = cellError(W, K, cell, best, range,
                                 std::numeric_limits<double>::infinity());
      float bestRatio = 1.0f;
      for (int i = 1; i < options.numCandidates; ++i) {
        QuantParams p = base;
        p.clipRatio = clipCandidate(options, i);
        ScaleZero sz;
        if (computeScaleZero(lo, hi, p, sz) != QuantStatus::Ok)
          return QuantStatus::NonFiniteValue; // unreachable: r=1 succeeded
        const double err = cellError(W, K, cell, sz, range, bestErr);
        if (err < bestErr) {
          bestErr = err;
          best = sz;
          bestRatio = p.clipRatio;
        }
      }
      grid.scales[idx] = best.scale;
      grid.zeroPoints[idx] = best.zeroPoint;
      ratios[idx] = bestRatio;
    }
  }
  out = std::move(grid);
  if (clipRatios)
    *clipRatios = std::move(ratios);
  return QuantStatus::Ok;
}

QuantStatus mseClippedFakeQuantize(const std::vector<float> &W, int64_t N,
                                   int64_t K, const QuantParams &params,
                                   const ClipSearchOptions &options,
                                   std::vector<float> &out,
                                   QuantScales *scalesOut) {
  QuantScales scales;
  QuantStatus st = computeMSEClippedScales(W, N, K, params, options, scales);
  if (st != QuantStatus::Ok)
    return st;
  QuantParams base = params;
  base.clipRatio = 1.0f; // ignored by the search; must not fail validation
  std::vector<int32_t> codes;
  if ((st = quantize(W, N, K, base, scales, codes)) != QuantStatus::Ok)
    return st;
  std::vector<float> result;
  if ((st = dequantize(codes, N, K, base, scales, result)) != QuantStatus::Ok)
    return st;
  out = std::move(result);
  if (scalesOut)
    *scalesOut = std::move(scales);
  return QuantStatus::Ok;
}

} // namespace numerics
} // namespace lowbit
