//===- Pipelines.h - lowbit's pass pipelines --------------------*- C++ -*-===//

#ifndef LOWBIT_PIPELINES_PIPELINES_H
#define LOWBIT_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace lowbit {

/// The phases after which the CPU pipeline can stop (the tail of the
/// driver's --compile-to; `import` and `quantized` happen before it).
enum class CPUPhase {
  /// Everything on tensors in linalg, tensor, arith and math.
  Linalg,
  /// The LLVM dialect, ready to be translated into LLVM IR.
  LLVM,
};

struct CPUPipelineOptions
    : public mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<CPUPhase> compileTo{
      *this, "compile-to", llvm::cl::desc("The last phase to run"),
      llvm::cl::init(CPUPhase::LLVM),
      llvm::cl::values(
          clEnumValN(CPUPhase::Linalg, "linalg", "Stop with linalg on tensors"),
          clEnumValN(CPUPhase::LLVM, "llvm", "Lower all the way to LLVM"))};
  Option<std::string> entry{
      *this, "entry", llvm::cl::desc("The function the model library runs"),
      llvm::cl::init("main")};
  Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Tile and vectorize linalg ops (off: scalar loops)"),
      llvm::cl::init(true)};
  Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run the outer loops of large ops on the model "
                     "runtime's threads as OpenMP regions (off: serial "
                     "loops, e.g. for code run by a JIT)"),
      llvm::cl::init(true)};
  Option<bool> runtimeAllocator{
      *this, "runtime-allocator",
      llvm::cl::desc("Allocate intermediate buffers through the model "
                     "runtime, which reuses them across runs (off: malloc "
                     "and free, e.g. for code run by a JIT)"),
      llvm::cl::init(true)};
  Option<unsigned> vectorBytes{
      *this, "vector-bytes",
      llvm::cl::desc("Bytes in one vector register of the target"),
      llvm::cl::init(64)};
};

/// How `--quant` quantizes an imported model (the `quantized` phase).
struct QuantPipelineOptions
    : public mlir::PassPipelineOptions<QuantPipelineOptions> {
  Option<std::string> preset{
      *this, "preset",
      llvm::cl::desc("none, w8a16, w4a16, w8a8 or w4a4 (see "
                     "--lowbit-assign-qconfig), or mixed (see "
                     "--lowbit-allocate-bits)"),
      llvm::cl::init("none")};
  Option<int64_t> groupSize{
      *this, "group-size",
      llvm::cl::desc("Weights per scale for the 4-bit presets (0: one scale "
                     "per output channel)"),
      llvm::cl::init(128)};
  Option<std::string> method{
      *this, "method",
      llvm::cl::desc("How weights are quantized: rtn, mse, or gptq / awq "
                     "(these read the lowbit.calibration statistics)"),
      llvm::cl::init("rtn")};
  Option<bool> fake{
      *this, "fake",
      llvm::cl::desc("Fake-quantize (float ops with the quantized numerics) "
                     "instead of packing weights"),
      llvm::cl::init(false)};
  Option<bool> asymmetricWeights{
      *this, "asymmetric-weights",
      llvm::cl::desc("Weights use [min, max] with a zero point per scale "
                     "instead of a symmetric grid"),
      llvm::cl::init(false)};
  Option<std::string> actScale{
      *this, "act-scale",
      llvm::cl::desc("Activation scales of w8a8/w4a4: dynamic (per token, at "
                     "run time), or static per tensor from the calibration "
                     "statistics: minmax, percentile, entropy, mse"),
      llvm::cl::init("dynamic")};
  Option<double> targetBpw{
      *this, "target-bpw",
      llvm::cl::desc("preset=mixed: average bits per weight, scales "
                     "included"),
      llvm::cl::init(4.5)};
  Option<std::string> solver{
      *this, "solver",
      llvm::cl::desc("preset=mixed: exact, greedy or equal-loss"),
      llvm::cl::init("exact")};
  Option<double> actPercentile{
      *this, "act-percentile",
      llvm::cl::desc("The percentile of |x| kept in range by "
                     "act-scale=percentile"),
      llvm::cl::init(99.99)};
};

/// The presets `QuantPipelineOptions::preset` accepts, for messages.
llvm::StringRef getQuantPresetNames();

/// True when `preset` is one of getQuantPresetNames().
bool isQuantPreset(llvm::StringRef preset);

/// Assigns the preset's configs and quantizes: packed `lowbit.qlinear`, or
/// with `fake` float weights and `lowbit.fake_quant` activations. Nothing
/// for preset `none`.
void buildQuantPipeline(mlir::OpPassManager &pm,
                        const QuantPipelineOptions &options);

/// Registers --lowbit-quant-pipeline.
void registerQuantPipeline();

/// TOSA and lowbit ops to linalg on tensors, fused and cleaned up; records
/// the model's interface for the runtime first.
void buildCPULinalgPhase(mlir::OpPassManager &pm,
                         const CPUPipelineOptions &options);

/// Linalg on tensors to the LLVM dialect: tiling and vectorization,
/// bufferization with the results written into caller buffers, deallocation
/// and the conversions to LLVM, then the runtime's entry points.
void buildCPULLVMPhase(mlir::OpPassManager &pm,
                       const CPUPipelineOptions &options);

/// Both phases, up to `options.compileTo`.
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUPipelineOptions &options);

/// Registers --lowbit-cpu-pipeline.
void registerCPUPipeline();

/// The phases after which the GPU pipeline can stop.
enum class GPUPhase {
  /// Everything on tensors in linalg, tensor, arith and math (as on CPU).
  Linalg,
  /// Buffers, `gpu.launch_func`s of outlined `gpu.module`s, async copies.
  Kernels,
  /// The LLVM dialect with the kernels compiled into a `gpu.binary`.
  LLVM,
};

struct GPUPipelineOptions
    : public mlir::PassPipelineOptions<GPUPipelineOptions> {
  Option<GPUPhase> compileTo{
      *this, "compile-to", llvm::cl::desc("The last phase to run"),
      llvm::cl::init(GPUPhase::LLVM),
      llvm::cl::values(
          clEnumValN(GPUPhase::Linalg, "linalg", "Stop with linalg on tensors"),
          clEnumValN(GPUPhase::Kernels, "kernels",
                     "Stop with outlined GPU kernels and their launches"),
          clEnumValN(GPUPhase::LLVM, "llvm",
                     "Lower all the way to LLVM and compile the kernels"))};
  Option<std::string> entry{
      *this, "entry", llvm::cl::desc("The function the model library runs"),
      llvm::cl::init("main")};
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("The GPU architecture (sm_80, sm_90, "
                                          "sm_90a, ...)"),
                           llvm::cl::init("sm_90")};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features; sm_90 needs +ptx78 or newer"),
      llvm::cl::init("+ptx80")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What gpu.binary holds: bin (cubin, via ptxas), isa "
                     "(PTX text), fatbin, llvm (NVVM IR), offloading"),
      llvm::cl::init("bin")};
  Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("The CUDA toolkit (ptxas, libdevice); empty: the one "
                     "whose ptxas is on PATH, else $CUDA_HOME, else "
                     "/usr/local/cuda"),
      llvm::cl::init("")};
  Option<int64_t> threadsPerBlock{
      *this, "threads-per-block",
      llvm::cl::desc("Threads in one block of the elementwise mapping"),
      llvm::cl::init(256)};
  Option<bool> tensorCores{
      *this, "tensor-cores",
      llvm::cl::desc("Run W4A16 layers with 3 to 16 rows of x on the tensor "
                     "cores (activations rounded to f16)"),
      llvm::cl::init(true)};
  Option<bool> fuseEpilogues{
      *this, "fuse-epilogues",
      llvm::cl::desc("Compute the elementwise ops after a generated GEMV "
                     "kernel's product in that kernel"),
      llvm::cl::init(true)};
};

/// The CPU pipeline's linalg phase, with the small-batch 4-bit
/// `lowbit.qlinear`s taken out first as launches of generated GEMV kernels.
void buildGPULinalgPhase(mlir::OpPassManager &pm,
                         const GPUPipelineOptions &options);

/// Linalg on tensors to GPU kernels and the host code that launches them:
/// bufferization into caller buffers, loops mapped to blocks and threads,
/// buffers moved to GPU memory, kernels outlined, launches made async.
void buildGPUKernelsPhase(mlir::OpPassManager &pm,
                          const GPUPipelineOptions &options);

/// Kernels to NVVM and a compiled gpu.binary, host code to the LLVM dialect
/// calling the CUDA runtime's mgpu* functions, then the runtime's entry
/// points.
void buildGPULLVMPhase(mlir::OpPassManager &pm,
                       const GPUPipelineOptions &options);

/// All phases, up to `options.compileTo`.
void buildGPUPipeline(mlir::OpPassManager &pm,
                      const GPUPipelineOptions &options);

/// Registers --lowbit-gpu-pipeline.
void registerGPUPipeline();

} // namespace lowbit

#endif // LOWBIT_PIPELINES_PIPELINES_H
