//===- FakeQuantizeWeights.cpp - weights replaced by s * (c - z) ----------===//

#include "WeightQuantization.h"

#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Transforms/OpNames.h"
#include "lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace lowbit {
#define GEN_PASS_DEF_FAKEQUANTIZEWEIGHTSPASS
#include "lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// Gives `op` a new weight and drops the weight decision it implements.
void setWeight(LinearOp op, Value weight) {
  Value old = op.getWeight();
  op.getWeightMutable().assign(weight);
  op.removeWeightQconfigAttr();
  eraseIfDeadConstant(old);
}

void pruneWeight(LinearOp op) {
  OpBuilder builder(op);
  Location loc = op.getLoc();
  auto type = cast<RankedTensorType>(op.getWeight().getType());
  Type element = type.getElementType();
  Value zeros;
  if (type.hasStaticShape()) {
    zeros = arith::ConstantOp::create(
        builder, loc,
        DenseElementsAttr::get(type, builder.getZeroAttr(element)));
  } else {
    SmallVector<Value> dynamicSizes;
    for (int64_t i = 0; i < type.getRank(); ++i)
      if (type.isDynamicDim(i))
        dynamicSizes.push_back(
            tensor::DimOp::create(builder, loc, op.getWeight(), i));
    Value init = tensor::EmptyOp::create(builder, loc, type.getShape(), element,
                                         dynamicSizes);
    Value zero =
        arith::ConstantOp::create(builder, loc, builder.getZeroAttr(element));
    zeros = linalg::FillOp::create(builder, loc, zero, init).getResult(0);
  }
  setWeight(op, zeros);
}

void replaceWeight(WeightJob &job) {
  LinearOp op = job.op;
  OpBuilder builder(op);
  auto type = cast<RankedTensorType>(job.weight.getType());
  Value weight = arith::ConstantOp::create(
      builder, op.getLoc(),
      cast<TypedAttr>(makeConstantData(type, job.dequantized,
                                       getModelOpName(op) + ".fake_quant")));
  setWeight(op, weight);
}

struct FakeQuantizeWeightsPass
    : lowbit::impl::FakeQuantizeWeightsPassBase<FakeQuantizeWeightsPass> {
  using FakeQuantizeWeightsPassBase::FakeQuantizeWeightsPassBase;

  void runOnOperation() override {
    CalibratedMethodOptions calibrated{percdamp, blockSize, actOrder,
                                       awqGrid};
    FailureOr<ScaleSearch> search =
        parseScaleSearch(getOperation()->getLoc(), method, clipCandidates,
                         minClipRatio, calibrated);
    if (failed(search))
      return signalPassFailure();
    WeightRewriters rewriters{WeightOutput::Dequantized, pruneWeight,
                              replaceWeight};
    if (failed(quantizeLinearWeights(getOperation(), *search, rewriters)))
      signalPassFailure();
  }
};

} // namespace
