//===- WeightQuantization.cpp - shared driver of the weight quantizers ----===//

#include "WeightQuantization.h"

#include "lowbit/Analysis/CalibrationTable.h"
#include "lowbit/Numerics/Packing.h"
#include "lowbit/Transforms/OpNames.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Threading.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/Format.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

using namespace mlir;
using namespace lowbit;

namespace {

/// Element counts above which new constants become dense_resource blobs,
/// the importer's thresholds: inline floats are printed in full, so only tiny
/// ones stay readable; integers print compactly.
constexpr int64_t kMaxInlineFloatElements = 16;
constexpr int64_t kMaxInlineIntElements = 4096;

/// A splat weight is stored as one value; expanding a huge one would
/// allocate far more than the input holds.
constexpr int64_t kMaxExpandedSplatElements = int64_t{1} << 26;

/// Widest accepted clip search: the search costs one fake quantization of
/// the weight per candidate.
constexpr int kMaxClipCandidates = 1000;

enum class Action { Keep, Prune, Quantize };

struct Decision {
  Action action = Action::Keep;
  std::string remark;
  numerics::QuantParams params;
};

Decision keepWithRemark(std::string remark) {
  Decision d;
  d.remark = std::move(remark);
  return d;
}

Decision decide(LinearOp op) {
  QConfigAttr config = op.getWeightQconfigAttr();
  if (!config || config.isFloat())
    return {};
  if (config.getFormat() != NumberFormat::Int)
    return keepWithRemark(
        ("weight format " + stringifyNumberFormat(config.getFormat()) +
         " is not supported yet; the weight stays in floating point")
            .str());
  if (config.isPruned()) {
    Decision d;
    d.action = Action::Prune;
    return d;
  }

  numerics::QuantParams params;
  params.bits = static_cast<int>(config.getBits());
  params.symmetric = config.getSymmetric();
  params.domain = numerics::CodeDomain::Weight;
  switch (config.getGranularity()) {
  case Granularity::Tensor:
    params.granularity = numerics::Granularity::PerTensor;
    break;
  case Granularity::Channel:
    params.granularity = numerics::Granularity::PerChannel;
    break;
  case Granularity::Group:
    params.granularity = numerics::Granularity::PerGroup;
    params.groupSize = config.getGroupSize();
    break;
  case Granularity::Token:
    // Rejected by the linear's verifier; kept float should it ever get here.
    return keepWithRemark("per-token weight scales are not supported; the "
                          "weight stays in floating point");
  }
  if (!numerics::isSupportedBits(params.bits, params.domain))
    return keepWithRemark("no packed " + std::to_string(params.bits) +
                          "-bit weights; the weight stays in floating point");
  Decision d;
  d.action = Action::Quantize;
  d.params = params;
  return d;
}

bool isSupportedWeightType(Type type) {
  return type.isF32() || type.isF16() || type.isBF16();
}

/// The raw element data of a dense or dense_resource attribute (one element
/// for a dense splat; empty for a resource without data).
ArrayRef<char> rawData(ElementsAttr attr) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return dense.getRawData();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      return blob->getData();
  return {};
}

/// Finds the constant weight of `job.op` and checks that it can be read;
/// sets `job.problem` when it cannot.
void prepare(WeightJob &job) {
  Attribute value;
  if (!matchPattern(job.op.getWeight(), m_Constant(&value))) {
    job.problem = "weight is not a constant; the weight stays in floating "
                  "point";
    return;
  }
  if (!isa<DenseElementsAttr, DenseResourceElementsAttr>(value)) {
    job.problem = "weight constant is neither dense nor dense_resource; the "
                  "weight stays in floating point";
    return;
  }
  auto weight = cast<ElementsAttr>(value);
  auto type = cast<RankedTensorType>(weight.getType());
  Type element = type.getElementType();
  if (!isSupportedWeightType(element)) {
    std::string message;
    llvm::raw_string_ostream(message)
        << "weight element type " << element
        << " is not supported (f32, f16 or bf16); the weight stays in "
           "floating point";
    job.problem = std::move(message);
    return;
  }
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  if (cols == 0) {
    job.problem = "weight has no input features; the weight stays in "
                  "floating point";
    return;
  }
  // Bounds keep every later size computation (bytes, packed bits) exact.
  std::optional<int64_t> count = llvm::checkedMul(rows, cols);
  auto dense = dyn_cast<DenseElementsAttr>(weight);
  if (!count || *count > std::numeric_limits<int64_t>::max() / 8 ||
      cols > numerics::kMaxPackedK ||
      (dense && dense.isSplat() && *count > kMaxExpandedSplatElements)) {
    job.problem = "weight is too large to quantize; the weight stays in "
                  "floating point";
    return;
  }
  if (!dense) {
    size_t bytes =
        static_cast<size_t>(*count) * (element.getIntOrFloatBitWidth() / 8);
    ArrayRef<char> data = rawData(weight);
    if (data.empty() && bytes > 0) {
      job.problem = "weight resource holds no data; the weight stays in "
                    "floating point";
      return;
    }
    if (data.size() != bytes) {
      job.problem = "weight resource holds " + std::to_string(data.size()) +
                    " bytes but its type needs " + std::to_string(bytes);
      job.failedByInput = true;
      return;
    }
  }
  job.weight = weight;
  job.rows = rows;
  job.cols = cols;
}

float bfloat16ToFloat(uint16_t bits) {
  uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &wide, sizeof(value));
  return value;
}

/// Round-to-nearest-even to bfloat16; only called on finite values.
uint16_t floatToBFloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

float halfToFloat(uint16_t bits) {
  return llvm::APFloat(llvm::APFloat::IEEEhalf(), llvm::APInt(16, bits))
      .convertToFloat();
}

uint16_t floatToHalf(float value) {
  llvm::APFloat converted(value);
  bool losesInfo = false;
  converted.convert(llvm::APFloat::IEEEhalf(),
                    llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return static_cast<uint16_t>(converted.bitcastToAPInt().getZExtValue());
}

/// All elements of a validated weight as binary32, expanding a splat.
std::vector<float> readFloats(ElementsAttr weight, int64_t count) {
  Type element = weight.getElementType();
  size_t elementBytes = element.getIntOrFloatBitWidth() / 8;
  ArrayRef<char> data = rawData(weight);
  bool splat = data.size() == elementBytes && count != 1;
  std::vector<float> values(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const char *src = data.data() + (splat ? 0 : i * elementBytes);
    if (element.isF32()) {
      std::memcpy(&values[i], src, sizeof(float));
      continue;
    }
    uint16_t bits;
    std::memcpy(&bits, src, sizeof(bits));
    values[i] = element.isBF16() ? bfloat16ToFloat(bits) : halfToFloat(bits);
  }
  return values;
}

std::vector<char> toElementBytes(const std::vector<float> &values,
                                 Type element) {
  if (element.isF32()) {
    std::vector<char> bytes(values.size() * sizeof(float));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
  }
  std::vector<char> bytes(values.size() * sizeof(uint16_t));
  for (size_t i = 0; i < values.size(); ++i) {
    uint16_t bits =
        element.isBF16() ? floatToBFloat16(values[i]) : floatToHalf(values[i]);
    std::memcpy(bytes.data() + i * sizeof(bits), &bits, sizeof(bits));
  }
  return bytes;
}

std::string describeFailure(numerics::QuantStatus status,
                            const std::vector<float> &weight) {
  if (status == numerics::QuantStatus::NonFiniteValue) {
    bool finite = std::all_of(weight.begin(), weight.end(),
                              [](float v) { return std::isfinite(v); });
    return finite ? "weight range is too wide for a finite scale"
                  : "weight holds a non-finite value (NaN or infinity)";
  }
  return std::string("cannot quantize the weight: ") +
         numerics::toString(status);
}

/// Scales, codes and the requested output of one weight. Touches no IR
/// except reading the (immutable) weight attribute, so jobs run in parallel.
void compute(WeightJob &job, const ScaleSearch &search, WeightOutput output) {
  std::vector<float> weight = readFloats(job.weight, job.rows * job.cols);
  numerics::QuantStatus status =
      search.method == WeightMethod::MSE
          ? numerics::computeMSEClippedScales(
                weight, job.rows, job.cols, job.params, search.clip, job.scales)
          : numerics::computeScales(weight, job.rows, job.cols, job.params,
                                    job.scales);
  std::vector<int32_t> codes;
  bool solved = false;
  if (status == numerics::QuantStatus::Ok && !job.hessian.empty()) {
    numerics::GPTQResult result;
    numerics::GPTQStatus gptq =
        numerics::gptqQuantize(weight, job.rows, job.cols, job.hessian,
                               job.params, search.gptq, result);
    job.hessian = {};
    if (gptq == numerics::GPTQStatus::Ok) {
      job.scales = std::move(result.scales);
      codes = std::move(result.codes);
      solved = true;
    } else {
      job.note = std::string("GPTQ failed (") + numerics::toString(gptq) +
                 "); the weight is quantized with RTN";
    }
  }
  if (status == numerics::QuantStatus::Ok && !solved)
    status = numerics::quantize(weight, job.rows, job.cols, job.params,
                                job.scales, codes);
  if (status != numerics::QuantStatus::Ok) {
    job.problem = describeFailure(status, weight);
    job.failedByInput = true;
    return;
  }
  weight = {};

  if (output == WeightOutput::Packed) {
    if (!numerics::pack(codes, job.rows, job.cols, job.params.bits,
                        job.packed)) {
      job.problem = "cannot pack the weight codes";
      job.failedByInput = true;
    }
    return;
  }
  std::vector<float> dequantized;
  status = numerics::dequantize(codes, job.rows, job.cols, job.params,
                                job.scales, dequantized);
  if (status != numerics::QuantStatus::Ok) {
    job.problem = describeFailure(status, dequantized);
    job.failedByInput = true;
    return;
  }
  job.dequantized = toElementBytes(dequantized, job.weight.getElementType());
}

} // namespace

FailureOr<ScaleSearch>
lowbit::parseScaleSearch(Location loc, StringRef method, int clipCandidates,
                         float minClipRatio,
                         const CalibratedMethodOptions &calibrated) {
  ScaleSearch search;
  if (method == "mse")
    search.method = WeightMethod::MSE;
  else if (method == "gptq")
    search.method = WeightMethod::GPTQ;
  else if (method == "awq")
    search.method = WeightMethod::AWQ;
  else if (method != "rtn")
    return emitError(loc) << "unknown method '" << method
                          << "'; expected rtn, mse, gptq or awq";
  if (!(calibrated.percdamp >= 0.0f) || !std::isfinite(calibrated.percdamp))
    return emitError(loc) << "percdamp must be a finite value >= 0";
  if (calibrated.blockSize < 1)
    return emitError(loc) << "block-size must be at least 1";
  if (calibrated.awqGrid < 1 || calibrated.awqGrid > 1000)
    return emitError(loc) << "awq-grid must be between 1 and 1000";
  search.gptq.percdamp = calibrated.percdamp;
  search.gptq.blockSize = calibrated.blockSize;
  search.gptq.actOrder = calibrated.actOrder;
  search.awq.gridSize = calibrated.awqGrid;
  if (clipCandidates < 1 || clipCandidates > kMaxClipCandidates)
    return emitError(loc) << "clip-candidates must be between 1 and "
                          << kMaxClipCandidates << "; got " << clipCandidates;
  if (!(minClipRatio > 0.0f && minClipRatio <= 1.0f)) {
    std::string shown;
    llvm::raw_string_ostream(shown)
        << llvm::format("%g", static_cast<double>(minClipRatio));
    return emitError(loc) << "min-clip-ratio must be in (0, 1]; got " << shown;
  }
  search.clip.numCandidates = clipCandidates;
  search.clip.minClipRatio = minClipRatio;
  return search;
}

LogicalResult lowbit::quantizeLinearWeights(Operation *root,
                                            const ScaleSearch &search,
                                            const WeightRewriters &rewriters) {
  if (search.method == WeightMethod::AWQ &&
      failed(applyAWQScaling(root, search)))
    return failure();
  // GPTQ reads X^T X from the calibration table of the module.
  Operation *module = root;
  while (module->getParentOp() &&
         !module->hasAttr(kCalibrationAttrName))
    module = module->getParentOp();
  if (search.method == WeightMethod::GPTQ &&
      !module->hasAttr(kCalibrationAttrName))
    return root->emitError()
           << "method=gptq needs calibration statistics (the "
           << kCalibrationAttrName
           << " module attribute); run lowbit-calibrate first";

  SmallVector<LinearOp> linears;
  root->walk([&](LinearOp op) { linears.push_back(op); });

  bool failedAny = false;
  std::vector<WeightJob> jobs;
  for (LinearOp op : linears) {
    Decision decision = decide(op);
    if (decision.action == Action::Keep) {
      if (!decision.remark.empty())
        op.emitRemark() << decision.remark;
      continue;
    }
    if (decision.action == Action::Prune) {
      rewriters.prune(op);
      continue;
    }
    WeightJob job;
    job.op = op;
    job.params = decision.params;
    prepare(job);
    if (job.problem.empty() && search.method == WeightMethod::GPTQ) {
      std::string tag = inputProbeTag(getModelOpName(op));
      auto stats = lookupCalibration(module, tag);
      if (failed(stats)) {
        failedAny = true;
        continue;
      }
      if (!*stats || (*stats)->gram.empty()) {
        op.emitRemark() << "no X^T X recorded for '" << tag
                        << "'; the weight is quantized with RTN";
      } else if ((*stats)->gram.size() !=
                 static_cast<size_t>(job.cols * job.cols)) {
        op.emitError() << "the calibration statistics of '" << tag
                       << "' do not match the weight's " << job.cols
                       << " input features";
        failedAny = true;
        continue;
      } else {
        const std::vector<float> &gram = (*stats)->gram;
        job.hessian.resize(gram.size());
        for (size_t i = 0; i < gram.size(); ++i)
          job.hessian[i] = 2.0 * static_cast<double>(gram[i]);
      }
    }
    if (job.problem.empty()) {
      jobs.push_back(std::move(job));
      continue;
    }
    if (job.failedByInput) {
      op.emitError() << job.problem;
      failedAny = true;
    } else {
      op.emitRemark() << job.problem;
    }
  }

  // A few jobs at a time: each holds its weight in binary32 and its codes.
  MLIRContext *context = root->getContext();
  size_t batch = std::max<size_t>(1, context->getNumThreads());
  for (size_t begin = 0; begin < jobs.size(); begin += batch) {
    MutableArrayRef<WeightJob> slice = MutableArrayRef<WeightJob>(jobs).slice(
        begin, std::min(batch, jobs.size() - begin));
    parallelForEach(context, slice, [&](WeightJob &job) {
      compute(job, search, rewriters.output);
    });
    for (WeightJob &job : slice) {
      if (!job.note.empty())
        job.op.emitRemark() << job.note;
      if (job.problem.empty()) {
        rewriters.rewrite(job);
      } else {
        job.op.emitError() << job.problem;
        failedAny = true;
      }
      job = WeightJob();
    }
  }
  return failure(failedAny);
}

std::optional<numerics::QuantParams> lowbit::weightQuantParams(LinearOp op) {
  Decision decision = decide(op);
  if (decision.action != Action::Quantize)
    return std::nullopt;
  return decision.params;
}

void lowbit::prepareWeightJob(WeightJob &job) { prepare(job); }

std::vector<float> lowbit::readFloatElements(ElementsAttr attr,
                                             int64_t count) {
  return readFloats(attr, count);
}

std::vector<char> lowbit::toElementTypeBytes(const std::vector<float> &values,
                                             Type element) {
  return toElementBytes(values, element);
}

ElementsAttr lowbit::makeConstantData(RankedTensorType type,
                                      ArrayRef<char> bytes, StringRef name) {
  Type element = type.getElementType();
  int64_t limit =
      isa<FloatType>(element) ? kMaxInlineFloatElements : kMaxInlineIntElements;
  if (type.getNumElements() <= limit)
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(type, bytes));
  size_t align = std::max<size_t>(1, element.getIntOrFloatBitWidth() / 8);
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, align)));
}

void lowbit::eraseIfDeadConstant(Value value) {
  Operation *def = value.getDefiningOp();
  if (def && def->use_empty() && def->hasTrait<OpTrait::ConstantLike>())
    def->erase();
}
