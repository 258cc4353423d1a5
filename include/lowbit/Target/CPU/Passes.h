//===- Passes.h - CPU code generation passes --------------------*- C++ -*-===//

#ifndef LOWBIT_TARGET_CPU_PASSES_H
#define LOWBIT_TARGET_CPU_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace lowbit::cpu {

#define GEN_PASS_DECL
#include "lowbit/Target/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lowbit/Target/CPU/Passes.h.inc"

/// The module attribute RecordModelABIPass writes and EmitModelABIPass
/// consumes.
constexpr llvm::StringLiteral kModelABIAttrName = "lowbit.model_abi";

} // namespace lowbit::cpu

#endif // LOWBIT_TARGET_CPU_PASSES_H
