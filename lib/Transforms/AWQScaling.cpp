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

#include "ChannelScaleFolding.h"
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
      std::vector<float> rows(weights.begin() + offset * k,
                              weights.begin() + (offset + job.rows) * k);
      offset += job.rows;
      scaleWeightColumns(job.op, job.weight, std::move(rows), s, "awq");
    }
    foldInverseScales(absorber.op, members, s, "awq");
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
