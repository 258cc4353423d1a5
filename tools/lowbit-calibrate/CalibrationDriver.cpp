//===- CalibrationDriver.cpp - calibrate a module on sample files ---------===//

#include "CalibrationDriver.h"

#include "CalibrationSamples.h"

#include "lowbit/Analysis/Calibrator.h"

#include <algorithm>
#include <chrono>
#include <cmath>

using namespace mlir;

namespace {

/// The dtype a model input of element type `type` is fed with.
lowbit_dtype dtypeOf(Type type) {
  if (type.isF32()) return LOWBIT_DTYPE_FLOAT32;
  if (type.isF64()) return LOWBIT_DTYPE_FLOAT64;
  if (type.isF16()) return LOWBIT_DTYPE_FLOAT16;
  if (type.isBF16()) return LOWBIT_DTYPE_BFLOAT16;
  if (type.isInteger(1)) return LOWBIT_DTYPE_BOOL;
  if (type.isInteger(8)) return LOWBIT_DTYPE_INT8;
  if (type.isInteger(16)) return LOWBIT_DTYPE_INT16;
  if (type.isInteger(32)) return LOWBIT_DTYPE_INT32;
  return LOWBIT_DTYPE_INT64;
}

/// Opens the samples of `options.dataPath` for `calibrator`'s inputs and runs
/// the first `options.maxSamples` (all when 0) through it, calling
/// `afterRun(i, total)` after sample i. False with `error` set on a data or
/// run failure.
bool runSamples(lowbit::Calibrator &calibrator,
                const calibrate::DriverOptions &options,
                llvm::function_ref<void(int64_t, int64_t)> afterRun,
                llvm::function_ref<void(int64_t)> beforeFirst,
                std::string &error) {
  std::vector<calibrate::InputSpec> specs;
  for (const lowbit::CalibrationTensor &input : calibrator.inputs())
    specs.push_back({input.name, dtypeOf(input.elementType), input.shape,
                     input.numBytes});
  calibrate::CalibrationSamples samples;
  if (!samples.open(options.dataPath, specs, error))
    return false;
  int64_t total = samples.size();
  if (options.maxSamples > 0)
    total = std::min<int64_t>(total, options.maxSamples);
  beforeFirst(total);
  std::vector<std::vector<char>> buffers;
  for (int64_t i = 0; i < total; ++i) {
    if (!samples.get(i, buffers, error))
      return false;
    std::vector<const void *> pointers;
    for (const std::vector<char> &buffer : buffers)
      pointers.push_back(buffer.data());
    if (failed(calibrator.run(pointers))) {
      error = ("cannot run sample " + llvm::Twine(i)).str();
      return false;
    }
    afterRun(i, total);
  }
  return true;
}


/// Runs `module` on the samples and hands every f32 output of every sample
/// to `visit(sample, output index, values, count)`.
bool runOutputs(
    ModuleOp module, const calibrate::DriverOptions &options,
    llvm::function_ref<void(int64_t, size_t, const float *, int64_t)> visit,
    std::string &error) {
  lowbit::CalibratorOptions calibratorOptions;
  auto calibrator = lowbit::Calibrator::create(module, calibratorOptions);
  if (failed(calibrator))
    return false;
  return runSamples(
      **calibrator, options,
      [&](int64_t i, int64_t) {
        for (auto [o, output] : llvm::enumerate((*calibrator)->outputs()))
          if (output.elementType.isF32())
            visit(i, o,
                  static_cast<const float *>((*calibrator)->outputData(o)),
                  output.numBytes / 4);
      },
      [](int64_t) {}, error);
}

} // namespace

bool calibrate::calibrateModule(
    ModuleOp module, const DriverOptions &options,
    llvm::function_ref<void(const llvm::Twine &)> progress,
    std::string &error) {
  progress("compile the float model with calibration probes");
  lowbit::CalibratorOptions calibratorOptions;
  calibratorOptions.histogramBins = options.histogramBins;
  auto calibrator = lowbit::Calibrator::create(module, calibratorOptions);
  if (failed(calibrator))
    return false;

  auto start = std::chrono::steady_clock::now();
  auto announce = [&](int64_t total) {
    progress("run " + llvm::Twine(total) + " samples through " +
             llvm::Twine((*calibrator)->numProbes()) + " probes");
    start = std::chrono::steady_clock::now();
  };
  auto report = [&](int64_t i, int64_t total) {
    int64_t reportEvery = std::max<int64_t>(1, total / 10);
    if ((i + 1) % reportEvery != 0 && i + 1 != total)
      return;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    progress("sample " + llvm::Twine(i + 1) + "/" + llvm::Twine(total) + " (" +
             llvm::Twine(static_cast<int64_t>(seconds * 1000)) + " ms)");
  };
  if (!runSamples(**calibrator, options, report, announce, error))
    return false;
  (*calibrator)->writeTable(module);
  return true;
}

bool calibrate::measureOutputErrors(
    ModuleOp reference, llvm::ArrayRef<ModuleOp> variants,
    const DriverOptions &options,
    llvm::function_ref<void(const llvm::Twine &)> progress,
    std::vector<double> &errors, std::string &error) {
  progress("run the float model on " + options.dataPath);
  // The reference outputs, sample by sample.
  std::vector<std::vector<std::vector<float>>> want;
  double energy = 0;
  if (!runOutputs(
          reference, options,
          [&](int64_t sample, size_t output, const float *values,
              int64_t count) {
            if (want.size() <= static_cast<size_t>(sample))
              want.resize(sample + 1);
            if (want[sample].size() <= output)
              want[sample].resize(output + 1);
            want[sample][output].assign(values, values + count);
            for (int64_t j = 0; j < count; ++j)
              energy += static_cast<double>(values[j]) * values[j];
          },
          error))
    return false;
  errors.clear();
  for (auto [v, variant] : llvm::enumerate(variants)) {
    progress("run variant " + llvm::Twine(v + 1) + "/" +
             llvm::Twine(variants.size()));
    double sum = 0;
    if (!runOutputs(
            variant, options,
            [&](int64_t sample, size_t output, const float *values,
                int64_t count) {
              const std::vector<float> &ref = want[sample][output];
              for (int64_t j = 0; j < count; ++j) {
                double d = static_cast<double>(values[j]) - ref[j];
                sum += d * d;
              }
            },
            error))
      return false;
    errors.push_back(energy > 0 ? std::sqrt(sum / energy) : 0.0);
  }
  return true;
}
