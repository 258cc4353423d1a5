//===- QLinearToGemv.cpp - small-batch lowbit.qlinear as a GPU GEMV -------===//

#include "lowbit/Target/GPU/Passes.h"

#include "GemvKernel.h"

#include "lowbit/Dialect/LowBit/LowBitDialect.h"
#include "lowbit/Dialect/LowBit/LowBitOps.h"


namespace lowbit::gpu {
#define GEN_PASS_DEF_QLINEARTOGEMVPASS
#include "lowbit/Target/GPU/Passes.h.inc"
} // namespace lowbit::gpu

using namespace mlir;
using lowbit::gpu::GemvShape;

namespace {

/// The kernel's specialization for `op`, or nothing when the kernel does not
/// handle it.
std::optional<GemvShape> matchGemv(lowbit::QLinearOp op, int64_t minRows,
                                   int64_t tiles) {
  lowbit::QConfigAttr weights = op.getWeightQconfig();
  if (weights.getBits() != 4 || weights.getFormat() != lowbit::NumberFormat::Int ||
      op.getActQconfigAttr() || op.getLayout() != lowbit::PackingLayout::KMajor)
    return std::nullopt;
  auto input = cast<RankedTensorType>(op.getInput().getType());
  auto result = cast<RankedTensorType>(op.getResult().getType());
  if (!input.hasStaticShape() || !input.getElementType().isF32() ||
      !result.getElementType().isF32() || input.getRank() < 1)
    return std::nullopt;
  GemvShape shape;
  shape.k = op.getInFeatures();
  shape.n = op.getOutFeatures();
  shape.m = input.getNumElements() / std::max<int64_t>(shape.k, 1);
  auto scales = cast<RankedTensorType>(op.getScales().getType());
  if (scales.getRank() != 2 || scales.getDimSize(1) < 1 ||
      shape.k % scales.getDimSize(1) != 0 ||
      input.getShape().back() != shape.k)
    return std::nullopt;
  shape.groupSize = shape.k / scales.getDimSize(1);
  shape.scaleType = scales.getElementType();
  shape.hasZeroPoints = static_cast<bool>(op.getZeroPoints());
  if (Value bias = op.getBias())
    shape.biasType = cast<RankedTensorType>(bias.getType()).getElementType();
  if (!(shape.scaleType.isF32() || shape.scaleType.isF16()) ||
      (shape.biasType && !(shape.biasType.isF32() || shape.biasType.isF16())))
    return std::nullopt;
  // Tensor cores from `minRows` rows of x on, where the shape allows.
  shape.tensorCores = shape.m >= minRows;
  shape.tensorCoreTiles = tiles;
  if (shape.tensorCores && !shape.supported())
    shape.tensorCores = false;
  // Long K over few blocks: split K across 2 or 4 blocks, while each split
  // keeps at least 8 steps of 128 (2 per warp) and there are fewer than two
  // blocks per SM of an H100 (132).
  if (shape.tensorCores && shape.k >= 8192) {
    int64_t blocks = shape.n / shape.rowsPerWarp(), steps = shape.k / 128;
    while (blocks * shape.kSplits < 264 && shape.kSplits < 4 &&
           steps / (2 * shape.kSplits) >= 8)
      shape.kSplits *= 2;
  }
  if (!shape.supported())
    return std::nullopt;
  return shape;
}

struct QLinearToGemvPass
    : lowbit::gpu::impl::QLinearToGemvPassBase<QLinearToGemvPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<lowbit::QLinearOp, GemvShape>> matches;
    module.walk([&](lowbit::QLinearOp op) {
      if (auto shape = matchGemv(op, tensorCoreMinRows, tensorCoreTiles))
        matches.push_back({op, *shape});
    });
    if (matches.empty())
      return;

    for (auto [op, shape] : matches) {
      SmallVector<Value> weights = {op.getPacked(), op.getScales()};
      if (shape.hasZeroPoints)
        weights.push_back(op.getZeroPoints());
      if (shape.biasType)
        weights.push_back(op.getBias());
      lowbit::gpu::replaceWithGemvLaunch(module, op, shape, op.getInput(),
                                         weights);
    }
  }
};

} // namespace
