//===- IRBuilders.h - IR helpers shared by the ONNX op handlers -*- C++ -*-===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_IRBUILDERS_H
#define LOWBIT_LIB_IMPORT_ONNX_IRBUILDERS_H

#include "NodeImporter.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace lowbit::onnx_import {

/// A constant tensor (arith.constant).
mlir::Value createConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::ElementsAttr value);
/// A splat constant of `shape` and `elementType` holding `value`.
mlir::Value createSplat(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Type elementType, llvm::ArrayRef<int64_t> shape,
                        double value);
/// A rank-0/1 scalar tensor usable as a TOSA zero point.
mlir::Value createTosaZeroPoint(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::Type elementType);

/// ONNX (numpy) multidirectional broadcasting of shapes; fails (with an
/// error at the node) when two dimensions differ and neither is 1.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(NodeImporter &node,
                llvm::ArrayRef<llvm::ArrayRef<int64_t>> shapes);

/// tosa.reshape to `shape` (no-op when the shape already matches).
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                      llvm::ArrayRef<int64_t> shape);
/// Prepends size-1 axes so the value has `rank` axes.
mlir::Value expandRank(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                       int64_t rank);
/// tosa.transpose by `perms`.
mlir::Value transpose(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                      llvm::ArrayRef<int64_t> perms);
/// A !tosa.shape value.
mlir::Value createTosaShape(mlir::OpBuilder &b, mlir::Location loc,
                            llvm::ArrayRef<int64_t> values);

/// A linalg.generic computing one scalar per element of `resultShape` from
/// the elements of `inputs`, broadcast numpy-style. `body` receives the
/// input scalars and returns the result scalar.
using ScalarBodyFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             llvm::ArrayRef<int64_t> resultShape,
                             mlir::Type resultElementType,
                             mlir::ValueRange inputs, ScalarBodyFn body);

/// Binary TOSA op with numpy broadcasting (ranks equalized by reshape).
template <typename TosaOp>
mlir::FailureOr<mlir::Value> buildTosaBinary(NodeImporter &node,
                                             mlir::Value lhs, mlir::Value rhs,
                                             mlir::Type resultElementType = {});

/// tosa.mul (with its zero shift) and numpy broadcasting.
mlir::FailureOr<mlir::Value> buildMul(NodeImporter &node, mlir::Value lhs,
                                      mlir::Value rhs);

/// Converts a scalar between element types with ONNX Cast semantics
/// (float to integer truncates toward zero; integer widening follows the
/// source signedness; to bool is "!= 0").
mlir::Value castScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                       mlir::Type to, bool fromUnsigned, bool toUnsigned);
/// Elementwise castScalar over a tensor.
mlir::Value castTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                       mlir::Type to, bool fromUnsigned, bool toUnsigned);

/// Normalizes a possibly negative axis for `rank`; reports an error at the
/// node when out of range.
mlir::FailureOr<int64_t> normalizeAxis(NodeImporter &node, int64_t axis,
                                       int64_t rank, llvm::StringRef what = "axis");

//===----------------------------------------------------------------------===//
// Template definitions
//===----------------------------------------------------------------------===//

template <typename TosaOp>
mlir::FailureOr<mlir::Value> buildTosaBinary(NodeImporter &node,
                                             mlir::Value lhs, mlir::Value rhs,
                                             mlir::Type resultElementType) {
  auto lhsType = mlir::cast<mlir::RankedTensorType>(lhs.getType());
  auto rhsType = mlir::cast<mlir::RankedTensorType>(rhs.getType());
  auto shape = broadcastShapes(node, {lhsType.getShape(), rhsType.getShape()});
  if (mlir::failed(shape))
    return mlir::failure();
  int64_t rank = shape->size();
  mlir::OpBuilder &b = node.builder();
  lhs = expandRank(b, node.loc(), lhs, rank);
  rhs = expandRank(b, node.loc(), rhs, rank);
  if (!resultElementType)
    resultElementType = lhsType.getElementType();
  auto resultType = mlir::RankedTensorType::get(*shape, resultElementType);
  return TosaOp::create(b, node.loc(), resultType, lhs, rhs).getResult();
}

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_IRBUILDERS_H
