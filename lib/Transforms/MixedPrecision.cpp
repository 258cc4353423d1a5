//===- MixedPrecision.cpp - Sensitivity and bit allocation ----------------===//
//
// The sensitivity table quantizes each weight at every candidate width with
// lib/Numerics (RTN, as the weight quantizer's numerics) and measures the
// perturbation against the calibrated X^T X; the allocation is one of the
// three solvers of lib/Numerics/BitAllocation.h.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Transforms/MixedPrecision.h"

#include "WeightQuantization.h"

#include "lowbit/Analysis/CalibrationTable.h"
#include "lowbit/Numerics/BitAllocation.h"
#include "lowbit/Numerics/Packing.h"
#include "lowbit/Numerics/UniformQuantizer.h"
#include "lowbit/Transforms/OpNames.h"

#include "mlir/IR/Threading.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

#include <chrono>
#include <cmath>

using namespace mlir;
using namespace lowbit;

namespace {

/// Bits the packed format stores for an [N, K] weight at `bits` with
/// `groupSize` columns per scale (0: per row).
int64_t packedSizeBits(int64_t n, int64_t k, int bits, int64_t groupSize) {
  int64_t groups = groupSize > 0 ? k / groupSize : 1;
  return 8 * n * numerics::packedRowBytes(k, bits) + 32 * n * groups;
}

/// Output error, diagonal and trace proxies of dW [N, K] against G [K, K];
/// `rows` receives each row's error dw_n G dw_n^T.
void measure(const std::vector<float> &dw, int64_t n, int64_t k,
             const std::vector<float> &gram, SensitivityCandidate &out,
             std::vector<double> &rows) {
  rows.assign(n, 0.0);
  double traceG = 0;
  for (int64_t j = 0; j < k; ++j)
    traceG += gram[j * k + j];
  std::vector<double> columnSquares(k, 0.0);
  double frobenius = 0, output = 0;
  std::vector<float> row(k);
  for (int64_t r = 0; r < n; ++r) {
    const float *d = dw.data() + r * k;
    // row = G d (G is symmetric), then d . row.
    std::fill(row.begin(), row.end(), 0.0f);
    for (int64_t j = 0; j < k; ++j) {
      float dj = d[j];
      if (dj == 0.0f)
        continue;
      const float *g = gram.data() + j * k;
      for (int64_t i = 0; i < k; ++i)
        row[i] += dj * g[i];
    }
    double dot = 0;
    for (int64_t i = 0; i < k; ++i) {
      dot += static_cast<double>(d[i]) * row[i];
      columnSquares[i] += static_cast<double>(d[i]) * d[i];
      frobenius += static_cast<double>(d[i]) * d[i];
    }
    output += dot;
    rows[r] = dot;
  }
  double diag = 0;
  for (int64_t j = 0; j < k; ++j)
    diag += gram[j * k + j] * columnSquares[j];
  out.outputError = std::max(output, 0.0);
  out.diagProxy = diag;
  out.traceProxy = traceG / static_cast<double>(k) * frobenius;
}

} // namespace

FailureOr<std::vector<LayerSensitivity>>
lowbit::analyzeSensitivity(ModuleOp module,
                           const SensitivityOptions &options) {
  llvm::StringSet<> keep;
  for (const std::string &name : options.keepFloat)
    keep.insert(name);
  for (int bits : options.bits)
    if (bits != 0 &&
        !numerics::isSupportedBits(bits, numerics::CodeDomain::Weight)) {
      module.emitError() << "candidate width " << bits
                         << " is not supported (0 to prune, 2, 3, 4, 6 or 8)";
      return failure();
    }
  if (options.groupSize < 0 ||
      (options.groupSize > 0 && (options.groupSize < 8 ||
                                 (options.groupSize & (options.groupSize - 1)))))
  {
    module.emitError() << "group size must be 0 or a power of two >= 8, got "
                       << options.groupSize;
    return failure();
  }

  std::vector<LayerSensitivity> layers;
  std::vector<std::vector<float>> weights, grams;
  bool failed = false;
  module.walk([&](LinearOp op) {
    if (failed)
      return;
    std::string name = getModelOpName(op);
    if (keep.contains(name))
      return;
    WeightJob job;
    job.op = op;
    prepareWeightJob(job);
    if (!job.problem.empty()) {
      if (job.failedByInput) {
        op.emitError() << job.problem;
        failed = true;
      }
      return; // not a constant weight: stays float, not counted
    }
    std::string tag = inputProbeTag(name);
    FailureOr<std::optional<TensorCalibration>> stats =
        lookupCalibration(module, tag);
    if (mlir::failed(stats)) {
      failed = true;
      return;
    }
    if (!*stats || (*stats)->gram.empty()) {
      op.emitError() << "no calibration statistics with X^T X for '" << tag
                     << "'; sensitivity analysis needs lowbit-calibrate's "
                        "table (compile with --calib)";
      failed = true;
      return;
    }
    LayerSensitivity layer;
    layer.op = op;
    layer.name = name;
    layer.rows = job.rows;
    layer.cols = job.cols;
    layer.groupSize =
        options.groupSize > 0 && job.cols % options.groupSize == 0
            ? options.groupSize
            : 0;
    weights.push_back(readFloatElements(job.weight, job.rows * job.cols));
    grams.push_back(std::move((*stats)->gram));
    layers.push_back(std::move(layer));
  });
  if (failed)
    return failure();

  // Every (layer, width) pair independently, in parallel.
  struct Task {
    size_t layer, candidate;
  };
  std::vector<Task> tasks;
  for (size_t l = 0; l < layers.size(); ++l) {
    layers[l].candidates.resize(options.bits.size());
    for (size_t c = 0; c < options.bits.size(); ++c)
      tasks.push_back({l, c});
  }
  // Each layer's output energy tr(W G W^T), and each output channel's.
  std::vector<size_t> indices(layers.size());
  std::vector<std::vector<double>> rowEnergy(layers.size());
  for (size_t l = 0; l < layers.size(); ++l)
    indices[l] = l;
  parallelForEach(module.getContext(), indices, [&](size_t l) {
    SensitivityCandidate energy;
    measure(weights[l], layers[l].rows, layers[l].cols, grams[l], energy,
            rowEnergy[l]);
    layers[l].outputEnergy = energy.outputError;
  });
  std::atomic<bool> bad{false};
  parallelForEach(module.getContext(), tasks, [&](const Task &task) {
    LayerSensitivity &layer = layers[task.layer];
    SensitivityCandidate &cand = layer.candidates[task.candidate];
    cand.bits = options.bits[task.candidate];
    numerics::QuantParams params;
    params.bits = cand.bits;
    params.symmetric = true;
    params.granularity = layer.groupSize > 0
                             ? numerics::Granularity::PerGroup
                             : numerics::Granularity::PerChannel;
    params.groupSize = layer.groupSize;
    const std::vector<float> &w = weights[task.layer];
    std::vector<float> q;
    if (cand.bits == 0) {
      // Pruned: the whole weight is the error, and nothing is stored.
      q = w;
    } else {
      if (numerics::fakeQuantize(w, layer.rows, layer.cols, params, q) !=
          numerics::QuantStatus::Ok) {
        bad = true;
        return;
      }
      for (size_t i = 0; i < q.size(); ++i)
        q[i] = w[i] - q[i];
    }
    std::vector<double> rowErrors;
    measure(q, layer.rows, layer.cols, grams[task.layer], cand, rowErrors);
    // The mean over output channels of each channel's noise-to-signal
    // ratio: a few outlier channels, whose energy would dominate the
    // layer's, do not hide the error of the others.
    const std::vector<double> &energy = rowEnergy[task.layer];
    double sum = 0;
    int64_t counted = 0;
    for (int64_t r = 0; r < layer.rows; ++r)
      if (energy[r] > 0) {
        sum += rowErrors[r] / energy[r];
        ++counted;
      }
    cand.relativeError = counted ? sum / static_cast<double>(counted) : 0.0;
    cand.sizeBits = cand.bits == 0 ? 0
                                   : packedSizeBits(layer.rows, layer.cols,
                                                    cand.bits, layer.groupSize);
    cand.bpw = static_cast<double>(cand.sizeBits) /
               static_cast<double>(layer.rows * layer.cols);
  });
  if (bad) {
    module.emitError() << "a weight could not be quantized for the "
                          "sensitivity analysis";
    return failure();
  }
  return layers;
}

std::optional<AllocationSolver>
lowbit::parseAllocationSolver(StringRef name) {
  if (name == "exact")
    return AllocationSolver::Exact;
  if (name == "greedy")
    return AllocationSolver::Greedy;
  if (name == "equal-loss")
    return AllocationSolver::EqualLoss;
  return std::nullopt;
}

std::optional<AllocationObjective>
lowbit::parseAllocationObjective(StringRef name) {
  if (name == "relative")
    return AllocationObjective::Relative;
  if (name == "absolute")
    return AllocationObjective::Absolute;
  return std::nullopt;
}

StringRef lowbit::toString(AllocationSolver solver) {
  switch (solver) {
  case AllocationSolver::Exact:
    return "exact";
  case AllocationSolver::Greedy:
    return "greedy";
  case AllocationSolver::EqualLoss:
    return "equal-loss";
  }
  return "";
}

FailureOr<BitPlan> lowbit::allocateBits(Location loc,
                                        ArrayRef<LayerSensitivity> layers,
                                        double targetBpw,
                                        AllocationSolver solver,
                                        AllocationObjective objective) {
  BitPlan plan;
  if (layers.empty())
    return plan;
  if (!(targetBpw > 0) || !std::isfinite(targetBpw)) {
    emitError(loc) << "the target bits per weight must be positive, got "
                   << llvm::formatv("{0}", targetBpw);
    return failure();
  }
  numerics::AllocationProblem problem;
  for (const LayerSensitivity &layer : layers) {
    plan.totalParams += layer.rows * layer.cols;
    std::vector<int64_t> sizes;
    std::vector<double> errors;
    for (const SensitivityCandidate &c : layer.candidates) {
      sizes.push_back(c.sizeBits);
      errors.push_back(objectiveError(c, objective));
    }
    problem.sizes.push_back(std::move(sizes));
    problem.errors.push_back(std::move(errors));
  }
  problem.budget = static_cast<int64_t>(
      std::floor(targetBpw * static_cast<double>(plan.totalParams)));
  numerics::Allocation result;
  numerics::AllocStatus status;
  switch (solver) {
  case AllocationSolver::Exact:
    status = numerics::allocateExact(problem, {}, result);
    break;
  case AllocationSolver::Greedy:
    status = numerics::allocateGreedy(problem, result);
    break;
  case AllocationSolver::EqualLoss: {
    // e(b) ~ s 2^(-2b): s from the error at the width nearest 4 bits.
    numerics::EqualLossInputs inputs;
    for (const LayerSensitivity &layer : layers) {
      std::vector<double> bits;
      const SensitivityCandidate *ref = &layer.candidates.front();
      for (const SensitivityCandidate &c : layer.candidates) {
        bits.push_back(c.bits);
        if (std::abs(c.bits - 4) < std::abs(ref->bits - 4))
          ref = &c;
      }
      inputs.choiceBits.push_back(std::move(bits));
      double s =
          objectiveError(*ref, objective) * std::pow(2.0, 2.0 * ref->bits);
      inputs.sensitivities.push_back(s > 0 ? s : 1e-30);
      inputs.weights.push_back(static_cast<double>(layer.rows * layer.cols));
    }
    status = numerics::allocateEqualLoss(problem, inputs, result);
    break;
  }
  }
  if (status == numerics::AllocStatus::Infeasible) {
    double smallest = 0;
    for (const auto &sizes : problem.sizes)
      smallest += *std::min_element(sizes.begin(), sizes.end());
    emitError(loc) << "no allocation fits "
                   << llvm::formatv("{0:f3}", targetBpw)
                   << " bits per weight: the smallest candidate widths "
                      "already need "
                   << llvm::formatv(
                          "{0:f3}",
                          smallest / static_cast<double>(plan.totalParams));
    return failure();
  }
  if (status != numerics::AllocStatus::Ok) {
    emitError(loc) << "bit allocation failed: " << numerics::toString(status);
    return failure();
  }
  plan.choice = result.choices;
  plan.totalBits = result.totalSize;
  plan.predictedError = result.totalError;
  plan.bpw = static_cast<double>(result.totalSize) /
             static_cast<double>(plan.totalParams);
  plan.provablyOptimal = result.provablyOptimal;
  return plan;
}

void lowbit::applyBitPlan(ArrayRef<LayerSensitivity> layers,
                          const BitPlan &plan) {
  for (auto [layer, choice] : llvm::zip(layers, plan.choice)) {
    const SensitivityCandidate &c = layer.candidates[choice];
    LinearOp op = layer.op;
    MLIRContext *context = op.getContext();
    QConfigAttr config =
        layer.groupSize > 0
            ? QConfigAttr::get(context, c.bits, Granularity::Group,
                               layer.groupSize, /*symmetric=*/true,
                               NumberFormat::Int)
            : QConfigAttr::get(context, c.bits, Granularity::Channel,
                               /*group_size=*/0, /*symmetric=*/true,
                               NumberFormat::Int);
    op.setWeightQconfigAttr(config);
    op->removeAttr("act_qconfig");
    op->removeAttr("act_scale");
    op->removeAttr("act_zero_point");
  }
}

FailureOr<MixedPrecisionResult>
lowbit::assignMixedPrecision(ModuleOp module,
                             const MixedPrecisionOptions &options) {
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  MixedPrecisionResult result;
  auto start = Clock::now();
  FailureOr<std::vector<LayerSensitivity>> layers =
      analyzeSensitivity(module, options.sensitivity);
  if (failed(layers))
    return failure();
  result.sensitivitySeconds = since(start);
  if (layers->empty())
    return result;
  start = Clock::now();
  FailureOr<BitPlan> plan =
      allocateBits(module.getLoc(), *layers, options.targetBpw, options.solver,
                   options.objective);
  if (failed(plan))
    return failure();
  applyBitPlan(*layers, *plan);
  result.allocateSeconds = since(start);
  result.layers = std::move(*layers);
  result.plan = std::move(*plan);
  return result;
}
