//===- GeneratorOps.cpp - tensors built from shapes and positions ---------===//
//
// Ops whose result is a function of element positions: the masks and
// position ids of exported transformers. Small results known at import time
// are computed here; otherwise each becomes a linalg.generic that reads its
// position with linalg.index.
//
//===----------------------------------------------------------------------===//

#include "DataMovement.h"
#include "ShapeFamily.h"
#include "ShapeFolding.h"

#include "../IRBuilders.h"
#include "../TensorConversion.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"

#include <cmath>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// A scalar constant of `type` (integer, bool or float) holding `value`.
Attribute scalarAttr(Builder &b, Type type, double value) {
  if (isa<FloatType>(type))
    return b.getFloatAttr(type, value);
  return b.getIntegerAttr(type, static_cast<int64_t>(value));
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc,
                                   cast<TypedAttr>(scalarAttr(b, type, value)));
}

/// linalg.index `dim` as an i64 scalar.
Value positionI64(OpBuilder &b, Location loc, int64_t dim) {
  Value index = linalg::IndexOp::create(b, loc, dim);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
}

//===----------------------------------------------------------------------===//
// ConstantOfShape
//===----------------------------------------------------------------------===//

LogicalResult importConstantOfShape(NodeImporter &node) {
  auto shape = node.constantInts(0, "shape");
  if (failed(shape) || failed(checkResultShape(node, *shape)))
    return failure();
  Attribute element;
  int dataType = onnx::TensorProto::FLOAT;
  if (node.hasAttr("value")) {
    ElementsAttr value = node.attrTensor("value");
    if (!value)
      return failure();
    auto dense = dyn_cast<DenseElementsAttr>(value);
    if (!dense || dense.getNumElements() != 1)
      return node.fail("attribute 'value' must hold exactly one element");
    element = *dense.value_begin<Attribute>();
    dataType = node.attrTensorDataType("value");
  } else {
    element = Builder(node.context()).getF32FloatAttr(0.0f);
  }
  auto type = RankedTensorType::get(*shape, cast<TypedAttr>(element).getType());
  if (type.getNumElements() == 0)
    return node.setConstantResult(0, emptyTensor(type), dataType);
  return node.setConstantResult(0, DenseElementsAttr::get(type, element),
                                dataType);
}

//===----------------------------------------------------------------------===//
// Range
//===----------------------------------------------------------------------===//

/// output[i] = start + i * delta, computed in the element type.
LogicalResult importRange(NodeImporter &node) {
  const char *names[] = {"start", "limit", "delta"};
  SmallVector<DenseElementsAttr> scalars;
  for (int i = 0; i < 3; ++i) {
    if (!node.hasInput(i))
      return node.emitError()
             << "input " << i << " (" << names[i] << ") is missing";
    DenseElementsAttr value = node.constantInputDense(i);
    if (!value)
      return node.emitError()
             << "input " << i << " (" << names[i]
             << ") must be known at import time: the length of the result "
                "depends on it; "
             << node.knownAtImportHint(i);
    if (value.getNumElements() != 1)
      return node.emitError()
             << "input " << i << " (" << names[i] << ") must be a scalar";
    if (value.getElementType() != node.inputType(0).getElementType())
      return node.fail("start, limit and delta must have the same type");
    scalars.push_back(value);
  }
  Type elementType = node.inputType(0).getElementType();
  auto floatType = dyn_cast<FloatType>(elementType);
  int64_t count;
  if (floatType) {
    double start = (*scalars[0].value_begin<APFloat>()).convertToDouble();
    double limit = (*scalars[1].value_begin<APFloat>()).convertToDouble();
    double delta = (*scalars[2].value_begin<APFloat>()).convertToDouble();
    if (delta == 0)
      return node.fail("delta is 0");
    double length = std::ceil((limit - start) / delta);
    if (!std::isfinite(length) || length > static_cast<double>(kMaxElements))
      return node.fail("the result would have more than 2^40 elements");
    count = std::max<int64_t>(0, static_cast<int64_t>(length));
  } else {
    bool isUnsigned = node.inputIsUnsigned(0);
    __int128 start = intsOf(scalars[0], isUnsigned)[0];
    __int128 limit = intsOf(scalars[1], isUnsigned)[0];
    __int128 delta = intsOf(scalars[2], isUnsigned)[0];
    if (delta == 0)
      return node.fail("delta is 0");
    __int128 span = limit - start;
    __int128 length =
        delta > 0 ? (span + delta - 1) / delta : (span + delta + 1) / delta;
    if (length > kMaxElements)
      return node.fail("the result would have more than 2^40 elements");
    count = length < 0 ? 0 : static_cast<int64_t>(length);
  }
  auto resultType = RankedTensorType::get({count}, elementType);

  if (isFoldableType(resultType)) {
    SmallVector<Attribute> values;
    if (floatType) {
      const llvm::fltSemantics &sem = floatType.getFloatSemantics();
      APFloat start = *scalars[0].value_begin<APFloat>();
      APFloat delta = *scalars[2].value_begin<APFloat>();
      for (int64_t i = 0; i < count; ++i) {
        APFloat v(sem);
        v.convertFromAPInt(APInt(64, i), /*IsSigned=*/true,
                           APFloat::rmNearestTiesToEven);
        v.multiply(delta, APFloat::rmNearestTiesToEven);
        v.add(start, APFloat::rmNearestTiesToEven);
        values.push_back(FloatAttr::get(elementType, v));
      }
    } else {
      APInt start = *scalars[0].value_begin<APInt>();
      APInt delta = *scalars[2].value_begin<APInt>();
      unsigned width = elementType.getIntOrFloatBitWidth();
      for (int64_t i = 0; i < count; ++i)
        values.push_back(IntegerAttr::get(
            elementType, start + APInt(width, i, false, true) * delta));
    }
    return node.setConstantResult(0,
                                  DenseElementsAttr::get(resultType, values));
  }

  OpBuilder &b = node.builder();
  Location loc = node.loc();
  auto scalar = [&](DenseElementsAttr value) -> Value {
    return arith::ConstantOp::create(
        b, loc, cast<TypedAttr>(*value.value_begin<Attribute>()));
  };
  Value start = scalar(scalars[0]), delta = scalar(scalars[2]);
  Value result = buildElementwise(
      b, loc, {count}, elementType, ValueRange{},
      [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
        Value i = positionI64(nb, nl, 0);
        if (floatType) {
          Value fi = arith::SIToFPOp::create(nb, nl, elementType, i);
          Value scaled = arith::MulFOp::create(nb, nl, fi, delta);
          return arith::AddFOp::create(nb, nl, scaled, start);
        }
        if (elementType.getIntOrFloatBitWidth() < 64)
          i = arith::TruncIOp::create(nb, nl, elementType, i);
        Value scaled = arith::MulIOp::create(nb, nl, i, delta);
        return arith::AddIOp::create(nb, nl, start, scaled);
      });
  return node.setResult(0, result);
}

//===----------------------------------------------------------------------===//
// EyeLike and Trilu
//===----------------------------------------------------------------------===//

/// Whether element (row, col) of a matrix is kept by a diagonal test.
enum class Diagonal { On, AtOrAbove, AtOrBelow };

bool keeps(Diagonal which, int64_t row, int64_t col, int64_t k) {
  int64_t offset = col - row;
  switch (which) {
  case Diagonal::On:
    return offset == k;
  case Diagonal::AtOrAbove:
    return offset >= k;
  case Diagonal::AtOrBelow:
    return offset <= k;
  }
  return false;
}

/// The diagonal test on the last two loop indices of a linalg body.
Value keepsInIR(OpBuilder &b, Location loc, Diagonal which, int64_t rank,
                Value k) {
  Value row = positionI64(b, loc, rank - 2);
  Value col = positionI64(b, loc, rank - 1);
  Value offset = arith::SubIOp::create(b, loc, col, row);
  auto predicate = which == Diagonal::On          ? arith::CmpIPredicate::eq
                   : which == Diagonal::AtOrAbove ? arith::CmpIPredicate::sge
                                                  : arith::CmpIPredicate::sle;
  return arith::CmpIOp::create(b, loc, predicate, offset, k);
}

LogicalResult importEyeLike(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  auto type = node.inputType(0);
  if (type.getRank() != 2)
    return node.emitError()
           << "the input must be 2-D, not rank " << type.getRank();
  Type elementType = type.getElementType();
  int dataType = node.inputDataType(0);
  if (node.hasAttr("dtype")) {
    dataType = node.attrInt("dtype", 0);
    elementType = node.elementType(dataType);
    if (!elementType)
      return failure();
  }
  int64_t k = node.attrInt("k", 0);
  auto resultType = RankedTensorType::get(type.getShape(), elementType);
  if (bindIfEmpty(node, 0, resultType))
    return success();
  Builder attrs(node.context());
  if (isFoldableType(resultType)) {
    SmallVector<Attribute> values;
    forEachIndex(type.getShape(), [&](ArrayRef<int64_t> index) {
      bool one = keeps(Diagonal::On, index[0], index[1], k);
      values.push_back(scalarAttr(attrs, elementType, one ? 1.0 : 0.0));
    });
    return node.setConstantResult(0, DenseElementsAttr::get(resultType, values),
                                  dataType);
  }
  Value result = buildElementwise(
      node.builder(), node.loc(), type.getShape(), elementType, ValueRange{},
      [&](OpBuilder &b, Location loc, ValueRange) -> Value {
        Value kValue =
            arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(k));
        Value on = keepsInIR(b, loc, Diagonal::On, 2, kValue);
        return arith::SelectOp::create(b, loc, on,
                                       scalarConstant(b, loc, elementType, 1),
                                       scalarConstant(b, loc, elementType, 0));
      });
  return node.setResult(0, result, dataType);
}

LogicalResult importTrilu(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  auto type = node.inputType(0);
  int64_t rank = type.getRank();
  if (rank < 2)
    return node.emitError() << "the input must have rank >= 2, not " << rank;
  // k may be known (folding) or only known at run time.
  std::optional<int64_t> k = 0;
  if (node.hasInput(1)) {
    auto kType = node.inputType(1);
    if (kType.getNumElements() != 1 || !kType.getElementType().isInteger(64))
      return node.fail("input 1 (k) must be one int64");
    if (DenseElementsAttr given = node.constantInputDense(1))
      k = intsOf(given, false).front();
    else
      k = std::nullopt;
  }
  Diagonal which =
      node.attrInt("upper", 1) ? Diagonal::AtOrAbove : Diagonal::AtOrBelow;
  Type elementType = type.getElementType();
  if (bindIfEmpty(node, 0, type))
    return success();
  Builder attrs(node.context());
  DenseElementsAttr data = foldableInput(node, 0, type, false);
  if (data && k) {
    SmallVector<Attribute> elements = elementsOf(data);
    Attribute zero = scalarAttr(attrs, elementType, 0.0);
    size_t flat = 0;
    forEachIndex(type.getShape(), [&](ArrayRef<int64_t> index) {
      if (!keeps(which, index[rank - 2], index[rank - 1], *k))
        elements[flat] = zero;
      ++flat;
    });
    return node.setConstantResult(0, DenseElementsAttr::get(type, elements));
  }
  OpBuilder &b = node.builder();
  Value kValue;
  if (k) {
    kValue = arith::ConstantOp::create(b, node.loc(), b.getI64IntegerAttr(*k));
  } else {
    Value flat = reshapeTo(b, node.loc(), node.input(1), {1});
    Value zero = arith::ConstantIndexOp::create(b, node.loc(), 0);
    kValue = tensor::ExtractOp::create(b, node.loc(), flat, ValueRange{zero});
  }
  Value result = buildElementwise(
      b, node.loc(), type.getShape(), elementType, ValueRange{node.input(0)},
      [&](OpBuilder &nb, Location loc, ValueRange args) -> Value {
        Value keep = keepsInIR(nb, loc, which, rank, kValue);
        return arith::SelectOp::create(
            nb, loc, keep, args[0], scalarConstant(nb, loc, elementType, 0));
      });
  return node.setResult(0, result);
}

//===----------------------------------------------------------------------===//
// OneHot
//===----------------------------------------------------------------------===//

/// A scalar of any numeric type as int64, floats truncated as ONNX Cast does.
Value indexAsI64(OpBuilder &b, Location loc, Value v, bool isUnsigned) {
  Type i64 = b.getI64Type();
  if (isa<FloatType>(v.getType()))
    return arith::FPToSIOp::create(b, loc, i64, v);
  return castScalar(b, loc, v, i64, isUnsigned, false);
}

LogicalResult importOneHot(NodeImporter &node) {
  if (failed(requireInputs(node, 3)))
    return failure();
  auto indicesType = node.inputType(0);
  DenseElementsAttr depthAttr = node.constantInputDense(1);
  if (!depthAttr)
    return node.emitError() << "input 1 (depth) must be known at import time; "
                            << node.knownAtImportHint(1);
  if (depthAttr.getNumElements() != 1)
    return node.fail("input 1 (depth) must hold one value");
  int64_t depth;
  if (isa<FloatType>(depthAttr.getElementType())) {
    double d = (*depthAttr.value_begin<APFloat>()).convertToDouble();
    if (!std::isfinite(d) || std::abs(d) > static_cast<double>(kMaxElements))
      return node.fail("depth is out of range");
    depth = static_cast<int64_t>(d);
  } else {
    depth = intsOf(depthAttr, node.inputIsUnsigned(1))[0];
  }
  if (depth < 0)
    return node.emitError() << "depth " << depth << " is negative";
  auto valuesType = node.inputType(2);
  if (valuesType.getNumElements() != 2)
    return node.fail("input 2 (values) must hold [off_value, on_value]");
  Type elementType = valuesType.getElementType();
  int64_t rank = indicesType.getRank() + 1;
  auto axis = normalizeAxis(node, node.attrInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  auto shape = llvm::to_vector(indicesType.getShape());
  shape.insert(shape.begin() + *axis, depth);
  if (failed(checkResultShape(node, shape)))
    return failure();
  auto resultType = RankedTensorType::get(shape, elementType);
  int dataType = node.inputDataType(2);
  if (resultType.getNumElements() == 0)
    return node.setConstantResult(0, emptyTensor(resultType), dataType);

  bool indicesUnsigned = node.inputIsUnsigned(0);
  DenseElementsAttr indices = node.constantInputDense(0);
  DenseElementsAttr values = node.constantInputDense(2);
  if (indices && values && isFoldableType(resultType)) {
    SmallVector<int64_t> positions;
    if (isa<FloatType>(indices.getElementType())) {
      for (const APFloat &v : indices.getValues<APFloat>())
        positions.push_back(static_cast<int64_t>(v.convertToDouble()));
    } else {
      positions = intsOf(indices, indicesUnsigned);
    }
    SmallVector<Attribute> offOn = elementsOf(values);
    SmallVector<int64_t> strides = rowMajorStrides(indicesType.getShape());
    SmallVector<Attribute> result;
    forEachIndex(shape, [&](ArrayRef<int64_t> index) {
      int64_t flat = 0, d = 0;
      for (int64_t a = 0; a < rank; ++a) {
        if (a == *axis)
          continue;
        flat += index[a] * strides[d++];
      }
      int64_t position = positions[flat];
      if (position < 0)
        position += depth;
      result.push_back(offOn[position == index[*axis] ? 1 : 0]);
    });
    return node.setConstantResult(0, DenseElementsAttr::get(resultType, result),
                                  dataType);
  }

  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value valuesFlat = reshapeTo(b, loc, node.input(2), {2});
  auto extract = [&](int64_t i) -> Value {
    Value index = arith::ConstantIndexOp::create(b, loc, i);
    return tensor::ExtractOp::create(b, loc, valuesFlat, ValueRange{index});
  };
  Value off = extract(0), on = extract(1);
  MLIRContext *ctx = node.context();
  SmallVector<AffineExpr> exprs;
  for (int64_t a = 0; a < rank; ++a)
    if (a != *axis)
      exprs.push_back(getAffineDimExpr(a, ctx));
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, exprs, ctx),
                                 AffineMap::getMultiDimIdentityMap(rank, ctx)};
  Value init = tensor::EmptyOp::create(b, loc, shape, elementType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{node.input(0)}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value index = indexAsI64(nb, nl, args[0], indicesUnsigned);
        Value zero = arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(0));
        Value depthValue =
            arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(depth));
        Value negative = arith::CmpIOp::create(
            nb, nl, arith::CmpIPredicate::slt, index, zero);
        Value wrapped = arith::AddIOp::create(nb, nl, index, depthValue);
        index = arith::SelectOp::create(nb, nl, negative, wrapped, index);
        Value match = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                            index, positionI64(nb, nl, *axis));
        Value result = arith::SelectOp::create(nb, nl, match, on, off);
        linalg::YieldOp::create(nb, nl, result);
      });
  return node.setResult(0, generic.getResult(0), dataType);
}

//===----------------------------------------------------------------------===//
// CumSum
//===----------------------------------------------------------------------===//

/// Sums `x` along `axis` in order, as numpy.cumsum does (floats are added
/// one by one, first to last).
Value buildCumSum(OpBuilder &b, Location loc, Value x, int64_t axis,
                  bool exclusive) {
  auto type = cast<RankedTensorType>(x.getType());
  Type elementType = type.getElementType();
  bool isFloat = isa<FloatType>(elementType);
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  // Loops: the result's axes, then the summed position (a reduction).
  SmallVector<AffineExpr> inputExprs;
  for (int64_t a = 0; a < rank; ++a)
    inputExprs.push_back(getAffineDimExpr(a == axis ? rank : a, ctx));
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank + 1, 0, inputExprs, ctx),
      AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  // -0.0 is the float identity of addition (+0.0 would turn -0.0 into +0.0).
  double neutral = isFloat ? -0.0 : 0.0;
  Value init = createSplat(b, loc, elementType, type.getShape(), neutral);
  auto generic = linalg::GenericOp::create(
      b, loc, type, ValueRange{x}, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value position = linalg::IndexOp::create(nb, nl, axis);
        Value summed = linalg::IndexOp::create(nb, nl, rank);
        Value include = arith::CmpIOp::create(
            nb, nl,
            exclusive ? arith::CmpIPredicate::ult : arith::CmpIPredicate::ule,
            summed, position);
        Value term = arith::SelectOp::create(
            nb, nl, include, args[0],
            scalarConstant(nb, nl, elementType, neutral));
        Value sum =
            isFloat ? arith::AddFOp::create(nb, nl, args[1], term).getResult()
                    : arith::AddIOp::create(nb, nl, args[1], term).getResult();
        linalg::YieldOp::create(nb, nl, sum);
      });
  return generic.getResult(0);
}

LogicalResult importCumSum(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  auto type = node.inputType(0);
  auto axes = node.constantInts(1, "axis");
  if (failed(axes))
    return failure();
  if (axes->size() != 1)
    return node.fail("input 1 (axis) must hold one value");
  auto axis = normalizeAxis(node, axes->front(), type.getRank());
  if (failed(axis))
    return failure();
  bool exclusive = node.attrInt("exclusive", 0) != 0;
  bool reverse = node.attrInt("reverse", 0) != 0;
  if (bindIfEmpty(node, 0, type))
    return success();
  Type elementType = type.getElementType();
  if (elementType.isInteger(1))
    return node.fail("CumSum of bool tensors is not supported");

  if (DenseElementsAttr data = foldableInput(node, 0, type, false)) {
    SmallVector<Attribute> elements = elementsOf(data);
    SmallVector<Attribute> result(elements.size());
    SmallVector<int64_t> strides = rowMajorStrides(type.getShape());
    int64_t n = type.getDimSize(*axis), stride = strides[*axis];
    auto floatType = dyn_cast<FloatType>(elementType);
    forEachIndex(type.getShape(), [&](ArrayRef<int64_t> index) {
      if (index[*axis] != 0)
        return;
      int64_t base = 0;
      for (auto [a, i] : llvm::enumerate(index))
        base += i * strides[a];
      // Walk the line first to last (last to first when reversed).
      std::optional<APFloat> fsum;
      std::optional<APInt> isum;
      if (floatType)
        fsum =
            APFloat::getZero(floatType.getFloatSemantics(), /*Negative=*/true);
      else
        isum = APInt(elementType.getIntOrFloatBitWidth(), 0);
      for (int64_t step = 0; step < n; ++step) {
        int64_t flat = base + (reverse ? n - 1 - step : step) * stride;
        auto add = [&] {
          if (floatType)
            fsum->add(cast<FloatAttr>(elements[flat]).getValue(),
                      APFloat::rmNearestTiesToEven);
          else
            *isum += cast<IntegerAttr>(elements[flat]).getValue();
        };
        if (!exclusive)
          add();
        result[flat] = floatType
                           ? Attribute(FloatAttr::get(elementType, *fsum))
                           : Attribute(IntegerAttr::get(elementType, *isum));
        if (exclusive)
          add();
      }
    });
    return node.setConstantResult(0, DenseElementsAttr::get(type, result));
  }

  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value x = node.input(0);
  if (reverse)
    x = reverseAxis(b, loc, x, *axis);
  Value sum = buildCumSum(b, loc, x, *axis, exclusive);
  if (reverse)
    sum = reverseAxis(b, loc, sum, *axis);
  return node.setResult(0, sum);
}

} // namespace

void lowbit::onnx_import::registerGeneratorOps(std::vector<OpHandler> &table) {
  table.push_back({"", "ConstantOfShape", 9, importConstantOfShape,
                   "shape known at import time"});
  table.push_back(
      {"", "Range", 11, importRange, "start/limit/delta known at import time"});
  table.push_back({"", "EyeLike", 9, importEyeLike});
  table.push_back({"", "Trilu", 14, importTrilu});
  for (int version : {9, 11})
    table.push_back(
        {"", "OneHot", version, importOneHot, "depth known at import time"});
  table.push_back(
      {"", "CumSum", 11, importCumSum, "axis known at import time"});
}
