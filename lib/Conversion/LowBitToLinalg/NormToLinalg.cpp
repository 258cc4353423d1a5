//===- NormToLinalg.cpp - layer_norm and rms_norm as linalg.generic -------===//
//
// Statistics are taken over the trailing axes [axis, rank) in the
// accumulator type: one reduction for the sum, and for layer_norm a second
// one for the squared deviations from the mean (two passes, which keep their
// precision when the mean is large against the spread). A small per-row
// generic turns them into mean and 1 / sqrt(var + eps), and one elementwise
// generic normalizes and applies gamma and beta.
//
//===----------------------------------------------------------------------===//

#include "Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::detail;

namespace {

/// Indexing maps and shapes for a tensor of rank `rank` normalized over
/// [axis, rank): the full map, the map onto the leading "row" axes and the
/// map onto the normalized axes (the shape of gamma and beta).
struct NormLayout {
  int64_t rank;
  int64_t axis;
  SmallVector<int64_t> rowShape;
  double count;
  AffineMap full, rows, normalized;

  NormLayout(RankedTensorType type, int64_t axis, MLIRContext *context)
      : rank(type.getRank()), axis(axis), count(1.0) {
    rowShape.assign(type.getShape().begin(), type.getShape().begin() + axis);
    for (int64_t d : type.getShape().drop_front(axis))
      count *= static_cast<double>(d);
    full = AffineMap::getMultiDimIdentityMap(rank, context);
    SmallVector<AffineExpr> rowExprs, normExprs;
    for (int64_t i = 0; i < rank; ++i)
      (i < axis ? rowExprs : normExprs).push_back(getAffineDimExpr(i, context));
    rows = AffineMap::get(rank, 0, rowExprs, context);
    normalized = AffineMap::get(rank, 0, normExprs, context);
  }

  SmallVector<utils::IteratorType> reductionIterators() const {
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    for (int64_t i = axis; i < rank; ++i)
      iterators[i] = utils::IteratorType::reduction;
    return iterators;
  }
};

using ScalarFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// Per-row sum over the normalized axes of `term(inputs...)`, accumulated in
/// `accType`; `inputMaps` give each input's indexing map.
Value reduceRows(OpBuilder &b, Location loc, const NormLayout &layout,
                 Type accType, ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                 ScalarFn term) {
  Value empty = tensor::EmptyOp::create(b, loc, layout.rowShape, accType);
  Value zero = createFloatConstant(b, loc, accType, 0.0);
  Value init =
      linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{empty})
          .getResult(0);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(layout.rows);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             layout.reductionIterators(),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value value = term(nb, l, args.drop_back());
               linalg::YieldOp::create(
                   nb, l,
                   Value(arith::AddFOp::create(nb, l, args.back(), value)));
             })
      .getResult(0);
}

/// An elementwise generic over the row shape or the full shape.
Value mapElements(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type elementType, ValueRange inputs,
                  ArrayRef<AffineMap> inputMaps, AffineMap outputMap,
                  unsigned loops, ScalarFn fn) {
  Value empty = tensor::EmptyOp::create(b, loc, shape, elementType);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(outputMap);
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{empty.getType()}, inputs, ValueRange{empty},
             maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, fn(nb, l, args.drop_back()));
             })
      .getResult(0);
}

/// 1 / sqrt(sum / count + epsilon), per row.
Value reciprocalStdDev(OpBuilder &b, Location loc, const NormLayout &layout,
                       Type accType, Value sums, double epsilon) {
  AffineMap rowIdentity =
      AffineMap::getMultiDimIdentityMap(layout.rowShape.size(), b.getContext());
  return mapElements(b, loc, layout.rowShape, accType, ValueRange{sums},
                     {rowIdentity}, rowIdentity, layout.rowShape.size(),
                     [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
                       Value invCount = createFloatConstant(nb, l, accType,
                                                            1.0 / layout.count);
                       Value eps = createFloatConstant(nb, l, accType, epsilon);
                       Value one = createFloatConstant(nb, l, accType, 1.0);
                       Value mean =
                           arith::MulFOp::create(nb, l, args[0], invCount);
                       Value shifted = arith::AddFOp::create(nb, l, mean, eps);
                       Value root = math::SqrtOp::create(nb, l, shifted);
                       return arith::DivFOp::create(nb, l, one, root);
                     });
}

FailureOr<int64_t> normalizedAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return op->emitOpError() << "axis " << axis << " is out of range";
  return axis < 0 ? axis + rank : axis;
}

} // namespace

FailureOr<Value> lowbit::detail::lowerLayerNorm(RewriterBase &rewriter,
                                                LayerNormOp op) {
  if (failed(checkStaticShapes(op)))
    return failure();
  RankedTensorType type = op.getInput().getType();
  FailureOr<int64_t> axis = normalizedAxis(op, op.getAxis(), type.getRank());
  if (failed(axis))
    return failure();
  Location loc = op.getLoc();
  Type elementType = type.getElementType();
  Type accType = getAccumulatorType(elementType);
  NormLayout layout(type, *axis, rewriter.getContext());
  Value x = op.getInput();

  Value sums =
      reduceRows(rewriter, loc, layout, accType, ValueRange{x}, {layout.full},
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   return convertFloat(b, l, args[0], accType);
                 });
  double invCount = 1.0 / layout.count;
  Value squares = reduceRows(
      rewriter, loc, layout, accType, ValueRange{x, sums},
      {layout.full, layout.rows},
      [&](OpBuilder &b, Location l, ValueRange args) -> Value {
        Value mean = arith::MulFOp::create(
            b, l, args[1], createFloatConstant(b, l, accType, invCount));
        Value deviation = arith::SubFOp::create(
            b, l, convertFloat(b, l, args[0], accType), mean);
        return arith::MulFOp::create(b, l, deviation, deviation);
      });
  Value scales = reciprocalStdDev(rewriter, loc, layout, accType, squares,
                                  op.getEpsilon().convertToDouble());

  SmallVector<Value> inputs{x, sums, scales, op.getGamma()};
  SmallVector<AffineMap> maps{layout.full, layout.rows, layout.rows,
                              layout.normalized};
  if (Value beta = op.getBeta()) {
    inputs.push_back(beta);
    maps.push_back(layout.normalized);
  }
  return mapElements(
      rewriter, loc, type.getShape(), elementType, inputs, maps, layout.full,
      layout.rank, [&](OpBuilder &b, Location l, ValueRange args) -> Value {
        Value mean = arith::MulFOp::create(
            b, l, args[1], createFloatConstant(b, l, accType, invCount));
        Value centered = arith::SubFOp::create(
            b, l, convertFloat(b, l, args[0], accType), mean);
        Value normalized = arith::MulFOp::create(b, l, centered, args[2]);
        Value y = arith::MulFOp::create(b, l, normalized,
                                        convertFloat(b, l, args[3], accType));
        if (args.size() > 4)
          y = arith::AddFOp::create(b, l, y,
                                    convertFloat(b, l, args[4], accType));
        return convertFloat(b, l, y, elementType);
      });
}

FailureOr<Value> lowbit::detail::lowerRMSNorm(RewriterBase &rewriter,
                                              RMSNormOp op) {
  if (failed(checkStaticShapes(op)))
    return failure();
  RankedTensorType type = op.getInput().getType();
  FailureOr<int64_t> axis = normalizedAxis(op, op.getAxis(), type.getRank());
  if (failed(axis))
    return failure();
  Location loc = op.getLoc();
  Type elementType = type.getElementType();
  Type accType = getAccumulatorType(elementType);
  NormLayout layout(type, *axis, rewriter.getContext());
  Value x = op.getInput();

  Value squares =
      reduceRows(rewriter, loc, layout, accType, ValueRange{x}, {layout.full},
                 [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                   Value value = convertFloat(b, l, args[0], accType);
                   return arith::MulFOp::create(b, l, value, value);
                 });
  Value scales = reciprocalStdDev(rewriter, loc, layout, accType, squares,
                                  op.getEpsilon().convertToDouble());
  return mapElements(rewriter, loc, type.getShape(), elementType,
                     ValueRange{x, scales, op.getGamma()},
                     {layout.full, layout.rows, layout.normalized}, layout.full,
                     layout.rank,
                     [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                       Value scaled = arith::MulFOp::create(
                           b, l, convertFloat(b, l, args[0], accType), args[1]);
                       Value y = arith::MulFOp::create(
                           b, l, scaled, convertFloat(b, l, args[2], accType));
                       return convertFloat(b, l, y, elementType);
                     });
}
