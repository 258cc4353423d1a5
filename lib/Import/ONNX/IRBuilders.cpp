//===- IRBuilders.cpp - IR helpers shared by the ONNX op handlers ---------===//

#include "IRBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace lowbit::onnx_import;

Value lowbit::onnx_import::createConstant(OpBuilder &b, Location loc,
                                          ElementsAttr value) {
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(value));
}

Value lowbit::onnx_import::createSplat(OpBuilder &b, Location loc,
                                       Type elementType, ArrayRef<int64_t> shape,
                                       double value) {
  auto type = RankedTensorType::get(shape, elementType);
  Attribute scalar;
  if (auto f = dyn_cast<FloatType>(elementType))
    scalar = b.getFloatAttr(f, value);
  else
    scalar = b.getIntegerAttr(elementType, static_cast<int64_t>(value));
  return createConstant(b, loc, DenseElementsAttr::get(type, scalar));
}

Value lowbit::onnx_import::createTosaZeroPoint(OpBuilder &b, Location loc,
                                               Type elementType) {
  return createSplat(b, loc, elementType, {1}, 0.0);
}

FailureOr<SmallVector<int64_t>>
lowbit::onnx_import::broadcastShapes(NodeImporter &node,
                                     ArrayRef<ArrayRef<int64_t>> shapes) {
  size_t rank = 0;
  for (ArrayRef<int64_t> s : shapes)
    rank = std::max(rank, s.size());
  SmallVector<int64_t> result(rank, 1);
  for (ArrayRef<int64_t> s : shapes) {
    size_t offset = rank - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t &r = result[offset + i];
      int64_t d = s[i];
      if (d == r || d == 1)
        continue;
      if (r == 1) {
        r = d;
        continue;
      }
      auto diag = node.emitError() << "shapes cannot be broadcast together:";
      for (ArrayRef<int64_t> t : shapes) {
        diag << " [";
        llvm::interleaveComma(t, diag);
        diag << "]";
      }
      return diag;
    }
  }
  return result;
}

Value lowbit::onnx_import::createTosaShape(OpBuilder &b, Location loc,
                                           ArrayRef<int64_t> values) {
  auto type = tosa::shapeType::get(b.getContext(), values.size());
  auto attr = DenseIntElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())},
                            b.getIndexType()),
      values);
  return tosa::ConstShapeOp::create(b, loc, type, attr);
}

Value lowbit::onnx_import::reshapeTo(OpBuilder &b, Location loc, Value value,
                                     ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tosa::ReshapeOp::create(b, loc, resultType, value,
                                 createTosaShape(b, loc, shape));
}

Value lowbit::onnx_import::expandRank(OpBuilder &b, Location loc, Value value,
                                      int64_t rank) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() >= rank)
    return value;
  SmallVector<int64_t> shape(rank - type.getRank(), 1);
  llvm::append_range(shape, type.getShape());
  return reshapeTo(b, loc, value, shape);
}

Value lowbit::onnx_import::transpose(OpBuilder &b, Location loc, Value value,
                                     ArrayRef<int64_t> perms) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  SmallVector<int32_t> perms32;
  for (int64_t p : perms) {
    shape.push_back(type.getDimSize(p));
    perms32.push_back(static_cast<int32_t>(p));
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tosa::TransposeOp::create(b, loc, resultType, value,
                                   b.getDenseI32ArrayAttr(perms32));
}

Value lowbit::onnx_import::buildElementwise(OpBuilder &b, Location loc,
                                            ArrayRef<int64_t> resultShape,
                                            Type resultElementType,
                                            ValueRange inputs,
                                            ScalarBodyFn body) {
  int64_t rank = resultShape.size();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<AffineExpr> exprs;
    int64_t offset = rank - type.getRank();
    for (int64_t i = 0; i < type.getRank(); ++i) {
      bool broadcast = type.getDimSize(i) == 1 && resultShape[offset + i] != 1;
      exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(offset + i, ctx));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  Value init = tensor::EmptyOp::create(b, loc, resultShape, resultElementType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value lowbit::onnx_import::castScalar(OpBuilder &b, Location loc, Value value,
                                      Type to, bool fromUnsigned,
                                      bool toUnsigned) {
  Type from = value.getType();
  if (from == to)
    return value;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (to.isInteger(1)) {
    Value zero = fromFloat
                     ? arith::ConstantOp::create(b, loc, b.getFloatAttr(from, 0.0))
                           .getResult()
                     : arith::ConstantOp::create(b, loc, b.getIntegerAttr(from, 0))
                           .getResult();
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value, zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
  }
  if (fromFloat && toFloat) {
    if (fromFloat.getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, to, value);
    if (fromFloat.getWidth() > toFloat.getWidth())
      return arith::TruncFOp::create(b, loc, to, value);
    // f16 <-> bf16: through f32.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
    return arith::TruncFOp::create(b, loc, to, wide);
  }
  if (fromFloat)
    return toUnsigned ? arith::FPToUIOp::create(b, loc, to, value).getResult()
                      : arith::FPToSIOp::create(b, loc, to, value).getResult();
  bool fromBool = from.isInteger(1);
  if (toFloat)
    return (fromUnsigned || fromBool)
               ? arith::UIToFPOp::create(b, loc, to, value).getResult()
               : arith::SIToFPOp::create(b, loc, to, value).getResult();
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth < toWidth)
    return (fromUnsigned || fromBool)
               ? arith::ExtUIOp::create(b, loc, to, value).getResult()
               : arith::ExtSIOp::create(b, loc, to, value).getResult();
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, value);
  return value; // same width, signedness only
}

Value lowbit::onnx_import::castTensor(OpBuilder &b, Location loc, Value value,
                                      Type to, bool fromUnsigned,
                                      bool toUnsigned) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() == to)
    return value;
  return buildElementwise(
      b, loc, type.getShape(), to, ValueRange{value},
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        return castScalar(nb, nl, args[0], to, fromUnsigned, toUnsigned);
      });
}

FailureOr<int64_t> lowbit::onnx_import::normalizeAxis(NodeImporter &node,
                                                      int64_t axis,
                                                      int64_t rank,
                                                      StringRef what) {
  if (axis < -rank || axis >= rank)
    return node.emitError() << what.str() << " " << axis
                            << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

FailureOr<Value> lowbit::onnx_import::buildMul(NodeImporter &node, Value lhs,
                                               Value rhs) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  auto shape = broadcastShapes(node, {lhsType.getShape(), rhsType.getShape()});
  if (failed(shape))
    return failure();
  OpBuilder &b = node.builder();
  lhs = expandRank(b, node.loc(), lhs, shape->size());
  rhs = expandRank(b, node.loc(), rhs, shape->size());
  Value shift = createSplat(b, node.loc(), b.getI8Type(), {1}, 0);
  auto type = RankedTensorType::get(*shape, lhsType.getElementType());
  return tosa::MulOp::create(b, node.loc(), type, lhs, rhs, shift).getResult();
}
