//===- MixedPrecision.h - Sensitivity and bit allocation --------*- C++ -*-===//
//
// How much error each lowbit.linear's weight quantization introduces at
// each candidate width, measured on the calibration statistics, and the
// choice of one width per layer under a bits-per-weight budget.
//
// For a layer y = x W^T with weight W [N, K], dW = W - Q_b(W) (round to
// nearest at b bits, the configured group size, symmetric) and the
// calibrated G = X^T X / rows of its input:
//
//   * output error   tr(dW G dW^T): the squared error of the layer's output
//                    per calibration row (exact on the calibration data);
//   * diagonal proxy sum_j G_jj ||dW[:, j]||^2 (GPTQ/OBC's diagonal form);
//   * trace proxy    tr(G) / K * ||dW||_F^2 (HAWQ-V2's average Hessian
//                    trace times the weight perturbation);
//   * relative error the mean over output channels n of
//                    (dW G dW^T)_nn / (W G W^T)_nn: each channel's
//                    noise-to-signal ratio.
//
// The allocation minimizes the summed relative errors by default: absolute
// errors of layers whose outputs differ in scale are not comparable (the
// norms after them rescale), and a ratio over the whole layer is dominated
// by its outlier channels (BERT's FFN outputs), hiding the error of the
// rest.
//
// Sizes count what the packed format stores: N * ceil(K b / 8) bytes of
// codes, an f32 scale per group (or row) and, for asymmetric configs, an i8
// zero point per scale. Bits per weight (bpw) = size / (N K).
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TRANSFORMS_MIXEDPRECISION_H
#define LOWBIT_TRANSFORMS_MIXEDPRECISION_H

#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>
#include <vector>

namespace lowbit {

struct SensitivityOptions {
  std::vector<int> bits = {2, 3, 4, 6, 8};
  int64_t groupSize = 128; ///< 0: one scale per row
  std::vector<std::string> keepFloat; ///< layer names left out
};

struct SensitivityCandidate {
  int bits = 0;
  int64_t sizeBits = 0;
  double bpw = 0;
  double outputError = 0;
  double diagProxy = 0;
  double traceProxy = 0;
  double relativeError = 0;
};

struct LayerSensitivity {
  LinearOp op;
  std::string name;
  int64_t rows = 0, cols = 0; ///< N, K
  int64_t groupSize = 0;      ///< effective: 0 = per row
  double outputEnergy = 0;    ///< tr(W G W^T)
  std::vector<SensitivityCandidate> candidates; ///< in options.bits order
};

/// The table for every lowbit.linear with a constant weight in `module`
/// (except those named in keepFloat). Needs the calibration table with
/// X^T X for every such layer; errors name what is missing.
mlir::FailureOr<std::vector<LayerSensitivity>>
analyzeSensitivity(mlir::ModuleOp module, const SensitivityOptions &options);

enum class AllocationSolver { Exact, Greedy, EqualLoss };

/// What the allocation adds up: relative (default) or absolute output
/// errors.
enum class AllocationObjective { Relative, Absolute };
std::optional<AllocationObjective> parseAllocationObjective(llvm::StringRef);

/// Parses "exact", "greedy" or "equal-loss".
std::optional<AllocationSolver> parseAllocationSolver(llvm::StringRef name);
llvm::StringRef toString(AllocationSolver solver);

struct BitPlan {
  std::vector<int> choice; ///< candidate index per layer
  int64_t totalBits = 0;
  int64_t totalParams = 0;
  double predictedError = 0; ///< sum of the chosen errors (objective's)
  double bpw = 0;
  bool provablyOptimal = false;
};

/// One width per layer minimizing the summed output error with at most
/// `targetBpw` bits per weight on average. Fails (after an error at `loc`)
/// when even the smallest widths exceed the budget.
mlir::FailureOr<BitPlan>
allocateBits(mlir::Location loc, llvm::ArrayRef<LayerSensitivity> layers,
             double targetBpw, AllocationSolver solver,
             AllocationObjective objective = AllocationObjective::Relative);

/// The error a candidate contributes under `objective`.
inline double objectiveError(const SensitivityCandidate &c,
                             AllocationObjective objective) {
  return objective == AllocationObjective::Relative ? c.relativeError
                                                    : c.outputError;
}

/// Writes each layer's chosen width as its weight_qconfig (and removes any
/// act_qconfig: mixed precision is weight-only).
void applyBitPlan(llvm::ArrayRef<LayerSensitivity> layers,
                  const BitPlan &plan);

struct MixedPrecisionOptions {
  SensitivityOptions sensitivity;
  double targetBpw = 4.5;
  AllocationSolver solver = AllocationSolver::Exact;
  AllocationObjective objective = AllocationObjective::Relative;
};

/// What assignMixedPrecision decided, and how long each step took.
struct MixedPrecisionResult {
  std::vector<LayerSensitivity> layers; ///< empty: nothing to quantize
  BitPlan plan;
  double sensitivitySeconds = 0, allocateSeconds = 0;
};

/// analyzeSensitivity, allocateBits and applyBitPlan: the whole decision of
/// lowbit-allocate-bits and of `lowbit-compile --quant mixed`.
mlir::FailureOr<MixedPrecisionResult>
assignMixedPrecision(mlir::ModuleOp module,
                     const MixedPrecisionOptions &options);

} // namespace lowbit

#endif // LOWBIT_TRANSFORMS_MIXEDPRECISION_H
