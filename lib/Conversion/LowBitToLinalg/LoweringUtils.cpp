//===- LoweringUtils.cpp - pieces shared by the lowbit lowerings ----------===//

#include "Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

FloatType lowbit::detail::getAccumulatorType(Type elementType) {
  auto floatType = cast<FloatType>(elementType);
  if (floatType.getWidth() < 32)
    return Float32Type::get(elementType.getContext());
  return floatType;
}

Value lowbit::detail::convertFloat(OpBuilder &builder, Location loc,
                                   Value value, Type type) {
  auto from = cast<FloatType>(value.getType());
  auto to = cast<FloatType>(type);
  if (from == to)
    return value;
  if (from.getWidth() < to.getWidth())
    return arith::ExtFOp::create(builder, loc, to, value);
  return arith::TruncFOp::create(builder, loc, to, value);
}

Value lowbit::detail::createFloatConstant(OpBuilder &builder, Location loc,
                                          Type type, double value) {
  return arith::ConstantOp::create(builder, loc,
                                   builder.getFloatAttr(type, value));
}

Value lowbit::detail::createAccumulatorInit(OpBuilder &builder, Location loc,
                                            ArrayRef<int64_t> shape, Type type,
                                            Value bias, unsigned biasDim) {
  Value empty = tensor::EmptyOp::create(builder, loc, shape, type);
  if (!bias) {
    Value zero = createFloatConstant(builder, loc, type, 0.0);
    return linalg::FillOp::create(builder, loc, ValueRange{zero},
                                  ValueRange{empty})
        .getResult(0);
  }
  MLIRContext *context = builder.getContext();
  unsigned rank = shape.size();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
  AffineMap biasMap =
      AffineMap::get(rank, 0, getAffineDimExpr(biasDim, context));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             builder, loc, TypeRange{empty.getType()}, ValueRange{bias},
             ValueRange{empty}, ArrayRef<AffineMap>{biasMap, identity},
             iterators,
             [&](OpBuilder &b, Location l, ValueRange args) {
               linalg::YieldOp::create(b, l, convertFloat(b, l, args[0], type));
             })
      .getResult(0);
}

Value lowbit::detail::convertElements(OpBuilder &builder, Location loc,
                                      Value value, Type elementType) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() == elementType)
    return value;
  unsigned rank = type.getRank();
  Value empty =
      tensor::EmptyOp::create(builder, loc, type.getShape(), elementType);
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(rank, builder.getContext());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             builder, loc, TypeRange{empty.getType()}, ValueRange{value},
             ValueRange{empty}, ArrayRef<AffineMap>{identity, identity},
             iterators,
             [&](OpBuilder &b, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   b, l, convertFloat(b, l, args[0], elementType));
             })
      .getResult(0);
}

LogicalResult lowbit::detail::checkStaticShapes(Operation *op) {
  auto isStatic = [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return !shaped || shaped.hasStaticShape();
  };
  if (llvm::all_of(op->getOperandTypes(), isStatic) &&
      llvm::all_of(op->getResultTypes(), isStatic))
    return success();
  return op->emitOpError(
      "needs static shapes to be compiled; fix the model's input shapes "
      "with --input-shape");
}
