//===- ReductionOps.cpp - Reduce*, ArgMax and ArgMin ----------------------===//
//
// The Reduce* family: axes as an attribute (ReduceSum before 13, the others
// before 18) or as a constant input, keepdims and noop_with_empty_axes. Small
// constant inputs (shape arithmetic uses ReduceProd and ReduceSum) are folded
// at import. Float sums and products use tosa.reduce_*, max and min a
// linalg.reduce starting from -inf/+inf (see NNBuilders.cpp).
//
//===----------------------------------------------------------------------===//

#include "NNBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

enum class ReduceOp {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  L1,
  L2,
  LogSum,
  LogSumExp,
  SumSquare
};

/// Where a handler version reads its axes.
enum class AxesFrom { Attribute, Input };

/// Axes of a reduction, normalized and sorted; `all` when none were given
/// (an absent or empty list).
struct ReductionAxes {
  SmallVector<int64_t> axes;
  bool none = false; // no axes were given
};

FailureOr<ReductionAxes> readAxes(NodeImporter &node, AxesFrom from,
                                  int64_t rank) {
  SmallVector<int64_t> given;
  if (from == AxesFrom::Attribute) {
    given = node.attrInts("axes");
  } else if (node.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> values = node.constantInts(1, "axes");
    if (failed(values))
      return failure();
    given = *values;
  }
  ReductionAxes result;
  result.none = given.empty();
  for (int64_t a : given) {
    FailureOr<int64_t> axis = normalizeAxis(node, a, rank, "axes entry");
    if (failed(axis))
      return failure();
    if (llvm::is_contained(result.axes, *axis))
      return node.emitError() << "axis " << a << " is repeated in axes";
    result.axes.push_back(*axis);
  }
  if (result.none)
    for (int64_t i = 0; i < rank; ++i)
      result.axes.push_back(i);
  llvm::sort(result.axes);
  return result;
}

/// The value of the reduction over an empty set (numpy's conventions as the
/// ONNX reference implementation uses them).
double emptyReductionValue(ReduceOp op, Type element, bool isUnsigned) {
  double inf = std::numeric_limits<double>::infinity();
  unsigned width = element.isInteger() ? element.getIntOrFloatBitWidth() : 0;
  switch (op) {
  case ReduceOp::Sum:
  case ReduceOp::L1:
  case ReduceOp::L2:
  case ReduceOp::SumSquare:
    return 0.0;
  case ReduceOp::Prod:
    return 1.0;
  case ReduceOp::Mean:
    return std::numeric_limits<double>::quiet_NaN();
  case ReduceOp::Max:
    if (width)
      return isUnsigned ? 0.0
                        : double(APInt::getSignedMinValue(width).getSExtValue());
    return -inf;
  case ReduceOp::Min:
    if (width)
      return isUnsigned
                 ? double(APInt::getMaxValue(width).getZExtValue())
                 : double(APInt::getSignedMaxValue(width).getSExtValue());
    return inf;
  case ReduceOp::LogSum:
  case ReduceOp::LogSumExp:
    return -inf;
  }
  return 0.0;
}

bool isFloatOnly(ReduceOp op) {
  return op == ReduceOp::L2 || op == ReduceOp::LogSum ||
         op == ReduceOp::LogSumExp;
}

/// The reduction folded at import, or null when it cannot be.
DenseElementsAttr foldReduction(ReduceOp op, DenseElementsAttr in,
                                ArrayRef<int64_t> axes, bool isUnsigned) {
  bool isFloat = isa<FloatType>(in.getElementType());
  auto square = [](double x) { return x * x; };
  auto absolute = [](double x) { return std::fabs(x); };
  switch (op) {
  case ReduceOp::Sum:
    return foldReduce(in, axes, ReduceKind::Sum, isUnsigned);
  case ReduceOp::Max:
    return foldReduce(in, axes, ReduceKind::Max, isUnsigned);
  case ReduceOp::Min:
    return foldReduce(in, axes, ReduceKind::Min, isUnsigned);
  case ReduceOp::Prod:
    return foldReduce(in, axes, ReduceKind::Prod, isUnsigned);
  case ReduceOp::Mean:
    if (!isFloat)
      return {};
    return foldReduce(in, axes, ReduceKind::Sum, isUnsigned, nullptr,
                      [](double s, int64_t n) { return s / double(n); });
  case ReduceOp::L1:
    if (!isFloat)
      return {};
    return foldReduce(in, axes, ReduceKind::Sum, isUnsigned, absolute);
  case ReduceOp::SumSquare:
    if (!isFloat)
      return {};
    return foldReduce(in, axes, ReduceKind::Sum, isUnsigned, square);
  case ReduceOp::L2:
    return foldReduce(in, axes, ReduceKind::Sum, isUnsigned, square,
                      [](double s, int64_t) { return std::sqrt(s); });
  case ReduceOp::LogSum:
    return foldReduce(in, axes, ReduceKind::Sum, isUnsigned, nullptr,
                      [](double s, int64_t) { return std::log(s); });
  case ReduceOp::LogSumExp:
    // exp/log in double need no shift by the maximum for these small sizes.
    return foldReduce(in, axes, ReduceKind::Sum, isUnsigned,
                      [](double x) { return std::exp(x); },
                      [](double s, int64_t) { return std::log(s); });
  }
  return {};
}

/// log(sum(exp(x - m))) + m with m the maximum of the finite elements, as
/// the reference implementation computes it (no overflow for large inputs).
Value buildLogSumExp(OpBuilder &b, Location loc, Value x,
                     ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(x.getType());
  Type element = type.getElementType();
  Value finite = mapElements(b, loc, x, [&](OpBuilder &nb, Location nl,
                                            ValueRange v) -> Value {
    Value absolute = math::AbsFOp::create(nb, nl, v[0]);
    Value inf = scalarFloat(nb, nl, element,
                            std::numeric_limits<double>::infinity());
    Value isInf = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                        absolute, inf);
    Value negInf = scalarFloat(nb, nl, element,
                               -std::numeric_limits<double>::infinity());
    return arith::SelectOp::create(nb, nl, isInf, negInf, v[0]);
  });
  Value max = buildReduce(b, loc, finite, axes, ReduceKind::Max);
  Value shifted = buildElementwise(
      b, loc, type.getShape(), element, ValueRange{x, max},
      [](OpBuilder &nb, Location nl, ValueRange v) {
        return subF(nb, nl, v[0], v[1]);
      });
  Value sum = buildReduce(b, loc, buildUnary(b, loc, shifted, UnaryFn::Exp),
                          axes, ReduceKind::Sum);
  Value logSum = buildUnary(b, loc, sum, UnaryFn::Log);
  auto resultType = cast<RankedTensorType>(logSum.getType());
  return buildElementwise(b, loc, resultType.getShape(), element,
                          ValueRange{logSum, max},
                          [](OpBuilder &nb, Location nl, ValueRange v) {
                            return addF(nb, nl, v[0], v[1]);
                          });
}

Value buildReduction(OpBuilder &b, Location loc, ReduceOp op, Value x,
                     ArrayRef<int64_t> axes, bool isUnsigned) {
  switch (op) {
  case ReduceOp::Sum:
    return buildReduce(b, loc, x, axes, ReduceKind::Sum, isUnsigned);
  case ReduceOp::Max:
    return buildReduce(b, loc, x, axes, ReduceKind::Max, isUnsigned);
  case ReduceOp::Min:
    return buildReduce(b, loc, x, axes, ReduceKind::Min, isUnsigned);
  case ReduceOp::Prod:
    return buildReduce(b, loc, x, axes, ReduceKind::Prod, isUnsigned);
  case ReduceOp::Mean:
    return buildMean(b, loc, x, axes, isUnsigned);
  case ReduceOp::L1:
    return buildReduce(b, loc, buildUnary(b, loc, x, UnaryFn::Abs, isUnsigned),
                       axes, ReduceKind::Sum, isUnsigned);
  case ReduceOp::SumSquare:
    return buildReduce(b, loc,
                       buildUnary(b, loc, x, UnaryFn::Square, isUnsigned), axes,
                       ReduceKind::Sum, isUnsigned);
  case ReduceOp::L2: {
    Value sum = buildReduce(b, loc, buildUnary(b, loc, x, UnaryFn::Square),
                            axes, ReduceKind::Sum);
    return buildUnary(b, loc, sum, UnaryFn::Sqrt);
  }
  case ReduceOp::LogSum:
    return buildUnary(b, loc, buildReduce(b, loc, x, axes, ReduceKind::Sum),
                      UnaryFn::Log);
  case ReduceOp::LogSumExp:
    return buildLogSumExp(b, loc, x, axes);
  }
  return {};
}

template <ReduceOp op, AxesFrom from>
LogicalResult importReduce(NodeImporter &node) {
  if (!node.hasInput(0))
    return node.fail("missing input data");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  int64_t rank = type.getRank();
  bool keepDims = node.attrInt("keepdims", 1) != 0;
  bool noopWithEmptyAxes =
      from == AxesFrom::Input && node.attrInt("noop_with_empty_axes", 0) != 0;
  bool isUnsigned = node.inputIsUnsigned(0) || element.isInteger(1);
  if (!isa<FloatType>(element) && !element.isInteger())
    return node.emitError() << "element type " << element
                            << " is not supported";
  if (isFloatOnly(op) && !isa<FloatType>(element))
    return node.fail("integer inputs are not supported");
  if (element.isInteger(1) && op != ReduceOp::Max && op != ReduceOp::Min)
    return node.fail("boolean inputs are only supported by ReduceMax and "
                     "ReduceMin");

  FailureOr<ReductionAxes> axes = readAxes(node, from, rank);
  if (failed(axes))
    return failure();
  if (axes->none && noopWithEmptyAxes) {
    // The reference implementation returns the input unreduced, except for
    // ReduceSumSquare which still squares it.
    if (op != ReduceOp::SumSquare)
      return node.forwardInput(0, 0);
    return node.setResult(0, buildUnary(node.builder(), node.loc(),
                                        node.input(0), UnaryFn::Square,
                                        isUnsigned));
  }

  SmallVector<int64_t> keptShape = keepDimsShape(type.getShape(), axes->axes);
  SmallVector<int64_t> resultShape =
      keepDims ? keptShape : dropDimsShape(type.getShape(), axes->axes);
  auto resultType = RankedTensorType::get(resultShape, element);

  // Reductions of empty sets, and empty results, are constants.
  if (axesElementCount(type.getShape(), axes->axes) == 0 ||
      type.getNumElements() == 0) {
    double value = emptyReductionValue(op, element, isUnsigned);
    if (!isa<FloatType>(element) && std::isnan(value))
      return node.fail("the mean of an empty set of integers is undefined");
    return node.setResult(0, createSplat(node.builder(), node.loc(), element,
                                         resultShape, value));
  }

  if (DenseElementsAttr in = node.constantInputDense(0))
    if (DenseElementsAttr folded =
            foldReduction(op, in, axes->axes, isUnsigned))
      return node.setConstantResult(0, folded.reshape(resultType));

  Value reduced = buildReduction(node.builder(), node.loc(), op, node.input(0),
                                 axes->axes, isUnsigned);
  return node.setResult(0, reshapeTo(node.builder(), node.loc(), reduced,
                                     resultShape));
}

template <bool isMax>
LogicalResult importArgExtreme(NodeImporter &node) {
  if (!node.hasInput(0))
    return node.fail("missing input data");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  int64_t rank = type.getRank();
  if (!isa<FloatType>(element) && !element.isInteger())
    return node.emitError() << "element type " << element
                            << " is not supported";
  if (rank == 0)
    return node.fail("the input must have rank >= 1");
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.attrInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  bool keepDims = node.attrInt("keepdims", 1) != 0;
  bool selectLast = node.attrInt("select_last_index", 0) != 0;
  bool isUnsigned = node.inputIsUnsigned(0) || element.isInteger(1);
  if (type.getDimSize(*axis) == 0)
    return node.fail("the reduced axis is empty");

  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value indices = buildArgExtreme(b, loc, node.input(0), *axis, isMax,
                                  selectLast, isUnsigned);
  if (keepDims)
    indices = reshapeTo(b, loc, indices,
                        keepDimsShape(type.getShape(), {*axis}));
  return node.setResult(0, indices, onnx::TensorProto::INT64);
}

template <ReduceOp op>
void registerReduce(std::vector<OpHandler> &table, const char *name,
                    int inputAxesSince) {
  table.push_back({"", name, 1, importReduce<op, AxesFrom::Attribute>,
                   "axes attribute"});
  table.push_back({"", name, inputAxesSince, importReduce<op, AxesFrom::Input>,
                   "axes input must be a constant"});
}

} // namespace

void lowbit::onnx_import::registerReductionOps(std::vector<OpHandler> &table) {
  registerReduce<ReduceOp::Sum>(table, "ReduceSum", 13);
  registerReduce<ReduceOp::Mean>(table, "ReduceMean", 18);
  registerReduce<ReduceOp::Max>(table, "ReduceMax", 18);
  registerReduce<ReduceOp::Min>(table, "ReduceMin", 18);
  registerReduce<ReduceOp::Prod>(table, "ReduceProd", 18);
  registerReduce<ReduceOp::L1>(table, "ReduceL1", 18);
  registerReduce<ReduceOp::L2>(table, "ReduceL2", 18);
  registerReduce<ReduceOp::LogSum>(table, "ReduceLogSum", 18);
  registerReduce<ReduceOp::LogSumExp>(table, "ReduceLogSumExp", 18);
  registerReduce<ReduceOp::SumSquare>(table, "ReduceSumSquare", 18);
  table.push_back({"", "ArgMax", 1, importArgExtreme<true>,
                   "keepdims, select_last_index"});
  table.push_back({"", "ArgMin", 1, importArgExtreme<false>,
                   "keepdims, select_last_index"});
  registerSoftmaxOps(table);
}
