//===- AWQScaling.cpp - AWQ input scaling before weight quantization ------===//
//
// method=awq of the weight quantizers: for each tensor x that linears read,
// search s with numerics::awqSearch on the calibration statistics of x
// (mean |x| per channel and X^T X), replace every reader's weight W by
// W diag(s) and the producer of x by one that computes x diag(1/s). The
// float function is unchanged up to rounding; RTN on the scaled weights then
// makes a smaller output error (never a larger one on the calibration data:
// alpha = 0, plain RTN, is one of the candidates).
//
//===----------------------------------------------------------------------===//

#include "WeightQuantization.h"

#include "lowbit/Analysis/CalibrationTable.h"
#include "lowbit/Transforms/OpNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Format.h"

#include <algorithm>

using namespace mlir;
using namespace lowbit;

namespace {

/// Damping that makes a semi-definite X^T X factorizable; tiny, so the
/// scores are those of the calibration data.
constexpr double kGramDamp = 1e-6;

/// A float constant operand, read as binary32.
struct ConstantValues {
  ElementsAttr attr;
  std::vector<float> values;
};

std::optional<ConstantValues> readConstant(Value value, int64_t elements) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (!isa<DenseElementsAttr, DenseResourceElementsAttr>(attr))
    return std::nullopt;
  auto elementsAttr = cast<ElementsAttr>(attr);
  Type element = elementsAttr.getElementType();
  if (!(element.isF32() || element.isF16() || element.isBF16()) ||
      elementsAttr.getNumElements() != elements)
    return std::nullopt;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || static_cast<int64_t>(blob->getData().size()) !=
                     elements * (element.getIntOrFloatBitWidth() / 8))
      return std::nullopt;
  }
  return ConstantValues{elementsAttr,
                        readFloatElements(elementsAttr, elements)};
}

Value makeConstant(OpBuilder &builder, Location loc, ElementsAttr like,
                   const std::vector<float> &values, StringRef name) {
  auto type = cast<RankedTensorType>(like.getType());
  std::vector<char> bytes = toElementTypeBytes(values, type.getElementType());
  return arith::ConstantOp::create(
      builder, loc, cast<TypedAttr>(makeConstantData(type, bytes, name)));
}

/// The op computing x, when it can take x diag(1/s) into its parameters.
struct Absorber {
  Operation *op = nullptr;
  /// Why there is none.
  std::string reason;
};

bool readsOnly(Value x, ArrayRef<LinearOp> members) {
  return llvm::all_of(x.getUsers(), [&](Operation *user) {
    return llvm::is_contained(members, dyn_cast<LinearOp>(user));
  });
}

Absorber findAbsorber(Value x, ArrayRef<LinearOp> members, int64_t k) {
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
void foldInverseScales(Operation *absorber, ArrayRef<LinearOp> members,
                       const std::vector<float> &s) {
  OpBuilder builder(absorber);
  Location loc = absorber->getLoc();
  std::string name = getModelOpName(absorber);
  int64_t k = static_cast<int64_t>(s.size());
  auto divided = [&](Value operand, StringRef suffix) {
    ConstantValues constant = *readConstant(operand, k);
    for (int64_t i = 0; i < k; ++i)
      constant.values[i] /= s[i];
    return makeConstant(builder, loc, constant.attr, constant.values,
                        name + suffix.str());
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
        makeConstant(builder, loc, weight.attr, weight.values, name + ".awq"));
    eraseIfDeadConstant(oldWeight);
    if (Value bias = previous.getBias()) {
      previous.getBiasMutable().assign(divided(bias, ".awq_bias"));
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
    norm->setOperand(i, divided(old, i == 1 ? ".awq_gamma" : ".awq_beta"));
    eraseIfDeadConstant(old);
  }
}

} // namespace

LogicalResult lowbit::applyAWQScaling(Operation *root,
                                      const ScaleSearch &search) {
  Operation *module = root;
  while (module->getParentOp() && !module->hasAttr(kCalibrationAttrName))
    module = module->getParentOp();
  if (!module->hasAttr(kCalibrationAttrName))
    return root->emitError()
           << "method=awq needs calibration statistics (the "
           << kCalibrationAttrName
           << " module attribute); run lowbit-calibrate first";

  llvm::MapVector<Value, SmallVector<LinearOp>> groups;
  root->walk([&](LinearOp op) { groups[op.getInput()].push_back(op); });

  for (auto &[x, members] : groups) {
    std::optional<numerics::QuantParams> params;
    for (LinearOp member : members)
      if ((params = weightQuantParams(member)))
        break;
    if (!params)
      continue;
    LinearOp first = members.front();
    auto plainRTN = [&](const Twine &why) {
      first.emitRemark() << "AWQ: " << why
                         << "; quantized with plain RTN";
    };

    std::vector<WeightJob> jobs(members.size());
    bool readable = true;
    for (auto [job, member] : llvm::zip(jobs, members)) {
      job.op = member;
      prepareWeightJob(job);
      readable &= job.problem.empty();
    }
    if (!readable) {
      plainRTN("a reader of this input has a weight that cannot be scaled");
      continue;
    }
    int64_t k = jobs.front().cols;
    std::string tag = inputProbeTag(getModelOpName(first));
    auto stats = lookupCalibration(module, tag);
    if (failed(stats))
      return failure();
    if (!*stats || (*stats)->gram.empty() ||
        (*stats)->meanAbs.size() != static_cast<size_t>(k)) {
      plainRTN("no calibration statistics with X^T X for '" + tag + "'");
      continue;
    }
    Absorber absorber = findAbsorber(x, members, k);
    if (!absorber.op) {
      plainRTN(absorber.reason + ", so nothing can absorb the input scales");
      continue;
    }

    // One search for all readers: they must share s.
    std::vector<float> weights;
    int64_t rows = 0;
    for (WeightJob &job : jobs) {
      std::vector<float> w =
          readFloatElements(job.weight, job.rows * job.cols);
      weights.insert(weights.end(), w.begin(), w.end());
      rows += job.rows;
    }
    std::vector<float> sampleRows;
    numerics::AWQStatus status =
        numerics::gramSampleRows((*stats)->gram, k, kGramDamp, sampleRows);
    numerics::AWQResult result;
    if (status == numerics::AWQStatus::Ok)
      status = numerics::awqSearch(weights, rows, k, (*stats)->meanAbs,
                                   sampleRows, k, *params, search.awq, result);
    if (status != numerics::AWQStatus::Ok) {
      plainRTN(Twine("the scale search failed (") +
               numerics::toString(status) + ")");
      continue;
    }
    if (result.alpha == 0.0f) {
      plainRTN("no scaling lowers the output error (alpha = 0)");
      continue;
    }

    const std::vector<float> &s = result.scales;
    int64_t offset = 0;
    for (WeightJob &job : jobs) {
      std::vector<float> scaled(weights.begin() + offset * k,
                                weights.begin() + (offset + job.rows) * k);
      offset += job.rows;
      for (int64_t r = 0; r < job.rows; ++r)
        for (int64_t c = 0; c < k; ++c)
          scaled[r * k + c] *= s[c];
      OpBuilder builder(job.op);
      Value old = job.op.getWeight();
      job.op.getWeightMutable().assign(
          makeConstant(builder, job.op.getLoc(), job.weight, scaled,
                       getModelOpName(job.op) + ".awq"));
      eraseIfDeadConstant(old);
    }
    foldInverseScales(absorber.op, members, s);
    auto [lo, hi] = std::minmax_element(s.begin(), s.end());
    std::string summary;
    llvm::raw_string_ostream(summary)
        << llvm::format("alpha = %.3f, scales in [%.3g, %.3g]", result.alpha,
                        *lo, *hi);
    first.emitRemark() << "AWQ: " << summary << " folded into '"
                       << getModelOpName(absorber.op) << "'";
  }
  return success();
}
