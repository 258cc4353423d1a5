//===- SoftmaxOps.cpp - Softmax, LogSoftmax, Hardmax and TopK -------------===//
//
// Before opset 13 the softmax family views the input as a matrix split at
// `axis` and normalizes each row, i.e. over all axes from `axis` on; from 13
// on it normalizes along the single `axis`.
//
//===----------------------------------------------------------------------===//

#include "NNBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// The axes a softmax-like op normalizes over, or failure (with an error).
FailureOr<SmallVector<int64_t>> softmaxAxes(NodeImporter &node,
                                            bool singleAxis) {
  RankedTensorType type = node.inputType(0);
  int64_t rank = type.getRank();
  if (rank == 0)
    return node.emitError() << "the input must have rank >= 1";
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.attrInt("axis", singleAxis ? -1 : 1), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> axes;
  for (int64_t i = *axis; i < (singleAxis ? *axis + 1 : rank); ++i)
    axes.push_back(i);
  return axes;
}

/// exp(x - max) and its sum over `axes`, the shared part of Softmax and
/// LogSoftmax (the function bodies of the ONNX schemas).
struct ShiftedExp {
  Value shifted; // x - max
  Value exp;     // exp(x - max)
  Value sum;     // sum of exp over the axes, kept
};

ShiftedExp buildShiftedExp(NodeImporter &node, Value x,
                           ArrayRef<int64_t> axes) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value max = buildReduce(b, loc, x, axes, ReduceKind::Max);
  Value shifted = *buildTosaBinary<tosa::SubOp>(node, x, max);
  Value exp = buildUnary(b, loc, shifted, UnaryFn::Exp);
  Value sum = buildReduce(b, loc, exp, axes, ReduceKind::Sum);
  return {shifted, exp, sum};
}

template <bool singleAxis>
LogicalResult importSoftmax(NodeImporter &node) {
  if (!node.hasInput(0))
    return node.fail("missing input");
  RankedTensorType type = node.inputType(0);
  if (!isa<FloatType>(type.getElementType()))
    return node.fail("the input must be a float tensor");
  FailureOr<SmallVector<int64_t>> axes = softmaxAxes(node, singleAxis);
  if (failed(axes))
    return failure();
  if (type.getNumElements() == 0)
    return node.forwardInput(0, 0);
  ShiftedExp parts = buildShiftedExp(node, node.input(0), *axes);
  Value result =
      buildElementwise(node.builder(), node.loc(), type.getShape(),
                       type.getElementType(), ValueRange{parts.exp, parts.sum},
                       [](OpBuilder &b, Location loc, ValueRange v) {
                         return divF(b, loc, v[0], v[1]);
                       });
  return node.setResult(0, result);
}

template <bool singleAxis>
LogicalResult importLogSoftmax(NodeImporter &node) {
  if (!node.hasInput(0))
    return node.fail("missing input");
  RankedTensorType type = node.inputType(0);
  if (!isa<FloatType>(type.getElementType()))
    return node.fail("the input must be a float tensor");
  FailureOr<SmallVector<int64_t>> axes = softmaxAxes(node, singleAxis);
  if (failed(axes))
    return failure();
  if (type.getNumElements() == 0)
    return node.forwardInput(0, 0);
  ShiftedExp parts = buildShiftedExp(node, node.input(0), *axes);
  Value logSum = buildUnary(node.builder(), node.loc(), parts.sum, UnaryFn::Log);
  FailureOr<Value> result =
      buildTosaBinary<tosa::SubOp>(node, parts.shifted, logSum);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// 1 at the first maximum along the axes, 0 elsewhere. Before opset 13 the
/// trailing axes are flattened into one.
template <bool singleAxis>
LogicalResult importHardmax(NodeImporter &node) {
  if (!node.hasInput(0))
    return node.fail("missing input");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  if (!isa<FloatType>(element))
    return node.fail("the input must be a float tensor");
  FailureOr<SmallVector<int64_t>> axes = softmaxAxes(node, singleAxis);
  if (failed(axes))
    return failure();
  if (type.getNumElements() == 0)
    return node.forwardInput(0, 0);
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value x = node.input(0);
  int64_t axis = axes->front();
  SmallVector<int64_t> workShape(type.getShape());
  if (axes->size() > 1) {
    int64_t rows = axesElementCount(type.getShape(),
                                    llvm::to_vector(llvm::seq<int64_t>(0, axis)));
    workShape = {rows, type.getNumElements() / rows};
    x = reshapeTo(b, loc, x, workShape);
    axis = 1;
  }
  Value index = buildArgExtreme(b, loc, x, axis, /*isMax=*/true,
                                /*selectLast=*/false, /*isUnsigned=*/false);
  index = reshapeTo(b, loc, index, keepDimsShape(workShape, {axis}));
  Value oneHot = buildElementwise(
      b, loc, workShape, element, ValueRange{index},
      [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
        Value position = linalg::IndexOp::create(nb, nl, axis);
        position = arith::IndexCastOp::create(nb, nl, nb.getI64Type(), position);
        Value hit = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                          position, v[0]);
        return arith::SelectOp::create(nb, nl, hit,
                                       scalarFloat(nb, nl, element, 1.0),
                                       scalarFloat(nb, nl, element, 0.0));
      });
  return node.setResult(0, reshapeTo(b, loc, oneHot, type.getShape()));
}

/// Whether `a` comes before `b` in TopK's order: larger first (NaN counting
/// as the largest) or smaller first (NaN last), as numpy's sort orders them.
Value topKBefore(OpBuilder &b, Location loc, Value a, Value bValue,
                 bool largest, bool isUnsigned) {
  Type element = a.getType();
  if (!isa<FloatType>(element)) {
    arith::CmpIPredicate pred =
        largest ? (isUnsigned ? arith::CmpIPredicate::ugt
                              : arith::CmpIPredicate::sgt)
                : (isUnsigned ? arith::CmpIPredicate::ult
                              : arith::CmpIPredicate::slt);
    return arith::CmpIOp::create(b, loc, pred, a, bValue);
  }
  Value aNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, a, a);
  Value bNaN =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, bValue, bValue);
  Value cmp = arith::CmpFOp::create(
      b, loc, largest ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
      a, bValue);
  Value trueValue = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
  // largest: a is NaN and b is not; smallest: b is NaN and a is not.
  Value nanFirst = largest
                       ? arith::AndIOp::create(
                             b, loc, aNaN,
                             arith::XOrIOp::create(b, loc, bNaN, trueValue))
                       : arith::AndIOp::create(
                             b, loc, bNaN,
                             arith::XOrIOp::create(b, loc, aNaN, trueValue));
  return arith::OrIOp::create(b, loc, nanFirst, cmp);
}

/// Whether `a` and `b` are equal in TopK's order (NaNs are equal).
Value topKEqual(OpBuilder &b, Location loc, Value a, Value bValue) {
  if (!isa<FloatType>(a.getType()))
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a, bValue);
  Value eq = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a, bValue);
  Value aNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, a, a);
  Value bNaN =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, bValue, bValue);
  Value bothNaN = arith::AndIOp::create(b, loc, aNaN, bNaN);
  return arith::OrIOp::create(b, loc, eq, bothNaN);
}

/// TopK by ranking: each element's position in the sorted order is the
/// number of elements that come before it (ties broken by the lower index),
/// and output r gathers the element of rank r. Quadratic in the axis length,
/// but exact, stable and free of data-dependent control flow.
template <bool kFromInput>
LogicalResult importTopK(NodeImporter &node) {
  if (!node.hasInput(0))
    return node.fail("missing input X");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  int64_t rank = type.getRank();
  if (!isa<FloatType>(element) && !element.isInteger())
    return node.emitError() << "element type " << element
                            << " is not supported";
  if (rank == 0)
    return node.fail("the input must have rank >= 1");
  FailureOr<int64_t> axis = normalizeAxis(node, node.attrInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  int64_t k;
  if (kFromInput) {
    FailureOr<SmallVector<int64_t>> kValues = node.constantInts(1, "K");
    if (failed(kValues))
      return failure();
    if (kValues->size() != 1)
      return node.fail("K must hold a single value");
    k = kValues->front();
  } else {
    k = node.attrInt("k", -1);
    if (!node.hasAttr("k"))
      return node.fail("attribute 'k' is required");
  }
  int64_t n = type.getDimSize(*axis);
  if (k < 0 || k > n)
    return node.emitError() << "K = " << k << " is not in [0, " << n
                            << "], the length of axis " << *axis;
  bool largest = node.attrInt("largest", 1) != 0;
  bool isUnsigned = node.inputIsUnsigned(0) || element.isInteger(1);

  OpBuilder &b = node.builder();
  Location loc = node.loc();
  MLIRContext *ctx = node.context();
  SmallVector<int64_t> outShape(type.getShape());
  outShape[*axis] = k;
  Type i64 = b.getI64Type();
  if (k == 0 || type.getNumElements() == 0) {
    if (failed(node.setResult(0, createSplat(b, loc, element, outShape, 0))))
      return failure();
    return node.setResult(1, createSplat(b, loc, i64, outShape, 0),
                          onnx::TensorProto::INT64);
  }
  Value x = node.input(0);

  // rank[..., i, ...] = #{j : x_j before x_i, or x_j equal to x_i and j < i}
  // over dims (d_0 .. d_{rank-1}, j), with d_axis playing i.
  int64_t loopRank = rank + 1;
  SmallVector<AffineExpr> iExprs, jExprs;
  for (int64_t d = 0; d < rank; ++d) {
    iExprs.push_back(getAffineDimExpr(d, ctx));
    jExprs.push_back(getAffineDimExpr(d == *axis ? rank : d, ctx));
  }
  AffineMap iMap = AffineMap::get(loopRank, 0, iExprs, ctx);
  AffineMap jMap = AffineMap::get(loopRank, 0, jExprs, ctx);
  SmallVector<utils::IteratorType> iterators(loopRank,
                                             utils::IteratorType::parallel);
  iterators[rank] = utils::IteratorType::reduction;
  Value zeros = createSplat(b, loc, i64, type.getShape(), 0);
  Value ranks =
      linalg::GenericOp::create(
          b, loc, TypeRange{zeros.getType()}, ValueRange{x, x},
          ValueRange{zeros}, ArrayRef<AffineMap>{iMap, jMap, iMap}, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value xi = args[0], xj = args[1], count = args[2];
            Value i = linalg::IndexOp::create(nb, nl, *axis);
            Value j = linalg::IndexOp::create(nb, nl, rank);
            Value jFirst =
                arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ult, j, i);
            Value tie = arith::AndIOp::create(nb, nl, topKEqual(nb, nl, xj, xi),
                                              jFirst);
            Value before = arith::OrIOp::create(
                nb, nl, topKBefore(nb, nl, xj, xi, largest, isUnsigned), tie);
            Value one = arith::ExtUIOp::create(nb, nl, i64, before);
            linalg::YieldOp::create(
                nb, nl, ValueRange{arith::AddIOp::create(nb, nl, count, one)});
          })
          .getResult(0);

  // out[..., r, ...] = the x_i (and i) with rank_i = r, over dims
  // (d_0 .. d_{rank-1}, i), with d_axis playing r.
  AffineMap outMap = AffineMap::getMultiDimIdentityMap(rank, ctx);
  outMap = AffineMap::get(loopRank, 0, outMap.getResults(), ctx);
  Value valueInit = createSplat(b, loc, element, outShape, 0);
  Value indexInit = createSplat(b, loc, i64, outShape, 0);
  auto gather = linalg::GenericOp::create(
      b, loc, TypeRange{valueInit.getType(), indexInit.getType()},
      ValueRange{x, ranks}, ValueRange{valueInit, indexInit},
      ArrayRef<AffineMap>{jMap, jMap, outMap, outMap}, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value xi = args[0], rankI = args[1];
        Value r = linalg::IndexOp::create(nb, nl, *axis);
        r = arith::IndexCastOp::create(nb, nl, i64, r);
        Value i = linalg::IndexOp::create(nb, nl, rank);
        i = arith::IndexCastOp::create(nb, nl, i64, i);
        Value hit =
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, rankI, r);
        Value value = arith::SelectOp::create(nb, nl, hit, xi, args[2]);
        Value index = arith::SelectOp::create(nb, nl, hit, i, args[3]);
        linalg::YieldOp::create(nb, nl, ValueRange{value, index});
      });
  if (failed(node.setResult(0, gather.getResult(0))))
    return failure();
  return node.setResult(1, gather.getResult(1), onnx::TensorProto::INT64);
}

} // namespace

void lowbit::onnx_import::registerSoftmaxOps(std::vector<OpHandler> &table) {
  table.push_back({"", "Softmax", 1, importSoftmax<false>,
                   "before 13: over the axes from `axis` on"});
  table.push_back({"", "Softmax", 13, importSoftmax<true>});
  table.push_back({"", "LogSoftmax", 1, importLogSoftmax<false>,
                   "before 13: over the axes from `axis` on"});
  table.push_back({"", "LogSoftmax", 13, importLogSoftmax<true>});
  table.push_back({"", "Hardmax", 1, importHardmax<false>,
                   "before 13: over the axes from `axis` on"});
  table.push_back({"", "Hardmax", 13, importHardmax<true>});
  table.push_back({"", "TopK", 1, importTopK<false>,
                   "sorted output; quadratic in the axis length"});
  table.push_back({"", "TopK", 10, importTopK<true>,
                   "K must be a constant; sorted output; quadratic in the "
                   "axis length"});
}
