//===- FakeQuantizeActivations.cpp - fake_quant on quantized inputs -------===//

#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace lowbit {
#define GEN_PASS_DEF_FAKEQUANTIZEACTIVATIONSPASS
#include "lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// A rank-0 constant tensor holding `value`.
Value scalarTensor(OpBuilder &b, Location loc, Attribute value) {
  auto typed = cast<TypedAttr>(value);
  auto type = RankedTensorType::get({}, typed.getType());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, typed));
}

LogicalResult fakeQuantizeInput(LinearOp op) {
  QConfigAttr config = op.getActQconfigAttr();
  if (!config || config.isFloat())
    return success();
  if (config.getFormat() != NumberFormat::Int || config.getBits() < 2 ||
      config.getBits() > 8)
    return op.emitError() << "activations can only be fake-quantized to 2 to "
                             "8 bit integers; act_qconfig has "
                          << config.getBits() << " bits";
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value scale, zeroPoint;
  if (config.getGranularity() == Granularity::Tensor) {
    FloatAttr s = op.getActScaleAttr();
    if (!s)
      return op.emitError("a per-tensor act_qconfig needs a calibrated "
                          "act_scale to be fake-quantized");
    Type element = op.getInput().getType().getElementType();
    scale = scalarTensor(b, loc, b.getFloatAttr(element, s.getValueAsDouble()));
    if (IntegerAttr z = op.getActZeroPointAttr())
      zeroPoint = scalarTensor(b, loc, b.getI32IntegerAttr(z.getInt()));
  }
  Value input = FakeQuantOp::create(b, loc, op.getInput().getType(),
                                    op.getInput(), scale, zeroPoint, config);
  op.getInputMutable().assign(input);
  op.removeActQconfigAttr();
  op.removeActScaleAttr();
  op.removeActZeroPointAttr();
  return success();
}

struct FakeQuantizeActivationsPass
    : lowbit::impl::FakeQuantizeActivationsPassBase<
          FakeQuantizeActivationsPass> {
  void runOnOperation() override {
    bool anyFailed = false;
    getOperation().walk([&](LinearOp op) {
      anyFailed |= failed(fakeQuantizeInput(op));
    });
    if (anyFailed)
      signalPassFailure();
  }
};

} // namespace
