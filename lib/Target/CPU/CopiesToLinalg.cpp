//===- CopiesToLinalg.cpp - memref.copy as linalg.copy --------------------===//

#include "lowbit/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace lowbit::cpu {
#define GEN_PASS_DEF_COPIESTOLINALGPASS
#include "lowbit/Target/CPU/Passes.h.inc"
} // namespace lowbit::cpu

using namespace mlir;

namespace {

struct CopiesToLinalgPass
    : lowbit::cpu::impl::CopiesToLinalgPassBase<CopiesToLinalgPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](memref::CopyOp copy) {
      auto source = dyn_cast<MemRefType>(copy.getSource().getType());
      auto target = dyn_cast<MemRefType>(copy.getTarget().getType());
      // Unranked copies have no linalg form; none arise from this pipeline.
      if (!source || !target)
        return;
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    });
  }
};

} // namespace
