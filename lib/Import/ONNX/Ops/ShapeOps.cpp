//===- ShapeOps.cpp - Shape, Size, Reshape and their relatives ------------===//
//
// Shapes are static in lowbit, so Shape and Size are always constants, and
// the ops that reinterpret a shape (Reshape, Flatten, Squeeze, Unsqueeze) or
// broadcast to one (Expand) need their shape operand at import time: they
// become tosa.reshape / tosa.tile, or constants when their data is known.
//
//===----------------------------------------------------------------------===//

#include "DataMovement.h"
#include "ShapeFamily.h"
#include "ShapeFolding.h"

#include "../ConstantTransforms.h"
#include "../IRBuilders.h"
#include "../TensorConversion.h"

#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace lowbit::onnx_import;

LogicalResult lowbit::onnx_import::requireInputs(NodeImporter &node,
                                                 int count) {
  for (int i = 0; i < count; ++i)
    if (!node.hasInput(i))
      return node.emitError() << "input " << i << " is missing";
  return success();
}

LogicalResult lowbit::onnx_import::requireIntegerIndices(NodeImporter &node,
                                                         int i) {
  Type element = node.inputType(i).getElementType();
  if (!element.isInteger() || element.isInteger(1))
    return node.emitError() << "input " << i << " (indices) must hold integers";
  return success();
}

LogicalResult lowbit::onnx_import::checkResultShape(NodeImporter &node,
                                                    ArrayRef<int64_t> shape,
                                                    StringRef what) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return node.emitError()
             << what.str() << " would have a negative dimension " << d;
    if (d != 0 && count > kMaxElements / d)
      return node.emitError() << what.str()
                              << " would have more than 2^40 elements (shape "
                              << formatShape(shape) << ")";
    count *= d;
  }
  return success();
}

namespace {

/// Binds output 0 to input 0 with a new shape of the same element count:
/// a reshaped constant when the data is known (weights included, so that
/// later ops still see them as constants), else tosa.reshape.
LogicalResult bindReshaped(NodeImporter &node, ArrayRef<int64_t> shape) {
  auto type = node.inputType(0);
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  if (bindIfEmpty(node, 0, resultType))
    return success();
  if (ElementsAttr constant = node.constantInput(0)) {
    if (auto dense = dyn_cast<DenseElementsAttr>(constant))
      return node.setConstantResult(0, dense.reshape(resultType));
    return node.setConstantResult(
        0, reshapeConstant(constant, shape, node.node().output(0)));
  }
  return node.setResult(
      0, reshapeTo(node.builder(), node.loc(), node.input(0), shape));
}

LogicalResult importShape(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  ArrayRef<int64_t> shape = node.inputType(0).getShape();
  int64_t rank = shape.size();
  int64_t start = 0, end = rank;
  if (node.opset() >= 15) {
    auto clampAxis = [rank](int64_t axis) {
      if (axis < 0)
        axis += rank;
      return std::clamp<int64_t>(axis, 0, rank);
    };
    start = clampAxis(node.attrInt("start", 0));
    if (node.hasAttr("end"))
      end = clampAxis(node.attrInt("end", rank));
  }
  ArrayRef<int64_t> dims =
      start < end ? shape.slice(start, end - start) : ArrayRef<int64_t>();
  return node.setConstantResult(0, int64Vector(node.context(), dims),
                                onnx::TensorProto::INT64);
}

LogicalResult importSize(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  int64_t count = node.inputType(0).getNumElements();
  return node.setConstantResult(
      0, intTensor(node.builder().getI64Type(), {}, {count}),
      onnx::TensorProto::INT64);
}

/// The result shape of Reshape: 0 copies the input dimension (unless
/// allowzero), one -1 takes the remaining elements.
FailureOr<SmallVector<int64_t>> resolveReshape(NodeImporter &node,
                                               ArrayRef<int64_t> input,
                                               ArrayRef<int64_t> requested,
                                               bool allowZero) {
  SmallVector<int64_t> shape;
  int64_t inferredAxis = -1;
  int64_t known = 1;
  int64_t total = numElements(input);
  auto cannotReshape = [&]() {
    return node.emitError()
           << "cannot reshape " << formatShape(input) << " (" << total
           << " elements) into " << formatShape(requested);
  };
  for (auto [axis, entry] : llvm::enumerate(requested)) {
    int64_t d = entry;
    if (d == -1) {
      if (inferredAxis >= 0)
        return node.fail("the shape has more than one -1");
      inferredAxis = axis;
      shape.push_back(1);
      continue;
    }
    if (d < -1)
      return node.emitError() << "the shape has an invalid dimension " << d;
    if (d == 0 && !allowZero) {
      if (axis >= input.size())
        return node.emitError()
               << "shape entry 0 on axis " << axis
               << " copies an input dimension, but the input has rank "
               << input.size();
      d = input[axis];
    }
    if (d != 0 && known > kMaxElements / d)
      return cannotReshape();
    known *= d;
    shape.push_back(d);
  }
  if (inferredAxis >= 0) {
    if (known == 0)
      return node.emitError()
             << "cannot infer the -1 of " << formatShape(requested)
             << ": the other dimensions hold no elements";
    if (total % known != 0)
      return cannotReshape();
    shape[inferredAxis] = total / known;
  } else if (known != total) {
    return cannotReshape();
  }
  return shape;
}

LogicalResult importReshape(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  SmallVector<int64_t> requested;
  if (node.opset() < 5) {
    if (!node.hasAttr("shape"))
      return node.fail("attribute 'shape' is missing");
    requested = node.attrInts("shape");
  } else {
    auto shape = node.constantInts(1, "shape");
    if (failed(shape))
      return failure();
    requested = std::move(*shape);
  }
  bool allowZero = node.opset() >= 14 && node.attrInt("allowzero", 0) != 0;
  auto shape =
      resolveReshape(node, node.inputType(0).getShape(), requested, allowZero);
  if (failed(shape))
    return failure();
  return bindReshaped(node, *shape);
}

LogicalResult importFlatten(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  ArrayRef<int64_t> shape = node.inputType(0).getShape();
  int64_t rank = shape.size();
  int64_t axis = node.attrInt("axis", 1);
  if (axis < -rank || axis > rank)
    return node.emitError()
           << "axis " << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  return bindReshaped(node, {numElements(shape.take_front(axis)),
                             numElements(shape.drop_front(axis))});
}

/// Axes from the 'axes' attribute (before opset 13) or input 1 (from 13).
FailureOr<std::optional<SmallVector<int64_t>>> readAxes(NodeImporter &node) {
  if (node.opset() < 13) {
    if (!node.hasAttr("axes"))
      return std::optional<SmallVector<int64_t>>();
    return std::optional<SmallVector<int64_t>>(node.attrInts("axes"));
  }
  if (!node.hasInput(1))
    return std::optional<SmallVector<int64_t>>();
  auto axes = node.constantInts(1, "axes");
  if (failed(axes))
    return failure();
  return std::optional<SmallVector<int64_t>>(std::move(*axes));
}

/// Normalizes `axes` for `rank`, rejecting repeated axes.
FailureOr<SmallVector<int64_t>>
normalizeAxes(NodeImporter &node, ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t axis : axes) {
    auto normalized = normalizeAxis(node, axis, rank);
    if (failed(normalized))
      return failure();
    if (!seen.insert(*normalized).second)
      return node.emitError() << "axis " << axis << " is listed twice";
    result.push_back(*normalized);
  }
  return result;
}

LogicalResult importSqueeze(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  ArrayRef<int64_t> shape = node.inputType(0).getShape();
  auto axes = readAxes(node);
  if (failed(axes))
    return failure();
  SmallVector<int64_t> result;
  if (!*axes) {
    for (int64_t d : shape)
      if (d != 1)
        result.push_back(d);
    return bindReshaped(node, result);
  }
  auto normalized = normalizeAxes(node, **axes, shape.size());
  if (failed(normalized))
    return failure();
  for (int64_t axis : *normalized)
    if (shape[axis] != 1)
      return node.emitError()
             << "cannot squeeze axis " << axis << " of size " << shape[axis];
  for (auto [axis, d] : llvm::enumerate(shape))
    if (!llvm::is_contained(*normalized, static_cast<int64_t>(axis)))
      result.push_back(d);
  return bindReshaped(node, result);
}

LogicalResult importUnsqueeze(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  ArrayRef<int64_t> shape = node.inputType(0).getShape();
  auto axes = readAxes(node);
  if (failed(axes))
    return failure();
  if (!*axes)
    return node.fail(node.opset() < 13 ? "attribute 'axes' is missing"
                                       : "input 1 (axes) is missing");
  int64_t rank = shape.size() + (*axes)->size();
  auto normalized = normalizeAxes(node, **axes, rank);
  if (failed(normalized))
    return failure();
  SmallVector<int64_t> result;
  const int64_t *next = shape.begin();
  for (int64_t axis = 0; axis < rank; ++axis)
    result.push_back(llvm::is_contained(*normalized, axis) ? 1 : *next++);
  return bindReshaped(node, result);
}

LogicalResult importExpand(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  auto type = node.inputType(0);
  auto requested = node.constantInts(1, "shape");
  if (failed(requested))
    return failure();
  for (int64_t d : *requested)
    if (d < 0)
      return node.emitError() << "the shape has an invalid dimension " << d;
  auto shape = broadcastShapes(node, {type.getShape(), *requested});
  if (failed(shape) || failed(checkResultShape(node, *shape)))
    return failure();
  auto resultType = RankedTensorType::get(*shape, type.getElementType());
  if (bindIfEmpty(node, 0, resultType))
    return success();
  if (DenseElementsAttr data = foldableInput(node, 0, resultType)) {
    int64_t offset = shape->size() - type.getRank();
    SmallVector<int64_t> strides = rowMajorStrides(type.getShape());
    auto sources = [&] {
      return mapIndices(*shape, [&](ArrayRef<int64_t> index) {
        int64_t flat = 0;
        for (int64_t i = 0; i < type.getRank(); ++i)
          if (type.getDimSize(i) != 1)
            flat += index[offset + i] * strides[i];
        return flat;
      });
    };
    return node.setConstantResult(0, moveElements(data, resultType, sources));
  }
  return node.setResult(
      0, broadcastTo(node.builder(), node.loc(), node.input(0), *shape));
}

} // namespace

void lowbit::onnx_import::registerShapeOps(std::vector<OpHandler> &table) {
  // One row per schema version whose inputs or attributes differ.
  for (int version : {1, 15})
    table.push_back({"", "Shape", version, importShape, "always a constant"});
  table.push_back({"", "Size", 1, importSize, "always a constant"});
  for (int version : {1, 5, 14})
    table.push_back(
        {"", "Reshape", version, importReshape, "shape known at import time"});
  for (int version : {1, 11})
    table.push_back({"", "Flatten", version, importFlatten});
  for (int version : {1, 11, 13}) {
    table.push_back(
        {"", "Squeeze", version, importSqueeze, "axes known at import time"});
    table.push_back({"", "Unsqueeze", version, importUnsqueeze,
                     "axes known at import time"});
  }
  table.push_back(
      {"", "Expand", 8, importExpand, "shape known at import time"});
  registerLayoutOps(table);
  registerIndexingOps(table);
  registerGeneratorOps(table);
}
