//===- MapToBlocks.cpp - outermost parallel loops as 1-D block grids ------===//

#include "lowbit/Target/GPU/Passes.h"

#include "MemrefAccess.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <numeric>

namespace lowbit::gpu {
#define GEN_PASS_DEF_MAPTOBLOCKSPASS
#include "lowbit/Target/GPU/Passes.h.inc"
} // namespace lowbit::gpu

using namespace mlir;

namespace {

/// Whether `op` or an op nested in it reads or writes a memref.
bool touchesMemory(Operation *op) {
  return op
      ->walk([](Operation *nested) {
        return lowbit::gpu::accessesMemref(nested) ? WalkResult::interrupt()
                                                   : WalkResult::advance();
      })
      .wasInterrupted();
}

/// Whether `memref` is only read while the function runs: a function
/// argument (the model's inputs) or a constant global, seen through views.
bool isReadOnlyBuffer(Value memref) {
  while (auto view = memref.getDefiningOp<ViewLikeOpInterface>())
    memref = view.getViewSource();
  if (auto arg = dyn_cast<BlockArgument>(memref))
    return isa<func::FuncOp>(arg.getOwner()->getParentOp());
  if (auto global = memref.getDefiningOp<memref::GetGlobalOp>()) {
    auto module = global->getParentOfType<ModuleOp>();
    auto def = module ? module.lookupSymbol<memref::GlobalOp>(global.getName())
                      : nullptr;
    return def && def.getConstant();
  }
  return false;
}

/// A scalar that the host loads from a read-only buffer and that loops
/// later use (Trilu's k, Pad's value given as inputs) is loaded again inside
/// each of those loops instead: host code may not read GPU memory.
void sinkScalarLoads(func::FuncOp func, IRRewriter &rewriter) {
  SmallVector<memref::LoadOp> loads;
  for (Block &block : func.getBody())
    for (Operation &op : block)
      if (auto load = dyn_cast<memref::LoadOp>(op))
        if (isReadOnlyBuffer(load.getMemRef()))
          loads.push_back(load);
  for (memref::LoadOp load : loads) {
    Block *block = load->getBlock();
    llvm::SmallDenseMap<Operation *, Value> copies;
    for (OpOperand &use : llvm::make_early_inc_range(load->getUses())) {
      Operation *top = block->findAncestorOpInBlock(*use.getOwner());
      auto loop = dyn_cast_or_null<scf::ParallelOp>(top);
      if (!loop)
        continue;
      Value &copy = copies[loop];
      if (!copy) {
        rewriter.setInsertionPointToStart(loop.getBody());
        copy = rewriter.clone(*load)->getResult(0);
      }
      use.set(copy);
    }
    if (load->use_empty())
      rewriter.eraseOp(load);
  }
}

/// Ops that stay in host code: buffer plumbing, which DeviceBuffers turns
/// into device allocations and copies, and what already runs on the GPU.
bool staysOnHost(Operation &op) {
  if (isa<scf::ParallelOp, memref::AllocOp, memref::AllocaOp,
          memref::DeallocOp, memref::CopyOp, memref::GetGlobalOp,
          ViewLikeOpInterface>(op) ||
      op.hasTrait<OpTrait::IsTerminator>() ||
      (op.getNumRegions() > 0 && !isa<scf::ForOp, scf::IfOp, scf::WhileOp>(op)))
    return true;
  return llvm::any_of(op.getResultTypes(),
                      [](Type t) { return isa<BaseMemRefType>(t); });
}

/// Sequential work at the top of the function that reads or writes buffers
/// (a reduction of a whole tensor to a scalar, a loop nest over a small
/// tensor, scalar loads and stores) becomes a one-iteration scf.parallel,
/// i.e. a kernel of one thread: correct, if slow, where host code may not
/// touch GPU memory at all. Work is taken in maximal runs of consecutive
/// ops between the host's buffer plumbing; a run whose values are used
/// after it (a loaded scalar that decides a later loop bound) stays on the
/// host and DeviceBuffers reports it. Constants are left in place (moved
/// before the kernel when they come later in the run).
void wrapSequentialWork(func::FuncOp func, IRRewriter &rewriter) {
  SmallVector<SmallVector<Operation *>> runs;
  for (Block &block : func.getBody()) {
    runs.emplace_back();
    for (Operation &op : block) {
      if (staysOnHost(op)) {
        runs.emplace_back();
        continue;
      }
      runs.back().push_back(&op);
    }
  }
  for (ArrayRef<Operation *> run : runs) {
    SmallVector<Operation *> work, constants;
    for (Operation *op : run)
      (op->hasTrait<OpTrait::ConstantLike>() ? constants : work).push_back(op);
    if (work.empty() || !llvm::any_of(work, touchesMemory))
      continue;
    llvm::SmallPtrSet<Operation *, 16> inside(work.begin(), work.end());
    bool escapes = llvm::any_of(work, [&](Operation *op) {
      return llvm::any_of(op->getUsers(), [&](Operation *user) {
        Operation *top = op->getBlock()->findAncestorOpInBlock(*user);
        return !top || !inside.contains(top);
      });
    });
    if (escapes)
      continue;
    for (Operation *c : constants)
      if (work.front()->isBeforeInBlock(c))
        c->moveBefore(work.front());
    Location loc = work.front()->getLoc();
    rewriter.setInsertionPoint(work.front());
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto single = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                          ValueRange{one}, ValueRange{one});
    for (Operation *op : work)
      rewriter.moveOpBefore(op, single.getBody()->getTerminator());
  }
}

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
    sinkScalarLoads(getOperation(), rewriter);
    wrapSequentialWork(getOperation(), rewriter);
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
