//===- UniformQuantizer.cpp - Reference uniform quantization numerics -----===//
//
// See UniformQuantizer.h for the conventions. Everything here is written so
// that each arithmetic step is a single IEEE binary32 operation, which is
// what makes the results reproducible by kernels. No expression multiplies and
// adds in one go, so FP contraction (FMA) cannot change any result.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/UniformQuantizer.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

namespace lowbit {
namespace numerics {

const char *toString(QuantStatus status) {
  switch (status) {
  case QuantStatus::Ok:
    return "ok";
  case QuantStatus::InvalidBits:
    return "invalid bit width";
  case QuantStatus::InvalidShape:
    return "invalid shape";
  case QuantStatus::InvalidGroupSize:
    return "invalid group size";
  case QuantStatus::InvalidClipRatio:
    return "clip ratio not in (0, 1]";
  case QuantStatus::SizeMismatch:
    return "buffer size does not match shape";
  case QuantStatus::NonFiniteValue:
    return "non-finite value";
  case QuantStatus::CodeOutOfRange:
    return "code out of range";
  case QuantStatus::InvalidRange:
    return "min greater than max";
  case QuantStatus::InvalidScales:
    return "invalid scales";
  }
  return "unknown status";
}

float roundHalfToEven(float x) {
  // |x| >= 2^23 is already integral; this also passes NaN and inf through.
  if (!(std::fabs(x) < 8388608.0f))
    return x;
  // trunc is exact and mode-independent; for |x| < 2^23 the fraction x - t is
  // exactly representable, so the comparisons below are exact.
  float t = std::trunc(x);
  float frac = std::fabs(x - t);
  if (frac > 0.5f || (frac == 0.5f && std::fmod(t, 2.0f) != 0.0f))
    t += std::copysign(1.0f, x);
  return t;
}

bool isSupportedBits(int bits, CodeDomain domain) {
  if (domain == CodeDomain::Weight)
    return bits == 2 || bits == 3 || bits == 4 || bits == 6 || bits == 8;
  // 1-bit activations are excluded: the symmetric scale divides by
  // 2^(b-1) - 1, which is 0 for b = 1.
  return bits >= 2 && bits <= 8;
}

CodeRange codeRange(int bits, CodeDomain domain) {
  assert(isSupportedBits(bits, domain) && "unsupported bit width");
  if (domain == CodeDomain::Weight)
    return {0, (1 << bits) - 1};
  return {-(1 << (bits - 1)), (1 << (bits - 1)) - 1};
}

int32_t symmetricZeroPoint(int bits, CodeDomain domain) {
  return codeRange(bits, domain).qmin + (1 << (bits - 1));
}

static bool isValidClipRatio(float r) { return r > 0.0f && r <= 1.0f; }

QuantStatus computeScaleZero(float minVal, float maxVal,
                             const QuantParams &params, ScaleZero &out) {
  if (!isSupportedBits(params.bits, params.domain))
    return QuantStatus::InvalidBits;
  if (!isValidClipRatio(params.clipRatio)) // also rejects NaN
    return QuantStatus::InvalidClipRatio;
  if (!std::isfinite(minVal) || !std::isfinite(maxVal))
    return QuantStatus::NonFiniteValue;
  if (minVal > maxVal)
    return QuantStatus::InvalidRange;

  const int bits = params.bits;
  const CodeRange range = codeRange(bits, params.domain);
  const float clip = params.clipRatio;

  if (params.symmetric) {
    float maxAbs = std::max(std::fabs(minVal), std::fabs(maxVal)) * clip;
    float scale = maxAbs / static_cast<float>((1 << (bits - 1)) - 1);
    if (scale == 0.0f) // all-zero (or underflowing) range: see header
      scale = 1.0f;
    out = {scale, symmetricZeroPoint(bits, params.domain)};
    return QuantStatus::Ok;
  }

  // Extend to include 0 so that zero (padding, ReLU outputs, pruned weights)
  // is exactly representable.
  float lo = std::min(minVal * clip, 0.0f);
  float hi = std::max(maxVal * clip, 0.0f);
  float scale = (hi - lo) / static_cast<float>((1 << bits) - 1);
  if (!std::isfinite(scale)) // hi - lo overflowed
    return QuantStatus::NonFiniteValue;
  if (scale == 0.0f)
    scale = 1.0f;
  // Offset of lo from qmin in steps; it is in [0, 2^b - 1] up to rounding
  // error, clamp to be safe. It cannot overflow since -lo <= hi - lo.
  float offset = roundHalfToEven(-lo / scale);
  int32_t steps = static_cast<int32_t>(
      std::min(std::max(offset, 0.0f), static_cast<float>((1 << bits) - 1)));
  out = {scale, range.qmin + steps};
  return QuantStatus::Ok;
}

int32_t quantizeValue(float x, float scale, int32_t zeroPoint,
                      CodeRange range) {
  assert(std::isfinite(scale) && scale > 0.0f && "scale must be finite > 0");
  assert(range.qmin <= range.qmax && "empty code range");
  if (std::isnan(x))
    return std::min(std::max(zeroPoint, range.qmin), range.qmax);
  const float r = x / scale; // may be +-inf for tiny scales: saturates below
  // Saturate before converting to an integer (no UB for huge r). Rounding
  // cannot move r back inside the range once it is at or beyond a bound.
  const int64_t lo = static_cast<int64_t>(range.qmin) - zeroPoint;
  const int64_t hi = static_cast<int64_t>(range.qmax) - zeroPoint;
  if (static_cast<double>(r) <= static_cast<double>(lo))
    return range.qmin;
  if (static_cast<double>(r) >= static_cast<double>(hi))
    return range.qmax;
  const int64_t q = static_cast<int64_t>(roundHalfToEven(r));
  const int64_t c = std::min(std::max(q + zeroPoint, int64_t{range.qmin}),
                             int64_t{range.qmax});
  return static_cast<int32_t>(c);
}

float dequantizeValue(int32_t code, float scale, int32_t zeroPoint) {
  return scale * static_cast<float>(static_cast<int64_t>(code) - zeroPoint);
}

QuantStatus validate(const QuantParams &params, int64_t N, int64_t K) {
  if (!isSupportedBits(params.bits, params.domain))
    return QuantStatus::InvalidBits;
  if (!isValidClipRatio(params.clipRatio))
    return QuantStatus::InvalidClipRatio;
  if (N < 0 || K < 0 || (K > 0 && N > std::numeric_limits<int64_t>::max() / K))
    return QuantStatus::InvalidShape;
  if (params.granularity == Granularity::PerGroup &&
      (params.groupSize <= 0 || K % params.groupSize != 0))
    return QuantStatus::InvalidGroupSize;
  return QuantStatus::Ok;
}

namespace {
/// Grid geometry implied by (params, N, K); params must be validated.
struct GridShape {
  int64_t rows, cols, groupSize;
};

GridShape gridShape(const QuantParams &params, int64_t N, int64_t K) {
  // groupSize is kept >= 1 so indexFor never divides by zero (K == 0).
  const int64_t span = std::max<int64_t>(K, 1);
  switch (params.granularity) {
  case Granularity::PerTensor:
    return {1, 1, span};
  case Granularity::PerChannel:
    return {N, 1, span};
  case Granularity::PerGroup:
    return {N, K / params.groupSize, params.groupSize};
  }
  assert(false && "unknown granularity");
  return {1, 1, span};
}

/// Shared argument checks of quantize/dequantize.
QuantStatus checkGrid(const QuantScales &s, const QuantParams &params,
                      int64_t N, int64_t K) {
  GridShape g = gridShape(params, N, K);
  const size_t cells = static_cast<size_t>(g.rows * g.cols);
  if (s.rows != g.rows || s.cols != g.cols || s.groupSize != g.groupSize ||
      s.scales.size() != cells || s.zeroPoints.size() != cells)
    return QuantStatus::InvalidScales;
  const CodeRange range = codeRange(params.bits, params.domain);
  for (size_t i = 0; i < cells; ++i) {
    if (!std::isfinite(s.scales[i]) || !(s.scales[i] > 0.0f) ||
        s.zeroPoints[i] < range.qmin || s.zeroPoints[i] > range.qmax)
      return QuantStatus::InvalidScales;
  }
  return QuantStatus::Ok;
}

template <typename T>
QuantStatus checkMatrix(const std::vector<T> &data, const QuantParams &params,
                        int64_t N, int64_t K) {
  QuantStatus st = validate(params, N, K);
  if (st != QuantStatus::Ok)
    return st;
  if (data.size() != static_cast<size_t>(N * K))
    return QuantStatus::SizeMismatch;
  return QuantStatus::Ok;
}

bool allFinite(const std::vector<float> &W) {
  return std::all_of(W.begin(), W.end(),
                     [](float v) { return std::isfinite(v); });
}
} // namespace

QuantStatus computeScales(const std::vector<float> &W, int64_t N, int64_t K,
                          const QuantParams &params, QuantScales &out) {
  QuantStatus st = checkMatrix(W, params, N, K);
  if (st != QuantStatus::Ok)
    return st;
  if (!allFinite(W))
    return QuantStatus::NonFiniteValue;

  const GridShape g = gridShape(params, N, K);
  // Rows/columns of W covered by one grid cell.
  const int64_t cellRows = g.rows == 1 ? N : 1;
  const int64_t cellCols = g.cols == 1 ? K : g.groupSize;

  QuantScales result;
  result.rows = g.rows;
  result.cols = g.cols;
  result.groupSize = g.groupSize;
  result.scales.resize(static_cast<size_t>(g.rows * g.cols));
  result.zeroPoints.resize(result.scales.size());
  for (int64_t r = 0; r < g.rows; ++r) {
    for (int64_t c = 0; c < g.cols; ++c) {
      // An empty cell (N or K == 0) keeps min = max = 0, i.e. scale 1.
      float lo = 0.0f, hi = 0.0f;
      bool first = true;
      for (int64_t n = r * cellRows; n < (r + 1) * cellRows; ++n) {
        const float *row = W.data() + n * K + c * cellCols;
        for (int64_t k = 0; k < cellCols; ++k) {
          lo = first ? row[k] : std::min(lo, row[k]);
          hi = first ? row[k] : std::max(hi, row[k]);
          first = false;
        }
      }
      ScaleZero sz;
      st = computeScaleZero(lo, hi, params, sz);
      if (st != QuantStatus::Ok)
        return st;
      result.scales[r * g.cols + c] = sz.scale;
      result.zeroPoints[r * g.cols + c] = sz.zeroPoint;
    }
  }
  out = std::move(result);
  return QuantStatus::Ok;
}

QuantStatus quantize(const std::vector<float> &W, int64_t N, int64_t K,
                     const QuantParams &params, const QuantScales &scales,
                     std::vector<int32_t> &codes) {
  QuantStatus st = checkMatrix(W, params, N, K);
  if (st != QuantStatus::Ok)
    return st;
  if ((st = checkGrid(scales, params, N, K)) != QuantStatus::Ok)
    return st;
  if (!allFinite(W))
    return QuantStatus::NonFiniteValue;

  const CodeRange range = codeRange(params.bits, params.domain);
  std::vector<int32_t> result(W.size());
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t k = 0; k < K; ++k) {
      const int64_t g = scales.indexFor(n, k);
      result[n * K + k] = quantizeValue(W[n * K + k], scales.scales[g],
                                        scales.zeroPoints[g], range);
    }
  }
  codes = std::move(result);
  return QuantStatus::Ok;
}

QuantStatus dequantize(const std::vector<int32_t> &codes, int64_t N, int64_t K,
                       const QuantParams &params, const QuantScales &scales,
                       std::vector<float> &out) {
  QuantStatus st = checkMatrix(codes, params, N, K);
  if (st != QuantStatus::Ok)
    return st;
  if ((st = checkGrid(scales, params, N, K)) != QuantStatus::Ok)
    return st;
  const CodeRange range = codeRange(params.bits, params.domain);
  for (int32_t c : codes)
    if (c < range.qmin || c > range.qmax)
      return QuantStatus::CodeOutOfRange;

  std::vector<float> result(codes.size());
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t k = 0; k < K; ++k) {
      const int64_t g = scales.indexFor(n, k);
      result[n * K + k] = dequantizeValue(codes[n * K + k], scales.scales[g],
                                          scales.zeroPoints[g]);
    }
  }
  out = std::move(result);
  return QuantStatus::Ok;
}

QuantStatus fakeQuantize(const std::vector<float> &W, int64_t N, int64_t K,
                         const QuantParams &params, std::vector<float> &out,
                         QuantScales *scalesOut) {
  QuantScales scales;
  QuantStatus st = computeScales(W, N, K, params, scales);
  if (st != QuantStatus::Ok)
    return st;
  std::vector<int32_t> codes;
  if ((st = quantize(W, N, K, params, scales, codes)) != QuantStatus::Ok)
    return st;
  if ((st = dequantize(codes, N, K, params, scales, out)) != QuantStatus::Ok)
    return st;
  if (scalesOut)
    *scalesOut = std::move(scales);
  return QuantStatus::Ok;
}

} // namespace numerics
} // namespace lowbit
