//===- MixedPrecisionReport.cpp - --report of lowbit-compile --------------===//

#include "MixedPrecisionReport.h"

#include "mlir/IR/Diagnostics.h"

#include <cmath>

using namespace lowbit;
namespace json = llvm::json;

namespace {

/// Runs a solver without letting its errors (an infeasible budget on the
/// sweep) reach the user.
std::optional<BitPlan> quietAllocate(mlir::Location loc,
                                     llvm::ArrayRef<LayerSensitivity> layers,
                                     double bpw, AllocationSolver solver) {
  mlir::ScopedDiagnosticHandler silence(loc.getContext(),
                                        [](mlir::Diagnostic &) {
                                          return mlir::success();
                                        });
  mlir::FailureOr<BitPlan> plan = allocateBits(loc, layers, bpw, solver);
  if (mlir::failed(plan))
    return std::nullopt;
  return *plan;
}

} // namespace

json::Value lowbit::buildMixedPrecisionReport(
    mlir::Location loc, llvm::ArrayRef<LayerSensitivity> layers,
    const BitPlan &plan, const ReportInputs &inputs) {
  json::Array layerArray;
  for (auto [layer, choice] : llvm::zip(layers, plan.choice)) {
    json::Array candidates;
    for (const SensitivityCandidate &c : layer.candidates)
      candidates.push_back(json::Object{{"bits", c.bits},
                                        {"bpw", c.bpw},
                                        {"size_bits", c.sizeBits},
                                        {"output_error", c.outputError},
                                        {"relative_error", c.relativeError},
                                        {"diag_proxy", c.diagProxy},
                                        {"trace_proxy", c.traceProxy}});
    const SensitivityCandidate &chosen = layer.candidates[choice];
    int64_t params = layer.rows * layer.cols;
    json::Object entry{
        {"name", layer.name},
        {"shape", json::Array{layer.rows, layer.cols}},
        {"params", params},
        {"group_size", layer.groupSize},
        {"candidates", std::move(candidates)},
        {"chosen_bits", chosen.bits},
        {"output_error", chosen.outputError},
        {"relative_error", chosen.relativeError},
        {"output_energy", layer.outputEnergy},
        // The float weights as the model stores them (f32).
        {"bytes_float", 4 * params},
        {"bytes_quant", (chosen.sizeBits + 7) / 8}};
    size_t index = layerArray.size();
    if (auto it = inputs.measuredErrors.find(index);
        it != inputs.measuredErrors.end())
      entry["measured_model_error"] = it->second;
    layerArray.push_back(std::move(entry));
  }

  // The trade-off curve.
  json::Array tradeoff;
  if (!layers.empty()) {
    for (size_t c = 0; c < layers.front().candidates.size(); ++c) {
      int64_t size = 0, params = 0;
      double error = 0;
      for (const LayerSensitivity &layer : layers) {
        size += layer.candidates[c].sizeBits;
        params += layer.rows * layer.cols;
        error += layer.candidates[c].relativeError;
      }
      tradeoff.push_back(json::Object{
          {"kind", "uniform"},
          {"bits", layers.front().candidates[c].bits},
          {"bpw", static_cast<double>(size) / static_cast<double>(params)},
          {"predicted_error", error}});
    }
    for (AllocationSolver solver :
         {AllocationSolver::Exact, AllocationSolver::Greedy,
          AllocationSolver::EqualLoss})
      for (double bpw = 2.0; bpw <= 9.0 + 1e-9; bpw += 0.25)
        if (std::optional<BitPlan> p = quietAllocate(loc, layers, bpw, solver))
          tradeoff.push_back(json::Object{
              {"kind", ("mixed-" + toString(solver)).str()},
              {"budget_bpw", bpw},
              {"bpw", p->bpw},
              {"predicted_error", p->predictedError}});
  }

  json::Object seconds;
  for (const auto &[name, s] : inputs.seconds)
    seconds[name] = s;
  return json::Object{
      {"model", inputs.model},
      {"quant", "mixed"},
      {"method", inputs.method},
      {"target_bpw", inputs.targetBpw},
      {"achieved_bpw", plan.bpw},
      {"solver", toString(inputs.solver).str()},
      {"provably_optimal", plan.provablyOptimal},
      {"group_size", inputs.groupSize},
      {"objective", "relative"},
      {"predicted_error", plan.predictedError},
      {"layers", std::move(layerArray)},
      {"tradeoff", std::move(tradeoff)},
      {"pass_seconds", std::move(seconds)}};
}
