//===- BitAllocation.h - Mixed-precision bit allocation ---------*- C++ -*-===//
//
// Chooses one option per item (a layer, or a group of a layer) - typically a
// bit width from {0, 2, 3, 4, 6, 8, 16} - to minimize the total predicted
// error under a size budget:
//
//   minimize  sum_i errors[i][c_i]   subject to  sum_i sizes[i][c_i] <= budget
//
// i.e. a multiple-choice knapsack. The caller computes sizes (in bits, scale
// and zero-point overhead included) and errors (any additive proxy: output
// MSE, Hessian-weighted error, ...). Pinned items keep a fixed choice.
//
// Three solvers:
//   * allocateExact: dynamic programming over a discretized budget.
//     Discretization: every item's sizes are first reduced by the item's
//     smallest allowed size (the sum of those minimums is always spent), and
//     the remaining "extra" sizes and budget are measured in units of
//     u = g * m, where g is the gcd of all extras and m >= 1 the smallest
//     integer with floor(budgetLeft / u) <= maxCells (and with the DP table,
//     items * (cells + 1) 16-bit entries, within maxTableBytes). Extras are
//     rounded UP to whole units. When m == 1 the rounding is a no-op (every
//     extra is a multiple of g, and a sum of multiples of g fits iff it fits
//     in floor(budgetLeft / g) units), so the DP is exact: the returned
//     allocation is optimal (Allocation::provablyOptimal). When m > 1 the
//     result is still feasible (rounded sizes are >= true sizes) and optimal
//     for the rounded problem, which is at least as good as the true optimum
//     of the budget reduced by items * u.
//   * allocateGreedy: baseline. Starts every free item at its lowest-error
//     choice and, while over budget, applies the move (item, smaller-size
//     choice) with the smallest error increase per bit saved.
//   * allocateEqualLoss: BAQ-style closed form baseline. With error model
//     e_i(b) ~ s_i * 2^(-2b) and per-item weights w_i (parameter counts), the
//     continuous optimum equalizes marginal losses:
//       b_i = bbar + 0.5 * log2(s_i / G),   G = exp(sum w_i ln s_i / sum w_i)
//     (weighted geometric mean over the free items). Each b_i is rounded to
//     the nearest candidate bit width (ties to the lower one), and bbar is
//     the largest value (found by bisection) whose rounded allocation fits
//     the budget; if none does, every free item takes its smallest size.
//
// All three respect pins, return AllocStatus::Infeasible when even the
// smallest allowed sizes exceed the budget, and never produce an allocation
// over the budget. Ties between equal-error allocations are broken
// deterministically (lowest choice index first in the DP scan).
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_BITALLOCATION_H
#define LOWBIT_NUMERICS_BITALLOCATION_H

#include <cstdint>
#include <vector>

namespace lowbit {
namespace numerics {

/// Candidate bit widths of the compiler (0 = pruned, 16 = kept in fp16).
inline constexpr int kCandidateBits[] = {0, 2, 3, 4, 6, 8, 16};

enum class AllocStatus {
  Ok,
  InvalidArgument, ///< ragged/empty choice lists, negative size, non-finite
                   ///< error, pin out of range, > 65535 choices, size sums
                   ///< overflowing int64, bad equal-loss inputs or options
  Infeasible,      ///< sum of the smallest allowed sizes exceeds the budget
};

const char *toString(AllocStatus status);

struct AllocationProblem {
  std::vector<std::vector<int64_t>> sizes; ///< [item][choice], bits, >= 0
  std::vector<std::vector<double>> errors; ///< [item][choice], finite
  /// Empty (nothing pinned) or one entry per item: -1 = free, otherwise the
  /// forced choice index.
  std::vector<int> pinned;
  int64_t budget = 0; ///< bits
};

struct Allocation {
  std::vector<int> choices; ///< per item
  int64_t totalSize = 0;    ///< sum of the true sizes of the choices
  double totalError = 0.0;  ///< sum of the errors, in item order
  /// allocateExact only: true when the discretization was exact, so the
  /// allocation is a proven optimum. Always false for the baselines.
  bool provablyOptimal = false;
};

struct ExactAllocOptions {
  int64_t maxCells = int64_t{1} << 16; ///< budget resolution, >= 1
  int64_t maxTableBytes = int64_t{256} << 20; ///< memory cap of the DP table
};

/// Exact (or, past the caps, conservatively discretized) DP; see file
/// comment. `out` is left unchanged on failure.
AllocStatus allocateExact(const AllocationProblem &problem,
                          const ExactAllocOptions &options, Allocation &out);

/// Greedy error-per-bit baseline.
AllocStatus allocateGreedy(const AllocationProblem &problem, Allocation &out);

struct EqualLossInputs {
  std::vector<std::vector<double>> choiceBits; ///< [item][choice] bit widths
  std::vector<double> sensitivities; ///< s_i > 0, finite (pinned: ignored)
  std::vector<double> weights; ///< w_i > 0, finite (parameter counts;
                               ///< pinned: ignored)
};

/// The unrounded closed form b_i = bbar + 0.5 log2(s_i / G) for every item
/// flagged in `free` (others get NaN; G is taken over the free items).
/// Returns an empty vector on bad input (sizes differ, non-finite bbar, or a
/// free item with s_i or w_i not finite and > 0).
std::vector<double> equalLossBits(const std::vector<double> &sensitivities,
                                  const std::vector<double> &weights,
                                  const std::vector<bool> &free, double bbar);

/// BAQ-style equal-loss baseline; see file comment.
AllocStatus allocateEqualLoss(const AllocationProblem &problem,
                              const EqualLossInputs &inputs, Allocation &out);

} // namespace numerics
} // namespace lowbit

#endif // LOWBIT_NUMERICS_BITALLOCATION_H
