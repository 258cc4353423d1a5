//===- CodeAsFloat.h - Integer codes read as floats without conversion ----===//
//
// The generated GPU GEMV turns weight codes into f32 operands by bit
// manipulation instead of conversion instructions. The two forms, with the
// factors that make them exact, are defined here so that the kernel builder
// (lib/Target/GPU/GemvCudaCore.cpp) and the tests share one statement of the
// arithmetic:
//
//   * 2^23 form: a code c (< 2^23) or-ed into the mantissa of 2^23
//     (0x4B000000 | c) reads as 2^23 + c; subtracting 2^23 leaves c exactly.
//   * Subnormal form: a code c masked where it lies, at bit `shift` of a
//     word with a zero exponent field, reads as the subnormal
//     c * 2^shift * 2^-149. Multiplied by x * 2^(85 - shift) it is
//     x * c * 2^-64: every such product, and every fma sum of them, is the
//     one of x * c scaled by the power of two 2^-64, so rounding is the
//     same, provided nothing overflows (|x| < 2^43) or becomes subnormal
//     (|x * c| >= 2^-62, sums likewise). The fma must keep subnormal
//     operands (no flush to zero).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_CODEASFLOAT_H
#define LOWBIT_NUMERICS_CODEASFLOAT_H

#include <cstdint>

namespace lowbit::numerics {

/// The subnormal form's factors: x is taken times 2^(kSubnormalXExponent -
/// shift), and products come out times 2^kSubnormalSumExponent.
constexpr int kSubnormalXExponent = 85;
constexpr int kSubnormalSumExponent = -64;
/// The largest bit position a code may start at in the subnormal form
/// (below the exponent field, with room for a 4-bit code).
constexpr unsigned kSubnormalMaxShift = 19;

/// The bits 0x4B000000 | code as an f32: 2^23 + code, for code < 2^23.
float codeAbove2To23(uint32_t code);

/// `word & mask` read as an f32, the mask covering bits below the exponent
/// field: the subnormal (word & mask) * 2^-149.
float maskedWordAsFloat(uint32_t word, uint32_t mask);

/// x * 2^(kSubnormalXExponent - shift), the factor that the GEMV multiplies
/// a code at bit `shift` by, in the subnormal form.
float subnormalFactor(float x, unsigned shift);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_CODEASFLOAT_H
