//===- StripObservers.cpp - remove calibration probes ---------------------===//

#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Transforms/Passes.h"

namespace lowbit {
#define GEN_PASS_DEF_STRIPOBSERVERSPASS
#include "lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

struct StripObserversPass
    : lowbit::impl::StripObserversPassBase<StripObserversPass> {
  void runOnOperation() override {
    getOperation()->walk([](ObserveOp probe) {
      probe.getResult().replaceAllUsesWith(probe.getInput());
      probe.erase();
    });
  }
};

} // namespace
