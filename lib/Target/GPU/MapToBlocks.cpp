//===- MapToBlocks.cpp - outermost parallel loops as 1-D block grids ------===//

#include "lowbit/Target/GPU/Passes.h"

#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

#include <numeric>

namespace lowbit::gpu {
#define GEN_PASS_DEF_MAPTOBLOCKSPASS
#include "lowbit/Target/GPU/Passes.h.inc"
} // namespace lowbit::gpu

using namespace mlir;

namespace {

SmallVector<scf::ParallelOp> outermostParallelLoops(func::FuncOp func) {
  SmallVector<scf::ParallelOp> loops;
  func.walk<WalkOrder::PreOrder>([&](scf::ParallelOp loop) {
    loops.push_back(loop);
    return WalkResult::skip();
  });
  return loops;
}

struct MapToBlocksPass
    : lowbit::gpu::impl::MapToBlocksPassBase<MapToBlocksPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threadsPerBlock < 1 || threadsPerBlock > 1024) {
      getOperation().emitError()
          << "threads-per-block must be in [1, 1024], got "
          << static_cast<int64_t>(threadsPerBlock);
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    // Block sizes are chosen before collapsing, while the bounds are still
    // constants: a block no larger than the loop (in whole warps).
    SmallVector<int64_t> tiles;
    for (scf::ParallelOp loop : outermostParallelLoops(getOperation())) {
      int64_t trips = 1;
      for (auto [lb, ub, step] : llvm::zip(loop.getLowerBound(),
                                           loop.getUpperBound(),
                                           loop.getStep())) {
        std::optional<int64_t> l = getConstantIntValue(lb);
        std::optional<int64_t> u = getConstantIntValue(ub);
        std::optional<int64_t> s = getConstantIntValue(step);
        if (!l || !u || !s || *s <= 0 || trips > (int64_t(1) << 40)) {
          trips = -1;
          break;
        }
        trips *= std::max<int64_t>(0, (*u - *l + *s - 1) / *s);
      }
      int64_t tile = threadsPerBlock;
      if (trips >= 0)
        tile = std::min<int64_t>(
            tile, std::max<int64_t>(32, (trips + 31) / 32 * 32));
      tiles.push_back(tile);
    }
    for (scf::ParallelOp loop : outermostParallelLoops(getOperation())) {
      unsigned rank = loop.getNumLoops();
      if (rank < 2)
        continue;
      std::vector<unsigned> all(rank);
      std::iota(all.begin(), all.end(), 0u);
      rewriter.setInsertionPoint(loop);
      collapseParallelLoops(rewriter, loop, {all});
    }
    for (auto [loop, tile] :
         llvm::zip(outermostParallelLoops(getOperation()), tiles)) {
      scf::tileParallelLoop(loop, {tile}, /*noMinMaxBounds=*/true);
    }
  }
};

} // namespace
