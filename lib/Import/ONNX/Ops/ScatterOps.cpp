//===- ScatterOps.cpp - Scatter, ScatterElements, ScatterND ---------------===//
//
// Each result element looks at the updates aimed at it, in order, in a
// linalg.generic with the update positions as reduction loops: the last of
// duplicate indices wins, or the reduction combines them. Indices are only
// compared with positions, so out-of-range run-time indices are ignored
// and the generated code never writes out of bounds.
//
//===----------------------------------------------------------------------===//

#include "ShapeFamily.h"
#include "ShapeFolding.h"

#include "../IRBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

//===----------------------------------------------------------------------===//
// ScatterElements and ScatterND
//===----------------------------------------------------------------------===//

enum class Reduction { None, Add, Mul, Max, Min };

FailureOr<Reduction> readReduction(NodeImporter &node) {
  std::string name = node.attrString("reduction", "none");
  if (name == "none")
    return Reduction::None;
  if (node.hasInput(0) && node.inputType(0).getElementType().isInteger(1))
    return node.emitError() << "reduction '" << name
                            << "' is not supported for bool data";
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
    case Reduction::Add:
      a.add(u, APFloat::rmNearestTiesToEven);
      break;
    case Reduction::Mul:
      a.multiply(u, APFloat::rmNearestTiesToEven);
      break;
    case Reduction::Max:
      a = llvm::maximum(a, u);
      break;
    case Reduction::Min:
      a = llvm::minimum(a, u);
      break;
    case Reduction::None:
      break;
    }
    return FloatAttr::get(f.getType(), a);
  }
  auto i = cast<IntegerAttr>(old);
  APInt a = i.getValue(), u = cast<IntegerAttr>(update).getValue();
  switch (reduction) {
  case Reduction::Add:
    a += u;
    break;
  case Reduction::Mul:
    a *= u;
    break;
  case Reduction::Max:
    a = isUnsigned ? llvm::APIntOps::umax(a, u) : llvm::APIntOps::smax(a, u);
    break;
  case Reduction::Min:
    a = isUnsigned ? llvm::APIntOps::umin(a, u) : llvm::APIntOps::smin(a, u);
    break;
  case Reduction::None:
    break;
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
        b, loc, index,
        arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(size)));
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
    return node.emitError()
           << "indices of shape " << formatShape(indicesType.getShape())
           << " do not fit data of shape " << formatShape(dataType.getShape());
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
    auto positions =
        checkedIndices(node, indices, indicesUnsigned, size, *axis);
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
    updatesValue =
        pad(updatesValue, isa<FloatType>(dataElement)
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
        Value result =
            arith::SelectOp::create(nb, nl, match, combined, args[2]);
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
    return node.emitError() << "updates must have shape "
                            << formatShape(expected) << " and the type of data";
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
          return node.emitError()
                 << "index " << v << " is out of range for axis " << c
                 << " of size " << size;
        base += (v < 0 ? v + size : v) * strides[c];
      }
      for (int64_t e = 0; e < slice; ++e)
        result[base + e] =
            combineAttr(*reduction, result[base + e],
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
          Value same =
              indexMatches(nb, nl, v, dataShape[c], position, indicesUnsigned);
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

} // namespace

void lowbit::onnx_import::registerScatterOps(std::vector<OpHandler> &table) {
  const char *kIgnoredNote = "run-time indices out of range are ignored";
  table.push_back({"", "Scatter", 9, importScatterElements,
                   "deprecated alias of ScatterElements"});
  for (int version : {11, 16, 18}) {
    table.push_back(
        {"", "ScatterElements", version, importScatterElements, kIgnoredNote});
    table.push_back({"", "ScatterND", version, importScatterND, kIgnoredNote});
  }
}
