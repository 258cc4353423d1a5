//===- UniformQuantizer.h - Reference uniform quantization numerics -------===//
//
// The numerics reference of lowbit: every kernel and every compiler rewrite
// that quantizes or dequantizes must reproduce these functions bit-exactly.
// Plain C++17, no MLIR/LLVM dependency, no exceptions.
//
// ----------------------------------------------------------------------------
// Conventions (fixed by the lowbit dialect)
// ----------------------------------------------------------------------------
// Code domains (see CodeDomain / codeRange):
//   * Weight     : unsigned codes c in [0, 2^b - 1]            (b in
//   {2,3,4,6,8})
//   * Activation : signed   codes q in [-2^(b-1), 2^(b-1) - 1] (b in 2..8)
//   Both dequantize as  x = s * (c - z)  with a float scale s and an integer
//   zero point z expressed in the same domain as the codes.
//
// Symmetric (z is implicit, never searched):
//   z = qmin + 2^(b-1), i.e. 2^(b-1) for weights and 0 for activations.
//   s = clipRatio * max|x| / (2^(b-1) - 1).
//   The largest magnitude therefore maps to c - z = +-(2^(b-1) - 1); the most
//   negative code (c - z = -2^(b-1)) is representable and reachable through
//   saturation, but is never needed for values inside the range.
//
// Asymmetric:
//   lo = min(clipRatio * min(x), 0),  hi = max(clipRatio * max(x), 0)
//   (the range always contains 0 so that 0 is exactly representable),
//   s = (hi - lo) / (2^b - 1),
//   z = clamp(qmin + roundHalfToEven(-lo / s), qmin, qmax)
//   (for weights: z = clamp(round(-lo / s), 0, 2^b - 1)).
//
// Degenerate ranges: when the formula above yields s == 0 (all-zero group, or
// a range so small that s underflows), s = 1 is stored instead. With s = 1
// and the zero point from the same formulas every value of such a group
// quantizes to c = z and dequantizes to exactly 0; no NaN is ever produced
// and kernels need no special case.
//
// Arithmetic (all in IEEE-754 binary32, so the results are reproducible):
//   * s is computed in float: (hi - lo) / float(2^b - 1) resp.
//     maxAbs / float(2^(b-1) - 1), after multiplying by clipRatio in float.
//   * quantize:   c = clamp(roundHalfToEven(x / s) + z, qmin, qmax) with
//                 x / s a true float division (not x * (1/s): that differs
//                 in the last ulp and can flip ties).
//   * dequantize: x' = s * float(c - z), one float multiplication.
//   * Rounding is round-half-to-even of x / s, implemented explicitly
//     (roundHalfToEven) so it does not depend on the FP environment. Ties
//     go to even c - z (the integer offset), not to even c: with z = 3,
//     x / s = 0.5 gives c = 3.
//   * Saturation: codes are clamped to [qmin, qmax]; +-inf saturate; NaN
//     quantizes to z (dequantizes to 0). Matrix entry points reject
//     non-finite inputs instead (QuantStatus::NonFiniteValue).
//
// Granularity over a row-major matrix W of shape [N, K]
// (N rows = output channels, K columns = input features):
//   * PerTensor  : one (s, z); grid shape [1, 1].
//   * PerChannel : one (s, z) per row; grid shape [N, 1].
//   * PerGroup   : groups of groupSize consecutive columns of one row,
//                  K % groupSize == 0 required; grid shape [N, K/groupSize],
//                  row-major. groupSize == K is allowed (same as PerChannel).
//
// Clip ratio: the observed range is multiplied by clipRatio in (0, 1]
// (both ends, toward 0) before the scale is derived; values outside the
// clipped range saturate. Default 1 (no clipping). Used by MSE clipping.
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_UNIFORMQUANTIZER_H
#define LOWBIT_NUMERICS_UNIFORMQUANTIZER_H

#include <cstdint>
#include <vector>

namespace lowbit {
namespace numerics {

/// Which integer code range is used (see file comment).
enum class CodeDomain {
  Weight,     ///< unsigned codes [0, 2^b - 1], symmetric z = 2^(b-1)
  Activation, ///< signed codes [-2^(b-1), 2^(b-1) - 1], symmetric z = 0
};

enum class Granularity { PerTensor, PerChannel, PerGroup };

/// Result of the entry points that validate their arguments.
enum class QuantStatus {
  Ok,
  InvalidBits,      ///< weights: b not in {2,3,4,6,8}; activations: not 2..8
  InvalidShape,     ///< N or K negative, or N*K overflows
  InvalidGroupSize, ///< PerGroup with groupSize <= 0 or K % groupSize != 0
  InvalidClipRatio, ///< clipRatio not in (0, 1]
  SizeMismatch,     ///< a buffer does not have the size implied by N, K
  NonFiniteValue,   ///< NaN/inf in W or a bound, or a scale overflowing to inf
  CodeOutOfRange,   ///< a code to dequantize lies outside [qmin, qmax]
  InvalidRange,     ///< computeScaleZero with minVal > maxVal
  InvalidScales,    ///< a QuantScales grid that does not fit N, K, params,
                    ///< or holds a scale that is not finite and > 0, or a
                    ///< zero point outside [qmin, qmax]
};

/// Human-readable name of a status, for diagnostics.
const char *toString(QuantStatus status);

struct QuantParams {
  int bits = 4;
  bool symmetric = true;
  Granularity granularity = Granularity::PerChannel;
  int64_t groupSize = 0; ///< only read for PerGroup
  float clipRatio = 1.0f;
  CodeDomain domain = CodeDomain::Weight;
};

/// Inclusive code range [qmin, qmax].
struct CodeRange {
  int32_t qmin;
  int32_t qmax;
};

/// A (scale, zero point) pair for one tensor / row / group.
struct ScaleZero {
  float scale;
  int32_t zeroPoint;
};

/// Scales and zero points of a matrix, laid out as a row-major grid of shape
/// [rows, cols] (see Granularity). Symmetric zero points are stored too (the
/// implicit value), so dequantization never needs to know the mode.
struct QuantScales {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t groupSize = 0; ///< K columns covered by one grid column
  std::vector<float> scales;
  std::vector<int32_t> zeroPoints;

  /// Grid index of the parameters that apply to matrix element (n, k).
  int64_t indexFor(int64_t n, int64_t k) const {
    return (rows == 1 ? 0 : n) * cols + k / groupSize;
  }
};

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

/// Round to nearest integral value, ties to even, independent of the FP
/// rounding mode. NaN and +-inf are returned unchanged.
float roundHalfToEven(float x);

/// True if `bits` is supported for `domain` (weights {2,3,4,6,8};
/// activations 2..8).
bool isSupportedBits(int bits, CodeDomain domain);

/// Code range for a bit width. Precondition: isSupportedBits(bits, domain)
/// (asserted).
CodeRange codeRange(int bits, CodeDomain domain);

/// The implicit symmetric zero point: qmin + 2^(b-1). Same precondition.
int32_t symmetricZeroPoint(int bits, CodeDomain domain);

/// Scale and zero point for an observed range [minVal, maxVal] (the min and
/// max of the values; for symmetric mode only max(|minVal|, |maxVal|)
/// matters). Ignores granularity/groupSize. Fails with InvalidBits /
/// InvalidClipRatio, InvalidRange (minVal > maxVal) or NonFiniteValue (a
/// non-finite bound, or a scale that overflows to inf).
QuantStatus computeScaleZero(float minVal, float maxVal,
                             const QuantParams &params, ScaleZero &out);

/// c = clamp(roundHalfToEven(x / scale) + zeroPoint, range).
/// Preconditions (asserted): scale finite and > 0, range.qmin <= range.qmax.
int32_t quantizeValue(float x, float scale, int32_t zeroPoint, CodeRange range);

/// x = scale * float(code - zeroPoint).
float dequantizeValue(int32_t code, float scale, int32_t zeroPoint);

//===----------------------------------------------------------------------===//
// Matrix entry points (W row-major [N, K])
//===----------------------------------------------------------------------===//
// All of them validate their arguments and, on any status other than Ok,
// leave their output arguments unchanged.

/// Check params against a matrix shape (bits, clipRatio, groupSize, N, K).
QuantStatus validate(const QuantParams &params, int64_t N, int64_t K);

/// Compute the scale grid of W. Requires W.size() == N*K and finite W.
QuantStatus computeScales(const std::vector<float> &W, int64_t N, int64_t K,
                          const QuantParams &params, QuantScales &out);

/// Quantize W with a grid produced by computeScales for the same shape and
/// params (or a compatible one, e.g. after MSE clipping). Codes are
/// row-major [N, K] in the domain's range.
QuantStatus quantize(const std::vector<float> &W, int64_t N, int64_t K,
                     const QuantParams &params, const QuantScales &scales,
                     std::vector<int32_t> &codes);

/// Inverse of quantize; rejects codes outside the domain's range.
QuantStatus dequantize(const std::vector<int32_t> &codes, int64_t N, int64_t K,
                       const QuantParams &params, const QuantScales &scales,
                       std::vector<float> &out);

/// computeScales + quantize + dequantize: the reference result that
/// quantized kernels must match. `scalesOut` may be null.
QuantStatus fakeQuantize(const std::vector<float> &W, int64_t N, int64_t K,
                         const QuantParams &params, std::vector<float> &out,
                         QuantScales *scalesOut = nullptr);

} // namespace numerics
} // namespace lowbit

#endif // LOWBIT_NUMERICS_UNIFORMQUANTIZER_H
