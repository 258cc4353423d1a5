//===- CalibrationTable.h - calibration statistics in the IR ----*- C++ -*-===//
//
// `lowbit-calibrate` leaves its results in the module so that later passes
// (and later runs of the compiler) read them without running the model
// again. The module gets one attribute, `lowbit.calibration`, a dictionary
// from probe tag (`<op name>/input`, see lowbit-insert-observers) to a
// dictionary of statistics; docs/calibration.md describes every entry.
// Large arrays are dense_resource blobs, so the text form stays readable
// and the data round-trips bit-exactly; probes of the same tensor share the
// same blobs.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_ANALYSIS_CALIBRATIONTABLE_H
#define LOWBIT_ANALYSIS_CALIBRATIONTABLE_H

#include "lowbit/Analysis/ActivationStatistics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

#include <optional>
#include <string>
#include <vector>

namespace lowbit {

/// The module attribute holding the table.
inline constexpr llvm::StringLiteral kCalibrationAttrName =
    "lowbit.calibration";

/// One entry of the table, decoded.
struct TensorCalibration {
  int64_t samples = 0;
  int64_t valuesPerChannel = 0;
  int64_t channelAxis = -1;
  float min = 0.0f, max = 0.0f;
  std::vector<float> channelMin, channelMax, meanAbs;
  std::vector<int64_t> histogram;
  float histogramMax = 0.0f;
  /// X^T X / rows, [K, K] row-major; empty when not recorded.
  std::vector<float> gram;
};

/// The dictionary of one tensor's statistics; `blobName` names its
/// dense_resource blobs (`<blobName>.mean_abs`, ...).
mlir::DictionaryAttr encodeCalibration(mlir::MLIRContext *context,
                                       const ActivationStatistics &stats,
                                       int64_t channelAxis,
                                       llvm::StringRef blobName);

/// The statistics recorded for `tag` in `module`'s table: std::nullopt when
/// the module has no table or the table no entry for `tag`; failure, after
/// an error at `module`, when the entry is malformed.
mlir::FailureOr<std::optional<TensorCalibration>>
lookupCalibration(mlir::Operation *module, llvm::StringRef tag);

/// The tag of the probe that lowbit-insert-observers puts on the input of
/// the op called `opName` (lowbit::getModelOpName).
std::string inputProbeTag(llvm::StringRef opName);

} // namespace lowbit

#endif // LOWBIT_ANALYSIS_CALIBRATIONTABLE_H
