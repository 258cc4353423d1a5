//===- CalibrationDriver.h - calibrate a module on sample files -*- C++ -*-===//
//
// The whole calibration step shared by lowbit-calibrate and lowbit-compile
// --calib: JIT-compile the float module with probes (lowbit::Calibrator),
// feed it every sample of an .npz or sample directory (CalibrationSamples)
// and attach the `lowbit.calibration` table to the module.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_LOWBIT_CALIBRATE_CALIBRATIONDRIVER_H
#define LOWBIT_TOOLS_LOWBIT_CALIBRATE_CALIBRATIONDRIVER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/Twine.h"

#include <cstdint>
#include <string>
#include <vector>

namespace calibrate {

struct DriverOptions {
  /// DATA.npz or a directory of sample directories (CalibrationSamples.h).
  std::string dataPath;
  /// Use at most this many samples (0: all).
  int64_t maxSamples = 0;
  /// Bins of each |x| histogram.
  int64_t histogramBins = 2048;
};

/// Calibrates `module` in place. Errors at ops have been emitted as
/// diagnostics when this fails with an empty `error`; otherwise `error`
/// says what is wrong (e.g. with the data file).
bool calibrateModule(mlir::ModuleOp module, const DriverOptions &options,
                     llvm::function_ref<void(const llvm::Twine &)> progress,
                     std::string &error);

/// The relative output error of each of `variants` against `reference`
/// (modules with the same inputs and outputs) on the samples of
/// `options.dataPath`: ||y_v - y_ref|| / ||y_ref|| over every f32 output of
/// every sample. Each module is JIT-compiled once. Same failure contract as
/// calibrateModule.
bool measureOutputErrors(mlir::ModuleOp reference,
                         llvm::ArrayRef<mlir::ModuleOp> variants,
                         const DriverOptions &options,
                         llvm::function_ref<void(const llvm::Twine &)> progress,
                         std::vector<double> &errors, std::string &error);

} // namespace calibrate

#endif // LOWBIT_TOOLS_LOWBIT_CALIBRATE_CALIBRATIONDRIVER_H
