//===- MemrefAccess.h - ops that read or write buffers ----------*- C++ -*-===//
//
// Host code may move buffers around but not touch their contents once they
// live in GPU memory; the GPU passes ask this of every op they leave on the
// host.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_TARGET_GPU_MEMREFACCESS_H
#define LOWBIT_LIB_TARGET_GPU_MEMREFACCESS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace lowbit::gpu {

/// Whether `op` itself (not the ops nested in it) reads or writes the
/// contents of a memref.
inline bool accessesMemref(mlir::Operation *op) {
  auto effects = llvm::dyn_cast<mlir::MemoryEffectOpInterface>(op);
  if (!effects)
    return false;
  llvm::SmallVector<mlir::MemoryEffects::EffectInstance> list;
  effects.getEffects(list);
  return llvm::any_of(list, [](const mlir::MemoryEffects::EffectInstance &e) {
    return llvm::isa<mlir::MemoryEffects::Read, mlir::MemoryEffects::Write>(
               e.getEffect()) &&
           e.getValue() &&
           llvm::isa<mlir::BaseMemRefType>(e.getValue().getType());
  });
}

} // namespace lowbit::gpu

#endif // LOWBIT_LIB_TARGET_GPU_MEMREFACCESS_H
