//===- QuantOps.cpp - verifiers and folds of the numerics ops -------------===//
//
// observe, fake_quant, quantize, quantize_per_token, dequantize, hadamard.
//
//===----------------------------------------------------------------------===//

#include "ShapeUtils.h"
#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Numerics/Hadamard.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/SmallVector.h"

using namespace mlir;
using namespace lowbit;
using lowbit::detail::dimsCompatible;
using lowbit::detail::formatShape;
using lowbit::detail::shapesCompatible;

namespace {

/// The shape scales must have for `config` over a tensor of `shape`
/// (quantization along the last axis). Fails when a group does not divide
/// the row.
FailureOr<SmallVector<int64_t>> expectedScaleShape(Operation *op,
                                                   QConfigAttr config,
                                                   ArrayRef<int64_t> shape) {
  SmallVector<int64_t> result(shape);
  switch (config.getGranularity()) {
  case Granularity::Tensor:
    return SmallVector<int64_t>{};
  case Granularity::Channel:
  case Granularity::Token:
    if (!result.empty())
      result.back() = 1;
    return result;
  case Granularity::Group: {
    if (shape.empty())
      return op->emitOpError("group granularity needs an input of rank >= 1");
    int64_t row = shape.back();
    if (ShapedType::isDynamic(row))
      return result;
    if (row % config.getGroupSize() != 0)
      return op->emitOpError()
             << "group_size " << config.getGroupSize()
             << " does not divide the last axis " << row;
    result.back() = row / config.getGroupSize();
    return result;
  }
  }
  return failure();
}

/// Scale and zero-point operands: shapes by granularity, zero point present
/// exactly for asymmetric configs.
LogicalResult verifyScaleOperands(Operation *op, QConfigAttr config,
                                  ArrayRef<int64_t> shape, Value scale,
                                  Value zeroPoint) {
  FailureOr<SmallVector<int64_t>> expected =
      expectedScaleShape(op, config, shape);
  if (failed(expected))
    return failure();
  auto scaleShape = cast<RankedTensorType>(scale.getType()).getShape();
  if (!shapesCompatible(scaleShape, *expected))
    return op->emitOpError() << "scale must have shape "
                             << formatShape(*expected) << " for granularity "
                             << stringifyGranularity(config.getGranularity())
                             << "; got " << formatShape(scaleShape);
  if (config.getSymmetric() && zeroPoint)
    return op->emitOpError("a symmetric qconfig takes no zero_point");
  if (!config.getSymmetric() && !zeroPoint)
    return op->emitOpError("an asymmetric qconfig needs a zero_point");
  if (zeroPoint) {
    auto zpShape = cast<RankedTensorType>(zeroPoint.getType()).getShape();
    if (!shapesCompatible(zpShape, *expected))
      return op->emitOpError() << "zero_point must have shape "
                               << formatShape(*expected) << "; got "
                               << formatShape(zpShape);
  }
  return success();
}

/// Integer quantization to `bits` in 2..8 with the int format.
LogicalResult verifyIntegerConfig(Operation *op, QConfigAttr config) {
  if (config.getBits() < 2 || config.getBits() > 8)
    return op->emitOpError() << "integer quantization needs 2 to 8 bits; got "
                             << config.getBits();
  if (config.getFormat() != NumberFormat::Int)
    return op->emitOpError() << "integer quantization needs format int; got "
                             << stringifyNumberFormat(config.getFormat());
  return success();
}

LogicalResult verifyIntegerStorage(Operation *op, RankedTensorType type,
                                   unsigned bits, StringRef what) {
  unsigned width = type.getElementType().getIntOrFloatBitWidth();
  if (width < bits)
    return op->emitOpError() << what << " element type " << type.getElementType()
                             << " cannot hold " << bits << "-bit values";
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// observe
//===----------------------------------------------------------------------===//

LogicalResult ObserveOp::verify() {
  if (getTag().empty())
    return emitOpError("tag must not be empty");
  return success();
}

//===----------------------------------------------------------------------===//
// fake_quant
//===----------------------------------------------------------------------===//

LogicalResult FakeQuantOp::verify() {
  QConfigAttr config = getQconfig();
  if (config.isFloat() || config.isPruned()) {
    if (getScale() || getZeroPoint())
      return emitOpError() << "a " << config.getBits()
                           << "-bit qconfig takes no scale or zero_point";
    return success();
  }
  if (config.getGranularity() == Granularity::Token) {
    if (getScale() || getZeroPoint())
      return emitOpError("per-token scales are computed at run time; a token "
                         "qconfig takes no scale or zero_point");
    return success();
  }
  if (!getScale())
    return emitOpError() << "granularity "
                         << stringifyGranularity(config.getGranularity())
                         << " needs a scale operand";
  return verifyScaleOperands(*this, config, getInput().getType().getShape(),
                             getScale(), getZeroPoint());
}

OpFoldResult FakeQuantOp::fold(FoldAdaptor) {
  QConfigAttr config = getQconfig();
  // 16 bits means "kept in floating point": nothing to do.
  if (config.isFloat())
    return getInput();
  // 0 bits means pruned: the tensor is zero.
  RankedTensorType type = getInput().getType();
  if (config.isPruned() && type.hasStaticShape())
    return DenseElementsAttr::get(
        type, FloatAttr::get(type.getElementType(), 0.0));
  return {};
}

//===----------------------------------------------------------------------===//
// quantize / quantize_per_token / dequantize
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  QConfigAttr config = getQconfig();
  if (config.getGranularity() == Granularity::Token)
    return emitOpError("token granularity is lowbit.quantize_per_token's");
  if (failed(verifyIntegerConfig(*this, config)) ||
      failed(verifyIntegerStorage(*this, getResult().getType(),
                                  config.getBits(), "result")))
    return failure();
  if (!shapesCompatible(getInput().getType().getShape(),
                        getResult().getType().getShape()))
    return emitOpError("result shape must equal the input shape");
  return verifyScaleOperands(*this, config, getInput().getType().getShape(),
                             getScale(), getZeroPoint());
}

OpFoldResult QuantizeOp::fold(FoldAdaptor) {
  // quantize(dequantize(q, s, z), s, z) == q: dequantized values lie exactly
  // on the grid, so re-quantizing with the same parameters returns the codes.
  auto dequant = getInput().getDefiningOp<DequantizeOp>();
  if (!dequant || dequant.getQconfig() != getQconfig() ||
      dequant.getScale() != getScale() ||
      dequant.getZeroPoint() != getZeroPoint() ||
      dequant.getInput().getType() != getResult().getType())
    return {};
  return dequant.getInput();
}

LogicalResult QuantizePerTokenOp::verify() {
  QConfigAttr config = getQconfig();
  if (config.getGranularity() != Granularity::Token)
    return emitOpError("needs a qconfig with granularity token");
  if (failed(verifyIntegerConfig(*this, config)) ||
      failed(verifyIntegerStorage(*this, getResult().getType(),
                                  config.getBits(), "result")))
    return failure();
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  if (shape.empty())
    return emitOpError("input must have rank >= 1");
  if (!shapesCompatible(shape, getResult().getType().getShape()))
    return emitOpError("result shape must equal the input shape");
  return verifyScaleOperands(*this, config, shape, getScale(), getZeroPoint());
}

LogicalResult DequantizeOp::verify() {
  QConfigAttr config = getQconfig();
  if (failed(verifyIntegerConfig(*this, config)) ||
      failed(verifyIntegerStorage(*this, getInput().getType(),
                                  config.getBits(), "input")))
    return failure();
  if (!shapesCompatible(getInput().getType().getShape(),
                        getResult().getType().getShape()))
    return emitOpError("result shape must equal the input shape");
  return verifyScaleOperands(*this, config, getInput().getType().getShape(),
                             getScale(), getZeroPoint());
}

//===----------------------------------------------------------------------===//
// hadamard
//===----------------------------------------------------------------------===//

LogicalResult HadamardOp::verify() {
  int64_t size = static_cast<int64_t>(getSize());
  if (!numerics::isSupportedHadamardOrder(size))
    return emitOpError() << "no Hadamard matrix of order " << size
                         << " is supported (powers of two, and (q + 1) * 2^k "
                            "for primes q = 3 mod 4)";
  if (static_cast<int64_t>(getSeed()) < 0)
    return emitOpError("seed must be non-negative");
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  if (shape.empty())
    return emitOpError("input must have rank >= 1");
  if (!ShapedType::isDynamic(shape.back()) && shape.back() % size != 0)
    return emitOpError() << "size " << size
                         << " does not divide the last axis " << shape.back();
  return success();
}

OpFoldResult HadamardOp::fold(FoldAdaptor) {
  // Unsigned Sylvester matrices are symmetric, so (H / sqrt(n))^2 = I.
  auto inner = getInput().getDefiningOp<HadamardOp>();
  if (!inner || inner.getSize() != getSize() || inner.getSeed() != 0 ||
      getSeed() != 0 || !numerics::isPowerOfTwo(getSize()))
    return {};
  return inner.getInput();
}
