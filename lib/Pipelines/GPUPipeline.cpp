//===- GPUPipeline.cpp - from imported IR to NVVM kernels and host code ---===//

#include "lowbit/Pipelines/Pipelines.h"

#include "lowbit/Target/CPU/Passes.h"
#include "lowbit/Target/GPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"

#include <limits>

using namespace mlir;

namespace {

/// The CUDA toolkit that ptxas and libdevice (for math functions) come
/// from: the one given, else the one whose ptxas is on PATH, else
/// $CUDA_HOME, else /usr/local/cuda; empty when there is none.
std::string findCUDAToolkit(const std::string &given) {
  if (!given.empty())
    return given;
  if (auto ptxas = llvm::sys::findProgramByName("ptxas"))
    return llvm::sys::path::parent_path(llvm::sys::path::parent_path(*ptxas))
        .str();
  if (std::optional<std::string> home = llvm::sys::Process::GetEnv("CUDA_HOME"))
    if (llvm::sys::fs::exists(*home + "/bin/ptxas"))
      return *home;
  if (llvm::sys::fs::exists("/usr/local/cuda/bin/ptxas"))
    return "/usr/local/cuda";
  return "";
}

void addCleanup(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

} // namespace

void lowbit::buildGPUKernelsPhase(OpPassManager &pm,
                                  const GPUPipelineOptions &options) {
  // Bufferize exactly as for the host: results become caller buffers.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  // No deallocation pipeline: it rejects the GEMV launches (ops without
  // memory effects); lowbit-gpu-device-buffers frees every buffer at exit.
  pm.addPass(createCanonicalizerPass());

  // Every linalg op becomes a grid of threads, one output element each.
  pm.addNestedPass<func::FuncOp>(lowbit::cpu::createCopiesToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  lowbit::gpu::MapToBlocksPassOptions blocks;
  blocks.threadsPerBlock = options.threadsPerBlock;
  pm.addNestedPass<func::FuncOp>(lowbit::gpu::createMapToBlocksPass(blocks));
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass());
  pm.addPass(createConvertParallelLoopToGpuPass());
  pm.addPass(createLowerAffinePass());
  addCleanup(pm);

  // Host buffers to device buffers, kernels into gpu.modules, and one
  // stream per run that orders every copy, launch and free.
  pm.addPass(lowbit::gpu::createDeviceBuffersPass());
  // Integer powers become calls to generated functions, which outlining
  // copies into the gpu.modules of the kernels that call them.
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  addCleanup(pm);
}

void lowbit::buildGPULLVMPhase(OpPassManager &pm,
                               const GPUPipelineOptions &options) {
  // Shared by kernels and host code.
  pm.addPass(createConvertNVGPUToNVVMPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  // Host code only: the kernels' arith ops are converted with the NVVM
  // patterns below, which turn remf into libdevice's fmod (a generic
  // llvm.frem has no lowering there).
  pm.addNestedPass<LLVM::LLVMFuncOp>(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  addCleanup(pm);

  // Kernels to NVVM.
  OpPassManager &kernels = pm.nest<mlir::gpu::GPUModuleOp>();
  kernels.addPass(createStripDebugInfoPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(LLVM::createNVVMOptimizeForTargetPass());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());

  // Host code to LLVM calling mgpu*; kernels compiled into a gpu.binary
  // (the translation to LLVM IR embeds it and loads it at library load).
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = findCUDAToolkit(options.cudaPath);
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  addCleanup(pm);
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(lowbit::cpu::createEmitModelABIPass());
}

void lowbit::buildGPULinalgPhase(OpPassManager &pm,
                                 const GPUPipelineOptions &options) {
  // Small-batch 4-bit and float linears get the generated GEMV before the
  // generic lowering to linalg sees them.
  lowbit::gpu::QLinearToGemvPassOptions gemv;
  gemv.tensorCores = options.tensorCores;
  gemv.fuseEpilogues = options.fuseEpilogues;
  pm.addPass(lowbit::gpu::createQLinearToGemvPass(gemv));
  lowbit::gpu::LinearToGemvPassOptions floatGemv;
  floatGemv.fuseEpilogues = options.fuseEpilogues;
  pm.addPass(lowbit::gpu::createLinearToGemvPass(floatGemv));
  pm.addPass(lowbit::gpu::createRMSNormToKernelPass());
  pm.addPass(lowbit::gpu::createQuantizePerTokenToKernelPass());
  CPUPipelineOptions linalg;
  linalg.entry = options.entry;
  buildCPULinalgPhase(pm, linalg);
  // Long reductions over few outputs (norms at small batch) in two stages.
  pm.addNestedPass<func::FuncOp>(lowbit::gpu::createSplitReductionsPass());
  addCleanup(pm);
}

void lowbit::buildGPUPipeline(OpPassManager &pm,
                              const GPUPipelineOptions &options) {
  buildGPULinalgPhase(pm, options);
  if (options.compileTo == GPUPhase::Linalg)
    return;
  buildGPUKernelsPhase(pm, options);
  if (options.compileTo == GPUPhase::Kernels)
    return;
  buildGPULLVMPhase(pm, options);
}

void lowbit::registerGPUPipeline() {
  PassPipelineRegistration<GPUPipelineOptions>(
      "lowbit-gpu-pipeline",
      "Compile an imported model for an NVIDIA GPU: kernels to NVVM and a "
      "cubin, host code to the LLVM dialect (or stop earlier with "
      "compile-to=linalg|kernels)",
      buildGPUPipeline);
}
