//===- MixedPrecisionDriver.cpp - --quant mixed of lowbit-compile ---------===//

#include "MixedPrecisionDriver.h"

#include "CalibrationDriver.h"

#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Report/QuantReportHTML.h"
#include "lowbit/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <map>
#include <numeric>

using namespace mlir;
using namespace lowbit;

namespace {

/// --measure-layers: the whole model run on the calibration data once in
/// float and once per measured layer with only that layer fake-quantized
/// (RTN at its chosen width), for the layers with the largest predicted
/// error; the relative output errors go to the progress output and the
/// report. `module` holds the plan's weight_qconfigs, not yet applied.
LogicalResult
measureSingleLayers(ModuleOp module, ArrayRef<LayerSensitivity> layers,
                    const BitPlan &plan, const MixedPrecisionOptions &options,
                    const MixedDriverOptions &driver, ReportInputs &report,
                    llvm::function_ref<void(const llvm::Twine &)> progress) {
  std::vector<size_t> order(layers.size());
  std::iota(order.begin(), order.end(), 0);
  auto chosenError = [&](size_t l) {
    return objectiveError(layers[l].candidates[plan.choice[l]],
                          options.objective);
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return chosenError(a) > chosenError(b);
  });
  order.resize(std::min<size_t>(order.size(), driver.measureLayers));
  // Layers are found again in the clones by their position in walk order.
  std::vector<Operation *> linears;
  module.walk([&](LinearOp op) { linears.push_back(op); });
  auto positionOf = [&](Operation *op) {
    return static_cast<size_t>(llvm::find(linears, op) - linears.begin());
  };
  auto cloneKeeping = [&](std::optional<size_t> keep) {
    OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
    size_t position = 0;
    copy->walk([&](LinearOp op) {
      if (!keep || position != *keep)
        op->removeAttr("weight_qconfig");
      ++position;
    });
    return copy;
  };
  OwningOpRef<ModuleOp> reference = cloneKeeping(std::nullopt);
  std::vector<OwningOpRef<ModuleOp>> variants;
  std::vector<ModuleOp> variantOps;
  for (size_t l : order) {
    variants.push_back(cloneKeeping(positionOf(layers[l].op)));
    PassManager pm(module.getContext());
    FakeQuantizeWeightsPassOptions fake;
    fake.method = "rtn";
    pm.addPass(createFakeQuantizeWeightsPass(fake));
    if (failed(pm.run(*variants.back())))
      return failure();
    variantOps.push_back(*variants.back());
  }
  auto start = std::chrono::steady_clock::now();
  calibrate::DriverOptions calib;
  calib.dataPath = driver.calibPath;
  std::vector<double> errors;
  std::string error;
  if (!calibrate::measureOutputErrors(*reference, variantOps, calib, progress,
                                      errors, error)) {
    if (!error.empty())
      llvm::errs() << "error: " << error << "\n";
    return failure();
  }
  report.seconds["measure_layers"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  for (auto [l, measured] : llvm::zip(order, errors)) {
    const SensitivityCandidate &c = layers[l].candidates[plan.choice[l]];
    report.measuredErrors[l] = measured;
    // The relative layer error is a ratio of squares; its root compares
    // with the measured ratio of norms.
    progress(llvm::formatv("'{0}' alone at {1} bits: model output error "
                           "{2:e3} (square root of the predicted layer "
                           "error: {3:e3})",
                           layers[l].name, c.bits, measured,
                           std::sqrt(objectiveError(c, options.objective))));
  }
  return success();
}

} // namespace

LogicalResult
lowbit::quantizeMixed(ModuleOp module, const MixedDriverOptions &driver,
                      ReportInputs &report,
                      llvm::function_ref<void(const llvm::Twine &)> progress) {
  using Clock = std::chrono::steady_clock;
  MixedPrecisionOptions options;
  options.sensitivity.groupSize = driver.groupSize;
  if (!driver.bits.empty())
    options.sensitivity.bits.assign(driver.bits.begin(), driver.bits.end());
  options.targetBpw = driver.targetBpw;
  options.solver = driver.solver;
  FailureOr<MixedPrecisionResult> result =
      assignMixedPrecision(module, options);
  if (failed(result))
    return failure();
  report.seconds["sensitivity"] = result->sensitivitySeconds;
  report.seconds["allocate"] = result->allocateSeconds;
  const std::vector<LayerSensitivity> &layers = result->layers;
  const BitPlan &plan = result->plan;
  if (layers.empty()) {
    llvm::errs() << "warning: --quant mixed: the model has no layer to "
                    "quantize (no MatMul or Gemm with a constant weight); it "
                    "is compiled in floating point\n";
    return success();
  }
  std::map<int, int> histogram;
  for (auto [layer, choice] : llvm::zip(layers, plan.choice))
    ++histogram[layer.candidates[choice].bits];
  std::string widths;
  for (auto [bits, count] : histogram)
    widths += (widths.empty() ? "" : ", ") + std::to_string(count) + " at " +
              std::to_string(bits) + " bits";
  progress(llvm::formatv("allocated {0} layers ({1}): {2:f3} bits per weight "
                         "(target {3:f3})",
                         layers.size(), widths, plan.bpw, driver.targetBpw));

  if (driver.measureLayers > 0 &&
      failed(measureSingleLayers(module, layers, plan, options, driver, report,
                                 progress)))
    return failure();

  auto start = Clock::now();
  PassManager pm(module.getContext());
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  QuantizeWeightsPassOptions weights;
  weights.method = driver.method;
  pm.addPass(createQuantizeWeightsPass(weights));
  if (failed(pm.run(module)))
    return failure();
  report.seconds["quantize"] =
      std::chrono::duration<double>(Clock::now() - start).count();
  progress("quantized " + llvm::Twine(layers.size()) + " layers");

  if (driver.reportPath.empty())
    return success();
  report.method = driver.method;
  report.targetBpw = driver.targetBpw;
  report.solver = options.solver;
  report.groupSize = driver.groupSize;
  llvm::json::Value json =
      buildMixedPrecisionReport(module.getLoc(), layers, plan, report);
  std::error_code ec;
  llvm::raw_fd_ostream out(driver.reportPath, ec, llvm::sys::fs::OF_Text);
  if (ec) {
    llvm::errs() << "error: cannot write " << driver.reportPath << ": "
                 << ec.message() << "\n";
    return failure();
  }
  out << llvm::formatv("{0:2}", json) << "\n";
  out.close();
  llvm::SmallString<128> htmlPath(driver.reportPath);
  llvm::sys::path::replace_extension(htmlPath, "html");
  if (llvm::Error e = renderQuantReportFile(driver.reportPath, htmlPath)) {
    llvm::errs() << "error: " << llvm::toString(std::move(e)) << "\n";
    return failure();
  }
  progress("wrote " + driver.reportPath + " and " + htmlPath);
  return success();
}
