//===- CPUPipeline.cpp - from imported IR to the LLVM dialect for the host ===//

#include "lowbit/Pipelines/Pipelines.h"

#include "lowbit/Conversion/Passes.h"
#include "lowbit/Target/CPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {

void addCleanup(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

} // namespace

void lowbit::buildCPULinalgPhase(OpPassManager &pm,
                                 const CPUPipelineOptions &options) {
  lowbit::cpu::RecordModelABIPassOptions record;
  record.entry = options.entry;
  pm.addPass(lowbit::cpu::createRecordModelABIPass(record));

  OpPassManager &funcPM = pm.nest<func::FuncOp>();
  funcPM.addPass(tosa::createTosaToLinalgNamed());
  funcPM.addPass(tosa::createTosaToLinalg());
  pm.addPass(createTosaToArithPass());
  pm.addPass(createTosaToTensorPass());
  pm.addPass(lowbit::createLowerToLinalgPass());
  addCleanup(pm);
  pm.addNestedPass<func::FuncOp>(lowbit::cpu::createFuseElementwisePass());
  addCleanup(pm);
}

void lowbit::buildCPULLVMPhase(OpPassManager &pm,
                               const CPUPipelineOptions &options) {
  if (options.vectorize) {
    pm.addNestedPass<func::FuncOp>(
        lowbit::cpu::createTransposeConstantWeightsPass());
    lowbit::cpu::TileAndVectorizePassOptions tiling;
    tiling.vectorBytes = options.vectorBytes;
    tiling.parallel = options.parallel;
    pm.addNestedPass<func::FuncOp>(
        lowbit::cpu::createTileAndVectorizePass(tiling));
    pm.addNestedPass<func::FuncOp>(
        lowbit::cpu::createApproximateMathPass());
    addCleanup(pm);
  }

  // Bufferize, writing the results into out-params that the caller
  // provides; static allocations of results become those out-params.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Folds the memrefs that bufferized loops carry, so a result is its
  // allocation again and can become the out-param itself.
  pm.addPass(createCanonicalizerPass());
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  if (options.vectorize)
    pm.addNestedPass<func::FuncOp>(
        lowbit::cpu::createHoistVectorTransfersPass());
  bufferization::buildBufferDeallocationPipeline(
      pm, bufferization::BufferDeallocationPipelineOptions());

  // Whatever is left of linalg becomes loops; vectors are unrolled to 1-D.
  pm.addNestedPass<func::FuncOp>(lowbit::cpu::createCopiesToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  // The parallel tile loops (scf.forall) become OpenMP regions, whose
  // runtime calls lib/Runtime/ThreadPool.c answers.
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  addCleanup(pm);
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  addCleanup(pm);

  // Everything to the LLVM dialect. Reductions along the lanes become
  // horizontal vector reductions, which may reassociate (a tree of adds:
  // faster, and no less accurate); contractions become FMAs of outer
  // products; math functions without an LLVM intrinsic call libm.
  pm.addNestedPass<func::FuncOp>(vector::createLowerVectorMultiReductionPass(
      vector::VectorMultiReductionLowering::InnerReduction));
  // Before the vector conversion: libm calls unroll vectors into elements.
  // Integer powers (ONNX Pow on integers) have neither an LLVM intrinsic
  // nor a libm function: a generated loop.
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.vectorContractLowering =
      vector::VectorContractLowering::OuterProduct;
  vectorToLLVM.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(arith::createArithExpandOpsPass());
  // Intermediate buffers come from lib/Runtime/Allocator.c, which keeps
  // freed ones for the next run.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = options.runtimeAllocator;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(lowbit::cpu::createEmitModelABIPass());
}

void lowbit::buildCPUPipeline(OpPassManager &pm,
                              const CPUPipelineOptions &options) {
  buildCPULinalgPhase(pm, options);
  if (options.compileTo == CPUPhase::Linalg)
    return;
  buildCPULLVMPhase(pm, options);
}

void lowbit::registerCPUPipeline() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "lowbit-cpu-pipeline",
      "Compile an imported model for the host CPU, down to the LLVM dialect "
      "(or to linalg with compile-to=linalg)",
      buildCPUPipeline);
}
