//===- InsertObservers.cpp - calibration probes on weighted-op inputs -----===//

#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Transforms/Passes.h"
#include "lowbit/Transforms/OpNames.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

namespace lowbit {
#define GEN_PASS_DEF_INSERTOBSERVERSPASS
#include "lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

struct InsertObserversPass
    : lowbit::impl::InsertObserversPassBase<InsertObserversPass> {
  using InsertObserversPassBase::InsertObserversPassBase;

  void runOnOperation() override {
    llvm::StringSet<> tags;
    getOperation()->walk([&](ObserveOp probe) { tags.insert(probe.getTag()); });

    auto uniqueTag = [&](std::string tag) {
      std::string candidate = tag;
      for (int suffix = 1; tags.contains(candidate); ++suffix)
        candidate = tag + "#" + std::to_string(suffix);
      tags.insert(candidate);
      return candidate;
    };

    OpBuilder builder(&getContext());
    getOperation()->walk([&](Operation *op) {
      if (!isa<LinearOp, ConvOp>(op))
        return;
      std::string name = getModelOpName(op);
      OpOperand &input = op->getOpOperand(0);
      if (!input.get().getDefiningOp<ObserveOp>()) {
        builder.setInsertionPoint(op);
        auto probe = ObserveOp::create(
            builder, op->getLoc(), input.get().getType(), input.get(),
            builder.getStringAttr(uniqueTag(name + "/input")));
        input.set(probe.getResult());
      }
      if (!outputs)
        return;
      Value result = op->getResult(0);
      bool probed = llvm::any_of(result.getUsers(),
                                 [](Operation *u) { return isa<ObserveOp>(u); });
      if (probed)
        return;
      builder.setInsertionPointAfter(op);
      auto probe = ObserveOp::create(
          builder, op->getLoc(), result.getType(), result,
          builder.getStringAttr(uniqueTag(name + "/output")));
      result.replaceAllUsesExcept(probe.getResult(), probe);
    });
  }
};

} // namespace
