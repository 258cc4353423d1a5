//===- QLinearToGemv.cpp - lowbit.qlinear as a generated GPU kernel -------===//

#include "lowbit/Target/GPU/Passes.h"

#include "GemvKernel.h"

#include "lowbit/Dialect/LowBit/LowBitDialect.h"
#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <algorithm>

namespace lowbit::gpu {
#define GEN_PASS_DEF_QLINEARTOGEMVPASS
#include "lowbit/Target/GPU/Passes.h.inc"
} // namespace lowbit::gpu

using namespace mlir;
using lowbit::gpu::GemvShape;

namespace {

/// SMs of an H100, the GPU the grid-size rules below were measured on.
constexpr int64_t kSMs = 132;

struct QLinearToGemvPass
    : lowbit::gpu::impl::QLinearToGemvPassBase<QLinearToGemvPass> {
  using Base::Base;
  /// The kernel's specialization for `op` under this pass's options, or
  /// nothing when the kernel does not handle it.
  std::optional<GemvShape> matchGemv(lowbit::QLinearOp op) const;
  /// Warps along M in the GEMM form when tensor-core-warp-rows is 0.
  int64_t defaultWarpRows(const GemvShape &shape) const;
  /// Warps per block when warps-per-block is 0, once the rest of `shape`
  /// (kernel, tiles, K splits) is chosen.
  static int64_t defaultWarpsPerBlock(const GemvShape &shape);

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<lowbit::QLinearOp, GemvShape>> matches;
    module.walk([&](lowbit::QLinearOp op) {
      if (auto shape = matchGemv(op))
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
      Value input = op.getInput();
      if (shape.int8Activations) {
        // x quantized before the launch, as the CPU lowering does it
        // (lowbit.quantize_per_token and lowbit.quantize lower with the
        // same code): per token, or with the calibrated scale of the op.
        OpBuilder b(op);
        Location loc = op.getLoc();
        Value matrix = lowbit::gpu::reshape(b, loc, input, {shape.m, shape.k});
        auto codesType =
            RankedTensorType::get({shape.m, shape.k}, b.getI8Type());
        lowbit::QConfigAttr act = op.getActQconfigAttr();
        if (act.getGranularity() == lowbit::Granularity::Token) {
          auto quantized = lowbit::QuantizePerTokenOp::create(
              b, loc, codesType,
              RankedTensorType::get({shape.m, 1}, b.getF32Type()), Type(),
              matrix, act);
          input = quantized.getResult();
          weights.push_back(
              lowbit::gpu::reshape(b, loc, quantized.getScale(), {shape.m}));
        } else {
          FloatAttr scale =
              b.getF32FloatAttr(op.getActScaleAttr().getValueAsDouble());
          auto splat = [&](ArrayRef<int64_t> shapeOf) -> Value {
            auto type = RankedTensorType::get(shapeOf, b.getF32Type());
            return arith::ConstantOp::create(
                b, loc, DenseElementsAttr::get(type, scale.getValue()));
          };
          input = lowbit::QuantizeOp::create(b, loc, codesType, matrix,
                                             splat({}), Value(), act);
          weights.push_back(splat({shape.m}));
        }
      }
      lowbit::gpu::replaceWithGemvLaunch(module, op, shape, input, weights,
                                         fuseEpilogues);
    }
  }
};

int64_t QLinearToGemvPass::defaultWarpRows(const GemvShape &shape) const {
  if (!shape.int8Activations || !tensorCoreStages ||
      shape.warpsPerBlock % 2 != 0)
    return 1;
  // Staged W8A8: beyond 64 rows two warps along M (blocks of 128 x 64
  // outputs with 4 n-tiles a warp). Up to 64 rows one, so that a block
  // covers M x 64 outputs and reads each row of x once per 64 channels,
  // while that grid still has a block per SM of an H100 (128) or K is long
  // enough to split (K >= 8192); else two, 32 channels a block and twice
  // the blocks. On an H100 at 64 rows: 33.0 against 41.4 us at 14336 x
  // 4096, 39.9 against 47.0 at 4096 x 14336, but 19.2 (or 18.8 split)
  // against 15.4 at 4096 x 4096 (64 blocks against 128).
  if (shape.m > 64)
    return 2;
  int64_t channels = shape.warpsPerBlock * 8 * shape.tensorCoreTiles;
  int64_t blocks =
      shape.n / channels *
      ((shape.m + 16 * tensorCoreMTiles - 1) / (16 * tensorCoreMTiles));
  return blocks >= 128 || shape.k >= 8192 ? 1 : 2;
}

int64_t QLinearToGemvPass::defaultWarpsPerBlock(const GemvShape &shape) {
  // 4-bit codes on the CUDA cores at one row: one step of K (1024 values)
  // per warp where K is 5 to 16 steps, so that each warp issues all its
  // loads at once and no warp waits on another's extra step (on an H100 at
  // 4096 x 14336: 14.4-14.5 us with 14 warps against 16.2-16.3 with 4,
  // 3.5 and 4 steps each; at two rows 30.9 against 30.1, and 8-bit codes,
  // already near the memory's rate, were slower with 7 or 14 warps;
  // bench/results/gpu.md, 2026-12-07).
  if (!shape.tensorCores) {
    int64_t steps = shape.k / shape.stepK();
    bool perStep = !shape.int8Activations && shape.bits == 4 && shape.m == 1 &&
                   steps > 4 && steps <= 16;
    return perStep ? steps : 4;
  }
  if (shape.warpsSplitN())
    return 4;
  // The tensor-core kernel with the warps splitting K (M <= 16) waits on
  // memory latency, so more warps pay while the whole grid stays resident
  // at once (about 32 warps per SM at the kernel's 56-64 registers); beyond
  // that the second wave costs more than the extra warps gain. At 9 to 16
  // rows the loads of x keep L1 busy and 8 warps pay only where the grid
  // has fewer than 2 blocks per SM. On an H100 (us, 4 / 8 warps; 4096 x
  // 14336 with K split in 2, 14336 x 4096, 4096 x 4096): at 2-8 rows 24.0
  // / 20.7, 18.4 / 21.5 and 11.4 / 9.0; at 16 rows with 4 n-tiles 24.8 /
  // 26.4, 22.1 / 26.3 and 13.6 / 10.6 (bench/results/gpu.md, 2026-12-07).
  int64_t blocks = shape.n / shape.channelsPerBlock() * shape.kSplits;
  bool eight = shape.m <= 8 ? blocks * 8 <= kSMs * 32 : blocks < 2 * kSMs;
  return eight && shape.k / 128 / shape.kSplits >= 16 ? 8 : 4;
}

std::optional<GemvShape>
QLinearToGemvPass::matchGemv(lowbit::QLinearOp op) const {
  lowbit::QConfigAttr weights = op.getWeightQconfig();
  if ((weights.getBits() != 4 && weights.getBits() != 8) ||
      weights.getFormat() != lowbit::NumberFormat::Int ||
      op.getLayout() != lowbit::PackingLayout::KMajor)
    return std::nullopt;
  // Activations quantized too: W8A8 with symmetric 8-bit activation codes,
  // per token or with one calibrated scale (the integer tensor-core
  // kernel); other configs stay generic.
  lowbit::QConfigAttr act = op.getActQconfigAttr();
  bool int8Activations = act && !act.isFloat();
  if (int8Activations &&
      (act.getBits() != 8 || act.getFormat() != lowbit::NumberFormat::Int ||
       !act.getSymmetric() ||
       !(act.getGranularity() == lowbit::Granularity::Token ||
         (act.getGranularity() == lowbit::Granularity::Tensor &&
          op.getActScaleAttr() &&
          (!op.getActZeroPointAttr() || op.getActZeroPoint() == 0)))))
    return std::nullopt;
  auto input = cast<RankedTensorType>(op.getInput().getType());
  auto result = cast<RankedTensorType>(op.getResult().getType());
  if (!input.hasStaticShape() || !input.getElementType().isF32() ||
      !result.getElementType().isF32() || input.getRank() < 1)
    return std::nullopt;
  GemvShape shape;
  shape.bits = weights.getBits();
  shape.k = op.getInFeatures();
  shape.n = op.getOutFeatures();
  shape.m = input.getNumElements() / std::max<int64_t>(shape.k, 1);
  auto scales = cast<RankedTensorType>(op.getScales().getType());
  if (scales.getRank() != 2 || scales.getDimSize(1) < 1 ||
      shape.k % scales.getDimSize(1) != 0 || input.getShape().back() != shape.k)
    return std::nullopt;
  shape.groupSize = shape.k / scales.getDimSize(1);
  shape.scaleType = scales.getElementType();
  shape.hasZeroPoints = static_cast<bool>(op.getZeroPoints());
  if (Value bias = op.getBias())
    shape.biasType = cast<RankedTensorType>(bias.getType()).getElementType();
  if (!(shape.scaleType.isF32() || shape.scaleType.isF16()) ||
      (shape.biasType && !(shape.biasType.isF32() || shape.biasType.isF16())))
    return std::nullopt;
  // Tensor cores from tensor-core-min-rows rows of x on, where the shape
  // allows; below, the CUDA-core kernels (for integer activations, dp4a).
  shape.int8Activations = int8Activations;
  // By default from 2 rows on for 4-bit weight-only codes: on an H100 the
  // tensor-core kernel at 2 rows took 20.7 / 18.1 / 8.9 us against the
  // CUDA-core kernel's 30.4 / 24.5 / 8.8 (4096 x 14336, 14336 x 4096,
  // 4096 x 4096), whose f32 x loads of two rows leave it waiting on L1
  // (ncu: L1 79% busy, DRAM 25%); from 3 rows on otherwise.
  int64_t minRows = tensorCoreMinRows;
  if (!minRows)
    minRows = shape.bits == 4 && !int8Activations ? 2 : 3;
  shape.tensorCores = tensorCores && shape.m >= minRows;
  // Beyond 64 rows each weight fragment feeds enough mma for 4 n-tiles
  // per warp to pay (1.0-1.6x faster than 2 at 256 rows, level at 64, on
  // an H100 and an H200). With the warps splitting K at 9 to 16 rows, 4
  // n-tiles as well: each activation fragment then serves 4 mma, which
  // halves the loads of x against the codes (x's 16 rows are loaded per
  // warp, and at 16 rows those loads keep L1 89% busy; ncu); on an H100
  // 24.8 / 22.1 / 13.6 us against 30.2 / 25.9 / 13.0 with 2. Else 2.
  int64_t tiles = tensorCoreTiles;
  if (!tiles) {
    tiles = shape.m > 8 && shape.m <= 16 && !int8Activations ? 4 : 2;
    // Fewer where a block's channels would not divide N.
    while (tiles > 1 && shape.n % (8 * tiles) != 0)
      tiles /= 2;
  }
  shape.tensorCoreTiles = shape.m > 64 ? tensorCoreWideTiles : tiles;
  // x in f16 before the launch (every block reads all of x, in f32
  // otherwise, and rounds it): with the 16-byte code loads this was faster
  // at 4 and 16 rows for 4- and 8-bit codes on all three layer shapes
  // measured on an H100 (bench/results/gpu.md, 2026-12-07).
  shape.halfX = shape.m >= tensorCoreF16XMinRows;
  shape.codeRows = rowsPerWarp;
  shape.warpsPerBlock = warpsPerBlock ? warpsPerBlock : 4;
  // More than 16 rows: as many 16-row tiles per block as M needs, at most
  // tensor-core-m-tiles.
  // With several warps along M (tensor-core-warp-rows), the tiles per warp
  // that cover M between them.
  if (shape.m > 16) {
    shape.warpRows =
        tensorCoreWarpRows ? tensorCoreWarpRows : defaultWarpRows(shape);
    shape.mTiles = std::clamp<int64_t>((shape.m + 16 * shape.warpRows - 1) /
                                           (16 * shape.warpRows),
                                       1, tensorCoreMTiles);
  }

  // Integer activations the CUDA-core kernel cannot take (K not a multiple
  // of 512) go to the tensor cores at any M.
  if (shape.int8Activations && !shape.tensorCores && tensorCores &&
      !shape.supported())
    shape.tensorCores = true;
  if (shape.int8Activations && shape.tensorCores) {
    shape.stages = tensorCoreStages;
    // Stages of 128 values of K up to 64 rows (half the barriers; on an
    // H100 1.1-1.2x faster at 16 rows, and at 64 rows with the block
    // shapes below), of 64 beyond, where 128 leaves room for 2 stages only
    // and was slower (bench/results/gpu.md, 2026-12-07).
    shape.int8StageK = tensorCoreStageK ? tensorCoreStageK
                       : shape.m <= 64  ? 128
                                        : 64;
  } else if (shape.tensorCores && shape.m > 16) {
    shape.stages = tensorCoreHalfStages;
  }
  // As many of the stages asked for as fit the 48 KiB of static shared
  // memory, at least 2.
  while (shape.stages > 2 && shape.stagedBytes() > GemvShape::kMaxStagedBytes)
    --shape.stages;
  if (shape.tensorCores && !shape.supported()) {
    // Without the staging (a shape its tiles do not divide), then without
    // the tensor cores.
    shape.stages = 0;
    if (!shape.supported())
      shape.tensorCores = false;
  }
  if (!shape.tensorCores)
    shape.stages = 0, shape.warpRows = 1;
  // Few blocks for the machine: split K across 2, 4 (at most
  // tensor-core-max-k-splits) blocks, while each
  // split keeps at least 8 steps of 128 and there are fewer than two blocks
  // per SM of an H100 (132). With the warps splitting K inside the block
  // (M <= 16) only for long K (K >= 8192), where it was measured to help.
  // Staged (shared memory), for K >= 8192 in at most 4 splits up to 64
  // rows and 2 beyond, and for shorter K only while the grid has fewer than
  // 128 blocks: on an H100 the splits' partial sums cost more than the
  // blocks gained at 128 blocks and more (K = 4096), and at 256 rows beyond
  // 2 splits, but 4 splits of 64 blocks paid (bench/results/gpu.md,
  // 2026-12-07).
  if (shape.tensorCores && (shape.warpsSplitN() || shape.k >= 8192)) {
    int64_t blocks = shape.n / shape.channelsPerBlock() * shape.mBlocks(),
            steps = shape.k / 128, maxSplits = tensorCoreMaxKSplits;
    if (shape.stages && shape.k >= 8192)
      maxSplits = std::min<int64_t>(maxSplits, shape.m > 64 ? 2 : 4);
    else if (shape.stages && blocks >= 128)
      maxSplits = 1;
    while (blocks * shape.kSplits < 2 * kSMs && shape.kSplits < maxSplits &&
           steps / (2 * shape.kSplits) >= 8)
      shape.kSplits *= 2;
  }
  if (!warpsPerBlock)
    shape.warpsPerBlock = defaultWarpsPerBlock(shape);
  // Codes as A and x as B at up to 8 rows. By default for 4-bit codes with
  // x in f16 and 2 n-tiles, where it measured up to 1.1x faster on an H100;
  // with 8-bit codes, or 4 n-tiles, it was up to 1.1x slower
  // (bench/results/gpu.md, 2026-12-07).
  const bool swapDefault = shape.bits == 4 && shape.halfActivations() &&
                           shape.tensorCoreTiles == 2;
  shape.swapAB = (tensorCoreSwapAB > 0 || (!tensorCoreSwapAB && swapDefault)) &&
                 shape.tensorCores && !shape.int8Activations &&
                 shape.m <= 8 && !shape.warpsSplitN() && !shape.stages &&
                 shape.tensorCoreTiles % 2 == 0;
  if (!shape.supported())
    return std::nullopt;
  return shape;
}

} // namespace
