//===- Hadamard.cpp - Sylvester and Paley Hadamard matrices ---------------===//

#include "lowbit/Numerics/Hadamard.h"

namespace lowbit::numerics {
namespace {

bool isPrime(int64_t n) {
  if (n < 2)
    return false;
  for (int64_t d = 2; d * d <= n; ++d)
    if (n % d == 0)
      return false;
  return true;
}

/// Splits order = paley * 2^k with paley = 1 (pure Sylvester) or q + 1 for a
/// prime q = 3 (mod 4), taking the smallest such Paley order: the fast
/// transform costs O(order * (paley + log2 order)), so 384 = 12 * 32 is
/// better served by P_12 than by P_384. Returns 0 when no split exists.
int64_t paleyFactor(int64_t order) {
  if (order < 1 || order > (int64_t(1) << 40))
    return 0;
  // Pure Sylvester whenever possible: it is symmetric, which the online
  // transform and the double-rotation fold rely on.
  if ((order & (order - 1)) == 0)
    return 1;
  int64_t odd = order;
  while (odd % 2 == 0)
    odd /= 2;
  for (int64_t m = odd; m <= order; m *= 2)
    if (isPrime(m - 1) && (m - 1) % 4 == 3)
      return m;
  return 0;
}

/// Legendre symbol of a modulo the odd prime q: 0, +1 or -1.
int legendre(int64_t a, int64_t q) {
  a %= q;
  if (a < 0)
    a += q;
  if (a == 0)
    return 0;
  int64_t result = 1, base = a, exp = (q - 1) / 2;
  while (exp > 0) {
    if (exp & 1)
      result = result * base % q;
    base = base * base % q;
    exp >>= 1;
  }
  return result == 1 ? 1 : -1;
}

/// Paley construction I: H = I + S with S the skew-symmetric matrix
/// [[0, 1^T], [-1, Q]], Q[i][j] = legendre(j - i).
std::vector<int8_t> paleyMatrix(int64_t order) {
  int64_t q = order - 1;
  std::vector<int8_t> h(order * order);
  for (int64_t i = 0; i < order; ++i) {
    for (int64_t j = 0; j < order; ++j) {
      int s;
      if (i == 0 && j == 0)
        s = 0;
      else if (i == 0)
        s = 1;
      else if (j == 0)
        s = -1;
      else
        s = legendre(j - i, q);
      h[i * order + j] = static_cast<int8_t>((i == j ? 1 : 0) + s);
    }
  }
  return h;
}

} // namespace

bool isPowerOfTwo(int64_t order) {
  return order > 0 && (order & (order - 1)) == 0;
}

bool isSupportedHadamardOrder(int64_t order) {
  return paleyFactor(order) != 0;
}

int64_t hadamardPaleyOrder(int64_t order) { return paleyFactor(order); }

std::vector<int8_t> hadamardMatrix(int64_t order) {
  int64_t base = paleyFactor(order);
  if (base == 0)
    return {};
  std::vector<int8_t> h = base == 1 ? std::vector<int8_t>{1} : paleyMatrix(base);
  // Sylvester doubling: H_2n = [[H, H], [H, -H]].
  for (int64_t n = base; n < order; n *= 2) {
    std::vector<int8_t> next(4 * n * n);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        int8_t v = h[i * n + j];
        next[i * 2 * n + j] = v;
        next[i * 2 * n + n + j] = v;
        next[(n + i) * 2 * n + j] = v;
        next[(n + i) * 2 * n + n + j] = static_cast<int8_t>(-v);
      }
    }
    h.swap(next);
  }
  return h;
}

} // namespace lowbit::numerics
