/*===- Builtins.c - compiler helper functions that libgcc may lack -------===*/
/*
 * LLVM lowers an f32 -> bf16 truncation on x86-64 without AVX512-BF16 to a
 * call of __truncsfbf2, which compiler-rt and GCC 13's libgcc provide; the
 * system compiler that links a model library (GCC 12 on Debian bookworm)
 * does not. The model library carries its own copy, hidden like the rest of
 * the runtime. The bf16 value travels in the low 16 bits of xmm0, as a
 * _Float16 does, which is the ABI LLVM uses for the call.
 */

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__FLT16_MAX__)
/* Round to nearest even; NaNs stay NaNs (quieted). */
static uint16_t bf16FromFloat(float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return (uint16_t)((bits >> 16) | 0x40u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return (uint16_t)(bits >> 16);
}

_Float16 __truncsfbf2(float value);
_Float16 __truncsfbf2(float value) {
  uint16_t bits = bf16FromFloat(value);
  _Float16 carrier;
  memcpy(&carrier, &bits, sizeof carrier);
  return carrier;
}
#endif
