//===- LowBitDialect.cpp - lowbit dialect registration --------------------===//

#include "lowbit/Dialect/LowBit/LowBitDialect.h"
#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace lowbit;

#include "lowbit/Dialect/LowBit/LowBitDialect.cpp.inc"

void LowBitDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "lowbit/Dialect/LowBit/LowBitOps.cpp.inc"
      >();
  registerAttributes();
}

Operation *LowBitDialect::materializeConstant(OpBuilder &builder,
                                              Attribute value, Type type,
                                              Location loc) {
  if (auto typed = dyn_cast<TypedAttr>(value);
      typed && arith::ConstantOp::isBuildableWith(typed, type))
    return arith::ConstantOp::create(builder, loc, type, typed);
  return nullptr;
}

#define GET_OP_CLASSES
#include "lowbit/Dialect/LowBit/LowBitOps.cpp.inc"
