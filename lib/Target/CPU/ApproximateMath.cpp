//===- ApproximateMath.cpp - vectorizable exp, erf, tanh and log ----------===//

#include "lowbit/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit::cpu {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "lowbit/Target/CPU/Passes.h.inc"
} // namespace lowbit::cpu

using namespace mlir;

namespace {

struct ApproximateMathPass
    : lowbit::cpu::impl::ApproximateMathPassBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // Only f32 (the patterns check the element type); f16 and bf16 math is
    // computed in f32 by the lowering to linalg already.
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) {
          return name == math::ExpOp::getOperationName() ||
                 name == math::ErfOp::getOperationName() ||
                 name == math::TanhOp::getOperationName() ||
                 name == math::LogOp::getOperationName();
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
