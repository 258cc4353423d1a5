//===- LowBitOps.h - lowbit operations --------------------------*- C++ -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_LOWBITOPS_H
#define LOWBIT_DIALECT_LOWBIT_LOWBITOPS_H

#include "lowbit/Dialect/LowBit/LowBitAttrs.h"
#include "lowbit/Dialect/LowBit/LowBitDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "lowbit/Dialect/LowBit/LowBitOps.h.inc"

#endif // LOWBIT_DIALECT_LOWBIT_LOWBITOPS_H
