//===- Hadamard.h - Hadamard matrices of supported orders -------*- C++ -*-===//
//
// Plain C++, no MLIR. Builds the Hadamard matrices used by rotation folding and
// by the online `lowbit.hadamard` op: Sylvester matrices for powers of two and
// Kronecker products of a Paley (type I) matrix with a Sylvester matrix for
// orders (q + 1) * 2^k, q a prime with q = 3 (mod 4).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_HADAMARD_H
#define LOWBIT_NUMERICS_HADAMARD_H

#include <cstdint>
#include <vector>

namespace lowbit::numerics {

/// Whether `order` is a power of two.
bool isPowerOfTwo(int64_t order);

/// Whether hadamardMatrix() can build a matrix of this order.
bool isSupportedHadamardOrder(int64_t order);

/// The +1/-1 Hadamard matrix of the given order, row-major (order x order),
/// unnormalized: H * H^T = order * I. Empty when the order is unsupported.
std::vector<int8_t> hadamardMatrix(int64_t order);

/// The Kronecker structure of hadamardMatrix(order): returns m such that
///   hadamardMatrix(order) == hadamardMatrix(order / m) (x) hadamardMatrix(m)
/// where the left factor is Sylvester (a power of two) and the right one is
/// the Paley matrix of order m, the smallest Paley order q + 1 that works
/// (order 384 is 32 (x) P_12), i.e. entry (a*m + i, b*m + j) is
/// S[a][b] * P[i][j]. m == 1 for powers of two (pure Sylvester), 0 when the
/// order is unsupported. Fast transforms (FastHadamard.h) rely on it.
int64_t hadamardPaleyOrder(int64_t order);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_HADAMARD_H
