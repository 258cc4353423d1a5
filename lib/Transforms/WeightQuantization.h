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
#include "lowbit/Numerics/AWQ.h"
#include "lowbit/Numerics/GPTQ.h"
#include "lowbit/Numerics/MSEClipping.h"
#include "lowbit/Numerics/UniformQuantizer.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lowbit {

/// How weights are quantized: round-to-nearest over the full range, with an
/// MSE-searched clip ratio, GPTQ on the calibration Hessian, or RTN after
/// AWQ's activation-aware input scaling.
enum class WeightMethod { RTN, MSE, GPTQ, AWQ };

struct ScaleSearch {
  WeightMethod method = WeightMethod::RTN;
  numerics::ClipSearchOptions clip;
  numerics::GPTQOptions gptq;
  numerics::AWQOptions awq;
};

/// The options of the calibrated methods, as the passes declare them.
struct CalibratedMethodOptions {
  float percdamp = 0.01f;
  int64_t blockSize = 128;
  bool actOrder = true;
  int awqGrid = 20;
};

/// Validates the options shared by the weight quantizers, reporting bad
/// values as errors at `loc`.
mlir::FailureOr<ScaleSearch>
parseScaleSearch(mlir::Location loc, llvm::StringRef method,
                 int clipCandidates, float minClipRatio,
                 const CalibratedMethodOptions &calibrated = {});

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

  /// GPTQ's H = 2 X^T X / rows, [cols, cols]; empty: quantize with RTN.
  std::vector<double> hessian;

  numerics::QuantScales scales;
  std::vector<uint8_t> packed;
  std::vector<char> dequantized;

  /// Set when the weight could not be quantized; `failedByInput` tells an
  /// input defect (an error) from a weight that simply stays float (a remark).
  std::string problem;
  bool failedByInput = false;
  /// A remark to emit when the job is written back (e.g. a fallback).
  std::string note;
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

/// The quantization parameters of `op`'s weight config, when the weight
/// quantizers would quantize it (an integer config of 2 to 8 bits).
std::optional<numerics::QuantParams> weightQuantParams(LinearOp op);

/// Finds `job.op`'s constant weight and checks that it can be read; sets
/// `job.weight`, `job.rows`, `job.cols`, or `job.problem`.
void prepareWeightJob(WeightJob &job);

/// The `count` elements of a validated f32/f16/bf16 constant as binary32.
std::vector<float> readFloatElements(mlir::ElementsAttr attr, int64_t count);

/// `values` rounded to `element` (f32, f16 or bf16), as raw bytes.
std::vector<char> toElementTypeBytes(const std::vector<float> &values,
                                     mlir::Type element);

/// AWQ: scales every group of linears that read one input by the searched
/// s (weights W diag(s)) and folds 1/s into the op that produces the input
/// (a norm's gamma and beta, the rows of a previous linear, or those of the
/// linear factor of a gated product such as SwiGLU's), before
/// quantization; groups with nothing to absorb the scales are left alone
/// with a remark. Reads the calibration table of the enclosing module.
mlir::LogicalResult applyAWQScaling(mlir::Operation *root,
                                    const ScaleSearch &search);

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
