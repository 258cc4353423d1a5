//===- Packing.cpp - Bit packing of low-bit weight codes ------------------===//
//
// See Packing.h for the layout.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Packing.h"

#include <cassert>
#include <cstddef>
#include <limits>
#include <utility>

namespace lowbit {
namespace numerics {

namespace {
bool validShape(int64_t N, int64_t K, int bits) {
  if (bits < 1 || bits > 8 || N < 0 || K < 0 || K > kMaxPackedK)
    return false;
  // N * K (the code count) and N * rowBytes (the byte count) must not
  // overflow; rowBytes <= K whenever K > 0, so checking N * K suffices.
  return K == 0 || N <= std::numeric_limits<int64_t>::max() / K;
}
} // namespace

int64_t packedRowBytes(int64_t K, int bits) {
  assert(bits >= 1 && bits <= 8 && "bits must be in 1..8");
  assert(K >= 0 && K <= kMaxPackedK && "K out of range");
  return (K * bits + 7) / 8;
}

bool pack(const std::vector<int32_t> &codes, int64_t N, int64_t K, int bits,
          std::vector<uint8_t> &packed) {
  if (!validShape(N, K, bits) || codes.size() != static_cast<size_t>(N * K))
    return false;
  const int32_t maxCode = (1 << bits) - 1;
  for (int32_t c : codes)
    if (c < 0 || c > maxCode)
      return false;

  const int64_t rowBytes = packedRowBytes(K, bits);
  std::vector<uint8_t> out(static_cast<size_t>(N * rowBytes), 0);
  for (int64_t n = 0; n < N; ++n) {
    // Stream codes through a small accumulator, flushing whole bytes; the
    // accumulator never holds more than 7 + 8 bits.
    uint32_t acc = 0;
    int accBits = 0;
    uint8_t *dst = out.data() + n * rowBytes;
    const int32_t *src = codes.data() + n * K;
    for (int64_t k = 0; k < K; ++k) {
      acc |= static_cast<uint32_t>(src[k]) << accBits;
      accBits += bits;
      while (accBits >= 8) {
        *dst++ = static_cast<uint8_t>(acc & 0xFFu);
        acc >>= 8;
        accBits -= 8;
      }
    }
    if (accBits > 0) // partial last byte; the high bits stay 0 (padding)
      *dst++ = static_cast<uint8_t>(acc & 0xFFu);
    assert(dst == out.data() + (n + 1) * rowBytes);
  }
  packed = std::move(out);
  return true;
}

bool unpack(const std::vector<uint8_t> &packed, int64_t N, int64_t K, int bits,
            std::vector<int32_t> &codes) {
  if (!validShape(N, K, bits))
    return false;
  const int64_t rowBytes = packedRowBytes(K, bits);
  if (packed.size() != static_cast<size_t>(N * rowBytes))
    return false;

  const uint32_t mask = (1u << bits) - 1u;
  std::vector<int32_t> out(static_cast<size_t>(N * K));
  for (int64_t n = 0; n < N; ++n) {
    const uint8_t *row = packed.data() + n * rowBytes;
    for (int64_t k = 0; k < K; ++k) {
      // A code spans at most two bytes (shift <= 7, bits <= 8); the second
      // byte exists whenever the code actually reaches into it.
      const int64_t bit = k * bits;
      const int64_t byte = bit / 8;
      const int shift = static_cast<int>(bit % 8);
      uint32_t window = row[byte];
      if (shift + bits > 8)
        window |= static_cast<uint32_t>(row[byte + 1]) << 8;
      out[n * K + k] = static_cast<int32_t>((window >> shift) & mask);
    }
  }
  codes = std::move(out);
  return true;
}

} // namespace numerics
} // namespace lowbit
