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
      llvm::cl::desc("Run the outer loops of large ops on the runtime's "
                     "threads (OpenMP regions)"),
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
                     "--lowbit-assign-qconfig)"),
      llvm::cl::init("none")};
  Option<int64_t> groupSize{
      *this, "group-size",
      llvm::cl::desc("Weights per scale for the 4-bit presets (0: one scale "
                     "per output channel)"),
      llvm::cl::init(128)};
  Option<std::string> method{
      *this, "method",
      llvm::cl::desc("How weight scales are chosen: rtn or mse"),
      llvm::cl::init("rtn")};
  Option<bool> fake{
      *this, "fake",
      llvm::cl::desc("Fake-quantize (float ops with the quantized numerics) "
                     "instead of packing weights"),
      llvm::cl::init(false)};
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

} // namespace lowbit

#endif // LOWBIT_PIPELINES_PIPELINES_H
