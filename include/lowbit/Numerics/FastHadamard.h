//===- FastHadamard.h - Fast (randomized) Hadamard transforms ---*- C++ -*-===//
//
// O(n log n) application of the Hadamard matrices of Hadamard.h, used by
// rotation folding (QuaRot/SpinQuant-style H * D rotations of weights) and as
// the reference of the online `lowbit.hadamard` op. Plain C++17, no MLIR.
//
// ----------------------------------------------------------------------------
// Definitions
// ----------------------------------------------------------------------------
// Let H_n = hadamardMatrix(n) (unnormalized, H_n H_n^T = n I) and D_n the
// diagonal matrix of random signs below. For a row-major [rows, cols] matrix
// X with cols = B * n, the blocked randomized transform replaces every row x
// by
//     y[b*n .. b*n+n) = H_n D x[b*n .. b*n+n) / sqrt(n)      (b = 0..B-1)
// i.e. y = (I_B (x) H_n D_n / sqrt(n)) x, an orthogonal matrix. The inverse
// transform applies  x = D_n H_n^T y / sqrt(n)  per block.
//
// Signs (the compiler's generated code must reproduce this exactly):
//   * seed == 0: no signs, D = I.
//   * otherwise: a splitmix64 stream with state = seed; the i-th output
//     z_i (i = 0, 1, ...) is produced by
//         state += 0x9E3779B97F4A7C15;
//         z = state;
//         z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
//         z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
//         z =  z ^ (z >> 31);
//     (all arithmetic mod 2^64) and  d_i = (z_i & 1) ? -1 : +1.
//   * The sign of element j of a block is d_j (j = 0..n-1): every block of
//     every row uses the same n signs, D_n is a property of the rotation,
//     not of the data position.
//
// Order decomposition (hadamardPaleyOrder): n = 2^k * m with H_n =
// S_{2^k} (x) P_m. The transform reshapes a block to [2^k, m] (row-major),
// multiplies every contiguous m-chunk by P_m (dense, O(m^2)) and then runs the
// Walsh-Hadamard butterflies across chunks (stride m). For m == 1 this is the
// plain FWHT.
//
// Arithmetic: float butterflies a' = a + b, b' = a - b with half-lengths
// h = 1, 2, 4, ... (the classic in-place order); the dense Paley product
// accumulates in double and rounds once; the normalization multiplies every
// element by float(1 / sqrt(double(n))) as the last step (exact for n a
// power of 4). The result is accurate to a few float ulps times log2(n); it
// is not meant as a bit-exact contract for kernels (summation order is free).
//
// No exceptions: functions return a HadamardStatus and leave their output
// untouched on failure.
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_FASTHADAMARD_H
#define LOWBIT_NUMERICS_FASTHADAMARD_H

#include <cstdint>
#include <vector>

namespace lowbit::numerics {

enum class HadamardStatus {
  Ok,
  UnsupportedOrder, ///< n is not a power of two (FWHT) or not an order that
                    ///< hadamardMatrix supports (blocked transform)
  InvalidShape,     ///< rows/cols negative, or cols not a multiple of n
  SizeMismatch,     ///< buffer size != rows * cols
};

/// Human-readable name of a status, for diagnostics.
const char *toString(HadamardStatus status);

/// Advances a splitmix64 state and returns the next output (see file
/// comment for the exact definition).
uint64_t splitMix64Next(uint64_t &state);

/// The n signs d_0..d_{n-1} (+1/-1) of the randomized transform for a seed
/// (all +1 for seed 0). Empty for n <= 0.
std::vector<int8_t> hadamardSigns(int64_t n, uint64_t seed);

/// In-place normalized fast Walsh-Hadamard transform of x[0..n):
/// x <- H_n x / sqrt(n) with H_n the Sylvester matrix. Fails with
/// UnsupportedOrder unless n is a power of two (n == 1 is the identity).
/// The transform is symmetric and orthogonal, hence its own inverse.
HadamardStatus fastWalshHadamard(float *x, int64_t n);
HadamardStatus fastWalshHadamard(std::vector<float> &x);

/// Blocked randomized transform of every row of the row-major [rows, cols]
/// matrix x, in place: y = H_n D_n x / sqrt(n) per block of n columns, for
/// any n with isSupportedHadamardOrder(n). cols must be a multiple of n.
HadamardStatus blockHadamardTransform(std::vector<float> &x, int64_t rows,
                                      int64_t cols, int64_t n, uint64_t seed);

/// Inverse of blockHadamardTransform with the same (n, seed):
/// x = D_n H_n^T y / sqrt(n) per block.
HadamardStatus inverseBlockHadamardTransform(std::vector<float> &x,
                                             int64_t rows, int64_t cols,
                                             int64_t n, uint64_t seed);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_FASTHADAMARD_H
