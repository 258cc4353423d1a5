//===- PadOps.cpp - ONNX Pad ----------------------------------------------===//
//
// Constant mode becomes tosa.pad (negative pads crop first, with
// tosa.slice). reflect, edge and wrap follow numpy.pad, which ONNX's
// reference uses: every output position reads one input position per axis,
// and those positions become slices, reversals and tiles.
//
//===----------------------------------------------------------------------===//

#include "DataMovement.h"
#include "ShapeFamily.h"
#include "ShapeFolding.h"

#include "../IRBuilders.h"
#include "../TensorConversion.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

enum class PadMode { Constant, Reflect, Edge, Wrap };

/// reflect, edge and wrap compute one input position per output position of
/// a padded axis at import time; this bounds that list.
constexpr int64_t kMaxPaddedAxis = int64_t(1) << 24;

/// The input position that output position `j` of an axis of `size`
/// elements reads, with `before` elements padded in front; -1 for the pad
/// value.
int64_t sourcePosition(PadMode mode, int64_t j, int64_t before, int64_t size) {
  int64_t p = j - before;
  switch (mode) {
  case PadMode::Constant:
    return p >= 0 && p < size ? p : -1;
  case PadMode::Edge:
    return std::clamp<int64_t>(p, 0, size - 1);
  case PadMode::Wrap:
    return ((p % size) + size) % size;
  case PadMode::Reflect: {
    if (size == 1)
      return 0;
    int64_t period = 2 * (size - 1);
    int64_t m = ((p % period) + period) % period;
    return m < size ? m : period - m;
  }
  }
  return -1;
}

/// The constant pad value as an element of `elementType`, from the float
/// 'value' attribute of opsets before 11 (numpy casts it to the data type).
Attribute padAttributeValue(Builder &b, Type elementType, double value) {
  if (isa<FloatType>(elementType))
    return b.getFloatAttr(elementType, value);
  if (elementType.isInteger(1))
    return b.getIntegerAttr(elementType, value != 0.0);
  return b.getIntegerAttr(elementType, static_cast<int64_t>(value));
}

LogicalResult importPad(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  auto type = node.inputType(0);
  int64_t rank = type.getRank();
  Type elementType = type.getElementType();
  OpBuilder &b = node.builder();
  Location loc = node.loc();

  std::string modeName = node.attrString("mode", "constant");
  PadMode mode;
  if (modeName == "constant")
    mode = PadMode::Constant;
  else if (modeName == "reflect")
    mode = PadMode::Reflect;
  else if (modeName == "edge")
    mode = PadMode::Edge;
  else if (modeName == "wrap")
    mode = PadMode::Wrap;
  else
    return node.emitError() << "mode '" << modeName << "' is not supported";

  // Pads, the pad value (a constant element, or a run-time scalar) and axes.
  SmallVector<int64_t> pads;
  Attribute padConstant;
  Value padValue;
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (node.opset() < 11) {
    const char *name = node.opset() < 2 ? "paddings" : "pads";
    if (!node.hasAttr(name))
      return node.emitError() << "attribute '" << name << "' is missing";
    pads = node.attrInts(name);
    padConstant = padAttributeValue(b, elementType, node.attrFloat("value", 0));
  } else {
    auto given = node.constantInts(1, "pads");
    if (failed(given))
      return failure();
    pads = std::move(*given);
    if (!node.hasInput(2)) {
      padConstant = padAttributeValue(b, elementType, 0.0);
    } else {
      auto valueType = node.inputType(2);
      if (valueType.getNumElements() != 1 ||
          valueType.getElementType() != elementType)
        return node.emitError() << "constant_value must be one element of the "
                                   "data's type, not "
                                << valueType;
      if (DenseElementsAttr c = node.constantInputDense(2))
        padConstant = *c.value_begin<Attribute>();
      else
        padValue = reshapeTo(b, loc, node.input(2), {1});
    }
    if (node.opset() >= 18 && node.hasInput(3)) {
      auto given = node.constantInts(3, "axes");
      if (failed(given))
        return failure();
      axes.clear();
      llvm::SmallSet<int64_t, 8> seen;
      for (int64_t axis : *given) {
        auto normalized = normalizeAxis(node, axis, rank);
        if (failed(normalized))
          return failure();
        if (!seen.insert(*normalized).second)
          return node.emitError() << "axis " << axis << " is listed twice";
        axes.push_back(*normalized);
      }
    }
  }
  if (pads.size() != 2 * axes.size())
    return node.emitError() << "pads has " << pads.size() << " entries for "
                            << axes.size() << " axes (it needs two per axis)";

  SmallVector<int64_t> before(rank, 0), after(rank, 0), shape;
  for (auto [i, axis] : llvm::enumerate(axes)) {
    before[axis] = pads[i];
    after[axis] = pads[i + axes.size()];
  }
  for (int64_t a = 0; a < rank; ++a) {
    int64_t d = type.getDimSize(a);
    if (std::abs(before[a]) > kMaxElements || std::abs(after[a]) > kMaxElements)
      return node.emitError() << "pad " << before[a] << ", " << after[a]
                              << " on axis " << a << " is too large";
    if (mode != PadMode::Constant) {
      if (before[a] < 0 || after[a] < 0)
        return node.emitError() << "negative pads are only supported in "
                                   "constant mode";
      if (d == 0 && before[a] + after[a] > 0)
        return node.emitError() << "cannot pad empty axis " << a << " in "
                                << modeName << " mode";
    }
    shape.push_back(d + before[a] + after[a]);
  }
  if (failed(checkResultShape(node, shape)))
    return failure();
  auto resultType = RankedTensorType::get(shape, elementType);
  if (bindIfEmpty(node, 0, resultType))
    return success();

  // Import-time result: every output element reads one input element or
  // the pad value.
  DenseElementsAttr data = node.constantInputDense(0);
  if (data && isFoldableType(resultType) &&
      (padConstant || mode != PadMode::Constant)) {
    SmallVector<Attribute> elements = elementsOf(data);
    SmallVector<int64_t> strides = rowMajorStrides(type.getShape());
    SmallVector<Attribute> result;
    forEachIndex(shape, [&](ArrayRef<int64_t> index) {
      int64_t flat = 0;
      for (int64_t a = 0; a < rank && flat >= 0; ++a) {
        int64_t p =
            sourcePosition(mode, index[a], before[a], type.getDimSize(a));
        flat = p < 0 ? -1 : flat + p * strides[a];
      }
      result.push_back(flat < 0 ? padConstant : elements[flat]);
    });
    return node.setConstantResult(0,
                                  DenseElementsAttr::get(resultType, result));
  }

  Value value = node.input(0);
  if (mode != PadMode::Constant) {
    for (int64_t a = 0; a < rank; ++a) {
      if (before[a] == 0 && after[a] == 0)
        continue;
      if (shape[a] > kMaxPaddedAxis)
        return node.emitError()
               << "axis " << a << " would have " << shape[a] << " elements; "
               << modeName << " mode supports at most " << kMaxPaddedAxis;
      SmallVector<int64_t> positions;
      for (int64_t j = 0; j < shape[a]; ++j)
        positions.push_back(
            sourcePosition(mode, j, before[a], type.getDimSize(a)));
      value = gatherAxisConstant(b, loc, value, a, positions);
    }
    return node.setResult(0, value);
  }

  // Constant mode: crop the negative pads, then pad the positive ones.
  SmallVector<int64_t> offsets, sizes, low, high;
  for (int64_t a = 0; a < rank; ++a) {
    int64_t cropFront = std::max<int64_t>(0, -before[a]);
    int64_t cropBack = std::max<int64_t>(0, -after[a]);
    offsets.push_back(cropFront);
    sizes.push_back(
        std::max<int64_t>(0, type.getDimSize(a) - cropFront - cropBack));
    low.push_back(std::max<int64_t>(0, before[a]));
    high.push_back(std::max<int64_t>(0, after[a]));
  }
  if (numElements(sizes) == 0) {
    // Nothing of the input is left: the result is all pad value.
    if (padConstant)
      return node.setConstantResult(
          0, DenseElementsAttr::get(resultType, padConstant));
    SmallVector<int64_t> ones(rank, 1);
    return node.setResult(
        0, broadcastTo(b, loc, reshapeTo(b, loc, padValue, ones), shape));
  }
  value = sliceTensor(b, loc, value, offsets, sizes);
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return node.setResult(0, value);
  if (padConstant)
    padValue = createConstant(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({1}, elementType),
                               padConstant));
  SmallVector<int64_t> padding;
  for (int64_t a = 0; a < rank; ++a) {
    padding.push_back(low[a]);
    padding.push_back(high[a]);
  }
  return node.setResult(0, tosa::PadOp::create(b, loc, resultType, value,
                                               createTosaShape(b, loc, padding),
                                               padValue)
                               .getResult());
}

} // namespace

void lowbit::onnx_import::registerPadOps(std::vector<OpHandler> &table) {
  for (int version : {1, 2, 11, 18, 19})
    table.push_back({"", "Pad", version, importPad,
                     "pads and axes known at import time; reflect/edge/wrap "
                     "need non-negative pads"});
}
