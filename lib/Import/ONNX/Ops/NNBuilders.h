//===- NNBuilders.h - helpers shared by the neural-network op families -*- C++ -*-===//
//
// Reductions (in IR and folded at import), broadcasting to an exact shape and
// small scalar helpers used by the convolution/pooling, normalization,
// reduction/softmax and com.microsoft handlers.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_OPS_NNBUILDERS_H
#define LOWBIT_LIB_IMPORT_ONNX_OPS_NNBUILDERS_H

#include "../IRBuilders.h"
#include "../OpRegistry.h"

namespace lowbit::onnx_import {

enum class ReduceKind { Sum, Max, Min, Prod };

/// `shape` with the (normalized) `axes` set to 1.
llvm::SmallVector<int64_t> keepDimsShape(llvm::ArrayRef<int64_t> shape,
                                         llvm::ArrayRef<int64_t> axes);
/// `shape` without the (normalized) `axes`.
llvm::SmallVector<int64_t> dropDimsShape(llvm::ArrayRef<int64_t> shape,
                                         llvm::ArrayRef<int64_t> axes);
/// Product of the sizes of `axes` of `shape`.
int64_t axesElementCount(llvm::ArrayRef<int64_t> shape,
                         llvm::ArrayRef<int64_t> axes);

/// Reduces `value` over the sorted, normalized `axes`, keeping them as size-1
/// axes. Float sums and products use tosa.reduce_*, the rest a linalg.reduce
/// (integer max/min follow `isUnsigned`).
mlir::Value buildReduce(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, llvm::ArrayRef<int64_t> axes,
                        ReduceKind kind, bool isUnsigned = false);
/// Mean over `axes` (kept): the sum divided by the element count (integers
/// divide truncating toward zero, like numpy's mean cast back).
mlir::Value buildMean(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                      llvm::ArrayRef<int64_t> axes, bool isUnsigned = false);

/// The index (i64) of the maximum or minimum along `axis`, which is
/// dropped from the shape. NaN counts as the extreme (numpy's argmax and
/// argmin return the first NaN); `selectLast` takes the last of equal
/// extremes. A linalg.generic carrying the best value and its index.
mlir::Value buildArgExtreme(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value x, int64_t axis, bool isMax,
                            bool selectLast, bool isUnsigned);

/// Whether `from` broadcasts unidirectionally to `to`.
bool broadcastsTo(llvm::ArrayRef<int64_t> from, llvm::ArrayRef<int64_t> to);

/// A scalar float constant of `type` (arith.constant).
mlir::Value scalarFloat(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Type type, double value);

/// Float elementwise helpers on scalars, for buildElementwise bodies.
mlir::Value addF(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                 mlir::Value y);
mlir::Value subF(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                 mlir::Value y);
mlir::Value mulF(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                 mlir::Value y);
mlir::Value divF(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                 mlir::Value y);

enum class UnaryFn { Exp, Log, Abs, Sqrt, Square };

/// An elementwise math function: TOSA for f16/bf16/f32 where it has a
/// faithful op (exp, log, abs, mul), math/arith otherwise. Integers support
/// Abs and Square only.
mlir::Value buildUnary(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value value, UnaryFn fn, bool isUnsigned = false);

/// Applies `body` to every element of `value` (same shape, `resultType`
/// elements, or the input's when null).
mlir::Value mapElements(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, ScalarBodyFn body,
                        mlir::Type resultType = {});

/// Whether a result of `type` is small enough to be computed at import
/// (integers up to 4096 elements, floats up to 16).
bool isFoldableSize(mlir::RankedTensorType type);

/// A reduction folded at import: `in` reduced over the normalized `axes`
/// (kept as size 1). `pre` maps each element before the reduction and `post`
/// maps the result (floats only); null when not foldable.
mlir::DenseElementsAttr
foldReduce(mlir::DenseElementsAttr in, llvm::ArrayRef<int64_t> axes,
           ReduceKind kind, bool isUnsigned,
           llvm::function_ref<double(double)> pre = nullptr,
           llvm::function_ref<double(double, int64_t)> post = nullptr);

/// Casts a float tensor to another float type (identity when equal).
mlir::Value castFloat(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                      mlir::Type to);

/// The element type named by a `stash_type` attribute (ONNX data type) for
/// normalizations: the precision of the statistics. Fails with an error at
/// the node for types that are not floats.
mlir::FailureOr<mlir::Type> stashElementType(NodeImporter &node,
                                             mlir::Type inputElement);

/// lowbit.layer_norm (or lowbit.rms_norm when `rms`) of `x` over the axes
/// [axis, rank), with `scale` and the optional `bias` (unidirectionally
/// broadcastable to x) as gamma and beta in the normalized shape. The norm
/// is computed in `statsType` and the result converted to `resultElement`.
/// Parameters that vary along leading axes are applied after a norm with
/// unit gamma.
mlir::FailureOr<mlir::Value>
buildNorm(NodeImporter &node, bool rms, mlir::Value x, mlir::Value scale,
          mlir::Value bias, int64_t axis, float epsilon, mlir::Type statsType,
          mlir::Type resultElement);
/// The statistics of a norm over [axis, rank), kept as size-1 axes, in
/// `statsType`: the mean (null when `rms`) and 1 / sqrt(var + epsilon)
/// (1 / sqrt(mean(x^2) + epsilon) when `rms`).
std::pair<mlir::Value, mlir::Value>
buildNormStatistics(NodeImporter &node, bool rms, mlir::Value x, int64_t axis,
                    float epsilon, mlir::Type statsType);

/// The LayerNormalization handler (also registered for com.microsoft).
mlir::LogicalResult importLayerNormalization(NodeImporter &node);

/// Largest kernel size, stride, dilation, padding or pooled extent accepted:
/// far beyond real models, small enough that window arithmetic cannot
/// overflow and per-position tables stay small.
constexpr int64_t kMaxWindowValue = int64_t(1) << 24;
/// Fails (naming `what`) when a window attribute is above kMaxWindowValue.
mlir::LogicalResult checkWindowValues(NodeImporter &node,
                                      llvm::ArrayRef<int64_t> values,
                                      llvm::StringRef what);

/// The explicit `pads` attribute of a windowed op (auto_pad NOTSET) over `n`
/// spatial axes: begins into `begin`, ends into `end`, checked.
mlir::LogicalResult readExplicitPads(NodeImporter &node, size_t n,
                                     llvm::SmallVectorImpl<int64_t> &begin,
                                     llvm::SmallVectorImpl<int64_t> &end);

/// numpy matmul of two activations of rank >= 1 (a rank-1 operand gains an
/// axis that is dropped again): tosa.matmul for floats, linalg.batch_matmul
/// for integers, batch axes broadcast.
mlir::FailureOr<mlir::Value> buildNumpyMatMul(NodeImporter &node, mlir::Value a,
                                              mlir::Value b);

/// Sub-families registered by the family entry points.
void registerPoolOps(std::vector<OpHandler> &table);
void registerSoftmaxOps(std::vector<OpHandler> &table);

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_OPS_NNBUILDERS_H
