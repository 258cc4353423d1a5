//===- ObjectEmitter.h - LLVM-dialect modules to host objects ---*- C++ -*-===//

#ifndef LOWBIT_TARGET_CPU_OBJECTEMITTER_H
#define LOWBIT_TARGET_CPU_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace lowbit::cpu {

/// Translates `module` (LLVM dialect only) to LLVM IR, hides every symbol it
/// defines (a model library exports only the runtime's C interface),
/// optimizes at -O3 for the host CPU and its features, and writes a
/// position-independent object file to `path`. Reports failures as
/// diagnostics on the module. With `portable`, code is for the baseline
/// of the host's architecture instead (GPU models, whose host code only
/// launches kernels, then run on any machine of that architecture).
mlir::LogicalResult emitHostObject(mlir::ModuleOp module, llvm::StringRef path,
                                   bool portable = false);

/// Links `objectPath` and the whole runtime archive into the shared library
/// `outputPath` with the system compiler driver (`cc`, or `driver` when
/// given). `extraArchives` (the CUDA runtime of GPU models) are linked whole
/// too, with libdl. On failure returns false with `error` set.
bool linkModelLibrary(llvm::StringRef objectPath,
                      llvm::StringRef runtimeArchive,
                      llvm::StringRef outputPath, llvm::StringRef driver,
                      std::string &error,
                      llvm::ArrayRef<std::string> extraArchives = {});

} // namespace lowbit::cpu

#endif // LOWBIT_TARGET_CPU_OBJECTEMITTER_H
