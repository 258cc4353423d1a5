//===- CodeAsFloat.cpp - Integer codes read as floats without conversion --===//

#include "lowbit/Numerics/CodeAsFloat.h"

#include <cmath>
#include <cstring>

namespace lowbit::numerics {

static float bitsAsFloat(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

float codeAbove2To23(uint32_t code) { return bitsAsFloat(0x4B000000u | code); }

float maskedWordAsFloat(uint32_t word, uint32_t mask) {
  return bitsAsFloat(word & mask & 0x007FFFFFu);
}

float subnormalFactor(float x, unsigned shift) {
  return std::ldexp(x, kSubnormalXExponent - static_cast<int>(shift));
}

} // namespace lowbit::numerics
