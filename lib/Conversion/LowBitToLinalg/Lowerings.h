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
mlir::FailureOr<mlir::Value> lowerQLinear(mlir::RewriterBase &rewriter,
                                          QLinearOp op);
mlir::FailureOr<mlir::Value> lowerQuantize(mlir::RewriterBase &rewriter,
                                           QuantizeOp op);
mlir::FailureOr<mlir::Value> lowerDequantize(mlir::RewriterBase &rewriter,
                                             DequantizeOp op);
mlir::FailureOr<mlir::Value> lowerFakeQuant(mlir::RewriterBase &rewriter,
                                            FakeQuantOp op);
mlir::FailureOr<mlir::Value> lowerHadamard(mlir::RewriterBase &rewriter,
                                           HadamardOp op);
/// The codes, then the scale and (asymmetric) the zero point.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
lowerQuantizePerToken(mlir::RewriterBase &rewriter, QuantizePerTokenOp op);

/// Activations x [M, K] (f32) quantized to signed codes row by row, for the
/// integer products of lowbit.qlinear.
struct QuantizedRows {
  mlir::Value codes;     ///< [M, K] i8, in [qmin, qmax]
  mlir::Value scale;     ///< [M] f32
  mlir::Value zeroPoint; ///< [M] i32 (zeros when symmetric)
};

/// Per-token (dynamic) parameters for `token` granularity, the static
/// `scale` / `zeroPoint` for `tensor` granularity; other granularities and
/// a missing static scale are errors reported on `op`.
mlir::FailureOr<QuantizedRows>
quantizeActivationRows(mlir::RewriterBase &rewriter, mlir::Operation *op,
                       mlir::Value x, QConfigAttr config,
                       mlir::FloatAttr scale, mlir::IntegerAttr zeroPoint);

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

/// [..., K] as [rows, K] (a vector [K] as one row), and back.
mlir::Value toRowMatrix(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::Value value, int64_t rows);
mlir::Value fromRowMatrix(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::Value matrix, mlir::RankedTensorType type);

/// Emits "needs static shapes" unless every operand and result of `op` has a
/// static shape.
mlir::LogicalResult checkStaticShapes(mlir::Operation *op);

} // namespace lowbit::detail

#endif // LOWBIT_CONVERSION_LOWBITTOLINALG_LOWERINGS_H
