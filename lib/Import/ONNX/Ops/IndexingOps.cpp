//===- IndexingOps.cpp - Gather*, Scatter*, NonZero, Compress -------------===//
//
// Indices known at import time are checked and become slices, tosa.gather
// or constants. Run-time indices become linalg.generic ops that read with
// tensor.extract; ONNX leaves out-of-range indices undefined, and the
// generated code clamps them (gathers) or ignores them (scatters) so it
// never reads or writes out of bounds.
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

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

LogicalResult requireInputs(NodeImporter &node, int count) {
  for (int i = 0; i < count; ++i)
    if (!node.hasInput(i))
      return node.emitError() << "input " << i << " is missing";
  return success();
}

/// Input `i` when it is known and small enough to read element by element
/// at import time (a splat may stand for a huge tensor).
DenseElementsAttr smallConstant(NodeImporter &node, int i) {
  DenseElementsAttr value = node.constantInputDense(i);
  if (value && value.getNumElements() <= kMaxDenseIntElements)
    return value;
  return {};
}

LogicalResult requireIntegerIndices(NodeImporter &node, int i) {
  Type element = node.inputType(i).getElementType();
  if (!element.isInteger() || element.isInteger(1))
    return node.emitError() << "input " << i << " (indices) must hold integers";
  return success();
}

/// Constant indices for an axis of `size` elements, negative ones wrapped;
/// fails on indices outside [-size, size).
FailureOr<SmallVector<int64_t>> checkedIndices(NodeImporter &node,
                                               DenseElementsAttr indices,
                                               bool isUnsigned, int64_t size,
                                               int64_t axis) {
  SmallVector<int64_t> result = intsOf(indices, isUnsigned);
  for (int64_t &i : result) {
    if (i < -size || i >= size)
      return node.emitError() << "index " << i << " is out of range for axis "
                              << axis << " of size " << size;
    if (i < 0)
      i += size;
  }
  return result;
}

/// Run-time indices into an empty axis cannot select anything.
LogicalResult checkAxisNotEmpty(NodeImporter &node, int64_t size, int64_t axis) {
  if (size == 0)
    return node.emitError() << "cannot take elements from axis " << axis
                            << ", which is empty";
  return success();
}

/// data.take(positions, axis) when the data is known; the result's shape
/// is `resultType` (positions reshaped as the caller wants).
DenseElementsAttr foldTake(DenseElementsAttr data, ArrayRef<int64_t> dataShape,
                           int64_t axis, ArrayRef<int64_t> positions,
                           RankedTensorType resultType) {
  return moveElements(data, resultType, [&] {
    int64_t inner = numElements(dataShape.drop_front(axis + 1));
    int64_t outer = numElements(dataShape.take_front(axis));
    int64_t dim = dataShape[axis];
    SmallVector<int64_t> sources;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t p : positions)
        for (int64_t i = 0; i < inner; ++i)
          sources.push_back((o * dim + p) * inner + i);
    return sources;
  });
}

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

LogicalResult importGather(NodeImporter &node) {
  if (failed(requireInputs(node, 2)) || failed(requireIntegerIndices(node, 1)))
    return failure();
  auto dataType = node.inputType(0);
  auto indicesType = node.inputType(1);
  auto axis = normalizeAxis(node, node.attrInt("axis", 0), dataType.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> dataShape = dataType.getShape();
  SmallVector<int64_t> shape(dataShape.take_front(*axis));
  llvm::append_range(shape, indicesType.getShape());
  llvm::append_range(shape, dataShape.drop_front(*axis + 1));
  auto resultType = RankedTensorType::get(shape, dataType.getElementType());
  if (bindIfEmpty(node, 0, resultType))
    return success();
  OpBuilder &b = node.builder();
  Location loc = node.loc();

  DenseElementsAttr indices = smallConstant(node, 1);
  if (!indices && failed(checkAxisNotEmpty(node, dataType.getDimSize(*axis),
                                           *axis)))
    return failure();
  if (!indices)
    return node.setResult(
        0, gatherAxis(b, loc, node.input(0), *axis, node.input(1), true));
  auto positions = checkedIndices(node, indices, node.inputIsUnsigned(1),
                                  dataType.getDimSize(*axis), *axis);
  if (failed(positions))
    return failure();
  if (DenseElementsAttr data = foldableInput(node, 0, resultType))
    return node.setConstantResult(
        0, foldTake(data, dataShape, *axis, *positions, resultType));
  Value taken = gatherAxisConstant(b, loc, node.input(0), *axis, *positions);
  return node.setResult(0, reshapeTo(b, loc, taken, shape));
}

//===----------------------------------------------------------------------===//
// GatherElements
//===----------------------------------------------------------------------===//

LogicalResult importGatherElements(NodeImporter &node) {
  if (failed(requireInputs(node, 2)) || failed(requireIntegerIndices(node, 1)))
    return failure();
  auto dataType = node.inputType(0);
  auto indicesType = node.inputType(1);
  int64_t rank = dataType.getRank();
  auto axis = normalizeAxis(node, node.attrInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  bool fits = indicesType.getRank() == rank;
  for (int64_t a = 0; fits && a < rank; ++a)
    fits = a == *axis || indicesType.getDimSize(a) <= dataType.getDimSize(a);
  if (!fits)
    return node.emitError() << "indices of shape "
                            << formatShape(indicesType.getShape())
                            << " do not fit data of shape "
                            << formatShape(dataType.getShape());
  auto resultType =
      RankedTensorType::get(indicesType.getShape(), dataType.getElementType());
  if (bindIfEmpty(node, 0, resultType))
    return success();
  int64_t size = dataType.getDimSize(*axis);
  bool isUnsigned = node.inputIsUnsigned(1);

  DenseElementsAttr indices = smallConstant(node, 1);
  DenseElementsAttr data = foldableInput(node, 0, resultType);
  if (indices && data) {
    auto positions = checkedIndices(node, indices, isUnsigned, size, *axis);
    if (failed(positions))
      return failure();
    SmallVector<int64_t> strides = rowMajorStrides(dataType.getShape());
    auto sources = [&] {
      size_t flat = 0;
      return mapIndices(indicesType.getShape(), [&](ArrayRef<int64_t> index) {
        int64_t source = 0;
        for (int64_t a = 0; a < rank; ++a)
          source += (a == *axis ? (*positions)[flat] : index[a]) * strides[a];
        ++flat;
        return source;
      });
    };
    return node.setConstantResult(0, moveElements(data, resultType, sources));
  }

  if (failed(checkAxisNotEmpty(node, size, *axis)))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value dataValue = node.input(0);
  Value result = buildElementwise(
      b, loc, indicesType.getShape(), dataType.getElementType(),
      ValueRange{node.input(1)},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        SmallVector<Value> coords;
        for (int64_t a = 0; a < rank; ++a)
          coords.push_back(a == *axis
                               ? normalizedIndex(nb, nl, args[0], size, isUnsigned)
                               : linalg::IndexOp::create(nb, nl, a).getResult());
        return tensor::ExtractOp::create(nb, nl, dataValue, coords);
      });
  return node.setResult(0, result);
}

//===----------------------------------------------------------------------===//
// GatherND
//===----------------------------------------------------------------------===//

LogicalResult importGatherND(NodeImporter &node) {
  if (failed(requireInputs(node, 2)) || failed(requireIntegerIndices(node, 1)))
    return failure();
  auto dataType = node.inputType(0);
  auto indicesType = node.inputType(1);
  int64_t r = dataType.getRank(), q = indicesType.getRank();
  int64_t batch = node.attrInt("batch_dims", 0);
  if (r < 1 || q < 1)
    return node.fail("data and indices must have rank >= 1");
  if (batch < 0 || batch >= std::min(r, q))
    return node.emitError() << "batch_dims " << batch
                            << " must be less than the ranks of data and "
                               "indices";
  int64_t k = indicesType.getShape().back();
  if (k < 1 || k > r - batch)
    return node.emitError() << "the last dimension of indices (" << k
                            << ") must be between 1 and " << r - batch;
  for (int64_t a = 0; a < batch; ++a)
    if (indicesType.getDimSize(a) != dataType.getDimSize(a))
      return node.emitError() << "batch dimension " << a
                              << " differs between data and indices";
  SmallVector<int64_t> shape(indicesType.getShape().drop_back());
  llvm::append_range(shape, dataType.getShape().drop_front(batch + k));
  auto resultType = RankedTensorType::get(shape, dataType.getElementType());
  if (bindIfEmpty(node, 0, resultType))
    return success();
  ArrayRef<int64_t> dataShape = dataType.getShape();
  SmallVector<int64_t> dataStrides = rowMajorStrides(dataShape);
  bool isUnsigned = node.inputIsUnsigned(1);

  DenseElementsAttr indices = smallConstant(node, 1);
  DenseElementsAttr data = foldableInput(node, 0, resultType, false);
  if (indices && data) {
    SmallVector<int64_t> values = intsOf(indices, isUnsigned);
    SmallVector<int64_t> indexStrides = rowMajorStrides(indicesType.getShape());
    SmallVector<int64_t> sources;
    LogicalResult ok = success();
    forEachIndex(shape, [&](ArrayRef<int64_t> index) {
      int64_t tuple = 0;
      for (int64_t a = 0; a < q - 1; ++a)
        tuple += index[a] * indexStrides[a];
      int64_t source = 0;
      for (int64_t a = 0; a < batch; ++a)
        source += index[a] * dataStrides[a];
      for (int64_t c = 0; c < k; ++c) {
        int64_t size = dataShape[batch + c];
        int64_t v = values[tuple + c];
        if ((v < -size || v >= size) && succeeded(ok))
          ok = node.emitError() << "index " << v << " is out of range for axis "
                                << batch + c << " of size " << size;
        v = std::clamp<int64_t>(v < 0 ? v + size : v, 0, size - 1);
        source += v * dataStrides[batch + c];
      }
      for (int64_t a = batch + k; a < r; ++a)
        source += index[q - 1 + a - batch - k] * dataStrides[a];
      sources.push_back(source);
    });
    if (failed(ok))
      return failure();
    return node.setConstantResult(
        0, moveElements(data, resultType, [&] { return sources; }));
  }

  for (int64_t c = 0; c < k; ++c)
    if (failed(checkAxisNotEmpty(node, dataShape[batch + c], batch + c)))
      return failure();
  Value dataValue = node.input(0);
  Value indicesValue = node.input(1);
  Value result = buildElementwise(
      node.builder(), node.loc(), shape, dataType.getElementType(), ValueRange{},
      [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
        SmallVector<Value> tuple;
        for (int64_t a = 0; a < q - 1; ++a)
          tuple.push_back(linalg::IndexOp::create(nb, nl, a));
        SmallVector<Value> coords(tuple.begin(), tuple.begin() + batch);
        for (int64_t c = 0; c < k; ++c) {
          SmallVector<Value> at(tuple);
          at.push_back(arith::ConstantIndexOp::create(nb, nl, c));
          Value v = tensor::ExtractOp::create(nb, nl, indicesValue, at);
          coords.push_back(
              normalizedIndex(nb, nl, v, dataShape[batch + c], isUnsigned));
        }
        for (int64_t a = batch + k; a < r; ++a)
          coords.push_back(
              linalg::IndexOp::create(nb, nl, q - 1 + a - batch - k));
        return tensor::ExtractOp::create(nb, nl, dataValue, coords);
      });
  return node.setResult(0, result);
}

//===----------------------------------------------------------------------===//
// ScatterElements and ScatterND
//===----------------------------------------------------------------------===//

enum class Reduction { None, Add, Mul, Max, Min };

FailureOr<Reduction> readReduction(NodeImporter &node) {
  std::string name = node.attrString("reduction", "none");
  if (name == "none")
    return Reduction::None;
  if (name == "add")
    return Reduction::Add;
  if (name == "mul")
    return Reduction::Mul;
  if (name == "max")
    return Reduction::Max;
  if (name == "min")
    return Reduction::Min;
  return node.emitError() << "reduction '" << name << "' is not supported";
}

/// Combines an existing element with an update (scalars in IR).
Value combine(OpBuilder &b, Location loc, Reduction reduction, Value old,
              Value update, bool isUnsigned) {
  bool isFloat = isa<FloatType>(old.getType());
  switch (reduction) {
  case Reduction::None:
    return update;
  case Reduction::Add:
    return isFloat ? arith::AddFOp::create(b, loc, old, update).getResult()
                   : arith::AddIOp::create(b, loc, old, update).getResult();
  case Reduction::Mul:
    return isFloat ? arith::MulFOp::create(b, loc, old, update).getResult()
                   : arith::MulIOp::create(b, loc, old, update).getResult();
  case Reduction::Max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, old, update);
    return isUnsigned ? arith::MaxUIOp::create(b, loc, old, update).getResult()
                      : arith::MaxSIOp::create(b, loc, old, update).getResult();
  case Reduction::Min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, old, update);
    return isUnsigned ? arith::MinUIOp::create(b, loc, old, update).getResult()
                      : arith::MinSIOp::create(b, loc, old, update).getResult();
  }
  return update;
}

/// Combines attributes (constant folding).
Attribute combineAttr(Reduction reduction, Attribute old, Attribute update,
                      bool isUnsigned) {
  if (reduction == Reduction::None)
    return update;
  if (auto f = dyn_cast<FloatAttr>(old)) {
    APFloat a = f.getValue(), u = cast<FloatAttr>(update).getValue();
    switch (reduction) {
    case Reduction::Add: a.add(u, APFloat::rmNearestTiesToEven); break;
    case Reduction::Mul: a.multiply(u, APFloat::rmNearestTiesToEven); break;
    case Reduction::Max: a = llvm::maximum(a, u); break;
    case Reduction::Min: a = llvm::minimum(a, u); break;
    case Reduction::None: break;
    }
    return FloatAttr::get(f.getType(), a);
  }
  auto i = cast<IntegerAttr>(old);
  APInt a = i.getValue(), u = cast<IntegerAttr>(update).getValue();
  switch (reduction) {
  case Reduction::Add: a += u; break;
  case Reduction::Mul: a *= u; break;
  case Reduction::Max:
    a = isUnsigned ? llvm::APIntOps::umax(a, u) : llvm::APIntOps::smax(a, u);
    break;
  case Reduction::Min:
    a = isUnsigned ? llvm::APIntOps::umin(a, u) : llvm::APIntOps::smin(a, u);
    break;
  case Reduction::None: break;
  }
  return IntegerAttr::get(i.getType(), a);
}

/// An index scalar wrapped when negative, compared with a loop position.
Value indexMatches(OpBuilder &b, Location loc, Value index, int64_t size,
                   Value position, bool isUnsigned) {
  Type i64 = b.getI64Type();
  index = castScalar(b, loc, index, i64, isUnsigned, false);
  if (!isUnsigned) {
    Value zero = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
    Value negative =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
    Value wrapped = arith::AddIOp::create(
        b, loc, index, arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(size)));
    index = arith::SelectOp::create(b, loc, negative, wrapped, index);
  }
  Value at = arith::IndexCastOp::create(b, loc, i64, position);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, index, at);
}

LogicalResult importScatterElements(NodeImporter &node) {
  if (failed(requireInputs(node, 3)) || failed(requireIntegerIndices(node, 1)))
    return failure();
  auto dataType = node.inputType(0);
  auto indicesType = node.inputType(1);
  int64_t rank = dataType.getRank();
  auto reduction = readReduction(node);
  auto axis = normalizeAxis(node, node.attrInt("axis", 0), rank);
  if (failed(reduction) || failed(axis))
    return failure();
  if (node.inputType(2).getShape() != indicesType.getShape() ||
      node.inputType(2).getElementType() != dataType.getElementType())
    return node.fail("updates must have the shape of indices and the type of "
                     "data");
  bool fits = indicesType.getRank() == rank;
  for (int64_t a = 0; fits && a < rank; ++a)
    fits = a == *axis || indicesType.getDimSize(a) <= dataType.getDimSize(a);
  if (!fits)
    return node.emitError() << "indices of shape "
                            << formatShape(indicesType.getShape())
                            << " do not fit data of shape "
                            << formatShape(dataType.getShape());
  if (bindIfEmpty(node, 0, dataType))
    return success();
  if (indicesType.getNumElements() == 0)
    return node.forwardInput(0, 0);
  int64_t size = dataType.getDimSize(*axis);
  bool indicesUnsigned = node.inputIsUnsigned(1);
  bool dataUnsigned = node.inputIsUnsigned(0);

  DenseElementsAttr data = foldableInput(node, 0, dataType, false);
  DenseElementsAttr indices = smallConstant(node, 1);
  DenseElementsAttr updates = smallConstant(node, 2);
  if (data && indices && updates) {
    auto positions = checkedIndices(node, indices, indicesUnsigned, size, *axis);
    if (failed(positions))
      return failure();
    SmallVector<Attribute> result = elementsOf(data);
    SmallVector<Attribute> values = elementsOf(updates);
    SmallVector<int64_t> strides = rowMajorStrides(dataType.getShape());
    size_t flat = 0;
    forEachIndex(indicesType.getShape(), [&](ArrayRef<int64_t> index) {
      int64_t target = 0;
      for (int64_t a = 0; a < rank; ++a)
        target += (a == *axis ? (*positions)[flat] : index[a]) * strides[a];
      result[target] =
          combineAttr(*reduction, result[target], values[flat], dataUnsigned);
      ++flat;
    });
    return node.setConstantResult(0, DenseElementsAttr::get(dataType, result));
  }

  // Each result element looks at the updates of its line along the axis, in
  // order (so the last of duplicate indices wins). Indices and updates are
  // padded to the data's shape outside the axis, with an index that matches
  // nothing.
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value indicesValue = node.input(1), updatesValue = node.input(2);
  int64_t count = indicesType.getDimSize(*axis);
  SmallVector<int64_t> padded(dataType.getShape());
  padded[*axis] = count;
  if (indicesType.getShape() != ArrayRef<int64_t>(padded)) {
    SmallVector<int64_t> padding;
    for (int64_t a = 0; a < rank; ++a) {
      padding.push_back(0);
      padding.push_back(padded[a] - indicesType.getDimSize(a));
    }
    auto pad = [&](Value v, Attribute fill) -> Value {
      auto type = cast<RankedTensorType>(v.getType());
      Value fillValue = createConstant(
          b, loc,
          DenseElementsAttr::get(
              RankedTensorType::get({1}, type.getElementType()), fill));
      return tosa::PadOp::create(
          b, loc, RankedTensorType::get(padded, type.getElementType()), v,
          createTosaShape(b, loc, padding), fillValue);
    };
    Type indexElement = indicesType.getElementType();
    indicesValue = pad(indicesValue, b.getIntegerAttr(indexElement, size));
    Type dataElement = dataType.getElementType();
    updatesValue = pad(updatesValue, isa<FloatType>(dataElement)
                                         ? Attribute(b.getFloatAttr(dataElement, 0))
                                         : Attribute(b.getIntegerAttr(dataElement, 0)));
  }
  MLIRContext *ctx = node.context();
  SmallVector<AffineExpr> lineExprs;
  for (int64_t a = 0; a < rank; ++a)
    lineExprs.push_back(getAffineDimExpr(a == *axis ? rank : a, ctx));
  AffineMap line = AffineMap::get(rank + 1, 0, lineExprs, ctx);
  SmallVector<AffineMap> maps = {
      line, line,
      AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, dataType, ValueRange{indicesValue, updatesValue},
      ValueRange{node.input(0)}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value position = linalg::IndexOp::create(nb, nl, *axis);
        Value match =
            indexMatches(nb, nl, args[0], size, position, indicesUnsigned);
        Value combined =
            combine(nb, nl, *reduction, args[2], args[1], dataUnsigned);
        Value result = arith::SelectOp::create(nb, nl, match, combined, args[2]);
        linalg::YieldOp::create(nb, nl, result);
      });
  return node.setResult(0, generic.getResult(0));
}

LogicalResult importScatterND(NodeImporter &node) {
  if (failed(requireInputs(node, 3)) || failed(requireIntegerIndices(node, 1)))
    return failure();
  auto dataType = node.inputType(0);
  auto indicesType = node.inputType(1);
  auto updatesType = node.inputType(2);
  auto reduction = readReduction(node);
  if (failed(reduction))
    return failure();
  int64_t r = dataType.getRank(), q = indicesType.getRank();
  if (q < 1)
    return node.fail("indices must have rank >= 1");
  int64_t k = indicesType.getShape().back();
  if (k > r)
    return node.emitError() << "the last dimension of indices (" << k
                            << ") exceeds the data rank " << r;
  SmallVector<int64_t> expected(indicesType.getShape().drop_back());
  llvm::append_range(expected, dataType.getShape().drop_front(k));
  if (updatesType.getShape() != ArrayRef<int64_t>(expected) ||
      updatesType.getElementType() != dataType.getElementType())
    return node.emitError() << "updates must have shape " << formatShape(expected)
                            << " and the type of data";
  if (bindIfEmpty(node, 0, dataType))
    return success();
  if (updatesType.getNumElements() == 0)
    return node.forwardInput(0, 0);
  ArrayRef<int64_t> dataShape = dataType.getShape();
  bool indicesUnsigned = node.inputIsUnsigned(1);
  bool dataUnsigned = node.inputIsUnsigned(0);
  int64_t tuples = numElements(indicesType.getShape().drop_back());
  int64_t slice = numElements(dataShape.drop_front(k));

  DenseElementsAttr data = foldableInput(node, 0, dataType, false);
  DenseElementsAttr indices = smallConstant(node, 1);
  DenseElementsAttr updates = smallConstant(node, 2);
  if (data && indices && updates) {
    SmallVector<int64_t> values = intsOf(indices, indicesUnsigned);
    SmallVector<Attribute> result = elementsOf(data);
    SmallVector<Attribute> updateValues = elementsOf(updates);
    SmallVector<int64_t> strides = rowMajorStrides(dataShape);
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t base = 0;
      for (int64_t c = 0; c < k; ++c) {
        int64_t v = values[t * k + c], size = dataShape[c];
        if (v < -size || v >= size)
          return node.emitError() << "index " << v << " is out of range for axis "
                                  << c << " of size " << size;
        base += (v < 0 ? v + size : v) * strides[c];
      }
      for (int64_t e = 0; e < slice; ++e)
        result[base + e] = combineAttr(*reduction, result[base + e],
                                       updateValues[t * slice + e], dataUnsigned);
    }
    return node.setConstantResult(0, DenseElementsAttr::get(dataType, result));
  }

  // Loops: the data's axes, then the update tuples (reductions, in order).
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  MLIRContext *ctx = node.context();
  int64_t m = q - 1;
  int64_t loops = r + m;
  SmallVector<AffineExpr> updateExprs;
  for (int64_t a = 0; a < m; ++a)
    updateExprs.push_back(getAffineDimExpr(r + a, ctx));
  for (int64_t a = k; a < r; ++a)
    updateExprs.push_back(getAffineDimExpr(a, ctx));
  SmallVector<AffineMap> maps = {
      AffineMap::get(loops, 0, updateExprs, ctx),
      AffineMap::getMultiDimIdentityMap(loops, ctx).getMajorSubMap(r)};
  SmallVector<utils::IteratorType> iterators(r, utils::IteratorType::parallel);
  iterators.append(m, utils::IteratorType::reduction);
  Value indicesValue = node.input(1);
  auto generic = linalg::GenericOp::create(
      b, loc, dataType, ValueRange{node.input(2)}, ValueRange{node.input(0)},
      maps, iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        SmallVector<Value> tuple;
        for (int64_t a = 0; a < m; ++a)
          tuple.push_back(linalg::IndexOp::create(nb, nl, r + a));
        Value match;
        for (int64_t c = 0; c < k; ++c) {
          SmallVector<Value> at(tuple);
          at.push_back(arith::ConstantIndexOp::create(nb, nl, c));
          Value v = tensor::ExtractOp::create(nb, nl, indicesValue, at);
          Value position = linalg::IndexOp::create(nb, nl, c);
          Value same = indexMatches(nb, nl, v, dataShape[c], position,
                                    indicesUnsigned);
          match = match ? arith::AndIOp::create(nb, nl, match, same).getResult()
                        : same;
        }
        Value combined =
            combine(nb, nl, *reduction, args[1], args[0], dataUnsigned);
        Value result =
            match ? arith::SelectOp::create(nb, nl, match, combined, args[1])
                        .getResult()
                  : combined;
        linalg::YieldOp::create(nb, nl, result);
      });
  return node.setResult(0, generic.getResult(0));
}

//===----------------------------------------------------------------------===//
// NonZero and Compress
//===----------------------------------------------------------------------===//

LogicalResult importNonZero(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  DenseElementsAttr data = smallConstant(node, 0);
  if (!data)
    return node.emitError() << "the output shape of NonZero depends on the "
                               "input values, which must be known at import "
                               "time (at most "
                            << kMaxDenseIntElements << " of them)";
  auto type = node.inputType(0);
  SmallVector<SmallVector<int64_t>> coords(type.getRank());
  SmallVector<Attribute> elements = elementsOf(data);
  int64_t count = 0;
  size_t flat = 0;
  forEachIndex(type.getShape(), [&](ArrayRef<int64_t> index) {
    Attribute e = elements[flat++];
    bool nonZero = isa<FloatAttr>(e) ? !cast<FloatAttr>(e).getValue().isZero()
                                     : !cast<IntegerAttr>(e).getValue().isZero();
    if (!nonZero)
      return;
    ++count;
    for (auto [a, i] : llvm::enumerate(index))
      coords[a].push_back(i);
  });
  SmallVector<int64_t> values;
  for (const auto &axis : coords)
    llvm::append_range(values, axis);
  auto resultType = RankedTensorType::get({type.getRank(), count},
                                          node.builder().getI64Type());
  if (!isFoldableType(resultType))
    return node.fail("the output of NonZero is too large to compute at import "
                     "time");
  return node.setConstantResult(
      0, intTensor(resultType.getElementType(), resultType.getShape(), values),
      onnx::TensorProto::INT64);
}

LogicalResult importCompress(NodeImporter &node) {
  if (failed(requireInputs(node, 2)))
    return failure();
  DenseElementsAttr condition = smallConstant(node, 1);
  if (!condition)
    return node.emitError() << "the output shape of Compress depends on the "
                               "condition, which must be known at import time "
                               "(at most "
                            << kMaxDenseIntElements << " entries)";
  if (node.inputType(1).getRank() != 1 ||
      !node.inputType(1).getElementType().isInteger())
    return node.fail("the condition must be a 1-D bool tensor");
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  auto type = node.inputType(0);
  SmallVector<int64_t> dataShape(type.getShape());
  Value data;
  int64_t axis = 0;
  if (node.hasAttr("axis")) {
    auto normalized = normalizeAxis(node, node.attrInt("axis", 0), type.getRank());
    if (failed(normalized))
      return failure();
    axis = *normalized;
  } else {
    dataShape = {type.getNumElements()};
  }
  int64_t dim = dataShape[axis];
  if (condition.getNumElements() > dim)
    return node.emitError() << "the condition has " << condition.getNumElements()
                            << " entries for an axis of size " << dim;
  SmallVector<int64_t> positions;
  for (auto [i, v] : llvm::enumerate(condition.getValues<APInt>()))
    if (!v.isZero())
      positions.push_back(i);
  SmallVector<int64_t> shape(dataShape);
  shape[axis] = positions.size();
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  if (bindIfEmpty(node, 0, resultType))
    return success();
  if (DenseElementsAttr constant = foldableInput(node, 0, resultType))
    return node.setConstantResult(
        0, foldTake(constant, dataShape, axis, positions, resultType));
  data = reshapeTo(b, loc, node.input(0), dataShape);
  return node.setResult(0, gatherAxisConstant(b, loc, data, axis, positions));
}

} // namespace

void lowbit::onnx_import::registerIndexingOps(std::vector<OpHandler> &table) {
  table.push_back({"", "Gather", 1, importGather});
  table.push_back({"", "GatherElements", 11, importGatherElements});
  for (int version : {11, 12})
    table.push_back({"", "GatherND", version, importGatherND});
  table.push_back({"", "Scatter", 9, importScatterElements,
                   "deprecated alias of ScatterElements"});
  for (int version : {11, 16, 18})
    table.push_back({"", "ScatterElements", version, importScatterElements});
  for (int version : {11, 16, 18})
    table.push_back({"", "ScatterND", version, importScatterND});
  table.push_back({"", "NonZero", 9, importNonZero,
                   "only when the input is known at import time"});
  table.push_back({"", "Compress", 9, importCompress,
                   "condition known at import time"});
}
