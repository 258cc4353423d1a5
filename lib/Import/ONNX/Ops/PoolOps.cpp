//===- PoolOps.cpp - MaxPool, AveragePool, LpPool and the global pools ----===//
//
// Windowed pools use the channels-first linalg pooling ops (1-D ncw, 2-D
// nchw; 3-D through ndhwc, and unsigned maxima through the *_unsigned
// channels-last ops) on an explicitly padded input: -inf (or the smallest
// integer) for maxima, zeros for sums. Averages divide by the number of
// window taps that count (inside the input, or inside the padded input with
// count_include_pad), computed at import. In ceil mode the last window may
// run past the padding; those taps never count.
//
//===----------------------------------------------------------------------===//

#include "NNBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

struct PoolGeometry {
  SmallVector<int64_t> kernel, strides, dilations, padsBegin, padsEnd, output;

  int64_t span(size_t i) const { return dilations[i] * (kernel[i] - 1) + 1; }
  /// Padding after the input that the last window needs (can be less than
  /// padsEnd, or more in ceil mode).
  int64_t neededEnd(size_t i, int64_t input) const {
    return std::max<int64_t>(
        0, (output[i] - 1) * strides[i] + span(i) - input - padsBegin[i]);
  }
};

LogicalResult resolvePool(NodeImporter &node, ArrayRef<int64_t> input,
                          PoolGeometry &g) {
  size_t n = input.size();
  if (!node.hasAttr("kernel_shape"))
    return node.fail("attribute 'kernel_shape' is required");
  g.kernel = node.attrInts("kernel_shape");
  if (g.kernel.size() != n)
    return node.emitError() << "kernel_shape needs " << n
                            << " entries, one per spatial axis";
  g.strides = node.attrInts("strides", SmallVector<int64_t>(n, 1));
  g.dilations = node.attrInts("dilations", SmallVector<int64_t>(n, 1));
  if (g.strides.size() != n || g.dilations.size() != n)
    return node.emitError() << "strides and dilations need " << n
                            << " entries";
  if (llvm::any_of(g.kernel, [](int64_t k) { return k <= 0; }) ||
      llvm::any_of(g.strides, [](int64_t s) { return s <= 0; }) ||
      llvm::any_of(g.dilations, [](int64_t d) { return d <= 0; }))
    return node.fail("kernel_shape, strides and dilations must be positive");
  if (failed(checkWindowValues(node, g.kernel, "a kernel_shape")) ||
      failed(checkWindowValues(node, g.strides, "a strides")) ||
      failed(checkWindowValues(node, g.dilations, "a dilations")))
    return failure();
  bool ceilMode = node.attrInt("ceil_mode", 0) != 0;
  std::string autoPad = node.attrString("auto_pad", "NOTSET");
  g.padsBegin.assign(n, 0);
  g.padsEnd.assign(n, 0);
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < n; ++i) {
      int64_t out = (input[i] + g.strides[i] - 1) / g.strides[i];
      int64_t total =
          std::max<int64_t>(0, (out - 1) * g.strides[i] + g.span(i) - input[i]);
      int64_t small = total / 2, large = total - small;
      g.padsBegin[i] = autoPad == "SAME_UPPER" ? small : large;
      g.padsEnd[i] = autoPad == "SAME_UPPER" ? large : small;
      g.output.push_back(out);
    }
    return success();
  }
  if (autoPad == "NOTSET") {
    if (failed(readExplicitPads(node, n, g.padsBegin, g.padsEnd)))
      return failure();
  } else if (autoPad != "VALID") {
    return node.emitError() << "auto_pad '" << autoPad << "' is not supported";
  }
  for (size_t i = 0; i < n; ++i) {
    int64_t padded = input[i] + g.padsBegin[i] + g.padsEnd[i];
    if (padded < g.span(i))
      return node.emitError() << "the window extent " << g.span(i)
                              << " exceeds the padded input extent " << padded
                              << " on spatial axis " << i;
    int64_t room = padded - g.span(i);
    int64_t out = (ceilMode ? (room + g.strides[i] - 1) / g.strides[i]
                            : room / g.strides[i]) +
                  1;
    // In ceil mode the last window must start inside the input or the
    // leading padding.
    if (ceilMode && (out - 1) * g.strides[i] >= input[i] + g.padsBegin[i])
      --out;
    g.output.push_back(out);
  }
  return checkWindowValues(node, g.output, "an output extent");
}

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())},
                            b.getI64Type()),
      values);
}

enum class PoolKind { Max, MaxUnsigned, Sum };

/// The padded input pooled over windows of `g` by a linalg pooling op.
FailureOr<Value> buildWindowPool(NodeImporter &node, Value x,
                                 const PoolGeometry &g, PoolKind kind) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  auto type = cast<RankedTensorType>(x.getType());
  Type element = type.getElementType();
  int64_t spatial = type.getRank() - 2;
  ArrayRef<int64_t> input = type.getShape().drop_front(2);

  // Pad with the identity of the reduction.
  TypedAttr padAttr;
  if (kind == PoolKind::Sum)
    padAttr = b.getZeroAttr(element);
  else if (auto f = dyn_cast<FloatType>(element))
    padAttr = b.getFloatAttr(f, APFloat::getInf(f.getFloatSemantics(), true));
  else
    padAttr = b.getIntegerAttr(
        element, kind == PoolKind::MaxUnsigned
                     ? APInt::getMinValue(element.getIntOrFloatBitWidth())
                     : APInt::getSignedMinValue(element.getIntOrFloatBitWidth()));
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)), high(2, b.getIndexAttr(0));
  SmallVector<int64_t> paddedShape(type.getShape());
  bool anyPad = false;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t end = g.neededEnd(i, input[i]);
    low.push_back(b.getIndexAttr(g.padsBegin[i]));
    high.push_back(b.getIndexAttr(end));
    paddedShape[2 + i] += g.padsBegin[i] + end;
    anyPad |= g.padsBegin[i] != 0 || end != 0;
  }
  if (anyPad) {
    Value padValue = arith::ConstantOp::create(b, loc, padAttr);
    x = tensor::PadOp::create(b, loc,
                              RankedTensorType::get(paddedShape, element), x,
                              low, high, padValue);
  }

  SmallVector<int64_t> outShape(type.getShape().take_front(2));
  llvm::append_range(outShape, g.output);
  Value window = tensor::EmptyOp::create(b, loc, g.kernel, element);
  DenseIntElementsAttr strides = i64Vector(b, g.strides);
  DenseIntElementsAttr dilations = i64Vector(b, g.dilations);
  auto init = [&](ArrayRef<int64_t> shape) {
    return createConstant(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get(shape, element), padAttr));
  };
  // Channels-last variants work on x transposed to [N, spatial..., C].
  bool channelsLast = kind == PoolKind::MaxUnsigned || spatial == 3;
  if (spatial < 1 || spatial > 3 ||
      (spatial == 3 && kind == PoolKind::MaxUnsigned))
    return node.emitError() << "pooling over " << spatial
                            << " spatial axes is not supported for this "
                               "element type";
  if (!channelsLast) {
    Value out = init(outShape);
    SmallVector<Type> types = {out.getType()};
    SmallVector<Value> ins = {x, window}, outs = {out};
    Operation *op;
    if (spatial == 1)
      op = kind == PoolKind::Sum
               ? linalg::PoolingNcwSumOp::create(b, loc, types, ins, outs,
                                                 strides, dilations)
                     .getOperation()
               : linalg::PoolingNcwMaxOp::create(b, loc, types, ins, outs,
                                                 strides, dilations)
                     .getOperation();
    else
      op = kind == PoolKind::Sum
               ? linalg::PoolingNchwSumOp::create(b, loc, types, ins, outs,
                                                  strides, dilations)
                     .getOperation()
               : linalg::PoolingNchwMaxOp::create(b, loc, types, ins, outs,
                                                  strides, dilations)
                     .getOperation();
    return op->getResult(0);
  }
  SmallVector<int64_t> toLast = {0}, toFirst = {0, spatial + 1};
  for (int64_t i = 0; i < spatial; ++i) {
    toLast.push_back(2 + i);
    toFirst.push_back(1 + i);
  }
  toLast.push_back(1);
  Value xLast = transpose(b, loc, x, toLast);
  SmallVector<int64_t> lastShape = {outShape[0]};
  llvm::append_range(lastShape, g.output);
  lastShape.push_back(outShape[1]);
  Value out = init(lastShape);
  SmallVector<Type> types = {out.getType()};
  SmallVector<Value> ins = {xLast, window}, outs = {out};
  Operation *op;
  if (kind == PoolKind::MaxUnsigned)
    op = spatial == 1 ? linalg::PoolingNwcMaxUnsignedOp::create(
                            b, loc, types, ins, outs, strides, dilations)
                            .getOperation()
                      : linalg::PoolingNhwcMaxUnsignedOp::create(
                            b, loc, types, ins, outs, strides, dilations)
                            .getOperation();
  else
    op = kind == PoolKind::Sum
             ? linalg::PoolingNdhwcSumOp::create(b, loc, types, ins, outs,
                                                 strides, dilations)
                   .getOperation()
             : linalg::PoolingNdhwcMaxOp::create(b, loc, types, ins, outs,
                                                 strides, dilations)
                   .getOperation();
  return transpose(b, loc, op->getResult(0), toFirst);
}

/// How many taps of each window count, per output position along one axis:
/// those inside [lo, hi) of the unpadded input's coordinates.
SmallVector<int64_t> tapCounts(const PoolGeometry &g, size_t axis, int64_t lo,
                               int64_t hi) {
  SmallVector<int64_t> counts;
  int64_t k = g.kernel[axis], d = g.dilations[axis];
  for (int64_t o = 0; o < g.output[axis]; ++o) {
    // Taps j in [0, k) with lo <= base + j * d < hi.
    int64_t base = o * g.strides[axis] - g.padsBegin[axis];
    int64_t first = lo > base ? (lo - base + d - 1) / d : 0;
    int64_t last = hi - 1 >= base ? (hi - 1 - base) / d : -1;
    counts.push_back(std::max<int64_t>(
        0, std::min(last, k - 1) - std::max<int64_t>(first, 0) + 1));
  }
  return counts;
}

/// Sum pooling divided by the number of counted taps, a product of one
/// count per axis: scalars where every window counts the same, else one
/// [1, 1, ..., O_i, ..., 1] constant per axis.
Value divideByTapCounts(NodeImporter &node, Value sums, const PoolGeometry &g,
                        ArrayRef<int64_t> input, bool countIncludePad) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  auto type = cast<RankedTensorType>(sums.getType());
  Type element = type.getElementType();
  auto floatType = cast<FloatType>(element);
  size_t n = input.size();
  int64_t uniformTotal = 1;
  SmallVector<Value> divisors;
  for (size_t i = 0; i < n; ++i) {
    int64_t lo = countIncludePad ? -g.padsBegin[i] : 0;
    int64_t hi = countIncludePad ? input[i] + g.padsEnd[i] : input[i];
    SmallVector<int64_t> counts = tapCounts(g, i, lo, hi);
    if (llvm::all_equal(counts)) {
      uniformTotal *= counts.front();
      continue;
    }
    SmallVector<int64_t> shape(n + 2, 1);
    shape[2 + i] = g.output[i];
    SmallVector<APFloat> values;
    for (int64_t c : counts) {
      APFloat v(static_cast<double>(c));
      bool lost;
      v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      values.push_back(v);
    }
    divisors.push_back(createConstant(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get(shape, element), values)));
  }
  SmallVector<Value> inputs = {sums};
  llvm::append_range(inputs, divisors);
  return buildElementwise(
      b, loc, type.getShape(), element, inputs,
      [&](OpBuilder &nb, Location nl, ValueRange v) {
        // Counts are small integers: their product is exact.
        Value divisor = scalarFloat(nb, nl, element, double(uniformTotal));
        for (Value c : v.drop_front())
          divisor = mulF(nb, nl, divisor, c);
        return divF(nb, nl, v[0], divisor);
      });
}

/// Checks the [N, C, D1, ...] input of a pool; returns its spatial shape.
FailureOr<ArrayRef<int64_t>> poolInput(NodeImporter &node, bool allowInts) {
  if (!node.hasInput(0))
    return node.emitError() << "missing input X";
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  if (!isa<FloatType>(element) && !(allowInts && element.isInteger() &&
                                    !element.isInteger(1)))
    return node.emitError() << "element type " << element
                            << " is not supported";
  if (type.getRank() < 3)
    return node.emitError() << "X must have shape [N, C, D1, ...]";
  return type.getShape().drop_front(2);
}

LogicalResult importMaxPool(NodeImporter &node) {
  FailureOr<ArrayRef<int64_t>> input = poolInput(node, /*allowInts=*/true);
  if (failed(input))
    return failure();
  if (node.hasOutput(1))
    return node.fail("the Indices output is not supported");
  PoolGeometry g;
  if (failed(resolvePool(node, *input, g)))
    return failure();
  bool isUnsigned = node.inputIsUnsigned(0);
  FailureOr<Value> y = buildWindowPool(
      node, node.input(0), g, isUnsigned ? PoolKind::MaxUnsigned : PoolKind::Max);
  if (failed(y))
    return failure();
  return node.setResult(0, *y);
}

LogicalResult importAveragePool(NodeImporter &node) {
  FailureOr<ArrayRef<int64_t>> input = poolInput(node, /*allowInts=*/false);
  if (failed(input))
    return failure();
  PoolGeometry g;
  if (failed(resolvePool(node, *input, g)))
    return failure();
  bool countIncludePad = node.attrInt("count_include_pad", 0) != 0;
  FailureOr<Value> sums = buildWindowPool(node, node.input(0), g, PoolKind::Sum);
  if (failed(sums))
    return failure();
  return node.setResult(
      0, divideByTapCounts(node, *sums, g, *input, countIncludePad));
}

/// |x|^p, with p = 1 and 2 exact.
Value buildAbsPower(OpBuilder &b, Location loc, Value x, int64_t p) {
  if (p == 2)
    return buildUnary(b, loc, x, UnaryFn::Square);
  Value absolute = buildUnary(b, loc, x, UnaryFn::Abs);
  if (p == 1)
    return absolute;
  Type element = cast<RankedTensorType>(x.getType()).getElementType();
  return mapElements(b, loc, absolute, [&](OpBuilder &nb, Location nl,
                                           ValueRange v) -> Value {
    return math::PowFOp::create(nb, nl, v[0],
                                scalarFloat(nb, nl, element, double(p)));
  });
}

/// s^(1/p), with p = 1 and 2 exact.
Value buildRoot(OpBuilder &b, Location loc, Value s, int64_t p) {
  if (p == 1)
    return s;
  if (p == 2)
    return buildUnary(b, loc, s, UnaryFn::Sqrt);
  Type element = cast<RankedTensorType>(s.getType()).getElementType();
  return mapElements(b, loc, s, [&](OpBuilder &nb, Location nl,
                                    ValueRange v) -> Value {
    return math::PowFOp::create(nb, nl, v[0],
                                scalarFloat(nb, nl, element, 1.0 / double(p)));
  });
}

FailureOr<int64_t> readP(NodeImporter &node) {
  // LpPool-1 had a float p; later versions an int.
  int64_t p;
  if (const onnx::AttributeProto *a = node.attr("p");
      a && a->type() == onnx::AttributeProto::FLOAT) {
    float f = node.attrFloat("p", 2.0f);
    if (f != std::floor(f))
      return node.emitError() << "p = " << f << " must be an integer";
    p = static_cast<int64_t>(f);
  } else {
    p = node.attrInt("p", 2);
  }
  if (p <= 0)
    return node.emitError() << "p = " << p << " must be positive";
  return p;
}

/// (sum over the window of |x|^p)^(1/p); padding contributes nothing.
LogicalResult importLpPool(NodeImporter &node) {
  FailureOr<ArrayRef<int64_t>> input = poolInput(node, /*allowInts=*/false);
  if (failed(input))
    return failure();
  FailureOr<int64_t> p = readP(node);
  PoolGeometry g;
  if (failed(p) || failed(resolvePool(node, *input, g)))
    return failure();
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  FailureOr<Value> sums = buildWindowPool(
      node, buildAbsPower(b, loc, node.input(0), *p), g, PoolKind::Sum);
  if (failed(sums))
    return failure();
  return node.setResult(0, buildRoot(b, loc, *sums, *p));
}

enum class GlobalPool { Average, Max, Lp };

template <GlobalPool kind>
LogicalResult importGlobalPool(NodeImporter &node) {
  if (!node.hasInput(0))
    return node.fail("missing input X");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  if (!isa<FloatType>(element))
    return node.fail("X must be a float tensor");
  if (type.getRank() < 2)
    return node.fail("X must have shape [N, C, D1, ...]");
  auto axes = llvm::to_vector(llvm::seq<int64_t>(2, type.getRank()));
  if (axesElementCount(type.getShape(), axes) == 0)
    return node.fail("the spatial extent is empty");
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value x = node.input(0);
  Value y;
  switch (kind) {
  case GlobalPool::Average:
    y = buildMean(b, loc, x, axes);
    break;
  case GlobalPool::Max:
    y = buildReduce(b, loc, x, axes, ReduceKind::Max);
    break;
  case GlobalPool::Lp: {
    FailureOr<int64_t> p = readP(node);
    if (failed(p))
      return failure();
    Value sums =
        buildReduce(b, loc, buildAbsPower(b, loc, x, *p), axes, ReduceKind::Sum);
    y = buildRoot(b, loc, sums, *p);
    break;
  }
  }
  return node.setResult(0, y);
}

} // namespace

void lowbit::onnx_import::registerPoolOps(std::vector<OpHandler> &table) {
  table.push_back({"", "MaxPool", 1, importMaxPool,
                   "1-3 spatial axes; the Indices output is not supported"});
  table.push_back({"", "AveragePool", 1, importAveragePool,
                   "1-3 spatial axes"});
  table.push_back({"", "LpPool", 1, importLpPool,
                   "p-th root of the sum of abs(x)^p over the taps inside the input"});
  table.push_back(
      {"", "GlobalAveragePool", 1, importGlobalPool<GlobalPool::Average>});
  table.push_back({"", "GlobalMaxPool", 1, importGlobalPool<GlobalPool::Max>});
  table.push_back({"", "GlobalLpPool", 1, importGlobalPool<GlobalPool::Lp>});
}
