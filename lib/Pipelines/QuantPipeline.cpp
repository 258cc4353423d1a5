//===- QuantPipeline.cpp - the `quantized` phase of lowbit-compile --------===//

#include "lowbit/Pipelines/Pipelines.h"

#include "lowbit/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

llvm::StringRef lowbit::getQuantPresetNames() {
  return "none, w8a16, w4a16, w8a8, w4a4, mixed";
}

bool lowbit::isQuantPreset(llvm::StringRef preset) {
  return llvm::StringSwitch<bool>(preset)
      .Cases("none", "w8a16", "w4a16", "w8a8", "w4a4", "mixed", true)
      .Default(false);
}

void lowbit::buildQuantPipeline(OpPassManager &pm,
                                const QuantPipelineOptions &options) {
  if (options.preset == "none")
    return;
  if (options.preset == "mixed") {
    AllocateBitsPassOptions allocate;
    allocate.targetBpw = options.targetBpw;
    allocate.solver = options.solver;
    allocate.groupSize = options.groupSize;
    pm.addPass(createAllocateBitsPass(allocate));
  } else {
    AssignQConfigPassOptions assign;
    assign.preset = options.preset;
    assign.groupSize = options.groupSize;
    assign.symmetricWeights = !options.asymmetricWeights;
    pm.addPass(createAssignQConfigPass(assign));
  }
  if (options.actScale != "dynamic") {
    CalibrateActivationScalesPassOptions scales;
    scales.method = options.actScale;
    scales.percentile = options.actPercentile;
    pm.addPass(createCalibrateActivationScalesPass(scales));
  }
  if (options.fake) {
    FakeQuantizeWeightsPassOptions weights;
    weights.method = options.method;
    pm.addPass(createFakeQuantizeWeightsPass(weights));
    pm.addPass(createFakeQuantizeActivationsPass());
    return;
  }
  QuantizeWeightsPassOptions weights;
  weights.method = options.method;
  pm.addPass(createQuantizeWeightsPass(weights));
}

void lowbit::registerQuantPipeline() {
  PassPipelineRegistration<QuantPipelineOptions>(
      "lowbit-quant-pipeline",
      "Quantize an imported model with a preset: configs, then packed "
      "lowbit.qlinear (or fake quantization with fake=true)",
      buildQuantPipeline);
}
