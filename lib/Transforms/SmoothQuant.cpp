//===- SmoothQuant.cpp - migrate activation outliers into weights ---------===//
//
// SmoothQuant (Xiao et al.): per input channel j of the tensor x that a set
// of linears read, s_j = max|X_j|^alpha / max|W_j|^(1-alpha) from the
// calibrated channel ranges; W diag(s) in the readers, x diag(1/s) folded
// into x's producer (ChannelScaleFolding).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Transforms/Passes.h"

#include "ChannelScaleFolding.h"
#include "WeightQuantization.h"

#include "lowbit/Analysis/CalibrationTable.h"
#include "lowbit/Numerics/SmoothingSearch.h"
#include "lowbit/Transforms/OpNames.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Format.h"

#include <algorithm>
#include <cmath>

namespace lowbit {
#define GEN_PASS_DEF_SMOOTHQUANTPASS
#include "lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

/// E[x_j^2] per channel: the diagonal of the calibrated X^T X / rows, or
/// without a Gram matrix the mean |x| squared (a lower bound). With OS+
/// shifts E[(x - z)^2] would need the mean, which the statistics lack;
/// E[x^2] stands in.
std::vector<double> meanSquares(const TensorCalibration &stats, int64_t k) {
  std::vector<double> result(k, 0.0);
  bool haveGram = static_cast<int64_t>(stats.gram.size()) == k * k;
  for (int64_t j = 0; j < k; ++j) {
    if (haveGram)
      result[j] = stats.gram[j * k + j];
    else if (static_cast<int64_t>(stats.meanAbs.size()) == k)
      result[j] = static_cast<double>(stats.meanAbs[j]) * stats.meanAbs[j];
  }
  return result;
}

struct SmoothQuantPass : lowbit::impl::SmoothQuantPassBase<SmoothQuantPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!(alpha >= 0.0 && alpha <= 1.0)) {
      module.emitError() << "alpha must be in [0, 1], got " << alpha;
      return signalPassFailure();
    }
    if (searchAlpha && (weightBits < 2 || weightBits > 8 || actBits < 2 ||
                        actBits > 8 || groupSize < 0)) {
      module.emitError() << "search-alpha needs weight-bits and act-bits in "
                            "[2, 8] and group-size >= 0";
      return signalPassFailure();
    }
    llvm::MapVector<Value, SmallVector<LinearOp>> groups;
    module.walk([&](LinearOp op) { groups[op.getInput()].push_back(op); });
    if (groups.empty())
      return;
    if (!module->hasAttr(kCalibrationAttrName)) {
      module.emitError() << "SmoothQuant needs calibration statistics (the "
                         << kCalibrationAttrName
                         << " module attribute); run lowbit-calibrate first";
      return signalPassFailure();
    }
    int smoothed = 0;
    for (auto &[x, members] : groups) {
      FailureOr<bool> done = smooth(module, x, members);
      if (failed(done))
        return signalPassFailure();
      smoothed += *done;
    }
    if (smoothed > 0) {
      module->removeAttr(kCalibrationAttrName);
      module.emitRemark()
          << "SmoothQuant changed " << smoothed
          << " inputs; the calibration statistics described the model "
             "before it and were removed: calibrate again for methods that "
             "read them";
    }
  }

  /// Smooths one input tensor; true when it changed the model.
  FailureOr<bool> smooth(ModuleOp module, Value x,
                         ArrayRef<LinearOp> members) {
    LinearOp first = members.front();
    auto skip = [&](const Twine &why) {
      first.emitRemark() << "SmoothQuant: " << why << "; not smoothed";
      return false;
    };
    std::vector<WeightJob> jobs(members.size());
    for (auto [job, member] : llvm::zip(jobs, members)) {
      job.op = member;
      prepareWeightJob(job);
      if (!job.problem.empty())
        return skip("a reader of this input has no constant weight");
    }
    int64_t k = jobs.front().cols;
    std::string tag = inputProbeTag(getModelOpName(first));
    FailureOr<std::optional<TensorCalibration>> stats =
        lookupCalibration(module, tag);
    if (failed(stats))
      return failure();
    if (!*stats || (*stats)->channelMax.size() != static_cast<size_t>(k) ||
        (*stats)->channelMin.size() != static_cast<size_t>(k))
      return skip("no per-channel calibration ranges for '" + tag + "'");
    Absorber absorber = findAbsorber(x, members, k);
    if (!absorber.op)
      return skip(absorber.reason + ", so nothing can absorb the scales");

    std::vector<std::vector<float>> weights;
    std::vector<float> wmax(k, 0.0f);
    for (WeightJob &job : jobs) {
      weights.push_back(readFloatElements(job.weight, job.rows * job.cols));
      const std::vector<float> &w = weights.back();
      for (int64_t r = 0; r < job.rows; ++r)
        for (int64_t c = 0; c < k; ++c)
          wmax[c] = std::max(wmax[c], std::fabs(w[r * k + c]));
    }
    // OS+: centre each channel (z_j the middle of its range) where the
    // producer can subtract z and every reader has a bias to take W z.
    bool shifting = shift;
    if (shifting && !canAbsorbShift(absorber.op)) {
      first.emitRemark() << "SmoothQuant: '" << getModelOpName(absorber.op)
                         << "' has no beta or bias to absorb a channel "
                            "shift; scaled only";
      shifting = false;
    }
    if (shifting && llvm::any_of(members, [](LinearOp m) {
          return !m.getBias() ||
                 !readConstant(m.getBias(), m.getOutFeatures());
        })) {
      first.emitRemark() << "SmoothQuant: a reader of this input has no "
                            "constant bias to compensate a channel shift; "
                            "scaled only";
      shifting = false;
    }
    std::vector<float> z(k, 0.0f);
    if (shifting)
      for (int64_t j = 0; j < k; ++j)
        z[j] = 0.5f * ((*stats)->channelMin[j] + (*stats)->channelMax[j]);
    std::vector<float> xmax(k);
    for (int64_t j = 0; j < k; ++j)
      xmax[j] = std::max(std::fabs((*stats)->channelMin[j] - z[j]),
                         std::fabs((*stats)->channelMax[j] - z[j]));
    double chosen = alpha;
    std::string searchNote;
    if (searchAlpha) {
      numerics::SmoothingProblem problem;
      problem.channels = k;
      problem.xmax = xmax;
      problem.meanSquare = meanSquares(**stats, k);
      problem.weights = weights;
      problem.weightBits = weightBits;
      problem.actBits = actBits;
      problem.groupSize = groupSize;
      std::vector<double> grid;
      for (int step = 1; step < 20; ++step)
        grid.push_back(0.05 * step);
      numerics::SmoothingChoice choice =
          numerics::searchSmoothingAlpha(problem, wmax, grid);
      chosen = choice.alpha;
      llvm::raw_string_ostream(searchNote)
          << llvm::format(" (searched: estimated W%dA%d error %.3g, %.3g "
                          "unsmoothed)",
                          static_cast<int>(weightBits),
                          static_cast<int>(actBits), choice.error,
                          choice.unsmoothedError);
    }
    std::vector<float> s = numerics::smoothingScales(xmax, wmax, chosen);
    if (shifting)
      // y = x W^T + b = ((x - z) / s) (W diag(s))^T + (b + W z).
      for (auto [job, w] : llvm::zip(jobs, weights)) {
        ConstantValues bias = *readConstant(job.op.getBias(), job.rows);
        for (int64_t r = 0; r < job.rows; ++r) {
          double sum = bias.values[r];
          for (int64_t c = 0; c < k; ++c)
            sum += static_cast<double>(w[r * k + c]) * z[c];
          bias.values[r] = static_cast<float>(sum);
        }
        OpBuilder builder(job.op);
        Value old = job.op.getBias();
        job.op.getBiasMutable().assign(
            makeConstant(builder, job.op.getLoc(), bias.attr, bias.values,
                         getModelOpName(job.op) + ".shift_bias"));
        eraseIfDeadConstant(old);
      }
    for (auto [job, w] : llvm::zip(jobs, weights))
      scaleWeightColumns(job.op, job.weight, std::move(w), s, "smooth");
    foldInverseScales(absorber.op, members, s, "smooth",
                      shifting ? &z : nullptr);
    auto [lo, hi] = std::minmax_element(s.begin(), s.end());
    std::string summary;
    llvm::raw_string_ostream(summary)
        << llvm::format("alpha = %.2f, scales in [%.3g, %.3g]", chosen, *lo,
                        *hi)
        << (shifting ? ", channels shifted" : "") << searchNote;
    first.emitRemark() << "SmoothQuant: " << summary << " folded into '"
                       << getModelOpName(absorber.op) << "'";
    return true;
  }
};

} // namespace
