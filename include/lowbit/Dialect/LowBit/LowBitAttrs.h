//===- LowBitAttrs.h - lowbit attributes and enums --------------*- C++ -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_LOWBITATTRS_H
#define LOWBIT_DIALECT_LOWBIT_LOWBITATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "lowbit/Dialect/LowBit/LowBitEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "lowbit/Dialect/LowBit/LowBitAttrs.h.inc"

namespace lowbit {
/// Bit widths a qconfig may name: 0 (pruned), 2, 3, 4, 6, 8 and 16 (float).
bool isSupportedBitWidth(unsigned bits);
} // namespace lowbit

#endif // LOWBIT_DIALECT_LOWBIT_LOWBITATTRS_H
