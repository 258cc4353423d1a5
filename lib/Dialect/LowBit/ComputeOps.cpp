//===- ComputeOps.cpp - verifiers of linear, conv, norms and qlinear ------===//

#include "ShapeUtils.h"
#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "llvm/ADT/SmallVector.h"

#include <cmath>

using namespace mlir;
using namespace lowbit;
using lowbit::detail::dimsCompatible;
using lowbit::detail::formatShape;
using lowbit::detail::shapesCompatible;

namespace {

/// Checks the element types of a list of float tensors agree.
LogicalResult verifySameElementType(Operation *op, ArrayRef<Value> values,
                                    StringRef what) {
  Type expected;
  for (Value v : values) {
    if (!v)
      continue;
    Type t = cast<ShapedType>(v.getType()).getElementType();
    if (!expected)
      expected = t;
    else if (t != expected)
      return op->emitOpError() << what << " must share one element type; got "
                               << expected << " and " << t;
  }
  return success();
}

/// A weight config may not be per-token; a group must divide the row length.
LogicalResult verifyWeightConfig(Operation *op, QConfigAttr config,
                                 int64_t rowLength) {
  if (!config)
    return success();
  if (config.getGranularity() == Granularity::Token)
    return op->emitOpError("weight_qconfig cannot use per-token granularity");
  if (config.getGranularity() == Granularity::Group &&
      !ShapedType::isDynamic(rowLength) &&
      rowLength % config.getGroupSize() != 0)
    return op->emitOpError() << "group_size " << config.getGroupSize()
                             << " does not divide the weight row length "
                             << rowLength;
  return success();
}

/// Activations are quantized per tensor (static) or per token (dynamic).
LogicalResult verifyActivationConfig(Operation *op, QConfigAttr config) {
  if (!config)
    return success();
  Granularity g = config.getGranularity();
  if (g != Granularity::Tensor && g != Granularity::Token)
    return op->emitOpError(
        "act_qconfig must use granularity tensor or token");
  if (config.getBits() < 2 || config.getBits() > 8)
    return op->emitOpError() << "act_qconfig needs 2 to 8 bits; got "
                             << config.getBits();
  return success();
}

/// A static activation scale (and zero point) belongs to a per-tensor
/// act_qconfig; `required`: such a config must have one.
LogicalResult verifyStaticActivationScale(Operation *op, QConfigAttr config,
                                          FloatAttr scale,
                                          IntegerAttr zeroPoint,
                                          bool required) {
  bool perTensor = config && config.getGranularity() == Granularity::Tensor;
  if ((scale || zeroPoint) && !perTensor)
    return op->emitOpError("act_scale and act_zero_point need an act_qconfig "
                           "with granularity tensor");
  if (!perTensor)
    return success();
  if (!scale)
    return required ? op->emitOpError(
                          "a per-tensor act_qconfig needs an act_scale")
                    : success();
  double s = scale.getValueAsDouble();
  if (!(s > 0.0) || !std::isfinite(s))
    return op->emitOpError() << "act_scale must be finite and positive; got "
                             << s;
  if (config.getSymmetric() && zeroPoint)
    return op->emitOpError("a symmetric act_qconfig takes no act_zero_point");
  if (!config.getSymmetric() && !zeroPoint)
    return op->emitOpError("an asymmetric act_qconfig needs an act_zero_point");
  if (zeroPoint) {
    int64_t half = int64_t(1) << (config.getBits() - 1);
    int64_t z = zeroPoint.getInt();
    if (z < -half || z >= half)
      return op->emitOpError()
             << "act_zero_point " << z << " is outside the signed "
             << config.getBits() << "-bit range";
  }
  return success();
}

LogicalResult verifyBias(Operation *op, Value bias, int64_t outFeatures) {
  if (!bias)
    return success();
  auto type = cast<RankedTensorType>(bias.getType());
  if (type.getRank() != 1 || !dimsCompatible(type.getDimSize(0), outFeatures))
    return op->emitOpError() << "bias must have shape ["
                             << (ShapedType::isDynamic(outFeatures)
                                     ? std::string("?")
                                     : std::to_string(outFeatures))
                             << "]; got " << formatShape(type.getShape());
  return success();
}

/// Result of a matrix product with a [N, K] weight: input [..., K] -> [..., N].
LogicalResult verifyLinearShapes(Operation *op, RankedTensorType input,
                                 int64_t inFeatures, int64_t outFeatures,
                                 RankedTensorType result) {
  if (input.getRank() < 1)
    return op->emitOpError("input must have rank >= 1");
  if (!dimsCompatible(input.getShape().back(), inFeatures))
    return op->emitOpError() << "input feature size "
                             << input.getShape().back()
                             << " differs from the weight's " << inFeatures;
  SmallVector<int64_t> expected(input.getShape());
  expected.back() = outFeatures;
  if (!shapesCompatible(expected, result.getShape()))
    return op->emitOpError() << "result shape "
                             << formatShape(result.getShape())
                             << " differs from the expected "
                             << formatShape(expected);
  return success();
}

/// Normalizes a possibly negative axis; fails when out of range.
FailureOr<int64_t> normalizeAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return op->emitOpError() << "axis " << axis << " is out of range for rank "
                             << rank;
  return axis < 0 ? axis + rank : axis;
}

LogicalResult verifyNormParameter(Operation *op, RankedTensorType input,
                                  int64_t axis, Value param, StringRef name) {
  if (!param)
    return success();
  ArrayRef<int64_t> normalized = input.getShape().drop_front(axis);
  auto type = cast<RankedTensorType>(param.getType());
  if (!shapesCompatible(type.getShape(), normalized))
    return op->emitOpError() << name << " must have the normalized shape "
                             << formatShape(normalized) << "; got "
                             << formatShape(type.getShape());
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// linear
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  RankedTensorType weight = getWeight().getType();
  if (weight.getRank() != 2)
    return emitOpError() << "weight must be a [N, K] matrix; got rank "
                         << weight.getRank();
  if (failed(verifySameElementType(
          *this, {getInput(), getWeight(), getBias(), getResult()},
          "input, weight, bias and result")))
    return failure();
  if (failed(verifyLinearShapes(*this, getInput().getType(), getInFeatures(),
                                getOutFeatures(), getResult().getType())) ||
      failed(verifyBias(*this, getBias(), getOutFeatures())) ||
      failed(verifyWeightConfig(*this, getWeightQconfigAttr(),
                                getInFeatures())))
    return failure();
  if (failed(verifyActivationConfig(*this, getActQconfigAttr())))
    return failure();
  return verifyStaticActivationScale(*this, getActQconfigAttr(),
                                     getActScaleAttr(), getActZeroPointAttr(),
                                     /*required=*/false);
}

//===----------------------------------------------------------------------===//
// conv
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::verify() {
  RankedTensorType input = getInput().getType();
  RankedTensorType weight = getWeight().getType();
  int64_t rank = input.getRank();
  if (rank < 3)
    return emitOpError() << "input must be [B, C, spatial...] with at least "
                            "one spatial axis; got rank "
                         << rank;
  if (weight.getRank() != rank)
    return emitOpError() << "weight rank " << weight.getRank()
                         << " differs from the input rank " << rank;
  if (failed(verifySameElementType(
          *this, {getInput(), getWeight(), getBias(), getResult()},
          "input, weight, bias and result")))
    return failure();

  size_t spatial = rank - 2;
  if (getStrides().size() != spatial || getDilations().size() != spatial)
    return emitOpError() << "strides and dilations need " << spatial
                         << " entries";
  if (getPads().size() != 2 * spatial)
    return emitOpError() << "pads needs " << 2 * spatial
                         << " entries (begins, then ends)";
  if (llvm::any_of(getStrides(), [](int64_t s) { return s <= 0; }) ||
      llvm::any_of(getDilations(), [](int64_t d) { return d <= 0; }))
    return emitOpError("strides and dilations must be positive");
  if (llvm::any_of(getPads(), [](int64_t p) { return p < 0; }))
    return emitOpError("pads must be non-negative");

  int64_t group = getGroup();
  int64_t channels = input.getDimSize(1);
  int64_t outChannels = weight.getDimSize(0);
  if (group < 1)
    return emitOpError() << "group must be >= 1; got " << group;
  if (!ShapedType::isDynamic(channels) &&
      !ShapedType::isDynamic(weight.getDimSize(1)) &&
      weight.getDimSize(1) * group != channels)
    return emitOpError() << "input has " << channels
                         << " channels but weight expects "
                         << weight.getDimSize(1) << " x group " << group;
  if (!ShapedType::isDynamic(outChannels) && outChannels % group != 0)
    return emitOpError() << "output channels " << outChannels
                         << " are not divisible by group " << group;
  if (failed(verifyBias(*this, getBias(), outChannels)))
    return failure();

  SmallVector<int64_t> expected = {input.getDimSize(0), outChannels};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = input.getDimSize(2 + i), k = weight.getDimSize(2 + i);
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(k)) {
      expected.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t span = getDilations()[i] * (k - 1) + 1;
    int64_t padded = in + getPads()[i] + getPads()[spatial + i];
    if (padded < span)
      return emitOpError() << "kernel extent " << span
                           << " exceeds the padded input extent " << padded
                           << " on spatial axis " << i;
    expected.push_back((padded - span) / getStrides()[i] + 1);
  }
  if (!shapesCompatible(expected, getResult().getType().getShape()))
    return emitOpError() << "result shape "
                         << formatShape(getResult().getType().getShape())
                         << " differs from the expected "
                         << formatShape(expected);

  int64_t rowLength = 1;
  for (int64_t d : weight.getShape().drop_front())
    rowLength = ShapedType::isDynamic(d) || ShapedType::isDynamic(rowLength)
                    ? ShapedType::kDynamic
                    : rowLength * d;
  if (failed(verifyWeightConfig(*this, getWeightQconfigAttr(), rowLength)))
    return failure();
  return verifyActivationConfig(*this, getActQconfigAttr());
}

//===----------------------------------------------------------------------===//
// norms
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::verify() {
  RankedTensorType input = getInput().getType();
  FailureOr<int64_t> axis = normalizeAxis(*this, getAxis(), input.getRank());
  if (failed(axis))
    return failure();
  if (getEpsilon().convertToFloat() < 0.0f)
    return emitOpError("epsilon must be non-negative");
  if (failed(verifySameElementType(*this, {getInput(), getGamma(), getBeta()},
                                   "input, gamma and beta")))
    return failure();
  if (failed(verifyNormParameter(*this, input, *axis, getGamma(), "gamma")))
    return failure();
  return verifyNormParameter(*this, input, *axis, getBeta(), "beta");
}

LogicalResult RMSNormOp::verify() {
  RankedTensorType input = getInput().getType();
  FailureOr<int64_t> axis = normalizeAxis(*this, getAxis(), input.getRank());
  if (failed(axis))
    return failure();
  if (getEpsilon().convertToFloat() < 0.0f)
    return emitOpError("epsilon must be non-negative");
  if (failed(verifySameElementType(*this, {getInput(), getGamma()},
                                   "input and gamma")))
    return failure();
  return verifyNormParameter(*this, input, *axis, getGamma(), "gamma");
}

//===----------------------------------------------------------------------===//
// qlinear
//===----------------------------------------------------------------------===//

LogicalResult QLinearOp::verify() {
  QConfigAttr config = getWeightQconfig();
  unsigned bits = config.getBits();
  if (bits < 2 || bits > 8)
    return emitOpError() << "a packed weight needs 2 to 8 bits; got " << bits
                         << " (0 and 16 bits are not packed)";
  Granularity g = config.getGranularity();
  if (g != Granularity::Channel && g != Granularity::Group)
    return emitOpError("weight_qconfig must use granularity channel or group");

  int64_t k = getInFeatures();
  if (k <= 0)
    return emitOpError() << "in_features must be positive; got " << k;
  if (g == Granularity::Group && k % config.getGroupSize() != 0)
    return emitOpError() << "group_size " << config.getGroupSize()
                         << " does not divide in_features " << k;

  RankedTensorType packed = getPacked().getType();
  if (packed.getRank() != 2)
    return emitOpError() << "packed must be [N, bytes per row]; got rank "
                         << packed.getRank();
  int64_t n = packed.getDimSize(0);
  int64_t rowBytes = (k * bits + 7) / 8;
  if (!dimsCompatible(packed.getDimSize(1), rowBytes))
    return emitOpError() << "packed rows must hold " << rowBytes
                         << " bytes for " << k << " codes of " << bits
                         << " bits; got " << packed.getDimSize(1);

  int64_t groups = g == Granularity::Group ? k / config.getGroupSize() : 1;
  SmallVector<int64_t> scaleShape = {n, groups};
  RankedTensorType scales = getScales().getType();
  if (!shapesCompatible(scales.getShape(), scaleShape))
    return emitOpError() << "scales must have shape " << formatShape(scaleShape)
                         << "; got " << formatShape(scales.getShape());
  if (config.getSymmetric() && getZeroPoints())
    return emitOpError("a symmetric weight config takes no zero_points");
  if (!config.getSymmetric() && !getZeroPoints())
    return emitOpError("an asymmetric weight config needs zero_points");
  if (Value zp = getZeroPoints()) {
    auto zpShape = cast<RankedTensorType>(zp.getType()).getShape();
    if (!shapesCompatible(zpShape, scaleShape))
      return emitOpError() << "zero_points must have shape "
                           << formatShape(scaleShape) << "; got "
                           << formatShape(zpShape);
  }
  if (failed(verifySameElementType(*this, {getInput(), getBias(), getResult()},
                                   "input, bias and result")) ||
      failed(verifyLinearShapes(*this, getInput().getType(), k, n,
                                getResult().getType())) ||
      failed(verifyBias(*this, getBias(), n)))
    return failure();
  if (failed(verifyActivationConfig(*this, getActQconfigAttr())))
    return failure();
  return verifyStaticActivationScale(*this, getActQconfigAttr(),
                                     getActScaleAttr(), getActZeroPointAttr(),
                                     /*required=*/true);
}
