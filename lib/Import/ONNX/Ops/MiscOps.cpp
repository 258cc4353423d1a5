//===- MiscOps.cpp - Constant, Identity and other graph plumbing ----------===//

#include "../IRBuilders.h"
#include "../OpRegistry.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

LogicalResult importConstant(NodeImporter &node) {
  MLIRContext *ctx = node.context();
  Builder b(ctx);
  if (node.hasAttr("value")) {
    ElementsAttr value = node.attrTensor("value");
    if (!value)
      return failure();
    return node.setConstantResult(0, value, node.attrTensorDataType("value"));
  }
  if (node.hasAttr("value_float")) {
    auto type = RankedTensorType::get({}, b.getF32Type());
    return node.setConstantResult(
        0, DenseElementsAttr::get(type, node.attrFloat("value_float", 0)));
  }
  if (node.hasAttr("value_floats")) {
    SmallVector<float> values = node.attrFloats("value_floats");
    auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                      b.getF32Type());
    return node.setConstantResult(0, DenseElementsAttr::get(type, ArrayRef<float>(values)));
  }
  if (node.hasAttr("value_int")) {
    auto type = RankedTensorType::get({}, b.getI64Type());
    return node.setConstantResult(
        0, DenseElementsAttr::get(type, node.attrInt("value_int", 0)));
  }
  if (node.hasAttr("value_ints")) {
    SmallVector<int64_t> values = node.attrInts("value_ints");
    auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                      b.getI64Type());
    return node.setConstantResult(0, DenseElementsAttr::get(type, ArrayRef<int64_t>(values)));
  }
  if (node.hasAttr("sparse_value"))
    return node.fail("sparse constants are not supported");
  if (node.hasAttr("value_string") || node.hasAttr("value_strings"))
    return node.fail("string constants are not supported");
  return node.fail("Constant has no value attribute");
}

/// Identity, and ops that are the identity at inference: Dropout (its mask,
/// when asked for, is all true).
LogicalResult importIdentity(NodeImporter &node) {
  Value x = node.input(0);
  if (!x)
    return node.fail("missing input");
  if (node.hasOutput(1)) {
    auto type = node.inputType(0);
    Value mask = createSplat(node.builder(), node.loc(),
                             node.builder().getI1Type(), type.getShape(), 1);
    if (failed(node.setResult(1, mask)))
      return failure();
  }
  return node.forwardInput(0, 0);
}

} // namespace

void lowbit::onnx_import::registerMiscOps(std::vector<OpHandler> &table) {
  table.push_back({"", "Constant", 1, importConstant,
                   "value, value_float(s), value_int(s); not sparse or string"});
  table.push_back({"", "Identity", 1, importIdentity});
  table.push_back({"", "Dropout", 1, importIdentity, "inference: identity"});
}
