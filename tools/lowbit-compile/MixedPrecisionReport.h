//===- MixedPrecisionReport.h - --report of lowbit-compile -------*- C++ -*-===//
//
// The JSON that `lowbit-compile --quant mixed --report FILE.json` writes
// (schema in docs/mixed-precision.md), and the HTML page beside it.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_LOWBIT_COMPILE_MIXEDPRECISIONREPORT_H
#define LOWBIT_TOOLS_LOWBIT_COMPILE_MIXEDPRECISIONREPORT_H

#include "lowbit/Transforms/MixedPrecision.h"

#include "llvm/Support/JSON.h"

#include <map>
#include <string>

namespace lowbit {

struct ReportInputs {
  std::string model, method;
  double targetBpw = 0;
  AllocationSolver solver = AllocationSolver::Exact;
  int64_t groupSize = 0;
  /// Seconds per pass, by name.
  std::map<std::string, double> seconds;
  /// --measure-layers: the model's relative output error with only this
  /// layer quantized (at its chosen width), by layer index.
  std::map<size_t, double> measuredErrors;
};

/// The report of `plan` over `layers`, with the trade-off curve: every
/// layer at each uniform width, and each solver at a sweep of budgets.
llvm::json::Value buildMixedPrecisionReport(
    mlir::Location loc, llvm::ArrayRef<LayerSensitivity> layers,
    const BitPlan &plan, const ReportInputs &inputs);

} // namespace lowbit

#endif // LOWBIT_TOOLS_LOWBIT_COMPILE_MIXEDPRECISIONREPORT_H
