//===- LowBitAttrs.cpp - lowbit attributes --------------------------------===//

#include "lowbit/Dialect/LowBit/LowBitAttrs.h"
#include "lowbit/Dialect/LowBit/LowBitDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace lowbit;

#include "lowbit/Dialect/LowBit/LowBitEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "lowbit/Dialect/LowBit/LowBitAttrs.cpp.inc"

void LowBitDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "lowbit/Dialect/LowBit/LowBitAttrs.cpp.inc"
      >();
}

bool lowbit::isSupportedBitWidth(unsigned bits) {
  switch (bits) {
  case 0: case 2: case 3: case 4: case 6: case 8: case 16:
    return true;
  default:
    return false;
  }
}

LogicalResult
QConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                    unsigned bits, Granularity granularity, int64_t groupSize,
                    bool symmetric, NumberFormat format) {
  if (!isSupportedBitWidth(bits))
    return emitError() << "bits must be one of 0, 2, 3, 4, 6, 8, 16; got "
                       << bits;
  if (granularity == Granularity::Group && groupSize <= 0)
    return emitError() << "group_size must be positive with granularity = "
                          "group";
  if (granularity != Granularity::Group && groupSize != 0)
    return emitError() << "group_size is only meaningful with granularity = "
                          "group";
  switch (format) {
  case NumberFormat::Int:
    break;
  case NumberFormat::FP8E4M3:
    if (bits != 8)
      return emitError() << "format fp8_e4m3 needs bits = 8; got " << bits;
    break;
  case NumberFormat::NF4:
  case NumberFormat::FP4E2M1:
    if (bits != 4)
      return emitError() << "format " << stringifyNumberFormat(format)
                         << " needs bits = 4; got " << bits;
    if (!symmetric)
      return emitError() << "format " << stringifyNumberFormat(format)
                         << " is a symmetric codebook; symmetric must be true";
    break;
  }
  return success();
}

int64_t QConfigAttr::getElementsPerScale(int64_t rowLength) const {
  switch (getGranularity()) {
  case Granularity::Group:
    return getGroupSize();
  case Granularity::Channel:
  case Granularity::Token:
    return rowLength;
  case Granularity::Tensor:
    return -1;
  }
  return -1;
}
