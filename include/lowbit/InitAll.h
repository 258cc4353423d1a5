//===- InitAll.h - register lowbit and the upstream parts it uses -*- C++ -*-===//

#ifndef LOWBIT_INITALL_H
#define LOWBIT_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace lowbit {

/// The lowbit dialect plus every upstream dialect, extension and translation
/// that the pipelines use (including the GPU-to-LLVM IR translations, without
/// which the NVVM pipeline cannot serialize gpu.module).
void registerAllDialects(mlir::DialectRegistry &registry);

/// Every lowbit pass and pipeline, and the upstream passes.
void registerAllPasses();

} // namespace lowbit

#endif // LOWBIT_INITALL_H
