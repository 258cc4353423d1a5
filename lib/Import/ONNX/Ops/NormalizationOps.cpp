//===- NormalizationOps.cpp - layer, RMS, batch, instance, group norms ----===//
//
// LayerNormalization and RMSNormalization become lowbit.layer_norm and
// lowbit.rms_norm with their scale and bias materialized in the normalized
// shape, so that outlier migration and rotations can fold into them. The
// other normalizations (batch, instance, group, LRN, mean-variance) are
// plain arithmetic: reductions and one elementwise linalg.generic following
// the reference formula's order of operations.
//
//===----------------------------------------------------------------------===//

#include "DataMovement.h"
#include "NNBuilders.h"

#include "../ConstantTransforms.h"

#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// A norm parameter (scale or bias) in exactly the normalized shape
/// `shape[axis:]`, or null when it varies along a leading axis (it then
/// cannot be a gamma/beta and is applied after the norm).
Value materializeNormParameter(NodeImporter &node, Value param,
                               ArrayRef<int64_t> xShape, int64_t axis) {
  auto type = cast<RankedTensorType>(param.getType());
  ArrayRef<int64_t> normalized = xShape.drop_front(axis);
  int64_t normalizedRank = normalized.size();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t extra = static_cast<int64_t>(shape.size()) - normalizedRank;
  for (int64_t i = 0; i < extra; ++i)
    if (shape[i] != 1)
      return {};
  ArrayRef<int64_t> trailing = shape.drop_front(std::max<int64_t>(extra, 0));
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  if (trailing == normalized) {
    if (extra <= 0)
      return param;
    // Constants are rewritten rather than reshaped in IR, so that passes see
    // the gamma/beta as one constant.
    if (auto constant = param.getDefiningOp<arith::ConstantOp>())
      return createConstant(
          b, loc,
          reshapeConstant(cast<ElementsAttr>(constant.getValue()), normalized,
                          "norm_parameter"));
    return reshapeTo(b, loc, param, normalized);
  }
  // A broadcast constant (a scalar gamma, a row repeated) is expanded at
  // import, up to a size.
  constexpr int64_t kMaxExpandedElements = int64_t(1) << 20;
  if (auto constant = param.getDefiningOp<arith::ConstantOp>())
    if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue())) {
      auto type = RankedTensorType::get(normalized, dense.getElementType());
      if (dense.isSplat())
        return createConstant(
            b, loc, DenseElementsAttr::get(type, dense.getSplatValue<Attribute>()));
      if (type.getNumElements() > kMaxExpandedElements)
        return broadcastTo(b, loc, reshapeTo(b, loc, param, trailing),
                           normalized);
      auto values = llvm::to_vector(dense.getValues<Attribute>());
      SmallVector<Attribute> expanded;
      int64_t count = type.getNumElements();
      int64_t offset = normalizedRank - static_cast<int64_t>(trailing.size());
      for (int64_t flat = 0; flat < count; ++flat) {
        // Index of the source element: size-1 source axes read index 0.
        int64_t rest = flat, source = 0, stride = 1;
        for (int64_t a = normalizedRank - 1; a >= 0; --a) {
          int64_t index = rest % normalized[a];
          rest /= normalized[a];
          if (a < offset)
            continue;
          int64_t size = trailing[a - offset];
          source += (size == 1 ? 0 : index) * stride;
          stride *= size;
        }
        expanded.push_back(values[source]);
      }
      return createConstant(b, loc, DenseElementsAttr::get(type, expanded));
    }
  Value reshaped = reshapeTo(b, loc, param, trailing);
  return broadcastTo(b, loc, reshaped, normalized);
}

} // namespace

FailureOr<Value> lowbit::onnx_import::buildNorm(NodeImporter &node, bool rms,
                                                Value x, Value scale,
                                                Value bias, int64_t axis,
                                                float epsilon, Type statsType,
                                                Type resultElement) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  auto xType = cast<RankedTensorType>(x.getType());
  ArrayRef<int64_t> shape = xType.getShape();
  for (Value param : {scale, bias}) {
    if (!param)
      continue;
    auto paramType = cast<RankedTensorType>(param.getType());
    if (!isa<FloatType>(paramType.getElementType()))
      return node.fail("scale and bias must be float tensors");
    if (!broadcastsTo(paramType.getShape(), shape)) {
      auto diag = node.emitError() << "a scale or bias of shape [";
      llvm::interleaveComma(paramType.getShape(), diag);
      diag << "] does not broadcast to the input shape [";
      llvm::interleaveComma(shape, diag);
      return diag << "]";
    }
  }
  if (epsilon < 0.0f)
    return node.emitError() << "epsilon " << epsilon << " is negative";

  Value gamma = materializeNormParameter(node, scale, shape, axis);
  Value beta = bias ? materializeNormParameter(node, bias, shape, axis) : Value();
  bool applyAfter = !gamma || (bias && !beta);
  ArrayRef<int64_t> normalized = shape.drop_front(axis);
  if (applyAfter) {
    gamma = createSplat(b, loc, xType.getElementType(), normalized, 1.0);
    beta = Value();
  }

  Value xs = castFloat(b, loc, x, statsType);
  gamma = castFloat(b, loc, gamma, statsType);
  if (beta)
    beta = castFloat(b, loc, beta, statsType);
  auto statsFType = RankedTensorType::get(shape, statsType);
  FloatAttr eps = b.getF32FloatAttr(epsilon);
  IntegerAttr axisAttr = b.getI64IntegerAttr(axis);
  Value y;
  if (rms)
    y = lowbit::RMSNormOp::create(b, loc, statsFType, xs, gamma, eps, axisAttr);
  else
    y = lowbit::LayerNormOp::create(b, loc, statsFType, xs, gamma, beta, eps,
                                    axisAttr);
  if (!applyAfter)
    return castFloat(b, loc, y, resultElement);

  // Scale (and bias) vary along leading axes: the second stage in the
  // parameters' type, as the ONNX function bodies apply it.
  Type paramType = cast<RankedTensorType>(scale.getType()).getElementType();
  y = castFloat(b, loc, y, paramType);
  FailureOr<Value> scaled = buildMul(node, y, scale);
  if (failed(scaled))
    return failure();
  y = *scaled;
  if (bias) {
    FailureOr<Value> shifted =
        buildTosaBinary<tosa::AddOp>(node, y, castFloat(b, loc, bias, paramType));
    if (failed(shifted))
      return failure();
    y = *shifted;
  }
  return castFloat(b, loc, y, resultElement);
}

std::pair<Value, Value> lowbit::onnx_import::buildNormStatistics(
    NodeImporter &node, bool rms, Value x, int64_t axis, float epsilon,
    Type statsType) {
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value xs = castFloat(b, loc, x, statsType);
  auto type = cast<RankedTensorType>(xs.getType());
  auto axes = llvm::to_vector(llvm::seq<int64_t>(axis, type.getRank()));
  Value mean;
  Value centered = xs;
  if (!rms) {
    mean = buildMean(b, loc, xs, axes);
    centered = buildElementwise(b, loc, type.getShape(), statsType,
                                ValueRange{xs, mean},
                                [](OpBuilder &nb, Location nl, ValueRange v) {
                                  return subF(nb, nl, v[0], v[1]);
                                });
  }
  Value variance =
      buildMean(b, loc, buildUnary(b, loc, centered, UnaryFn::Square), axes);
  Value invStdDev = mapElements(
      b, loc, variance, [&](OpBuilder &nb, Location nl, ValueRange v) {
        Value sum = addF(nb, nl, v[0], scalarFloat(nb, nl, statsType, epsilon));
        Value root = math::SqrtOp::create(nb, nl, sum);
        return divF(nb, nl, scalarFloat(nb, nl, statsType, 1.0), root);
      });
  return {mean, invStdDev};
}

namespace {

/// LayerNormalization (opset 17, and onnxruntime's contrib op of the same
/// name before it) and RMSNormalization (opset 23).
template <bool rms>
LogicalResult importNormalization(NodeImporter &node) {
  if (!node.hasInput(0) || !node.hasInput(1))
    return node.fail("expects inputs X and Scale");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  if (!isa<FloatType>(element))
    return node.fail("X must be a float tensor");
  if (type.getRank() == 0)
    return node.fail("X must have rank >= 1");
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.attrInt("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  float epsilon = node.attrFloat("epsilon", 1e-5f);
  FailureOr<Type> statsType = stashElementType(node, element);
  if (failed(statsType))
    return failure();
  if (rms && node.hasOutput(1))
    return node.fail("RMSNormalization has a single output");
  // RMSNormalization's result takes the scale's type (V in the schema).
  Type resultElement =
      rms ? node.inputType(1).getElementType() : element;
  FailureOr<Value> y =
      buildNorm(node, rms, node.input(0), node.input(1),
                rms ? Value() : node.input(2), *axis, epsilon, *statsType,
                resultElement);
  if (failed(y) || failed(node.setResult(0, *y)))
    return failure();
  if (node.hasOutput(1) || node.hasOutput(2)) {
    auto [mean, invStdDev] = buildNormStatistics(node, rms, node.input(0),
                                                 *axis, epsilon, *statsType);
    if (failed(node.setResult(1, mean)) || failed(node.setResult(2, invStdDev)))
      return failure();
  }
  return success();
}

/// A per-channel parameter of a [N, C, ...] input as [1, C, 1, ...], cast to
/// `element`.
FailureOr<Value> channelParameter(NodeImporter &node, int input,
                                  StringRef name, ArrayRef<int64_t> xShape,
                                  Type element) {
  if (!node.hasInput(input))
    return node.emitError() << "missing input " << name;
  RankedTensorType type = node.inputType(input);
  if (!isa<FloatType>(type.getElementType()))
    return node.emitError() << "input " << name << " must be a float tensor";
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value v = castFloat(b, loc, node.input(input), element);
  int64_t rank = xShape.size(), channels = xShape[1];
  SmallVector<int64_t> shape(rank, 1);
  shape[1] = channels;
  if (type.getRank() == 1 && type.getDimSize(0) == channels)
    return reshapeTo(b, loc, v, shape);
  // BatchNormalization with spatial = 0 (before opset 9): one value per
  // channel and position, [C, D1, ...].
  if (type.getRank() == rank - 1 && type.getDimSize(0) == channels) {
    SmallVector<int64_t> full = {1};
    llvm::append_range(full, type.getShape());
    if (broadcastsTo(full, xShape))
      return reshapeTo(b, loc, v, full);
  }
  auto diag = node.emitError() << "input " << name << " has shape [";
  llvm::interleaveComma(type.getShape(), diag);
  return diag << "]; expected [" << channels << "]";
}

/// Inference-mode batch normalization, in the reference implementation's
/// order: scale * (x - mean) / sqrt(var + epsilon) + bias.
LogicalResult importBatchNormalization(NodeImporter &node) {
  for (int i = 0; i < 5; ++i)
    if (!node.hasInput(i))
      return node.fail("expects inputs X, scale, B, input_mean and input_var");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  if (!isa<FloatType>(element))
    return node.fail("X must be a float tensor");
  if (type.getRank() < 2)
    return node.fail("X must have shape [N, C, ...]");
  if (node.attrInt("training_mode", 0) != 0)
    return node.fail("training_mode = 1 is not supported (inference only)");
  if (node.opset() < 7 && node.hasAttr("is_test") &&
      node.attrInt("is_test", 0) == 0)
    return node.fail("is_test = 0 (training) is not supported");
  for (int i = 1; i < node.numOutputs(); ++i)
    if (node.hasOutput(i))
      return node.emitError() << "output " << i
                              << " exists in training mode only, which is "
                                 "not supported";
  SmallVector<Value> params;
  const char *names[] = {"scale", "B", "input_mean", "input_var"};
  for (int i = 1; i <= 4; ++i) {
    FailureOr<Value> p =
        channelParameter(node, i, names[i - 1], type.getShape(), element);
    if (failed(p))
      return failure();
    params.push_back(*p);
  }
  float epsilon = node.attrFloat("epsilon", 1e-5f);
  Value y = buildElementwise(
      node.builder(), node.loc(), type.getShape(), element,
      ValueRange{node.input(0), params[0], params[1], params[2], params[3]},
      [&](OpBuilder &b, Location loc, ValueRange v) {
        Value scaled = mulF(b, loc, v[1], subF(b, loc, v[0], v[3]));
        Value varEps = addF(b, loc, v[4], scalarFloat(b, loc, element, epsilon));
        Value normalized =
            divF(b, loc, scaled, math::SqrtOp::create(b, loc, varEps));
        return addF(b, loc, normalized, v[2]);
      });
  return node.setResult(0, y);
}

/// (x - mean) / sqrt(var + epsilon) over `axes` (kept), in x's type.
Value buildStandardize(OpBuilder &b, Location loc, Value x,
                       ArrayRef<int64_t> axes, float epsilon) {
  auto type = cast<RankedTensorType>(x.getType());
  Type element = type.getElementType();
  Value mean = buildMean(b, loc, x, axes);
  Value centered = buildElementwise(b, loc, type.getShape(), element,
                                    ValueRange{x, mean},
                                    [](OpBuilder &nb, Location nl, ValueRange v) {
                                      return subF(nb, nl, v[0], v[1]);
                                    });
  Value variance =
      buildMean(b, loc, buildUnary(b, loc, centered, UnaryFn::Square), axes);
  return buildElementwise(
      b, loc, type.getShape(), element, ValueRange{centered, variance},
      [&](OpBuilder &nb, Location nl, ValueRange v) {
        Value sum = addF(nb, nl, v[1], scalarFloat(nb, nl, element, epsilon));
        return divF(nb, nl, v[0], math::SqrtOp::create(nb, nl, sum));
      });
}

/// scale * (x - mean) / sqrt(var + epsilon) + B with statistics per sample
/// and channel over the spatial axes.
LogicalResult importInstanceNormalization(NodeImporter &node) {
  if (!node.hasInput(0) || !node.hasInput(1) || !node.hasInput(2))
    return node.fail("expects inputs input, scale and B");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  if (!isa<FloatType>(element))
    return node.fail("the input must be a float tensor");
  int64_t rank = type.getRank();
  if (rank < 3)
    return node.fail("the input must have shape [N, C, D1, ...]");
  FailureOr<Value> scale =
      channelParameter(node, 1, "scale", type.getShape(), element);
  FailureOr<Value> bias =
      channelParameter(node, 2, "B", type.getShape(), element);
  if (failed(scale) || failed(bias))
    return failure();
  if (type.getNumElements() == 0)
    return node.forwardInput(0, 0);
  float epsilon = node.attrFloat("epsilon", 1e-5f);
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  auto axes = llvm::to_vector(llvm::seq<int64_t>(2, rank));
  Value x = node.input(0);
  Value mean = buildMean(b, loc, x, axes);
  Value centered = buildElementwise(b, loc, type.getShape(), element,
                                    ValueRange{x, mean},
                                    [](OpBuilder &nb, Location nl, ValueRange v) {
                                      return subF(nb, nl, v[0], v[1]);
                                    });
  Value variance =
      buildMean(b, loc, buildUnary(b, loc, centered, UnaryFn::Square), axes);
  Value y = buildElementwise(
      b, loc, type.getShape(), element,
      ValueRange{centered, variance, *scale, *bias},
      [&](OpBuilder &nb, Location nl, ValueRange v) {
        Value scaled = mulF(nb, nl, v[2], v[0]);
        Value sum = addF(nb, nl, v[1], scalarFloat(nb, nl, element, epsilon));
        Value normalized =
            divF(nb, nl, scaled, math::SqrtOp::create(nb, nl, sum));
        return addF(nb, nl, normalized, v[3]);
      });
  return node.setResult(0, y);
}

/// GroupNormalization: statistics per sample and group of channels; scale
/// and bias per group (opset 18) or per channel (opset 21).
template <bool perChannel>
LogicalResult importGroupNormalization(NodeImporter &node) {
  if (!node.hasInput(0) || !node.hasInput(1) || !node.hasInput(2))
    return node.fail("expects inputs X, scale and bias");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  if (!isa<FloatType>(element))
    return node.fail("X must be a float tensor");
  int64_t rank = type.getRank();
  if (rank < 2)
    return node.fail("X must have shape [N, C, ...]");
  if (!node.hasAttr("num_groups"))
    return node.fail("attribute 'num_groups' is required");
  int64_t groups = node.attrInt("num_groups", 1);
  int64_t batch = type.getDimSize(0), channels = type.getDimSize(1);
  if (groups <= 0 || channels % groups != 0)
    return node.emitError() << "num_groups " << groups
                            << " does not divide the " << channels
                            << " channels";
  FailureOr<Type> statsType =
      perChannel ? stashElementType(node, element) : FailureOr<Type>(element);
  if (failed(statsType))
    return failure();
  int64_t paramSize = perChannel ? channels : groups;
  for (int i = 1; i <= 2; ++i) {
    RankedTensorType p = node.inputType(i);
    if (!p || !isa<FloatType>(p.getElementType()) ||
        p.getNumElements() != paramSize)
      return node.emitError() << "input " << i << " must hold " << paramSize
                              << " floats (one per "
                              << (perChannel ? "channel" : "group") << ")";
  }
  if (type.getNumElements() == 0)
    return node.forwardInput(0, 0);
  float epsilon = node.attrFloat("epsilon", 1e-5f);
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  int64_t groupSize = type.getNumElements() / (batch * groups);
  Value x = castFloat(b, loc, node.input(0), *statsType);
  x = reshapeTo(b, loc, x, {batch, groups, groupSize});
  Value normalized = buildStandardize(b, loc, x, {2}, epsilon);
  normalized = castFloat(b, loc, normalized, element);
  SmallVector<int64_t> workShape = {batch, groups, groupSize};
  if (perChannel) {
    workShape = {batch, channels, type.getNumElements() / (batch * channels)};
    normalized = reshapeTo(b, loc, normalized, workShape);
  }
  Value scale = reshapeTo(b, loc, castFloat(b, loc, node.input(1), element),
                          {1, paramSize, 1});
  Value bias = reshapeTo(b, loc, castFloat(b, loc, node.input(2), element),
                         {1, paramSize, 1});
  Value y = buildElementwise(b, loc, workShape, element,
                             ValueRange{normalized, scale, bias},
                             [](OpBuilder &nb, Location nl, ValueRange v) {
                               return addF(nb, nl, mulF(nb, nl, v[1], v[0]),
                                           v[2]);
                             });
  return node.setResult(0, reshapeTo(b, loc, y, type.getShape()));
}

/// Local response normalization across channels:
/// y = x / (bias + alpha / size * sum of x^2 over the channel window)^beta,
/// the window being [c - floor((size-1)/2), c + ceil((size-1)/2)].
LogicalResult importLRN(NodeImporter &node) {
  if (!node.hasInput(0))
    return node.fail("missing input X");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  if (!isa<FloatType>(element))
    return node.fail("X must be a float tensor");
  int64_t rank = type.getRank();
  if (rank < 3)
    return node.fail("X must have shape [N, C, D1, ...]");
  if (!node.hasAttr("size"))
    return node.fail("attribute 'size' is required");
  int64_t size = node.attrInt("size", 1);
  if (size <= 0)
    return node.emitError() << "size " << size << " must be positive";
  float alpha = node.attrFloat("alpha", 1e-4f);
  float beta = node.attrFloat("beta", 0.75f);
  float bias = node.attrFloat("bias", 1.0f);
  if (type.getNumElements() == 0)
    return node.forwardInput(0, 0);
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  MLIRContext *ctx = node.context();
  int64_t before = (size - 1) / 2, after = size / 2;
  Value x = node.input(0);
  Value squares = buildUnary(b, loc, x, UnaryFn::Square);
  SmallVector<OpFoldResult> low(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> high(rank, b.getIndexAttr(0));
  low[1] = b.getIndexAttr(before);
  high[1] = b.getIndexAttr(after);
  SmallVector<int64_t> paddedShape(type.getShape());
  paddedShape[1] += before + after;
  Value zero = scalarFloat(b, loc, element, 0.0);
  Value padded = tensor::PadOp::create(
      b, loc, RankedTensorType::get(paddedShape, element), squares, low, high,
      zero);
  // sum[n, c, ...] = sum_j padded[n, c + j, ...] over dims (n, c, ..., j).
  SmallVector<AffineExpr> inExprs;
  for (int64_t d = 0; d < rank; ++d)
    inExprs.push_back(d == 1 ? getAffineDimExpr(1, ctx) +
                                   getAffineDimExpr(rank, ctx)
                             : getAffineDimExpr(d, ctx));
  AffineMap inMap = AffineMap::get(rank + 1, 0, inExprs, ctx);
  AffineMap windowMap =
      AffineMap::get(rank + 1, 0, {getAffineDimExpr(rank, ctx)}, ctx);
  AffineMap outMap = AffineMap::get(
      rank + 1, 0, AffineMap::getMultiDimIdentityMap(rank, ctx).getResults(),
      ctx);
  SmallVector<utils::IteratorType> iterators(rank + 1,
                                             utils::IteratorType::parallel);
  iterators[rank] = utils::IteratorType::reduction;
  // An unused [size] operand gives the loop over j its extent.
  Value window = createSplat(b, loc, element, {size}, 0.0);
  Value init = createSplat(b, loc, element, type.getShape(), 0.0);
  Value sums =
      linalg::GenericOp::create(
          b, loc, TypeRange{init.getType()}, ValueRange{padded, window},
          ValueRange{init}, ArrayRef<AffineMap>{inMap, windowMap, outMap},
          iterators,
          [](OpBuilder &nb, Location nl, ValueRange args) {
            linalg::YieldOp::create(nb, nl,
                                    ValueRange{addF(nb, nl, args[2], args[0])});
          })
          .getResult(0);
  double coefficient = static_cast<float>(double(alpha) / double(size));
  Value y = buildElementwise(
      b, loc, type.getShape(), element, ValueRange{x, sums},
      [&](OpBuilder &nb, Location nl, ValueRange v) {
        Value scaled =
            mulF(nb, nl, scalarFloat(nb, nl, element, coefficient), v[1]);
        Value base = addF(nb, nl, scalarFloat(nb, nl, element, bias), scaled);
        Value power = math::PowFOp::create(
            nb, nl, base, scalarFloat(nb, nl, element, beta));
        return divF(nb, nl, v[0], power);
      });
  return node.setResult(0, y);
}

/// MeanVarianceNormalization, as its ONNX function body computes it:
/// (X - E[X]) / (sqrt(E[X^2] - E[X]^2) + 1e-9) over `axes`.
LogicalResult importMeanVarianceNormalization(NodeImporter &node) {
  if (!node.hasInput(0))
    return node.fail("missing input X");
  RankedTensorType type = node.inputType(0);
  Type element = type.getElementType();
  if (!isa<FloatType>(element))
    return node.fail("X must be a float tensor");
  int64_t rank = type.getRank();
  SmallVector<int64_t> axes;
  for (int64_t a : node.attrInts("axes", {0, 2, 3})) {
    FailureOr<int64_t> axis = normalizeAxis(node, a, rank, "axes entry");
    if (failed(axis))
      return failure();
    if (!llvm::is_contained(axes, *axis))
      axes.push_back(*axis);
  }
  llvm::sort(axes);
  if (type.getNumElements() == 0)
    return node.forwardInput(0, 0);
  OpBuilder &b = node.builder();
  Location loc = node.loc();
  Value x = node.input(0);
  Value mean = buildMean(b, loc, x, axes);
  Value meanOfSquares =
      buildMean(b, loc, buildUnary(b, loc, x, UnaryFn::Square), axes);
  Value y = buildElementwise(
      b, loc, type.getShape(), element, ValueRange{x, mean, meanOfSquares},
      [&](OpBuilder &nb, Location nl, ValueRange v) {
        Value variance = subF(nb, nl, v[2], mulF(nb, nl, v[1], v[1]));
        Value std = math::SqrtOp::create(nb, nl, variance);
        Value denominator =
            addF(nb, nl, std, scalarFloat(nb, nl, element, 1e-9));
        return divF(nb, nl, subF(nb, nl, v[0], v[1]), denominator);
      });
  return node.setResult(0, y);
}

} // namespace

LogicalResult lowbit::onnx_import::importLayerNormalization(NodeImporter &node) {
  return importNormalization<false>(node);
}

void lowbit::onnx_import::registerNormalizationOps(
    std::vector<OpHandler> &table) {
  // Before opset 17 the name is onnxruntime's contrib op, same semantics.
  table.push_back({"", "LayerNormalization", 1, importLayerNormalization,
                   "-> lowbit.layer_norm; Mean/InvStdDev computed"});
  table.push_back({"", "RMSNormalization", 23, importNormalization<true>,
                   "-> lowbit.rms_norm"});
  table.push_back({"", "BatchNormalization", 1, importBatchNormalization,
                   "inference mode only"});
  table.push_back({"", "InstanceNormalization", 1, importInstanceNormalization});
  table.push_back({"", "GroupNormalization", 18,
                   importGroupNormalization<false>});
  table.push_back({"", "GroupNormalization", 21,
                   importGroupNormalization<true>,
                   "scale and bias per group before 21, per channel from 21"});
  table.push_back({"", "LRN", 1, importLRN});
  table.push_back({"", "MeanVarianceNormalization", 9,
                   importMeanVarianceNormalization});
}
