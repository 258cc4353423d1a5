//===- QuantizeWeights.cpp - lowbit.linear to packed lowbit.qlinear -------===//

#include "WeightQuantization.h"

#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Numerics/Packing.h"
#include "lowbit/Transforms/OpNames.h"
#include "lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/Sequence.h"

namespace lowbit {
#define GEN_PASS_DEF_QUANTIZEWEIGHTSPASS
#include "lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

template <typename T> ArrayRef<char> asBytes(const std::vector<T> &values) {
  return ArrayRef<char>(reinterpret_cast<const char *>(values.data()),
                        values.size() * sizeof(T));
}

Value createConstant(OpBuilder &builder, Location loc, RankedTensorType type,
                     ArrayRef<char> bytes, StringRef name) {
  return arith::ConstantOp::create(
      builder, loc, cast<TypedAttr>(makeConstantData(type, bytes, name)));
}

/// A pruned weight contributes nothing: the result is the bias on every row,
/// or zeros.
void replaceByBias(LinearOp op) {
  OpBuilder builder(op);
  Location loc = op.getLoc();
  RankedTensorType type = op.getResult().getType();
  Type element = type.getElementType();
  Value replacement;
  if (!op.getBias() && type.hasStaticShape()) {
    replacement = arith::ConstantOp::create(
        builder, loc,
        DenseElementsAttr::get(type, builder.getZeroAttr(element)));
  } else {
    int64_t rank = type.getRank();
    SmallVector<Value> dynamicSizes;
    for (int64_t i = 0; i < rank; ++i) {
      if (!type.isDynamicDim(i))
        continue;
      // Leading axes are the input's; the last one is the weight's rows.
      bool last = i == rank - 1;
      dynamicSizes.push_back(tensor::DimOp::create(
          builder, loc, last ? op.getWeight() : op.getInput(), last ? 0 : i));
    }
    Value init = tensor::EmptyOp::create(builder, loc, type.getShape(), element,
                                         dynamicSizes);
    if (Value bias = op.getBias()) {
      auto rowType = RankedTensorType::get({type.getShape().back()}, element);
      if (bias.getType() != rowType)
        bias = tensor::CastOp::create(builder, loc, rowType, bias);
      SmallVector<int64_t> leading =
          llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
      replacement =
          linalg::BroadcastOp::create(builder, loc, bias, init, leading)
              .getResult()[0];
    } else {
      Value zero =
          arith::ConstantOp::create(builder, loc, builder.getZeroAttr(element));
      replacement =
          linalg::FillOp::create(builder, loc, zero, init).getResult(0);
    }
  }
  Value weight = op.getWeight();
  op.getResult().replaceAllUsesWith(replacement);
  op.erase();
  eraseIfDeadConstant(weight);
}

void replaceByQLinear(WeightJob &job) {
  LinearOp op = job.op;
  OpBuilder builder(op);
  Location loc = op.getLoc();
  MLIRContext *context = op.getContext();
  std::string name = getModelOpName(op);

  // The scale grid is [N, G], or one cell for a per-tensor config, which
  // lowbit.qlinear takes as per-channel scales that happen to be equal.
  const numerics::QuantScales &grid = job.scales;
  int64_t rows = job.rows, groups = grid.cols;
  std::vector<float> scales(static_cast<size_t>(rows * groups));
  std::vector<int8_t> zeroPoints(scales.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t g = 0; g < groups; ++g) {
      size_t from =
          static_cast<size_t>((grid.rows == 1 ? 0 : r) * grid.cols + g);
      size_t to = static_cast<size_t>(r * groups + g);
      scales[to] = grid.scales[from];
      // Unsigned codes 0 .. 2^bits - 1 keep their bit pattern in i8.
      zeroPoints[to] =
          static_cast<int8_t>(static_cast<uint8_t>(grid.zeroPoints[from]));
    }

  QConfigAttr config = op.getWeightQconfigAttr();
  if (config.getGranularity() == Granularity::Tensor)
    config = QConfigAttr::get(context, config.getBits(), Granularity::Channel,
                              /*group_size=*/0, config.getSymmetric(),
                              config.getFormat());

  Type i8 = builder.getI8Type();
  int64_t rowBytes = numerics::packedRowBytes(job.cols, job.params.bits);
  Value packed =
      createConstant(builder, loc, RankedTensorType::get({rows, rowBytes}, i8),
                     asBytes(job.packed), name + ".packed");
  Value scaleValues = createConstant(
      builder, loc, RankedTensorType::get({rows, groups}, builder.getF32Type()),
      asBytes(scales), name + ".scales");
  Value zeroPointValues;
  if (!config.getSymmetric())
    zeroPointValues =
        createConstant(builder, loc, RankedTensorType::get({rows, groups}, i8),
                       asBytes(zeroPoints), name + ".zero_points");

  auto qlinear = QLinearOp::create(
      builder, loc, op.getResult().getType(), op.getInput(), packed,
      scaleValues, zeroPointValues, op.getBias(),
      builder.getI64IntegerAttr(job.cols), config, op.getActQconfigAttr(),
      PackingLayoutAttr::get(context, PackingLayout::KMajor),
      // A calibrated static activation scale goes with its config.
      op.getActScaleAttr(), op.getActZeroPointAttr());
  Value weight = op.getWeight();
  op.getResult().replaceAllUsesWith(qlinear.getResult());
  op.erase();
  eraseIfDeadConstant(weight);
}

struct QuantizeWeightsPass
    : lowbit::impl::QuantizeWeightsPassBase<QuantizeWeightsPass> {
  using QuantizeWeightsPassBase::QuantizeWeightsPassBase;

  void runOnOperation() override {
    CalibratedMethodOptions calibrated{percdamp, blockSize, actOrder,
                                       awqGrid};
    FailureOr<ScaleSearch> search =
        parseScaleSearch(getOperation()->getLoc(), method, clipCandidates,
                         minClipRatio, calibrated);
    if (failed(search))
      return signalPassFailure();
    WeightRewriters rewriters{WeightOutput::Packed, replaceByBias,
                              replaceByQLinear};
    if (failed(quantizeLinearWeights(getOperation(), *search, rewriters)))
      signalPassFailure();
  }
};

} // namespace
