//===- Lowerings.h - lowbit op to linalg rewrites, by op family -*- C++ -*-===//

#ifndef LOWBIT_CONVERSION_LOWBITTOLINALG_LOWERINGS_H
#define LOWBIT_CONVERSION_LOWBITTOLINALG_LOWERINGS_H

#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "mlir/IR/PatternMatch.h"

namespace lowbit::detail {

/// Each returns the value that replaces the op's result, built at the
/// rewriter's insertion point, or fails after emitting a diagnostic.
mlir::FailureOr<mlir::Value> lowerLinear(mlir::RewriterBase &rewriter,
                                         LinearOp op);
mlir::FailureOr<mlir::Value> lowerConv(mlir::RewriterBase &rewriter, ConvOp op);
mlir::FailureOr<mlir::Value> lowerLayerNorm(mlir::RewriterBase &rewriter,
                                            LayerNormOp op);
mlir::FailureOr<mlir::Value> lowerRMSNorm(mlir::RewriterBase &rewriter,
                                          RMSNormOp op);

//===- Pieces shared by the lowerings -------------------------------------===//

/// f16 and bf16 accumulate in f32, so that long sums keep their precision;
/// f32 and f64 accumulate in themselves.
mlir::FloatType getAccumulatorType(mlir::Type elementType);

/// extf / truncf / nothing, for scalars inside region bodies.
mlir::Value convertFloat(mlir::OpBuilder &builder, mlir::Location loc,
                         mlir::Value value, mlir::Type type);

/// A scalar float constant of `type`.
mlir::Value createFloatConstant(mlir::OpBuilder &builder, mlir::Location loc,
                                mlir::Type type, double value);

/// A tensor of `shape` x `type` holding zeros, or, with `bias`, holding
/// `bias[i_biasDim]` at every index `i`: the initial value of an
/// accumulating product, so that the bias costs no pass of its own.
mlir::Value createAccumulatorInit(mlir::OpBuilder &builder, mlir::Location loc,
                                  llvm::ArrayRef<int64_t> shape,
                                  mlir::Type type, mlir::Value bias,
                                  unsigned biasDim);

/// Converts every element of `value` to `elementType` (identity when it
/// already has it).
mlir::Value convertElements(mlir::OpBuilder &builder, mlir::Location loc,
                            mlir::Value value, mlir::Type elementType);

/// Emits "needs static shapes" unless every operand and result of `op` has a
/// static shape.
mlir::LogicalResult checkStaticShapes(mlir::Operation *op);

} // namespace lowbit::detail

#endif // LOWBIT_CONVERSION_LOWBITTOLINALG_LOWERINGS_H
