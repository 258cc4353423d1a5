//===- Packing.h - Bit packing of low-bit weight codes --------------------===//
//
// Packed weight layout "k_major bitstream" (fixed by the lowbit dialect):
//
//   * The codes form a row-major matrix [N, K] of unsigned b-bit values,
//     c in [0, 2^b - 1], 1 <= b <= 8 (the codes produced by
//     UniformQuantizer for CodeDomain::Weight).
//   * Each row n is an independent little-endian bitstream: code k occupies
//     bits [k*b, k*b + b) counted from the start of the row, where bit i of
//     the row is bit (i % 8) of byte (i / 8), bit 0 being the LSB. A code
//     may straddle a byte boundary (e.g. b = 3, 6); its low bits go to the
//     lower byte.
//   * Every row is padded to a whole number of bytes:
//       packedRowBytes(K, b) = ceil(K * b / 8)
//     and row n starts at byte n * packedRowBytes(K, b). Total size is
//     N * packedRowBytes(K, b). Padding bits are written as 0 by pack and
//     ignored by unpack.
//
//   Example (b = 4, K = 3, codes [1, 2, 3]): bytes 0x21, 0x03.
//
// No exceptions: functions return false on bad arguments and leave the output
// untouched.
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_PACKING_H
#define LOWBIT_NUMERICS_PACKING_H

#include <cstdint>
#include <vector>

namespace lowbit {
namespace numerics {

/// Largest K accepted by the packing functions (keeps K * bits far from
/// int64 overflow).
constexpr int64_t kMaxPackedK = int64_t{1} << 56;

/// ceil(K * bits / 8). Preconditions (asserted): 1 <= bits <= 8,
/// 0 <= K <= kMaxPackedK.
int64_t packedRowBytes(int64_t K, int bits);

/// Pack row-major codes [N, K] into N * packedRowBytes(K, bits) bytes.
/// Returns false (leaving `packed` unchanged) if bits is not in 1..8, N or K
/// is negative (or K > kMaxPackedK), codes.size() != N * K, or a code lies
/// outside [0, 2^bits - 1].
bool pack(const std::vector<int32_t> &codes, int64_t N, int64_t K, int bits,
          std::vector<uint8_t> &packed);

/// Inverse of pack: returns false (leaving `codes` unchanged) if bits is not
/// in 1..8, N or K is invalid, or packed.size() != N * packedRowBytes(K, bits).
bool unpack(const std::vector<uint8_t> &packed, int64_t N, int64_t K, int bits,
            std::vector<int32_t> &codes);

} // namespace numerics
} // namespace lowbit

#endif // LOWBIT_NUMERICS_PACKING_H
