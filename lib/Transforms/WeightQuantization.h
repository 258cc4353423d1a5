//===- WeightQuantization.h - what the weight quantizers share --*- C++ -*-===//
//-*-===//
//
// lowbit-quantize-weights and lowbit-fake-quantize-weights make the same
// decisions, read weights the same way and must compute the same codes; only
// what they write back differs. This is the part they share.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_TRANSFORMS_WEIGHTQUANTIZATION_H
#define LOWBIT_LIB_TRANSFORMS_WEIGHTQUANTIZATION_H

#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Numerics/MSEClipping.h"
#include "lowbit/Numerics/UniformQuantizer.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit {

/// How scales are chosen: the full range (RTN) or an MSE-searched clip ratio.
struct ScaleSearch {
  bool mse = false;
  numerics::ClipSearchOptions clip;
};

/// Validates the options shared by the weight quantizers, reporting bad
/// values as errors at `loc`.
mlir::FailureOr<ScaleSearch> parseScaleSearch(mlir::Location loc,
                                              llvm::StringRef method,
                                              int clipCandidates,
                                              float minClipRatio);

/// What the output wants computed from each quantized weight.
enum class WeightOutput {
  Packed,      ///< k_major bytes for lowbit.qlinear
  Dequantized, ///< s * (c - z) in the weight's element type, as raw bytes
};

/// One linear whose weight is being quantized, and the results of doing so.
struct WeightJob {
  LinearOp op;
  numerics::QuantParams params;
  mlir::ElementsAttr weight;
  int64_t rows = 0, cols = 0;

  numerics::QuantScales scales;
  std::vector<uint8_t> packed;
  std::vector<char> dequantized;

  /// Set when the weight could not be quantized; `failedByInput` tells an
  /// input defect (an error) from a weight that simply stays float (a remark).
  std::string problem;
  bool failedByInput = false;
};

struct WeightRewriters {
  WeightOutput output;
  /// Called for a 0-bit (pruned) config, before any job is computed.
  llvm::function_ref<void(LinearOp)> prune;
  /// Called, one at a time and in program order, for each quantized weight.
  llvm::function_ref<void(WeightJob &)> rewrite;
};

/// Decides, for every lowbit.linear under `root`, whether its weight is left
/// (with a remark when the user should know why), pruned or quantized;
/// quantizes the weights (in parallel, a few at a time to bound memory) and
/// hands each to `rewriters`. Fails after reporting an error for any weight
/// that is invalid input (NaN, truncated data).
mlir::LogicalResult quantizeLinearWeights(mlir::Operation *root,
                                          const ScaleSearch &search,
                                          const WeightRewriters &rewriters);

/// A constant attribute of `type` holding `bytes`, its elements in native
/// byte order: inline when small, else a dense_resource blob called `name`
/// (made unique by the blob manager).
mlir::ElementsAttr makeConstantData(mlir::RankedTensorType type,
                                    llvm::ArrayRef<char> bytes,
                                    llvm::StringRef name);

/// Erases `value`'s defining op when it is a constant nothing uses any more.
void eraseIfDeadConstant(mlir::Value value);

} // namespace lowbit

#endif // LOWBIT_LIB_TRANSFORMS_WEIGHTQUANTIZATION_H
