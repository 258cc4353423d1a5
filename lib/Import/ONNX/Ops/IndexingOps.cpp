//===- IndexingOps.cpp - Gather*, NonZero and Compress --------------------===//
//
// Indices known at import time are checked and become slices, tosa.gather
// or constants. Run-time indices become linalg.generic ops that read with
// tensor.extract; ONNX leaves out-of-range indices undefined, and the
// generated code clamps them so it never reads out of bounds. NonZero and
// Compress have data-dependent shapes: they need their input (condition)
// at import time.
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

/// Run-time indices into an empty axis cannot select anything.
LogicalResult checkAxisNotEmpty(NodeImporter &node, int64_t size,
                                int64_t axis) {
  if (size == 0)
    return node.emitError()
           << "cannot take elements from axis " << axis << ", which is empty";
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
  if (!indices &&
      failed(checkAxisNotEmpty(node, dataType.getDimSize(*axis), *axis)))
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
    return node.emitError()
           << "indices of shape " << formatShape(indicesType.getShape())
           << " do not fit data of shape " << formatShape(dataType.getShape());
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
          coords.push_back(
              a == *axis ? normalizedIndex(nb, nl, args[0], size, isUnsigned)
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
      return node.emitError()
             << "batch dimension " << a << " differs between data and indices";
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
      node.builder(), node.loc(), shape, dataType.getElementType(),
      ValueRange{}, [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
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
                            << kMaxDenseIntElements << " of them); "
                            << node.knownAtImportHint(0);
  auto type = node.inputType(0);
  SmallVector<SmallVector<int64_t>> coords(type.getRank());
  SmallVector<Attribute> elements = elementsOf(data);
  int64_t count = 0;
  size_t flat = 0;
  forEachIndex(type.getShape(), [&](ArrayRef<int64_t> index) {
    Attribute e = elements[flat++];
    bool nonZero = isa<FloatAttr>(e)
                       ? !cast<FloatAttr>(e).getValue().isZero()
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
                            << kMaxDenseIntElements << " entries); "
                            << node.knownAtImportHint(1);
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
    auto normalized =
        normalizeAxis(node, node.attrInt("axis", 0), type.getRank());
    if (failed(normalized))
      return failure();
    axis = *normalized;
  } else {
    dataShape = {type.getNumElements()};
  }
  int64_t dim = dataShape[axis];
  if (condition.getNumElements() > dim)
    return node.emitError()
           << "the condition has " << condition.getNumElements()
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
  const char *kClampedNote = "run-time indices out of range are clamped";
  for (int version : {1, 11})
    table.push_back({"", "Gather", version, importGather, kClampedNote});
  table.push_back(
      {"", "GatherElements", 11, importGatherElements, kClampedNote});
  for (int version : {11, 12})
    table.push_back({"", "GatherND", version, importGatherND, kClampedNote});
  registerScatterOps(table);
  table.push_back({"", "NonZero", 9, importNonZero,
                   "only when the input is known at import time"});
  for (int version : {9, 11})
    table.push_back({"", "Compress", version, importCompress,
                     "condition known at import time"});
}
