//===- LowBitToLinalg.cpp - the lowbit-lower-to-linalg pass ---------------===//

#include "Lowerings.h"

#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/LowBit/LowBitDialect.h"

#include "llvm/ADT/TypeSwitch.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWERTOLINALGPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;
using namespace lowbit::detail;

namespace {

FailureOr<Value> lowerOp(RewriterBase &rewriter, Operation *op) {
  return llvm::TypeSwitch<Operation *, FailureOr<Value>>(op)
      .Case(
          [&](ObserveOp probe) -> FailureOr<Value> { return probe.getInput(); })
      .Case([&](LinearOp linear) { return lowerLinear(rewriter, linear); })
      .Case([&](ConvOp conv) { return lowerConv(rewriter, conv); })
      .Case([&](LayerNormOp norm) { return lowerLayerNorm(rewriter, norm); })
      .Case([&](RMSNormOp norm) { return lowerRMSNorm(rewriter, norm); })
      .Case([&](QLinearOp q) { return lowerQLinear(rewriter, q); })
      .Case([&](QuantizeOp q) { return lowerQuantize(rewriter, q); })
      .Case([&](DequantizeOp d) { return lowerDequantize(rewriter, d); })
      .Case([&](FakeQuantOp f) { return lowerFakeQuant(rewriter, f); })
      .Case([&](HadamardOp h) { return lowerHadamard(rewriter, h); })
      .Default([](Operation *other) -> FailureOr<Value> {
        return other->emitOpError(
            "cannot be compiled for the CPU yet: it has no lowering to "
            "linalg");
      });
}

struct LowerToLinalgPass
    : lowbit::impl::LowerToLinalgPassBase<LowerToLinalgPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa_and_nonnull<LowBitDialect>(op->getDialect()))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    bool anyFailed = false;
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      // The only lowbit op with several results.
      if (auto perToken = dyn_cast<QuantizePerTokenOp>(op)) {
        FailureOr<SmallVector<Value>> results =
            lowerQuantizePerToken(rewriter, perToken);
        if (failed(results))
          anyFailed = true;
        else
          rewriter.replaceOp(op, *results);
        continue;
      }
      FailureOr<Value> replacement = lowerOp(rewriter, op);
      if (failed(replacement)) {
        anyFailed = true;
        continue;
      }
      rewriter.replaceOp(op, *replacement);
    }
    if (anyFailed)
      signalPassFailure();
  }
};

} // namespace
