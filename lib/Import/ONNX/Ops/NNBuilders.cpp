//===- NNBuilders.cpp - helpers shared by the neural-network op families --===//

#include "NNBuilders.h"

#include "../TensorConversion.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace lowbit::onnx_import;

SmallVector<int64_t>
lowbit::onnx_import::keepDimsShape(ArrayRef<int64_t> shape,
                                   ArrayRef<int64_t> axes) {
  SmallVector<int64_t> result(shape);
  for (int64_t a : axes)
    result[a] = 1;
  return result;
}

SmallVector<int64_t>
lowbit::onnx_import::dropDimsShape(ArrayRef<int64_t> shape,
                                   ArrayRef<int64_t> axes) {
  SmallVector<int64_t> result;
  for (auto [i, d] : llvm::enumerate(shape))
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      result.push_back(d);
  return result;
}

int64_t lowbit::onnx_import::axesElementCount(ArrayRef<int64_t> shape,
                                              ArrayRef<int64_t> axes) {
  int64_t count = 1;
  for (int64_t a : axes)
    count *= shape[a];
  return count;
}

/// tosa.reduce_max/min lower with +-FLT_MAX as their initial value, which
/// turns an all -inf (+inf) slice into a finite number; only sums and
/// products go through TOSA.
static bool isTosaReducible(Type element, ReduceKind kind) {
  if (kind == ReduceKind::Max || kind == ReduceKind::Min)
    return false;
  return element.isF32() || element.isF16() || element.isBF16();
}

/// The identity of a reduction, as an attribute of `element`.
static TypedAttr reductionIdentity(OpBuilder &b, Type element, ReduceKind kind,
                                   bool isUnsigned) {
  if (auto f = dyn_cast<FloatType>(element)) {
    const llvm::fltSemantics &sem = f.getFloatSemantics();
    switch (kind) {
    case ReduceKind::Sum:
      return b.getFloatAttr(f, 0.0);
    case ReduceKind::Prod:
      return b.getFloatAttr(f, 1.0);
    case ReduceKind::Max:
      return b.getFloatAttr(f, APFloat::getInf(sem, /*Negative=*/true));
    case ReduceKind::Min:
      return b.getFloatAttr(f, APFloat::getInf(sem, /*Negative=*/false));
    }
  }
  unsigned width = element.getIntOrFloatBitWidth();
  APInt value(width, 0);
  switch (kind) {
  case ReduceKind::Sum:
    break;
  case ReduceKind::Prod:
    value = APInt(width, 1);
    break;
  case ReduceKind::Max:
    value = isUnsigned ? APInt::getMinValue(width)
                       : APInt::getSignedMinValue(width);
    break;
  case ReduceKind::Min:
    value = isUnsigned ? APInt::getMaxValue(width)
                       : APInt::getSignedMaxValue(width);
    break;
  }
  return b.getIntegerAttr(element, value);
}

static Value combineScalars(OpBuilder &b, Location loc, ReduceKind kind,
                            bool isUnsigned, Value x, Value y) {
  bool isFloat = isa<FloatType>(x.getType());
  switch (kind) {
  case ReduceKind::Sum:
    return isFloat ? arith::AddFOp::create(b, loc, x, y).getResult()
                   : arith::AddIOp::create(b, loc, x, y).getResult();
  case ReduceKind::Prod:
    return isFloat ? arith::MulFOp::create(b, loc, x, y).getResult()
                   : arith::MulIOp::create(b, loc, x, y).getResult();
  case ReduceKind::Max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, x, y);
    return isUnsigned ? arith::MaxUIOp::create(b, loc, x, y).getResult()
                      : arith::MaxSIOp::create(b, loc, x, y).getResult();
  case ReduceKind::Min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, x, y);
    return isUnsigned ? arith::MinUIOp::create(b, loc, x, y).getResult()
                      : arith::MinSIOp::create(b, loc, x, y).getResult();
  }
  return {};
}

Value lowbit::onnx_import::buildReduce(OpBuilder &b, Location loc, Value value,
                                       ArrayRef<int64_t> axes, ReduceKind kind,
                                       bool isUnsigned) {
  auto type = cast<RankedTensorType>(value.getType());
  Type element = type.getElementType();
  if (axes.empty())
    return value;
  if (isTosaReducible(element, kind)) {
    for (int64_t axis : axes) {
      auto shape = keepDimsShape(cast<RankedTensorType>(value.getType()).getShape(),
                                 {axis});
      auto resultType = RankedTensorType::get(shape, element);
      IntegerAttr axisAttr = b.getI32IntegerAttr(static_cast<int32_t>(axis));
      switch (kind) {
      case ReduceKind::Sum:
        value = tosa::ReduceSumOp::create(b, loc, resultType, value, axisAttr);
        break;
      case ReduceKind::Prod:
        value =
            tosa::ReduceProductOp::create(b, loc, resultType, value, axisAttr);
        break;
      case ReduceKind::Max:
        value = tosa::ReduceMaxOp::create(b, loc, resultType, value, axisAttr);
        break;
      case ReduceKind::Min:
        value = tosa::ReduceMinOp::create(b, loc, resultType, value, axisAttr);
        break;
      }
    }
    return value;
  }
  SmallVector<int64_t> reducedShape = dropDimsShape(type.getShape(), axes);
  TypedAttr identity = reductionIdentity(b, element, kind, isUnsigned);
  Value init = createConstant(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get(reducedShape, element),
                             identity));
  auto reduce = linalg::ReduceOp::create(
      b, loc, ValueRange{value}, ValueRange{init}, axes,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r = combineScalars(nb, nl, kind, isUnsigned, args[0], args[1]);
        linalg::YieldOp::create(nb, nl, r);
      });
  return reshapeTo(b, loc, reduce.getResult(0),
                   keepDimsShape(type.getShape(), axes));
}

Value lowbit::onnx_import::buildMean(OpBuilder &b, Location loc, Value value,
                                     ArrayRef<int64_t> axes, bool isUnsigned) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t count = axesElementCount(type.getShape(), axes);
  Value sum = buildReduce(b, loc, value, axes, ReduceKind::Sum, isUnsigned);
  if (count == 1)
    return sum;
  Type element = type.getElementType();
  return mapElements(b, loc, sum, [&](OpBuilder &nb, Location nl,
                                      ValueRange v) -> Value {
    if (isa<FloatType>(element))
      return divF(nb, nl, v[0], scalarFloat(nb, nl, element, double(count)));
    Value n = arith::ConstantOp::create(nb, nl,
                                        nb.getIntegerAttr(element, count));
    if (isUnsigned)
      return arith::DivUIOp::create(nb, nl, v[0], n);
    return arith::DivSIOp::create(nb, nl, v[0], n);
  });
}

bool lowbit::onnx_import::broadcastsTo(ArrayRef<int64_t> from,
                                       ArrayRef<int64_t> to) {
  if (from.size() > to.size())
    return false;
  size_t offset = to.size() - from.size();
  for (auto [i, d] : llvm::enumerate(from))
    if (d != 1 && d != to[offset + i])
      return false;
  return true;
}

Value lowbit::onnx_import::scalarFloat(OpBuilder &b, Location loc, Type type,
                                       double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

Value lowbit::onnx_import::addF(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddFOp::create(b, loc, x, y);
}
Value lowbit::onnx_import::subF(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::SubFOp::create(b, loc, x, y);
}
Value lowbit::onnx_import::mulF(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MulFOp::create(b, loc, x, y);
}
Value lowbit::onnx_import::divF(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::DivFOp::create(b, loc, x, y);
}

Value lowbit::onnx_import::mapElements(OpBuilder &b, Location loc, Value value,
                                       ScalarBodyFn body, Type resultType) {
  auto type = cast<RankedTensorType>(value.getType());
  return buildElementwise(b, loc, type.getShape(),
                          resultType ? resultType : type.getElementType(),
                          ValueRange{value}, body);
}

Value lowbit::onnx_import::buildUnary(OpBuilder &b, Location loc, Value value,
                                      UnaryFn fn, bool isUnsigned) {
  auto type = cast<RankedTensorType>(value.getType());
  Type element = type.getElementType();
  bool tosaFloat = element.isF32() || element.isF16() || element.isBF16();
  if (tosaFloat) {
    switch (fn) {
    case UnaryFn::Exp:
      return tosa::ExpOp::create(b, loc, type, value);
    case UnaryFn::Log:
      return tosa::LogOp::create(b, loc, type, value);
    case UnaryFn::Abs:
      return tosa::AbsOp::create(b, loc, type, value);
    case UnaryFn::Square: {
      Value shift = createSplat(b, loc, b.getI8Type(), {1}, 0);
      return tosa::MulOp::create(b, loc, type, value, value, shift);
    }
    case UnaryFn::Sqrt:
      break;
    }
  }
  return mapElements(b, loc, value, [&](OpBuilder &nb, Location nl,
                                        ValueRange v) -> Value {
    Value x = v[0];
    bool isFloat = isa<FloatType>(element);
    switch (fn) {
    case UnaryFn::Exp:
      return math::ExpOp::create(nb, nl, x);
    case UnaryFn::Log:
      return math::LogOp::create(nb, nl, x);
    case UnaryFn::Sqrt:
      return math::SqrtOp::create(nb, nl, x);
    case UnaryFn::Abs:
      if (isFloat)
        return math::AbsFOp::create(nb, nl, x);
      return isUnsigned ? x : math::AbsIOp::create(nb, nl, x).getResult();
    case UnaryFn::Square:
      return isFloat ? mulF(nb, nl, x, x)
                     : arith::MulIOp::create(nb, nl, x, x).getResult();
    }
    return x;
  });
}

bool lowbit::onnx_import::isFoldableSize(RankedTensorType type) {
  int64_t n = type.getNumElements();
  if (type.getElementType().isInteger())
    return n <= kMaxDenseIntElements;
  return n <= kMaxDenseFloatElements;
}

DenseElementsAttr lowbit::onnx_import::foldReduce(
    DenseElementsAttr in, ArrayRef<int64_t> axes, ReduceKind kind,
    bool isUnsigned, llvm::function_ref<double(double)> pre,
    llvm::function_ref<double(double, int64_t)> post) {
  auto type = cast<RankedTensorType>(in.getType());
  Type element = type.getElementType();
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> outShape = keepDimsShape(shape, axes);
  auto outType = RankedTensorType::get(outShape, element);
  if (!isFoldableSize(outType))
    return {};
  int64_t rank = shape.size();
  int64_t outCount = outType.getNumElements();
  int64_t reducedCount = axesElementCount(shape, axes);
  // Row-major strides of the output, with reduced axes contributing nothing.
  SmallVector<int64_t> outStrides(rank, 0);
  int64_t stride = 1;
  for (int64_t i = rank - 1; i >= 0; --i) {
    outStrides[i] = llvm::is_contained(axes, i) ? 0 : stride;
    stride *= outShape[i];
  }
  auto outIndex = [&](int64_t flat) {
    int64_t index = 0;
    for (int64_t i = rank - 1; i >= 0; --i) {
      index += (flat % shape[i]) * outStrides[i];
      flat /= shape[i];
    }
    return index;
  };

  if (auto floatType = dyn_cast<FloatType>(element)) {
    double identity = kind == ReduceKind::Sum    ? 0.0
                      : kind == ReduceKind::Prod ? 1.0
                      : kind == ReduceKind::Max
                          ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity();
    SmallVector<double> acc(outCount, identity);
    int64_t flat = 0;
    for (const APFloat &v : in.getValues<APFloat>()) {
      double x = v.convertToDouble();
      if (pre)
        x = pre(x);
      double &a = acc[outIndex(flat++)];
      switch (kind) {
      case ReduceKind::Sum: a += x; break;
      case ReduceKind::Prod: a *= x; break;
      case ReduceKind::Max: a = (std::isnan(x) || x > a) ? x : a; break;
      case ReduceKind::Min: a = (std::isnan(x) || x < a) ? x : a; break;
      }
    }
    SmallVector<APFloat> values;
    for (double a : acc) {
      if (post)
        a = post(a, reducedCount);
      APFloat f(a);
      bool lost;
      f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      values.push_back(f);
    }
    return DenseElementsAttr::get(outType, values);
  }

  if (!element.isInteger() || pre || post)
    return {};
  unsigned width = element.getIntOrFloatBitWidth();
  auto toInt = [&](const APInt &v) {
    return isUnsigned ? static_cast<int64_t>(v.getZExtValue()) : v.getSExtValue();
  };
  int64_t identity = 0;
  switch (kind) {
  case ReduceKind::Sum: identity = 0; break;
  case ReduceKind::Prod: identity = 1; break;
  case ReduceKind::Max:
    identity = isUnsigned ? 0 : APInt::getSignedMinValue(width).getSExtValue();
    break;
  case ReduceKind::Min:
    identity = isUnsigned
                   ? static_cast<int64_t>(APInt::getMaxValue(width).getZExtValue())
                   : APInt::getSignedMaxValue(width).getSExtValue();
    break;
  }
  SmallVector<uint64_t> acc(outCount, static_cast<uint64_t>(identity));
  int64_t flat = 0;
  for (const APInt &v : in.getValues<APInt>()) {
    int64_t x = toInt(v);
    uint64_t &a = acc[outIndex(flat++)];
    switch (kind) {
    case ReduceKind::Sum: a += static_cast<uint64_t>(x); break;
    case ReduceKind::Prod: a *= static_cast<uint64_t>(x); break;
    case ReduceKind::Max:
      a = static_cast<uint64_t>(std::max(static_cast<int64_t>(a), x));
      break;
    case ReduceKind::Min:
      a = static_cast<uint64_t>(std::min(static_cast<int64_t>(a), x));
      break;
    }
  }
  SmallVector<APInt> values;
  for (uint64_t a : acc)
    values.push_back(APInt(64, a).trunc(width));
  return DenseElementsAttr::get(outType, values);
}

Value lowbit::onnx_import::buildArgExtreme(OpBuilder &b, Location loc,
                                           Value x, int64_t axis, bool isMax,
                                           bool selectLast, bool isUnsigned) {
  auto type = cast<RankedTensorType>(x.getType());
  Type element = type.getElementType();
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> reducedShape = dropDimsShape(type.getShape(), {axis});
  Type indexType = b.getI64Type();

  TypedAttr start;
  if (auto f = dyn_cast<FloatType>(element)) {
    start = b.getFloatAttr(f, APFloat::getInf(f.getFloatSemantics(), isMax));
  } else {
    unsigned width = element.getIntOrFloatBitWidth();
    APInt v = isMax ? (isUnsigned ? APInt::getMinValue(width)
                                  : APInt::getSignedMinValue(width))
                    : (isUnsigned ? APInt::getMaxValue(width)
                                  : APInt::getSignedMaxValue(width));
    start = b.getIntegerAttr(element, v);
  }
  Value initValue = createConstant(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get(reducedShape, element),
                             start));
  Value initIndex = createSplat(b, loc, indexType, reducedShape, 0);

  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis)
      outExprs.push_back(getAffineDimExpr(i, ctx));
  AffineMap inMap = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators[axis] = utils::IteratorType::reduction;

  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{initValue.getType(), initIndex.getType()},
      ValueRange{x}, ValueRange{initValue, initIndex},
      ArrayRef<AffineMap>{inMap, outMap, outMap}, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value v = args[0], best = args[1], bestIndex = args[2];
        Value index = linalg::IndexOp::create(nb, nl, axis);
        index = arith::IndexCastOp::create(nb, nl, indexType, index);
        Value better;
        if (isa<FloatType>(element)) {
          auto strict = isMax ? arith::CmpFPredicate::OGT
                              : arith::CmpFPredicate::OLT;
          auto loose = isMax ? arith::CmpFPredicate::OGE
                             : arith::CmpFPredicate::OLE;
          Value isNaN = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::UNO,
                                             v, v);
          Value bestNaN = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::UNO, best, best);
          Value cmp = arith::CmpFOp::create(nb, nl, selectLast ? loose : strict,
                                            v, best);
          // first: keep a NaN once found; last: every NaN replaces the best.
          Value notBestNaN = arith::XOrIOp::create(
              nb, nl, bestNaN,
              arith::ConstantOp::create(nb, nl, nb.getBoolAttr(true)));
          if (selectLast) {
            Value ordered = arith::AndIOp::create(nb, nl, notBestNaN, cmp);
            better = arith::OrIOp::create(nb, nl, isNaN, ordered);
          } else {
            Value either = arith::OrIOp::create(nb, nl, isNaN, cmp);
            better = arith::AndIOp::create(nb, nl, notBestNaN, either);
          }
        } else {
          arith::CmpIPredicate pred;
          if (isMax)
            pred = selectLast ? (isUnsigned ? arith::CmpIPredicate::uge
                                            : arith::CmpIPredicate::sge)
                              : (isUnsigned ? arith::CmpIPredicate::ugt
                                            : arith::CmpIPredicate::sgt);
          else
            pred = selectLast ? (isUnsigned ? arith::CmpIPredicate::ule
                                            : arith::CmpIPredicate::sle)
                              : (isUnsigned ? arith::CmpIPredicate::ult
                                            : arith::CmpIPredicate::slt);
          better = arith::CmpIOp::create(nb, nl, pred, v, best);
        }
        // The first element always wins, so an all -inf (or all minimum)
        // slice still yields index 0 (or its last index).
        Value zero = arith::ConstantOp::create(nb, nl,
                                               nb.getIntegerAttr(indexType, 0));
        Value first = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                            index, zero);
        better = arith::OrIOp::create(nb, nl, first, better);
        Value newBest = arith::SelectOp::create(nb, nl, better, v, best);
        Value newIndex =
            arith::SelectOp::create(nb, nl, better, index, bestIndex);
        linalg::YieldOp::create(nb, nl, ValueRange{newBest, newIndex});
      });
  return generic.getResult(1);
}

Value lowbit::onnx_import::castFloat(OpBuilder &b, Location loc, Value value,
                                     Type to) {
  return castTensor(b, loc, value, to, /*fromUnsigned=*/false,
                    /*toUnsigned=*/false);
}

LogicalResult lowbit::onnx_import::checkWindowValues(NodeImporter &node,
                                                    ArrayRef<int64_t> values,
                                                    StringRef what) {
  for (int64_t v : values)
    if (v > kMaxWindowValue)
      return node.emitError() << what << " value " << v << " exceeds "
                              << kMaxWindowValue;
  return success();
}

FailureOr<Type> lowbit::onnx_import::stashElementType(NodeImporter &node,
                                                      Type inputElement) {
  int64_t stash = node.attrInt("stash_type", onnx::TensorProto::FLOAT);
  // Statistics in float32 (the default) or better: a double input keeps
  // its own precision.
  if (stash == onnx::TensorProto::FLOAT)
    return inputElement.isF64() ? inputElement : node.builder().getF32Type();
  Type type = getElementType(node.context(), static_cast<int>(stash));
  if (!type || !isa<FloatType>(type))
    return node.emitError() << "stash_type " << stash
                            << " is not a floating-point type";
  return type;
}

LogicalResult lowbit::onnx_import::readExplicitPads(
    NodeImporter &node, size_t n, SmallVectorImpl<int64_t> &begin,
    SmallVectorImpl<int64_t> &end) {
  SmallVector<int64_t> pads =
      node.attrInts("pads", SmallVector<int64_t>(2 * n, 0));
  if (pads.size() != 2 * n)
    return node.emitError() << "pads needs " << 2 * n << " entries";
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return node.fail("pads must be non-negative");
  if (failed(checkWindowValues(node, pads, "a pads")))
    return failure();
  begin.assign(pads.begin(), pads.begin() + n);
  end.assign(pads.begin() + n, pads.end());
  return success();
}
