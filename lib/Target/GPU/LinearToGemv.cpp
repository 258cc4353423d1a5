//===- LinearToGemv.cpp - small-batch float lowbit.linear as a GPU GEMV ---===//
//
// The float path of a decoder at batch 1-16 is a chain of matrix-vector
// products that read every weight once: the generic mapping (one thread per
// output, the K loop inside it) reads W with a stride of K between
// neighbouring threads and runs a handful of blocks. Here such a linear
// becomes the generated GEMV of GemvCudaCore.cpp with f32 weights: coalesced
// 16-byte loads, split-K over 4 warps, warp-shuffle reductions.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/GPU/Passes.h"

#include "GemvKernel.h"

#include "lowbit/Dialect/LowBit/LowBitDialect.h"
#include "lowbit/Dialect/LowBit/LowBitOps.h"

namespace lowbit::gpu {
#define GEN_PASS_DEF_LINEARTOGEMVPASS
#include "lowbit/Target/GPU/Passes.h.inc"
} // namespace lowbit::gpu

using namespace mlir;
using lowbit::gpu::GemvShape;

namespace {

std::optional<GemvShape> matchGemv(lowbit::LinearOp op) {
  auto input = cast<RankedTensorType>(op.getInput().getType());
  auto weight = cast<RankedTensorType>(op.getWeight().getType());
  auto result = cast<RankedTensorType>(op.getResult().getType());
  if (!input.hasStaticShape() || !weight.hasStaticShape() ||
      !input.getElementType().isF32() || !weight.getElementType().isF32() ||
      !result.getElementType().isF32() || input.getRank() < 1 ||
      weight.getRank() != 2)
    return std::nullopt;
  GemvShape shape;
  shape.floatWeights = true;
  shape.k = op.getInFeatures();
  shape.n = op.getOutFeatures();
  if (input.getShape().back() != shape.k)
    return std::nullopt;
  shape.m = input.getNumElements() / std::max<int64_t>(shape.k, 1);
  if (Value bias = op.getBias()) {
    shape.biasType = cast<RankedTensorType>(bias.getType()).getElementType();
    if (!(shape.biasType.isF32() || shape.biasType.isF16()))
      return std::nullopt;
  }
  if (!shape.supported())
    return std::nullopt;
  return shape;
}

struct LinearToGemvPass
    : lowbit::gpu::impl::LinearToGemvPassBase<LinearToGemvPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<lowbit::LinearOp, GemvShape>> matches;
    module.walk([&](lowbit::LinearOp op) {
      if (auto shape = matchGemv(op))
        matches.push_back({op, *shape});
    });
    for (auto [op, shape] : matches) {
      SmallVector<Value> weights = {op.getWeight()};
      if (shape.biasType)
        weights.push_back(op.getBias());
      lowbit::gpu::replaceWithGemvLaunch(module, op, shape, op.getInput(),
                                         weights, fuseEpilogues);
    }
  }
};

} // namespace
