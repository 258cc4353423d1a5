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

/// Dropout from opset 12 takes `training_mode` as an input. In training mode
/// it zeroes random elements, which a compiled model cannot reproduce; it is
/// accepted only when the mode is known at import time to be inference, or
/// training with a ratio known to be 0 (nothing is dropped).
LogicalResult importDropout(NodeImporter &node) {
  if (node.opset() >= 12 && node.hasInput(2)) {
    DenseElementsAttr training = node.constantInputDense(2);
    if (!training || training.getNumElements() != 1)
      return node.fail("input 2 (training_mode) must be known at import time "
                       "(training mode drops random elements, which lowbit "
                       "does not support)");
    bool trainingMode = training.getElementType().isInteger()
                            ? !(*training.getValues<APInt>().begin()).isZero()
                            : !(*training.getValues<APFloat>().begin()).isZero();
    if (trainingMode) {
      DenseElementsAttr ratio =
          node.hasInput(1) ? node.constantInputDense(1) : DenseElementsAttr();
      bool zeroRatio = ratio && ratio.getNumElements() == 1 &&
                       isa<FloatType>(ratio.getElementType()) &&
                       (*ratio.getValues<APFloat>().begin()).isZero();
      if (!zeroRatio)
        return node.fail("training mode with a ratio that is not known to be "
                         "0 drops random elements, which lowbit does not "
                         "support");
    }
  }
  return importIdentity(node);
}

} // namespace

void lowbit::onnx_import::registerMiscOps(std::vector<OpHandler> &table) {
  table.push_back({"", "Constant", 1, importConstant,
                   "value, value_float(s), value_int(s); not sparse or string"});
  table.push_back({"", "Identity", 1, importIdentity});
  table.push_back({"", "Dropout", 1, importDropout,
                   "inference: identity; training_mode known at import time"});
}
