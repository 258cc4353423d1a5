//===- SplitReductions.cpp - long reductions over few outputs, split ------===//
//
// The GPU mapping gives every output element of a linalg op one thread and
// runs its reduction loop inside that thread. A reduction with few outputs
// and a long reduced axis (an RMSNorm's mean of squares at one token: one
// output, 1024 terms) then runs as a handful of threads, each doing a long
// chain of dependent global loads (70 us on an H100 for 1024 terms). Split
// such a reduction (linalg::splitReduction) into `ratio` partial results
// computed in parallel, and a short reduction of the partials.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/GPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace lowbit::gpu {
#define GEN_PASS_DEF_SPLITREDUCTIONSPASS
#include "lowbit/Target/GPU/Passes.h.inc"
} // namespace lowbit::gpu

using namespace mlir;

namespace {

/// The number of partials for `op`, or 0 to leave it: one reduction axis
/// of at least `minLength` terms and at most `maxOutputs` outputs; the
/// ratio is the power of two nearest sqrt(length) that divides it, so that
/// both stages add about as many terms.
int64_t splitRatio(linalg::LinalgOp op, int64_t minLength,
                   int64_t maxOutputs) {
  if (!op.hasPureTensorSemantics() || op.getNumReductionLoops() != 1 ||
      op.getNumDpsInits() != 1)
    return 0;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t outputs = 1, length = 0;
  for (auto [range, iterator] : llvm::zip(ranges, iterators)) {
    if (ShapedType::isDynamic(range))
      return 0;
    if (iterator == utils::IteratorType::reduction)
      length = range;
    else
      outputs *= range;
  }
  if (length < minLength || outputs > maxOutputs)
    return 0;
  int64_t ratio = 1;
  while ((ratio * 2) * (ratio * 2) <= length && length % (ratio * 2) == 0)
    ratio *= 2;
  return ratio >= 4 ? ratio : 0;
}

struct SplitReductionsPass
    : lowbit::gpu::impl::SplitReductionsPassBase<SplitReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (splitRatio(op, minLength, maxOutputs))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      rewriter.setInsertionPoint(op);
      int64_t ratio = splitRatio(op, minLength, maxOutputs);
      unsigned index = 0;
      for (auto [i, iterator] : llvm::enumerate(op.getIteratorTypesArray()))
        if (iterator == utils::IteratorType::reduction)
          index = static_cast<unsigned>(i);
      // The partials' axis is the inner half of the reduced axis: partial
      // j sums terms j, j + r, j + 2r, ..., so that neighbouring threads
      // read neighbouring elements.
      FailureOr<linalg::SplitReductionResult> split = linalg::splitReduction(
          rewriter, op, [&](linalg::LinalgOp) {
            return linalg::SplitReductionOptions{ratio, index,
                                                 /*innerParallel=*/true};
          });
      if (failed(split))
        continue;
      // The GPU mapping makes threads of the parallel loops outside the
      // first reduction loop only: move the reduction loop innermost.
      auto partial = dyn_cast<linalg::GenericOp>(
          split->splitLinalgOp.getOperation());
      if (!partial)
        continue;
      SmallVector<unsigned> order;
      unsigned reduced = 0;
      for (auto [i, iterator] :
           llvm::enumerate(partial.getIteratorTypesArray())) {
        if (iterator == utils::IteratorType::reduction)
          reduced = static_cast<unsigned>(i);
        else
          order.push_back(static_cast<unsigned>(i));
      }
      order.push_back(reduced);
      rewriter.setInsertionPoint(partial);
      (void)linalg::interchangeGenericOp(rewriter, partial, order);
      // A reduction whose combiner is not recognized stays as it was.
    }
  }
};

} // namespace
