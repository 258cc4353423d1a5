//===- ChannelScaleFolding.cpp - per-input-channel scales, folded ---------===//
//
// What AWQ and SmoothQuant share: the linears that read a tensor x take
// W diag(s), and the op producing x is changed to produce x diag(1/s).
//
//===----------------------------------------------------------------------===//

#include "ChannelScaleFolding.h"

#include "WeightQuantization.h"

#include "lowbit/Transforms/OpNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace lowbit;

/// The constant behind `value` when it holds `elements` readable f32/f16/bf16
/// values (a resource blob of the right size).
static ElementsAttr readableConstant(Value value, int64_t elements) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return {};
  if (!isa<DenseElementsAttr, DenseResourceElementsAttr>(attr))
    return {};
  auto elementsAttr = cast<ElementsAttr>(attr);
  Type element = elementsAttr.getElementType();
  if (!(element.isF32() || element.isF16() || element.isBF16()) ||
      elementsAttr.getNumElements() != elements)
    return {};
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || static_cast<int64_t>(blob->getData().size()) !=
                     elements * (element.getIntOrFloatBitWidth() / 8))
      return {};
  }
  return elementsAttr;
}

bool lowbit::isReadableConstant(Value value, int64_t elements) {
  return static_cast<bool>(readableConstant(value, elements));
}

std::optional<ConstantValues> lowbit::readConstant(Value value, int64_t elements) {
  ElementsAttr elementsAttr = readableConstant(value, elements);
  if (!elementsAttr)
    return std::nullopt;
  return ConstantValues{elementsAttr,
                        readFloatElements(elementsAttr, elements)};
}

Value lowbit::makeConstant(OpBuilder &builder, Location loc, ElementsAttr like,
                   const std::vector<float> &values, StringRef name) {
  auto type = cast<RankedTensorType>(like.getType());
  std::vector<char> bytes = toElementTypeBytes(values, type.getElementType());
  return arith::ConstantOp::create(
      builder, loc, cast<TypedAttr>(makeConstantData(type, bytes, name)));
}

bool lowbit::readsOnly(Value x, ArrayRef<LinearOp> members) {
  return llvm::all_of(x.getUsers(), [&](Operation *user) {
    return llvm::is_contained(members, dyn_cast<LinearOp>(user));
  });
}

Absorber lowbit::findAbsorber(Value x, ArrayRef<LinearOp> members, int64_t k) {
  Operation *def = x.getDefiningOp();
  if (!def)
    return {nullptr, "the input is a function argument"};
  auto normWithLastAxisGamma = [&](Value gamma) {
    auto type = dyn_cast<RankedTensorType>(gamma.getType());
    return type && type.getRank() == 1 && readConstant(gamma, k).has_value();
  };
  if (auto norm = dyn_cast<LayerNormOp>(def)) {
    if (normWithLastAxisGamma(norm.getGamma()) &&
        (!norm.getBeta() || readConstant(norm.getBeta(), k)))
      return {def, ""};
    return {nullptr, "the layer norm's gamma or beta is not a constant over "
                     "the last axis"};
  }
  if (auto norm = dyn_cast<RMSNormOp>(def)) {
    if (normWithLastAxisGamma(norm.getGamma()))
      return {def, ""};
    return {nullptr,
            "the RMS norm's gamma is not a constant over the last axis"};
  }
  if (auto previous = dyn_cast<LinearOp>(def)) {
    auto type = cast<RankedTensorType>(previous.getWeight().getType());
    if (!readsOnly(x, members))
      return {nullptr, "the previous linear '" + getModelOpName(def) +
                           "' has other readers"};
    if (type.getRank() != 2 || type.getDimSize(0) != k ||
        !readConstant(previous.getWeight(), type.getNumElements()) ||
        (previous.getBias() && !readConstant(previous.getBias(), k)))
      return {nullptr, "the previous linear '" + getModelOpName(def) +
                           "' has no constant weight and bias"};
    return {def, ""};
  }
  // A gated product g(a) * (x W^T + b), as in SwiGLU: scaling the linear
  // factor's output channels scales the product's.
  if (auto mul = dyn_cast<tosa::MulOp>(def)) {
    for (Value factor : {mul.getInput1(), mul.getInput2()}) {
      auto linear = factor.getDefiningOp<LinearOp>();
      if (!linear || factor.getType() != x.getType() || !factor.hasOneUse() ||
          !readsOnly(x, members))
        continue;
      auto type = cast<RankedTensorType>(linear.getWeight().getType());
      if (type.getRank() == 2 && type.getDimSize(0) == k &&
          readConstant(linear.getWeight(), type.getNumElements()) &&
          (!linear.getBias() || readConstant(linear.getBias(), k)))
        return {linear, ""};
    }
  }
  return {nullptr, "the input comes from '" + getModelOpName(def) + "' (" +
                       def->getName().getStringRef().str() + ")"};
}

/// Makes `absorber` produce x diag(1/s) for `members`.
bool lowbit::canAbsorbShift(Operation *absorber) {
  if (auto norm = dyn_cast<LayerNormOp>(absorber))
    return static_cast<bool>(norm.getBeta());
  if (auto previous = dyn_cast<LinearOp>(absorber))
    return static_cast<bool>(previous.getBias());
  return false;
}

void lowbit::foldInverseScales(Operation *absorber, ArrayRef<LinearOp> members,
                       const std::vector<float> &s, StringRef tag,
                       const std::vector<float> *shift) {
  OpBuilder builder(absorber);
  Location loc = absorber->getLoc();
  std::string name = getModelOpName(absorber);
  int64_t k = static_cast<int64_t>(s.size());
  // (v - z) / s for the additive parameter (beta, bias) when shifting.
  auto divided = [&](Value operand, const std::string &suffix,
                     bool additive = false) {
    ConstantValues constant = *readConstant(operand, k);
    for (int64_t i = 0; i < k; ++i)
      constant.values[i] =
          (constant.values[i] - (additive && shift ? (*shift)[i] : 0.0f)) /
          s[i];
    return makeConstant(builder, loc, constant.attr, constant.values,
                        name + suffix);
  };

  if (auto previous = dyn_cast<LinearOp>(absorber)) {
    auto type = cast<RankedTensorType>(previous.getWeight().getType());
    int64_t cols = type.getDimSize(1);
    ConstantValues weight =
        *readConstant(previous.getWeight(), type.getNumElements());
    for (int64_t row = 0; row < k; ++row)
      for (int64_t c = 0; c < cols; ++c)
        weight.values[row * cols + c] /= s[row];
    Value oldWeight = previous.getWeight();
    previous.getWeightMutable().assign(
        makeConstant(builder, loc, weight.attr, weight.values, name + "." + tag.str()));
    eraseIfDeadConstant(oldWeight);
    if (Value bias = previous.getBias()) {
      previous.getBiasMutable().assign(
          divided(bias, "." + tag.str() + "_bias", /*additive=*/true));
      eraseIfDeadConstant(bias);
    }
    return;
  }

  // A norm: gamma and beta (operands 1 and 2) take the scales. When the
  // norm has other readers (a residual connection), the readers here get
  // their own copy.
  Operation *norm = absorber;
  Value x = absorber->getResult(0);
  if (!readsOnly(x, members)) {
    builder.setInsertionPointAfter(absorber);
    norm = builder.clone(*absorber);
    for (LinearOp member : members)
      member.getInputMutable().assign(norm->getResult(0));
    builder.setInsertionPoint(norm);
  }
  for (unsigned i = 1; i < norm->getNumOperands(); ++i) {
    Value old = norm->getOperand(i);
    norm->setOperand(i, divided(old,
                                "." + tag.str() + (i == 1 ? "_gamma" : "_beta"),
                                /*additive=*/i == 2));
    eraseIfDeadConstant(old);
  }
}


void lowbit::scaleWeightColumns(LinearOp op, ElementsAttr like,
                                std::vector<float> weight,
                                const std::vector<float> &s, StringRef tag) {
  size_t k = s.size();
  for (size_t i = 0; i < weight.size(); ++i)
    weight[i] *= s[i % k];
  OpBuilder builder(op);
  Value old = op.getWeight();
  op.getWeightMutable().assign(makeConstant(builder, op.getLoc(), like, weight,
                                            getModelOpName(op) + "." +
                                                tag.str()));
  eraseIfDeadConstant(old);
}
