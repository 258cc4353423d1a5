//===- MixedPrecisionDriver.h - --quant mixed of lowbit-compile -*- C++ -*-===//
//
// Mixed-precision weight quantization as lowbit-compile runs it: the
// sensitivity of every layer on the calibration statistics, one width per
// layer under a bits-per-weight budget, optionally each of the riskiest
// layers measured alone on the model's output, the weight quantizer, and
// the JSON and HTML report.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_LOWBIT_COMPILE_MIXEDPRECISIONDRIVER_H
#define LOWBIT_TOOLS_LOWBIT_COMPILE_MIXEDPRECISIONDRIVER_H

#include "MixedPrecisionReport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/Twine.h"

#include <string>
#include <vector>

namespace lowbit {

/// The command line's choices for --quant mixed.
struct MixedDriverOptions {
  int64_t groupSize = 128;
  /// Candidate widths (--mixed-bits); empty: the sensitivity's default.
  std::vector<int> bits;
  double targetBpw = 0;
  AllocationSolver solver = AllocationSolver::Exact;
  /// --measure-layers: how many layers to measure alone (0: none).
  int measureLayers = 0;
  /// Calibration data (--calib), for --measure-layers.
  std::string calibPath;
  /// The weight quantization method (rtn, mse, gptq, awq).
  std::string method;
  /// --report: the JSON file (the HTML page goes beside it); empty: none.
  std::string reportPath;
};

/// Assigns each layer of `module` its width, quantizes the weights, and
/// writes the report; fills `report`'s timings. Progress lines go to
/// `progress`, errors to stderr as "error: ..." lines.
mlir::LogicalResult
quantizeMixed(mlir::ModuleOp module, const MixedDriverOptions &options,
              ReportInputs &report,
              llvm::function_ref<void(const llvm::Twine &)> progress);

} // namespace lowbit

#endif // LOWBIT_TOOLS_LOWBIT_COMPILE_MIXEDPRECISIONDRIVER_H
