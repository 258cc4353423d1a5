//===- ConvPoolOps.cpp - Conv and ConvTranspose ---------------------------===//
//
// Conv with a constant weight becomes lowbit.conv (ONNX Conv semantics, pads
// resolved from auto_pad). ConvTranspose is rewritten as the equivalent
// Conv: the input is spread out by the strides (zeros in between), padded by
// dilation * (kernel - 1) minus the transposed pads, and convolved with the
// weight flipped spatially and with its two channel axes swapped per group;
// with a constant weight this too is a lowbit.conv. Non-constant weights use
// linalg convolutions. Pooling ops live in PoolOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "NNBuilders.h"

#include "../ConstantTransforms.h"
#include "../TensorConversion.h"

#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// Python's floor division, which the ONNX formulas use.
int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/// Convolution geometry after auto_pad resolution, per spatial axis.
struct ConvGeometry {
  SmallVector<int64_t> strides, dilations, padsBegin, padsEnd, output;
};

/// Reads strides, dilations and kernel_shape (checked against the weight's
/// `kernel`) with their defaults.
LogicalResult readWindowAttrs(NodeImporter &node, ArrayRef<int64_t> kernel,
                              ConvGeometry &g) {
  size_t n = kernel.size();
  g.strides = node.attrInts("strides", SmallVector<int64_t>(n, 1));
  g.dilations = node.attrInts("dilations", SmallVector<int64_t>(n, 1));
  if (g.strides.size() != n || g.dilations.size() != n)
    return node.emitError() << "strides and dilations need " << n
                            << " entries, one per spatial axis";
  if (llvm::any_of(g.strides, [](int64_t s) { return s <= 0; }) ||
      llvm::any_of(g.dilations, [](int64_t d) { return d <= 0; }))
    return node.fail("strides and dilations must be positive");
  if (failed(checkWindowValues(node, kernel, "a kernel")) ||
      failed(checkWindowValues(node, g.strides, "a strides")) ||
      failed(checkWindowValues(node, g.dilations, "a dilations")))
    return failure();
  if (node.hasAttr("kernel_shape")) {
    SmallVector<int64_t> given = node.attrInts("kernel_shape");
    if (ArrayRef<int64_t>(given) != kernel) {
      auto diag = node.emitError() << "kernel_shape [";
      llvm::interleaveComma(given, diag);
      diag << "] differs from the weight's spatial shape [";
      llvm::interleaveComma(kernel, diag);
      return diag << "]";
    }
  }
  return success();
}

/// Conv pads and output size: explicit pads, VALID, or SAME_UPPER/LOWER
/// (output ceil(in / stride), the odd padding at the end or the beginning).
LogicalResult resolveConvPads(NodeImporter &node, ArrayRef<int64_t> input,
                              ArrayRef<int64_t> kernel, ConvGeometry &g) {
  size_t n = kernel.size();
  std::string autoPad = node.attrString("auto_pad", "NOTSET");
  g.padsBegin.assign(n, 0);
  g.padsEnd.assign(n, 0);
  if (autoPad == "NOTSET") {
    if (failed(readExplicitPads(node, n, g.padsBegin, g.padsEnd)))
      return failure();
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < n; ++i) {
      int64_t span = g.dilations[i] * (kernel[i] - 1) + 1;
      int64_t out = (input[i] + g.strides[i] - 1) / g.strides[i];
      int64_t total =
          std::max<int64_t>(0, (out - 1) * g.strides[i] + span - input[i]);
      int64_t small = total / 2, large = total - small;
      g.padsBegin[i] = autoPad == "SAME_UPPER" ? small : large;
      g.padsEnd[i] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "VALID") {
    return node.emitError() << "auto_pad '" << autoPad << "' is not supported";
  }
  for (size_t i = 0; i < n; ++i) {
    int64_t span = g.dilations[i] * (kernel[i] - 1) + 1;
    int64_t padded = input[i] + g.padsBegin[i] + g.padsEnd[i];
    if (padded < span)
      return node.emitError() << "the kernel extent " << span
                              << " exceeds the padded input extent " << padded
                              << " on spatial axis " << i;
    g.output.push_back((padded - span) / g.strides[i] + 1);
  }
  return success();
}

/// A constant of `type` holding `bytes`: dense when small, a resource blob
/// otherwise (as the importer stores weights).
ElementsAttr makeConstant(RankedTensorType type, std::vector<char> bytes,
                          StringRef name) {
  int64_t count = type.getNumElements();
  if (count <= kMaxDenseFloatElements)
    return DenseElementsAttr::getFromRawBuffer(type, bytes);
  size_t align =
      std::max<size_t>(1, type.getElementType().getIntOrFloatBitWidth() / 8);
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(bytes.data(), bytes.size()), align);
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

/// The transposed-convolution weight [C, M/G, k...] rewritten as the
/// equivalent convolution weight [M, C/G, k...]: per group the channel axes
/// swap and every spatial axis is reversed.
FailureOr<ElementsAttr> convTransposeWeight(ElementsAttr weight, int64_t group,
                                            StringRef name) {
  auto type = cast<RankedTensorType>(weight.getType());
  ArrayRef<int64_t> shape = type.getShape();
  size_t elementBytes = type.getElementType().getIntOrFloatBitWidth() / 8;
  ArrayRef<char> raw = getRawData(weight);
  int64_t count = type.getNumElements();
  bool splat = raw.size() == elementBytes && count != 1;
  if (elementBytes == 0 ||
      (!splat && raw.size() != static_cast<size_t>(count) * elementBytes))
    return failure();
  int64_t c = shape[0], mPerGroup = shape[1];
  int64_t cPerGroup = c / group;
  int64_t kernelSize = count / (c * mPerGroup);
  ArrayRef<int64_t> kernel = shape.drop_front(2);
  std::vector<char> out(count * elementBytes);
  for (int64_t ci = 0; ci < c; ++ci) {
    int64_t g = ci / cPerGroup, cInGroup = ci % cPerGroup;
    for (int64_t m = 0; m < mPerGroup; ++m) {
      for (int64_t k = 0; k < kernelSize; ++k) {
        // Reverse every spatial index of k.
        int64_t flipped = 0, rest = k, scale = 1;
        for (int64_t a = kernel.size() - 1; a >= 0; --a) {
          int64_t idx = rest % kernel[a];
          rest /= kernel[a];
          flipped += (kernel[a] - 1 - idx) * scale;
          scale *= kernel[a];
        }
        int64_t src = (ci * mPerGroup + m) * kernelSize + k;
        int64_t o = g * mPerGroup + m;
        int64_t dst = (o * cPerGroup + cInGroup) * kernelSize + flipped;
        std::memcpy(out.data() + dst * elementBytes,
                    raw.data() + (splat ? 0 : src * elementBytes),
                    elementBytes);
      }
    }
  }
  SmallVector<int64_t> outShape = {mPerGroup * group, cPerGroup};
  llvm::append_range(outShape, kernel);
  return makeConstant(RankedTensorType::get(outShape, type.getElementType()),
                      std::move(out), name);
}

/// The same rewrite in IR, for a weight known only at run time.
Value convTransposeWeightIR(OpBuilder &b, Location loc, Value weight,
                            int64_t group) {
  auto type = cast<RankedTensorType>(weight.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t c = shape[0], mPerGroup = shape[1], cPerGroup = c / group;
  ArrayRef<int64_t> kernel = shape.drop_front(2);
  SmallVector<int64_t> grouped = {group, cPerGroup, mPerGroup};
  llvm::append_range(grouped, kernel);
  Value w = reshapeTo(b, loc, weight, grouped);
  SmallVector<int64_t> perms = {0, 2, 1};
  for (size_t i = 0; i < kernel.size(); ++i)
    perms.push_back(3 + i);
  w = transpose(b, loc, w, perms);
  SmallVector<int64_t> flat = {group * mPerGroup, cPerGroup};
  llvm::append_range(flat, kernel);
  w = reshapeTo(b, loc, w, flat);
  for (size_t i = 0; i < kernel.size(); ++i)
    w = tosa::ReverseOp::create(b, loc, w.getType(), w,
                                b.getI32IntegerAttr(static_cast<int32_t>(2 + i)));
  return w;
}

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())},
                            b.getI64Type()),
      values);
}

/// Zero padding of the spatial axes (begin/end per axis; none when all 0).
Value padSpatial(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> begin,
                 ArrayRef<int64_t> end, double value) {
  if (llvm::all_of(begin, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(end, [](int64_t p) { return p == 0; }))
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)), high(2, b.getIndexAttr(0));
  SmallVector<int64_t> shape(type.getShape());
  for (size_t i = 0; i < begin.size(); ++i) {
    low.push_back(b.getIndexAttr(begin[i]));
    high.push_back(b.getIndexAttr(end[i]));
    shape[2 + i] += begin[i] + end[i];
  }
  Type element = type.getElementType();
  Value padValue =
      isa<FloatType>(element)
          ? scalarFloat(b, loc, element, value)
          : arith::ConstantOp::create(
                b, loc, b.getIntegerAttr(element, static_cast<int64_t>(value)))
                .getResult();
  return tensor::PadOp::create(b, loc,
                               RankedTensorType::get(shape, element), x, low,
                               high, padValue);
}

/// A convolution with a weight known only at run time: linalg named ops on
/// the zero-padded input (1-D as 2-D with a unit axis; groups through the
/// grouped 2-D op; 3-D without groups), then the bias.
FailureOr<Value> buildDynamicConv(NodeImporter &node, Value x, Value w,
                                  Value bias, const ConvGeometry &g,
                                  int64_t group) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  Type element = xType.getElementType();
  int64_t spatial = xType.getRank() - 2;
  int64_t batch = xType.getDimSize(0), outChannels = wType.getDimSize(0);
  SmallVector<int64_t> resultShape = {batch, outChannels};
  llvm::append_range(resultShape, g.output);

  Value padded = padSpatial(b, loc, x, g.padsBegin, g.padsEnd, 0.0);
  SmallVector<int64_t> strides(g.strides), dilations(g.dilations),
      output(g.output);
  if (spatial == 1) {
    auto unitAxis = [&](Value v) {
      auto shape = llvm::to_vector(cast<RankedTensorType>(v.getType()).getShape());
      shape.insert(shape.begin() + 2, 1);
      return reshapeTo(b, loc, v, shape);
    };
    padded = unitAxis(padded);
    w = unitAxis(w);
    strides.insert(strides.begin(), 1);
    dilations.insert(dilations.begin(), 1);
    output.insert(output.begin(), 1);
  }
  auto pShape = cast<RankedTensorType>(padded.getType()).getShape();
  auto kShape = cast<RankedTensorType>(w.getType()).getShape();
  Value result;
  if (spatial <= 2 && group == 1) {
    SmallVector<int64_t> shape = {batch, outChannels, output[0], output[1]};
    Value init = createSplat(b, loc, element, shape, 0.0);
    result = linalg::Conv2DNchwFchwOp::create(
                 b, loc, TypeRange{init.getType()}, ValueRange{padded, w},
                 ValueRange{init}, i64Vector(b, strides),
                 i64Vector(b, dilations))
                 .getResult(0);
  } else if (spatial <= 2) {
    int64_t cPerGroup = pShape[1] / group, fPerGroup = outChannels / group;
    Value xg = reshapeTo(b, loc, padded,
                         {batch, group, cPerGroup, pShape[2], pShape[3]});
    Value wg = reshapeTo(b, loc, w,
                         {group, fPerGroup, cPerGroup, kShape[2], kShape[3]});
    SmallVector<int64_t> shape = {batch, group, fPerGroup, output[0], output[1]};
    Value init = createSplat(b, loc, element, shape, 0.0);
    result = linalg::Conv2DNgchwGfchwOp::create(
                 b, loc, TypeRange{init.getType()}, ValueRange{xg, wg},
                 ValueRange{init}, i64Vector(b, strides),
                 i64Vector(b, dilations))
                 .getResult(0);
  } else if (spatial == 3 && group == 1) {
    SmallVector<int64_t> shape = {batch, outChannels};
    llvm::append_range(shape, output);
    Value init = createSplat(b, loc, element, shape, 0.0);
    result = linalg::Conv3DNcdhwFcdhwOp::create(
                 b, loc, TypeRange{init.getType()}, ValueRange{padded, w},
                 ValueRange{init}, i64Vector(b, strides),
                 i64Vector(b, dilations))
                 .getResult(0);
  } else {
    return node.emitError()
           << "a convolution with a non-constant weight is supported for 1 to "
              "3 spatial axes (3 only without groups); got "
           << spatial << " with group " << group;
  }
  result = reshapeTo(b, loc, result, resultShape);
  if (!bias)
    return result;
  SmallVector<int64_t> biasShape(resultShape.size(), 1);
  biasShape[1] = outChannels;
  Value b4 = reshapeTo(b, loc, bias, biasShape);
  return buildElementwise(b, loc, resultShape, element, ValueRange{result, b4},
                          [](OpBuilder &nb, Location nl, ValueRange v) {
                            return addF(nb, nl, v[0], v[1]);
                          });
}

/// Checks X, W (and B) of Conv (W [M, C / group, k...]) and ConvTranspose
/// (W [C, M / group, k...]).
LogicalResult checkConvOperands(NodeImporter &node, bool transposed,
                                int64_t group) {
  if (!node.hasInput(0) || !node.hasInput(1))
    return node.fail("expects inputs X and W");
  RankedTensorType xType = node.inputType(0), wType = node.inputType(1);
  Type element = xType.getElementType();
  if (!isa<FloatType>(element))
    return node.fail("X must be a float tensor");
  if (wType.getElementType() != element)
    return node.fail("X and W have different element types");
  if (xType.getRank() < 3)
    return node.fail("X must have shape [N, C, D1, ...]");
  if (wType.getRank() != xType.getRank())
    return node.emitError() << "W has rank " << wType.getRank()
                            << ", X has rank " << xType.getRank();
  if (group <= 0)
    return node.emitError() << "group " << group << " must be positive";
  int64_t channels = xType.getDimSize(1);
  if (channels % group != 0)
    return node.emitError() << "group " << group << " does not divide the "
                            << channels << " input channels";
  if (transposed) {
    if (wType.getDimSize(0) != channels)
      return node.emitError() << "W has " << wType.getDimSize(0)
                              << " input channels, X has " << channels;
  } else {
    if (wType.getDimSize(1) * group != channels)
      return node.emitError() << "W expects " << wType.getDimSize(1)
                              << " x group " << group
                              << " input channels, X has " << channels;
    if (wType.getDimSize(0) % group != 0)
      return node.emitError() << "group " << group << " does not divide the "
                              << wType.getDimSize(0) << " output channels";
  }
  if (llvm::any_of(wType.getShape().drop_front(2),
                   [](int64_t k) { return k <= 0; }))
    return node.fail("W has an empty kernel");
  if (node.hasInput(2)) {
    RankedTensorType bType = node.inputType(2);
    int64_t outChannels = transposed ? wType.getDimSize(1) * group
                                     : wType.getDimSize(0);
    if (bType.getElementType() != element || bType.getRank() != 1 ||
        bType.getDimSize(0) != outChannels)
      return node.emitError() << "B must have shape [" << outChannels
                              << "] and X's element type";
  }
  return success();
}

/// lowbit.conv with a constant weight, else a linalg convolution.
FailureOr<Value> buildConv(NodeImporter &node, Value x, Value weightValue,
                           ElementsAttr weightConst, Value bias,
                           const ConvGeometry &g, int64_t group) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  auto xType = cast<RankedTensorType>(x.getType());
  if (!weightConst)
    return buildDynamicConv(node, x, weightValue, bias, g, group);
  auto wType = cast<RankedTensorType>(weightConst.getType());
  SmallVector<int64_t> resultShape = {xType.getDimSize(0), wType.getDimSize(0)};
  llvm::append_range(resultShape, g.output);
  SmallVector<int64_t> pads(g.padsBegin);
  llvm::append_range(pads, g.padsEnd);
  Value w = createConstant(b, loc, weightConst);
  return lowbit::ConvOp::create(
             b, loc, RankedTensorType::get(resultShape, xType.getElementType()),
             x, w, bias, b.getDenseI64ArrayAttr(g.strides),
             b.getDenseI64ArrayAttr(g.dilations), b.getDenseI64ArrayAttr(pads),
             b.getI64IntegerAttr(group), /*weight_qconfig=*/nullptr,
             /*act_qconfig=*/nullptr)
      .getResult();
}

LogicalResult importConv(NodeImporter &node) {
  int64_t group = node.attrInt("group", 1);
  if (failed(checkConvOperands(node, /*transposed=*/false, group)))
    return failure();
  RankedTensorType xType = node.inputType(0), wType = node.inputType(1);
  ConvGeometry g;
  ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
  if (failed(readWindowAttrs(node, kernel, g)) ||
      failed(resolveConvPads(node, xType.getShape().drop_front(2), kernel, g)))
    return failure();
  FailureOr<Value> y =
      buildConv(node, node.input(0), node.input(1), node.constantInput(1),
                node.input(2), g, group);
  if (failed(y))
    return failure();
  return node.setResult(0, *y);
}

/// ConvTranspose pads and output size (ONNX's rules): with output_shape the
/// total padding follows from it (odd part at the beginning unless
/// SAME_UPPER); with SAME_* the output is input * stride; otherwise explicit
/// pads (none for VALID).
LogicalResult resolveConvTransposePads(NodeImporter &node,
                                       ArrayRef<int64_t> input,
                                       ArrayRef<int64_t> kernel,
                                       ArrayRef<int64_t> outputPadding,
                                       ConvGeometry &g) {
  size_t n = kernel.size();
  std::string autoPad = node.attrString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return node.emitError() << "auto_pad '" << autoPad << "' is not supported";
  SmallVector<int64_t> outputShape = node.attrInts("output_shape");
  if (outputShape.size() == n + 2)
    outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  if (!outputShape.empty() && outputShape.size() != n)
    return node.emitError() << "output_shape needs " << n << " entries";
  if (failed(checkWindowValues(node, outputPadding, "an output_padding")))
    return failure();
  for (size_t i = 0; i < n; ++i) {
    // The natural output extent, computed wide: inputs reach 2^40.
    __int128 natural = static_cast<__int128>(g.strides[i]) * (input[i] - 1) +
                       outputPadding[i] + (kernel[i] - 1) * g.dilations[i] + 1;
    if (natural > kMaxElements)
      return node.emitError() << "the output would be too large on spatial "
                                 "axis "
                              << i;
  }
  if (llvm::any_of(outputShape,
                   [](int64_t d) { return d <= 0 || d > kMaxElements; }))
    return node.fail("output_shape entries must be positive and not huge");
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  g.padsBegin.assign(n, 0);
  g.padsEnd.assign(n, 0);
  g.output.assign(n, 0);
  auto natural = [&](size_t i) {
    return g.strides[i] * (input[i] - 1) + outputPadding[i] +
           (kernel[i] - 1) * g.dilations[i] + 1;
  };
  if (!outputShape.empty() || same) {
    for (size_t i = 0; i < n; ++i) {
      g.output[i] = outputShape.empty() ? input[i] * g.strides[i]
                                        : outputShape[i];
      int64_t total = natural(i) - g.output[i];
      int64_t half = floorDiv(total, 2);
      g.padsBegin[i] = autoPad == "SAME_UPPER" ? half : total - half;
      g.padsEnd[i] = total - g.padsBegin[i];
    }
  } else {
    if (autoPad == "NOTSET") {
      SmallVector<int64_t> pads =
          node.attrInts("pads", SmallVector<int64_t>(2 * n, 0));
      if (pads.size() != 2 * n)
        return node.emitError() << "pads needs " << 2 * n << " entries";
      if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
        return node.fail("pads must be non-negative");
      if (failed(checkWindowValues(node, pads, "a pads")))
        return failure();
      for (size_t i = 0; i < n; ++i) {
        g.padsBegin[i] = pads[i];
        g.padsEnd[i] = pads[n + i];
      }
    }
    for (size_t i = 0; i < n; ++i)
      g.output[i] = natural(i) - g.padsBegin[i] - g.padsEnd[i];
  }
  for (size_t i = 0; i < n; ++i)
    if (g.output[i] <= 0)
      return node.emitError() << "the output would have extent "
                              << g.output[i] << " on spatial axis " << i;
  return success();
}

LogicalResult importConvTranspose(NodeImporter &node) {
  int64_t group = node.attrInt("group", 1);
  if (failed(checkConvOperands(node, /*transposed=*/true, group)))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  RankedTensorType xType = node.inputType(0), wType = node.inputType(1);
  Type element = xType.getElementType();
  ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
  ArrayRef<int64_t> input = xType.getShape().drop_front(2);
  size_t n = kernel.size();
  ConvGeometry t;
  if (failed(readWindowAttrs(node, kernel, t)))
    return failure();
  SmallVector<int64_t> outputPadding =
      node.attrInts("output_padding", SmallVector<int64_t>(n, 0));
  if (outputPadding.size() == 2 * n) // some exporters repeat it
    outputPadding.resize(n);
  if (outputPadding.size() != n)
    return node.emitError() << "output_padding needs " << n << " entries";
  if (llvm::any_of(outputPadding, [](int64_t p) { return p < 0; }))
    return node.fail("output_padding must be non-negative");
  if (failed(resolveConvTransposePads(node, input, kernel, outputPadding, t)))
    return failure();

  // The equivalent convolution: stride 1, same dilations, pads
  // dilation * (k - 1) - pad_begin before and ... - pad_end + output_padding
  // after the input spread out by the strides.
  ConvGeometry g;
  g.strides.assign(n, 1);
  g.dilations = t.dilations;
  g.output = t.output;
  SmallVector<int64_t> before(n), after(n);
  bool spread = false, crop = false;
  for (size_t i = 0; i < n; ++i) {
    int64_t reach = t.dilations[i] * (kernel[i] - 1);
    before[i] = reach - t.padsBegin[i];
    after[i] = reach - t.padsEnd[i] + outputPadding[i];
    spread |= t.strides[i] > 1;
    crop |= before[i] < 0 || after[i] < 0;
  }
  Value x = node.input(0);
  if (!spread && !crop) {
    g.padsBegin = before;
    g.padsEnd = after;
  } else {
    // Zeros with the input inserted every `stride` elements, padded where
    // the pads are positive and cropped where they are negative.
    SmallVector<int64_t> fullShape(xType.getShape().take_front(2));
    SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes, steps(2, b.getIndexAttr(1));
    for (int64_t d : xType.getShape().take_front(2))
      sizes.push_back(b.getIndexAttr(d));
    for (size_t i = 0; i < n; ++i) {
      int64_t spreadLength = (input[i] - 1) * t.strides[i] + 1;
      fullShape.push_back(spreadLength + std::max<int64_t>(before[i], 0) +
                          std::max<int64_t>(after[i], 0));
      offsets.push_back(b.getIndexAttr(std::max<int64_t>(before[i], 0)));
      sizes.push_back(b.getIndexAttr(input[i]));
      steps.push_back(b.getIndexAttr(t.strides[i]));
    }
    Value zeros = createSplat(b, loc, element, fullShape, 0.0);
    x = tensor::InsertSliceOp::create(b, loc, x, zeros, offsets, sizes, steps);
    if (crop) {
      SmallVector<OpFoldResult> cropOffsets(2, b.getIndexAttr(0));
      SmallVector<OpFoldResult> cropSizes, unitSteps(2 + n, b.getIndexAttr(1));
      SmallVector<int64_t> cropShape(xType.getShape().take_front(2));
      for (int64_t d : cropShape)
        cropSizes.push_back(b.getIndexAttr(d));
      for (size_t i = 0; i < n; ++i) {
        int64_t start = std::max<int64_t>(-before[i], 0);
        int64_t length =
            fullShape[2 + i] - start - std::max<int64_t>(-after[i], 0);
        cropOffsets.push_back(b.getIndexAttr(start));
        cropSizes.push_back(b.getIndexAttr(length));
        cropShape.push_back(length);
      }
      x = tensor::ExtractSliceOp::create(
          b, loc, RankedTensorType::get(cropShape, element), x, cropOffsets,
          cropSizes, unitSteps);
    }
    g.padsBegin.assign(n, 0);
    g.padsEnd.assign(n, 0);
  }

  ElementsAttr weightConst;
  Value weightValue;
  if (ElementsAttr w = node.constantInput(1)) {
    FailureOr<ElementsAttr> rewritten =
        convTransposeWeight(w, group, node.node().input(1));
    if (failed(rewritten))
      return node.fail("cannot read the constant weight W");
    weightConst = *rewritten;
  } else {
    weightValue = convTransposeWeightIR(b, loc, node.input(1), group);
  }
  FailureOr<Value> y = buildConv(node, x, weightValue, weightConst,
                                 node.input(2), g, group);
  if (failed(y))
    return failure();
  return node.setResult(0, *y);
}

} // namespace

void lowbit::onnx_import::registerConvPoolOps(std::vector<OpHandler> &table) {
  table.push_back({"", "Conv", 1, importConv,
                   "constant W -> lowbit.conv; otherwise linalg (3-D only "
                   "without groups)"});
  table.push_back({"", "ConvTranspose", 1, importConvTranspose,
                   "as the equivalent Conv; constant W -> lowbit.conv"});
  registerPoolOps(table);
}
