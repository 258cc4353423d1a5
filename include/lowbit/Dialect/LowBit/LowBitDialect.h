//===- LowBitDialect.h - lowbit dialect -------------------------*- C++ -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_LOWBITDIALECT_H
#define LOWBIT_DIALECT_LOWBIT_LOWBITDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Dialect.h"

#include "lowbit/Dialect/LowBit/LowBitDialect.h.inc"

#endif // LOWBIT_DIALECT_LOWBIT_LOWBITDIALECT_H
