//===- Registration.cpp - register lowbit and upstream dialects/passes ----===//

#include "lowbit/InitAll.h"
#include "lowbit/Analysis/Passes.h"
#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/LowBit/LowBitDialect.h"
#include "lowbit/Pipelines/Pipelines.h"
#include "lowbit/Target/CPU/Passes.h"
#include "lowbit/Target/GPU/Passes.h"
#include "lowbit/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void lowbit::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<LowBitDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::registerAllGPUToLLVMIRTranslations(registry);
}

void lowbit::registerAllPasses() {
  mlir::registerAllPasses();
  lowbit::registerLowBitPasses();
  lowbit::registerLowBitAnalysisPasses();
  lowbit::registerLowBitConversionPasses();
  lowbit::cpu::registerLowBitCPUPasses();
  lowbit::registerCPUPipeline();
  lowbit::registerQuantPipeline();
  lowbit::gpu::registerLowBitGPUPasses();
  lowbit::registerGPUPipeline();
}
