//===- CastOps.cpp - Cast and CastLike ------------------------------------===//
//
// numpy astype semantics: float to integer truncates toward zero, integers
// widen by their own signedness and narrow by dropping high bits, anything
// to bool is "!= 0" (NaN is true). tosa.cast rounds float to integer to
// nearest, so casts are linalg.generic bodies (castScalar).
//
//===----------------------------------------------------------------------===//

#include "ElementwiseCommon.h"
#include "../TensorConversion.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// TensorProto.DataType names, including those newer than lowbit's libonnx.
constexpr const char *kDataTypeNames[] = {
    "UNDEFINED",      "FLOAT",          "UINT8",      "INT8",
    "UINT16",         "INT16",          "INT32",      "INT64",
    "STRING",         "BOOL",           "FLOAT16",    "DOUBLE",
    "UINT32",         "UINT64",         "COMPLEX64",  "COMPLEX128",
    "BFLOAT16",       "FLOAT8E4M3FN",   "FLOAT8E4M3FNUZ", "FLOAT8E5M2",
    "FLOAT8E5M2FNUZ", "UINT4",          "INT4",       "FLOAT4E2M1",
    "FLOAT8E8M0"};

std::string dataTypeName(int64_t dataType) {
  if (dataType >= 0 && dataType < static_cast<int64_t>(std::size(kDataTypeNames)))
    return kDataTypeNames[dataType];
  return "data type " + std::to_string(dataType);
}

/// Cast-1 names the target type as a string ("FLOAT", "INT64", ...).
std::optional<int> parseDataTypeName(StringRef name) {
  std::string upper = name.upper();
  for (size_t i = 1; i < std::size(kDataTypeNames); ++i)
    if (upper == kDataTypeNames[i])
      return static_cast<int>(i);
  return std::nullopt;
}

/// Folds one element of a cast; declines float-to-integer casts of NaN or
/// out-of-range values, which numpy leaves undefined.
std::optional<FoldValue> foldCast(const FoldValue &x, Type to,
                                  bool toUnsigned) {
  if (to.isInteger(1))
    return FoldValue::ofBool(x.isTrue());
  bool toFloat = isa<FloatType>(to);
  if (!x.isFloat || toFloat)
    return x; // integers convert exactly when stored; floats round once
  double t = std::trunc(x.f);
  if (std::isnan(t))
    return std::nullopt;
  unsigned width = to.getIntOrFloatBitWidth();
  double limit = std::ldexp(1.0, toUnsigned ? width : width - 1);
  double low = toUnsigned ? 0.0 : -limit;
  if (t < low || t >= limit)
    return std::nullopt;
  APInt v = toUnsigned ? APInt(width, static_cast<uint64_t>(t))
                       : APInt(width, static_cast<uint64_t>(static_cast<int64_t>(t)),
                               /*isSigned=*/true, /*implicitTrunc=*/true);
  return FoldValue::ofInt(v, toUnsigned);
}

LogicalResult emitCast(NodeImporter &node, int64_t to) {
  Type toType = (to >= 0 && to < static_cast<int64_t>(std::size(kDataTypeNames)))
                    ? getElementType(node.context(), static_cast<int>(to))
                    : Type();
  if (!toType)
    return node.fail("casting to " + dataTypeName(to) +
                     " is not supported (lowbit handles float, integer and "
                     "bool types)");
  if (failed(checkInputType(node, 0, kAnyTypes)))
    return failure();
  if (node.inputDataType(0) == to)
    return node.forwardInput(0, 0);
  Operand x = inputOperand(node, 0);
  bool toUnsigned = isUnsignedDataType(to);
  int toDataType = static_cast<int>(to);
  return emitWithBuilder(
      node, {x}, toType, toDataType,
      [&](ArrayRef<FoldValue> v) { return foldCast(v[0], toType, toUnsigned); },
      [&](ArrayRef<Value> v, ArrayRef<int64_t>) -> FailureOr<Value> {
        return castTensor(node.builder(), node.loc(), v[0], toType,
                          x.isUnsigned, toUnsigned);
      });
}

LogicalResult importCast(NodeImporter &node) {
  if (!node.hasAttr("to"))
    return node.fail("attribute 'to' is missing");
  if (node.opset() < 6) {
    std::string name = node.attrString("to", "");
    std::optional<int> to = parseDataTypeName(name);
    if (node.hasFailed())
      return failure();
    if (!to)
      return node.fail("attribute 'to' names no data type: \"" + name + "\"");
    return emitCast(node, *to);
  }
  int64_t to = node.attrInt("to", 0);
  if (node.hasFailed())
    return failure();
  return emitCast(node, to);
}

LogicalResult importCastLike(NodeImporter &node) {
  if (!node.hasInput(1))
    return node.fail("input 1 (target_type) is missing");
  return emitCast(node, node.inputDataType(1));
}

} // namespace

void lowbit::onnx_import::registerCastOps(std::vector<OpHandler> &table) {
  table.push_back({"", "Cast", 1, importCast,
                   "not to or from string, float8 or 4-bit types"});
  table.push_back({"", "CastLike", 15, importCastLike,
                   "not to or from string, float8 or 4-bit types"});
}
