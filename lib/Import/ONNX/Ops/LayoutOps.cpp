//===- LayoutOps.cpp - Transpose, Concat, Split, Slice, Tile, *ToSpace ----===//
//
// Ops that move elements without computing: TOSA transpose/concat/slice/
// tile/reverse (strided slices use tensor.extract_slice), or constants when
// the data is known at import time.
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

namespace {

RankedTensorType resultTypeLike(NodeImporter &node, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, node.inputType(0).getElementType());
}

/// Binds output `i` to `source` permuted by `sources` when foldable, else
/// to the value `build` creates.
LogicalResult bindMoved(NodeImporter &node, int i, RankedTensorType resultType,
                        function_ref<SmallVector<int64_t>()> sources,
                        function_ref<Value()> build) {
  if (bindIfEmpty(node, i, resultType))
    return success();
  if (DenseElementsAttr data = foldableInput(node, 0, resultType))
    return node.setConstantResult(i, moveElements(data, resultType, sources));
  return node.setResult(i, build());
}

//===----------------------------------------------------------------------===//
// Transpose
//===----------------------------------------------------------------------===//

/// Transpose by `perms`: folds small constants, rewrites large 2-D constants
/// (weights) at import, else tosa.transpose.
LogicalResult bindTransposed(NodeImporter &node, ArrayRef<int64_t> perms) {
  auto type = node.inputType(0);
  SmallVector<int64_t> shape;
  for (int64_t p : perms)
    shape.push_back(type.getDimSize(p));
  auto resultType = resultTypeLike(node, shape);
  ElementsAttr constant = node.constantInput(0);
  if (constant && !isa<DenseElementsAttr>(constant) && perms.size() == 2 &&
      perms[0] == 1)
    return node.setConstantResult(0,
                                  transpose2D(constant, node.node().output(0)));
  return bindMoved(
      node, 0, resultType,
      [&] { return transposeIndexMap(type.getShape(), perms); },
      [&] {
        return transpose(node.builder(), node.loc(), node.input(0), perms);
      });
}

LogicalResult importTranspose(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  int64_t rank = node.inputType(0).getRank();
  SmallVector<int64_t> perms;
  if (node.hasAttr("perm")) {
    perms = node.attrInts("perm");
  } else {
    for (int64_t i = rank - 1; i >= 0; --i)
      perms.push_back(i);
  }
  SmallVector<bool> used(rank, false);
  bool valid = static_cast<int64_t>(perms.size()) == rank;
  for (int64_t p : perms) {
    valid = valid && p >= 0 && p < rank && !used[p];
    if (valid)
      used[p] = true;
  }
  if (!valid)
    return node.emitError()
           << "perm " << formatShape(perms) << " is not a permutation of the "
           << rank << " axes";
  if (llvm::equal(perms, llvm::seq<int64_t>(0, rank)))
    return node.forwardInput(0, 0);
  return bindTransposed(node, perms);
}

//===----------------------------------------------------------------------===//
// Concat
//===----------------------------------------------------------------------===//

LogicalResult importConcat(NodeImporter &node) {
  if (node.numInputs() == 0)
    return node.fail("Concat needs at least one input");
  if (node.opset() >= 4 && !node.hasAttr("axis"))
    return node.fail("attribute 'axis' is missing");
  if (failed(requireInputs(node, node.numInputs())))
    return failure();
  auto first = node.inputType(0);
  int64_t rank = first.getRank();
  auto axis = normalizeAxis(node, node.attrInt("axis", 1), rank);
  if (failed(axis))
    return failure();
  auto shape = llvm::to_vector(first.getShape());
  shape[*axis] = 0;
  for (int i = 0; i < node.numInputs(); ++i) {
    auto type = node.inputType(i);
    if (type.getElementType() != first.getElementType())
      return node.emitError()
             << "input " << i << " has element type " << type.getElementType()
             << ", input 0 has " << first.getElementType();
    bool compatible = type.getRank() == rank;
    for (int64_t d = 0; compatible && d < rank; ++d)
      compatible = d == *axis || type.getDimSize(d) == first.getDimSize(d);
    if (!compatible)
      return node.emitError()
             << "input " << i << " of shape " << formatShape(type.getShape())
             << " does not match input 0 of shape "
             << formatShape(first.getShape()) << " outside axis " << *axis;
    shape[*axis] += type.getDimSize(*axis);
  }
  auto resultType = resultTypeLike(node, shape);
  if (bindIfEmpty(node, 0, resultType))
    return success();

  SmallVector<DenseElementsAttr> constants;
  for (int i = 0; i < node.numInputs(); ++i)
    if (DenseElementsAttr c = node.constantInputDense(i))
      constants.push_back(c);
  if (constants.size() == static_cast<size_t>(node.numInputs()) &&
      isFoldableType(resultType)) {
    // Row-major: for each index before the axis, each input's slab in turn.
    int64_t outer = numElements(ArrayRef<int64_t>(shape).take_front(*axis));
    int64_t inner = numElements(ArrayRef<int64_t>(shape).drop_front(*axis + 1));
    SmallVector<SmallVector<Attribute>> elements;
    for (DenseElementsAttr c : constants)
      elements.push_back(elementsOf(c));
    SmallVector<Attribute> result;
    for (int64_t o = 0; o < outer; ++o)
      for (int i = 0; i < node.numInputs(); ++i) {
        int64_t slab = node.inputType(i).getDimSize(*axis) * inner;
        auto begin = elements[i].begin() + o * slab;
        result.append(begin, begin + slab);
      }
    return node.setConstantResult(0,
                                  DenseElementsAttr::get(resultType, result));
  }
  SmallVector<Value> pieces;
  for (int i = 0; i < node.numInputs(); ++i)
    pieces.push_back(node.input(i));
  return node.setResult(0,
                        concatAxis(node.builder(), node.loc(), pieces, *axis));
}

//===----------------------------------------------------------------------===//
// Slice and Split
//===----------------------------------------------------------------------===//

/// One axis of a slice: `count` elements from `start`, `step` apart.
struct AxisSlice {
  int64_t start = 0;
  int64_t count = 0;
  int64_t step = 1;
};

/// Binds output `i` to the slice of input 0 described per axis.
LogicalResult bindSlice(NodeImporter &node, int i, ArrayRef<AxisSlice> axes) {
  auto type = node.inputType(0);
  SmallVector<int64_t> shape;
  for (const AxisSlice &s : axes)
    shape.push_back(s.count);
  auto resultType = resultTypeLike(node, shape);
  auto sources = [&] {
    SmallVector<int64_t> strides = rowMajorStrides(type.getShape());
    return mapIndices(shape, [&](ArrayRef<int64_t> index) {
      int64_t flat = 0;
      for (auto [a, s] : llvm::enumerate(axes))
        flat += (s.start + index[a] * s.step) * strides[a];
      return flat;
    });
  };
  auto build = [&]() -> Value {
    OpBuilder &b = node.builder();
    SmallVector<int64_t> offsets, sizes, strides;
    for (const AxisSlice &s : axes) {
      // A negative step reads [lowest, start] forwards, then reverses.
      int64_t lowest = s.step > 0 ? s.start : s.start + (s.count - 1) * s.step;
      offsets.push_back(lowest);
      sizes.push_back(s.count);
      strides.push_back(std::abs(s.step));
    }
    Value result =
        stridedSlice(b, node.loc(), node.input(0), offsets, sizes, strides);
    for (auto [a, s] : llvm::enumerate(axes))
      if (s.step < 0)
        result = reverseAxis(b, node.loc(), result, a);
    return result;
  };
  return bindMoved(node, i, resultType, sources, build);
}

/// ONNX Slice's clamping of start and end for one axis of size `dim`.
AxisSlice resolveSlice(int64_t start, int64_t end, int64_t step, int64_t dim) {
  // Steps longer than the axis take at most one element; bounding them
  // keeps the arithmetic below from overflowing.
  step = std::clamp<int64_t>(step, -(dim + 1), dim + 1);
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
  }
  AxisSlice slice;
  slice.start = start;
  slice.step = step;
  int64_t span = end - start;
  if (step > 0)
    slice.count = span <= 0 ? 0 : (span + step - 1) / step;
  else
    slice.count = span >= 0 ? 0 : (-span + (-step) - 1) / (-step);
  if (slice.count == 0)
    slice.start = 0;
  return slice;
}

LogicalResult importSlice(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  auto type = node.inputType(0);
  int64_t rank = type.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  bool hasAxes = false, hasSteps = false;
  if (node.opset() < 10) {
    starts = node.attrInts("starts");
    ends = node.attrInts("ends");
    if (!node.hasAttr("starts") || !node.hasAttr("ends"))
      return node.fail("attributes 'starts' and 'ends' are required");
    hasAxes = node.hasAttr("axes");
    axes = node.attrInts("axes");
  } else {
    auto s = node.constantInts(1, "starts");
    if (failed(s))
      return failure();
    auto e = node.constantInts(2, "ends");
    if (failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if ((hasAxes = node.hasInput(3))) {
      auto a = node.constantInts(3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if ((hasSteps = node.hasInput(4))) {
      auto st = node.constantInts(4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (starts.size() != ends.size())
    return node.emitError() << "starts has " << starts.size()
                            << " entries and ends " << ends.size();
  if (!hasAxes)
    axes = llvm::to_vector(llvm::seq<int64_t>(0, starts.size()));
  if (!hasSteps)
    steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size())
    return node.emitError() << "starts, ends, axes and steps must have the "
                               "same length";
  SmallVector<AxisSlice> slices;
  for (int64_t d : type.getShape())
    slices.push_back({0, d, 1});
  llvm::SmallSet<int64_t, 8> seen;
  for (size_t i = 0; i < starts.size(); ++i) {
    auto axis = normalizeAxis(node, axes[i], rank);
    if (failed(axis))
      return failure();
    if (!seen.insert(*axis).second)
      return node.emitError() << "axis " << axes[i] << " is listed twice";
    if (steps[i] == 0)
      return node.fail("a step is 0");
    slices[*axis] =
        resolveSlice(starts[i], ends[i], steps[i], type.getDimSize(*axis));
  }
  return bindSlice(node, 0, slices);
}

/// The split sizes: from the 'split' input or attribute, else equal parts
/// (from opset 18 the last part may be smaller).
FailureOr<SmallVector<int64_t>> resolveSplit(NodeImporter &node, int64_t dim) {
  // Opset 1 took the sizes from an input or the attribute, 2 to 12 from the
  // attribute, 13 on from an input.
  if ((node.opset() >= 13 || node.opset() == 1) && node.hasInput(1))
    return node.constantInts(1, "split");
  if (node.opset() < 13 && node.hasAttr("split"))
    return node.attrInts("split");
  int64_t parts = node.numOutputs();
  if (node.opset() >= 18 && node.hasAttr("num_outputs")) {
    parts = node.attrInt("num_outputs", parts);
    if (parts != node.numOutputs())
      return node.emitError()
             << "num_outputs is " << parts << " but the node has "
             << node.numOutputs() << " outputs";
  }
  if (parts <= 0)
    return node.fail("Split has no outputs");
  if (dim % parts == 0)
    return SmallVector<int64_t>(parts, dim / parts);
  int64_t chunk = dim / parts + 1;
  if (node.opset() < 18 || chunk * (parts - 1) > dim)
    return node.emitError()
           << "cannot split " << dim << " elements into " << parts << " parts";
  SmallVector<int64_t> sizes(parts, chunk);
  sizes.back() = dim - chunk * (parts - 1);
  return sizes;
}

LogicalResult importSplit(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  auto type = node.inputType(0);
  auto axis = normalizeAxis(node, node.attrInt("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  int64_t dim = type.getDimSize(*axis);
  auto sizes = resolveSplit(node, dim);
  if (failed(sizes))
    return failure();
  if (static_cast<int64_t>(sizes->size()) != node.numOutputs())
    return node.emitError()
           << "split has " << sizes->size() << " entries but the node has "
           << node.numOutputs() << " outputs";
  int64_t total = 0;
  for (int64_t s : *sizes) {
    if (s < 0 || s > dim)
      return node.emitError() << "split size " << s << " is invalid";
    total += s;
  }
  if (total != dim)
    return node.emitError() << "split sizes " << formatShape(*sizes)
                            << " do not add up to " << dim;
  int64_t offset = 0;
  for (auto [i, size] : llvm::enumerate(*sizes)) {
    SmallVector<AxisSlice> slices;
    for (int64_t d : type.getShape())
      slices.push_back({0, d, 1});
    slices[*axis] = {offset, size, 1};
    offset += size;
    if (failed(bindSlice(node, i, slices)))
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Tile
//===----------------------------------------------------------------------===//

LogicalResult importTile(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  auto type = node.inputType(0);
  auto repeats = node.constantInts(1, "repeats");
  if (failed(repeats))
    return failure();
  if (static_cast<int64_t>(repeats->size()) != type.getRank())
    return node.emitError()
           << "repeats has " << repeats->size()
           << " entries for an input of rank " << type.getRank();
  SmallVector<int64_t> shape;
  for (auto [d, r] : llvm::zip(type.getShape(), *repeats)) {
    if (r < 0)
      return node.emitError() << "repeat " << r << " is negative";
    if (d != 0 && r > kMaxElements / d)
      return node.emitError() << "the result would have more than 2^40 "
                                 "elements";
    shape.push_back(d * r);
  }
  if (failed(checkResultShape(node, shape)))
    return failure();
  auto sources = [&] {
    SmallVector<int64_t> strides = rowMajorStrides(type.getShape());
    return mapIndices(shape, [&](ArrayRef<int64_t> index) {
      int64_t flat = 0;
      for (int64_t a = 0; a < type.getRank(); ++a)
        flat += (index[a] % type.getDimSize(a)) * strides[a];
      return flat;
    });
  };
  return bindMoved(node, 0, resultTypeLike(node, shape), sources, [&] {
    return tileTensor(node.builder(), node.loc(), node.input(0), *repeats);
  });
}

//===----------------------------------------------------------------------===//
// DepthToSpace and SpaceToDepth
//===----------------------------------------------------------------------===//

/// Reshape to `expanded`, transpose by `perms`, reshape to `shape`.
LogicalResult bindRearranged(NodeImporter &node, ArrayRef<int64_t> expanded,
                             ArrayRef<int64_t> perms, ArrayRef<int64_t> shape) {
  return bindMoved(
      node, 0, resultTypeLike(node, shape),
      [&] { return transposeIndexMap(expanded, perms); },
      [&] {
        OpBuilder &b = node.builder();
        Value v = reshapeTo(b, node.loc(), node.input(0), expanded);
        v = transpose(b, node.loc(), v, perms);
        return reshapeTo(b, node.loc(), v, shape);
      });
}

FailureOr<int64_t> readBlockSize(NodeImporter &node) {
  if (node.inputType(0).getRank() != 4)
    return node.emitError() << "the input must have rank 4 (NCHW), not "
                            << node.inputType(0).getRank();
  if (!node.hasAttr("blocksize"))
    return node.fail("attribute 'blocksize' is missing");
  int64_t block = node.attrInt("blocksize", 0);
  if (block <= 0)
    return node.emitError() << "blocksize " << block << " must be positive";
  return block;
}

LogicalResult importDepthToSpace(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  auto block = readBlockSize(node);
  if (failed(block))
    return failure();
  int64_t bs = *block;
  ArrayRef<int64_t> s = node.inputType(0).getShape();
  if (bs > s[1] || s[1] % (bs * bs) != 0)
    return node.emitError()
           << "channels " << s[1]
           << " are not a multiple of blocksize^2 = " << bs * bs;
  int64_t c = s[1] / (bs * bs);
  std::string mode =
      node.opset() >= 11 ? node.attrString("mode", "DCR") : "DCR";
  SmallVector<int64_t> shape = {s[0], c, s[2] * bs, s[3] * bs};
  if (mode == "DCR")
    return bindRearranged(node, {s[0], bs, bs, c, s[2], s[3]},
                          {0, 3, 4, 1, 5, 2}, shape);
  if (mode == "CRD")
    return bindRearranged(node, {s[0], c, bs, bs, s[2], s[3]},
                          {0, 1, 4, 2, 5, 3}, shape);
  return node.emitError() << "mode '" << mode << "' is not DCR or CRD";
}

LogicalResult importSpaceToDepth(NodeImporter &node) {
  if (failed(requireInputs(node, 1)))
    return failure();
  auto block = readBlockSize(node);
  if (failed(block))
    return failure();
  int64_t bs = *block;
  ArrayRef<int64_t> s = node.inputType(0).getShape();
  if (s[2] % bs != 0 || s[3] % bs != 0)
    return node.emitError() << "height " << s[2] << " and width " << s[3]
                            << " must be multiples of blocksize " << bs;
  return bindRearranged(node, {s[0], s[1], s[2] / bs, bs, s[3] / bs, bs},
                        {0, 3, 5, 1, 2, 4},
                        {s[0], s[1] * bs * bs, s[2] / bs, s[3] / bs});
}

} // namespace

void lowbit::onnx_import::registerLayoutOps(std::vector<OpHandler> &table) {
  table.push_back({"", "Transpose", 1, importTranspose});
  for (int version : {1, 4, 11})
    table.push_back({"", "Concat", version, importConcat});
  for (int version : {1, 2, 11, 13, 18})
    table.push_back({"", "Split", version, importSplit,
                     "split sizes known at import time"});
  for (int version : {1, 10, 11})
    table.push_back({"", "Slice", version, importSlice,
                     "starts/ends/axes/steps known at import time"});
  table.push_back({"", "Tile", 6, importTile, "repeats known at import time"});
  for (int version : {1, 11})
    table.push_back({"", "DepthToSpace", version, importDepthToSpace});
  table.push_back({"", "SpaceToDepth", 1, importSpaceToDepth});
  registerPadOps(table);
}
