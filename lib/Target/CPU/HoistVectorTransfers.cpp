//===- HoistVectorTransfers.cpp - accumulator tiles stay in registers -----===//

#include "lowbit/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace lowbit::cpu {
#define GEN_PASS_DEF_HOISTVECTORTRANSFERSPASS
#include "lowbit/Target/CPU/Passes.h.inc"
} // namespace lowbit::cpu

using namespace mlir;

namespace {

struct HoistVectorTransfersPass
    : lowbit::cpu::impl::HoistVectorTransfersPassBase<
          HoistVectorTransfersPass> {
  void runOnOperation() override {
    getOperation().walk(
        [](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
    // Only loops known to run hoist: a zero-trip loop must not write back.
    linalg::hoistRedundantVectorTransfers(getOperation(),
                                          /*verifyNonZeroTrip=*/true);
  }
};

} // namespace
