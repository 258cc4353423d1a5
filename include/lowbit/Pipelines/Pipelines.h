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

} // namespace lowbit

#endif // LOWBIT_PIPELINES_PIPELINES_H
