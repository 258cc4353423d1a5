//===- AllocateBits.cpp - mixed-precision weight widths -------------------===//

#include "lowbit/Transforms/Passes.h"

#include "lowbit/Transforms/MixedPrecision.h"

#include "llvm/Support/FormatVariadic.h"

namespace lowbit {
#define GEN_PASS_DEF_ALLOCATEBITSPASS
#include "lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

struct AllocateBitsPass
    : lowbit::impl::AllocateBitsPassBase<AllocateBitsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<AllocationSolver> parsed = parseAllocationSolver(solver);
    if (!parsed) {
      module.emitError() << "unknown solver '" << solver
                         << "'; expected exact, greedy or equal-loss";
      return signalPassFailure();
    }
    std::optional<AllocationObjective> goal =
        parseAllocationObjective(objective);
    if (!goal) {
      module.emitError() << "unknown objective '" << objective
                         << "'; expected relative or absolute";
      return signalPassFailure();
    }
    MixedPrecisionOptions options;
    options.sensitivity.groupSize = groupSize;
    if (!bits.empty())
      options.sensitivity.bits.assign(bits.begin(), bits.end());
    options.sensitivity.keepFloat.assign(keepFloat.begin(), keepFloat.end());
    options.targetBpw = targetBpw;
    options.solver = *parsed;
    options.objective = *goal;
    FailureOr<MixedPrecisionResult> result =
        assignMixedPrecision(module, options);
    if (failed(result))
      return signalPassFailure();
    if (result->layers.empty())
      return;
    const std::vector<LayerSensitivity> &layers = result->layers;
    const BitPlan &plan = result->plan;
    for (auto [layer, choice] : llvm::zip(layers, plan.choice)) {
      const SensitivityCandidate &c = layer.candidates[choice];
      LinearOp(layer.op).emitRemark() << "'" << layer.name << "': " << c.bits
                            << " bits, output error "
                            << llvm::formatv("{0:e3}", c.outputError)
                            << ", relative "
                            << llvm::formatv("{0:e3}", c.relativeError);
    }
    module.emitRemark() << "allocated " << layers.size() << " layers with "
                        << toString(*parsed) << ": "
                        << llvm::formatv("{0:f3}", plan.bpw)
                        << " bits per weight (target "
                        << llvm::formatv("{0:f3}", targetBpw.getValue())
                        << "), predicted error "
                        << llvm::formatv("{0:e3}", plan.predictedError);
  }
};

} // namespace
