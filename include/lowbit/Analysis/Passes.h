//===- Passes.h - lowbit analysis passes ------------------------*- C++ -*-===//

#ifndef LOWBIT_ANALYSIS_PASSES_H
#define LOWBIT_ANALYSIS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace lowbit {

#define GEN_PASS_DECL
#include "lowbit/Analysis/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lowbit/Analysis/Passes.h.inc"

} // namespace lowbit

#endif // LOWBIT_ANALYSIS_PASSES_H
