//===- Calibrator.h - run a float model on calibration samples --*- C++ -*-===//
//
// Calibration in-process: the module is copied, every weighted op's input
// gets a `lowbit.observe` probe (lowbit-insert-observers), the probes become
// calls into this calibrator (lowbit-lower-observers-to-calls), and the copy
// is compiled by the CPU pipeline and MLIR's ExecutionEngine. Each call of
// run() executes the model once, on one sample; every probed tensor is
// folded into its ActivationStatistics and forgotten, so memory stays that
// of one sample's activations plus the accumulators, however many samples
// are fed. writeTable() then attaches the statistics to the original
// module (see CalibrationTable.h).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_ANALYSIS_CALIBRATOR_H
#define LOWBIT_ANALYSIS_CALIBRATOR_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lowbit {

/// The symbol the lowered probes call and the module attribute mapping
/// their ids to tags (see lowbit-lower-observers-to-calls).
inline constexpr llvm::StringLiteral kObserveCallee = "__lowbit_observe";
inline constexpr llvm::StringLiteral kObserverTagsAttrName =
    "lowbit.observer_tags";

struct CalibratorOptions {
  /// Function run as the model.
  std::string entry = "main";
  /// Bins of each |x| histogram.
  int64_t histogramBins = 2048;
  /// Vectorize the compiled model (off: scalar loops, slower).
  bool vectorize = true;
};

/// One input or output of the model, as the compiled function takes it.
struct CalibrationTensor {
  std::string name;
  mlir::Type elementType;
  std::vector<int64_t> shape;
  int64_t numBytes = 0;
};

class Calibrator {
public:
  /// Prepares and JIT-compiles a copy of `module` (left unchanged).
  /// Failure after errors at the offending ops.
  static mlir::FailureOr<std::unique_ptr<Calibrator>>
  create(mlir::ModuleOp module, const CalibratorOptions &options);
  ~Calibrator();

  llvm::ArrayRef<CalibrationTensor> inputs() const;
  llvm::ArrayRef<CalibrationTensor> outputs() const;
  /// The bytes of output i as the last run() left them (numBytes long).
  const void *outputData(size_t i) const;
  /// Number of distinct probes (the ops whose inputs are measured).
  size_t numProbes() const;

  /// Runs the model on one sample: `inputs[i]` points to the dense C-order
  /// data of input i, numBytes long. Fails only on a wrong input count;
  /// NaN or infinity in a probed tensor is counted, left out of the
  /// statistics and reported by writeTable.
  mlir::LogicalResult run(llvm::ArrayRef<const void *> inputs);

  int64_t samplesRun() const;

  /// Attaches `lowbit.calibration` to `module` (the one given to create) and
  /// warns about tensors that held non-finite values.
  void writeTable(mlir::ModuleOp module) const;

  struct Impl;

private:
  explicit Calibrator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

} // namespace lowbit

#endif // LOWBIT_ANALYSIS_CALIBRATOR_H
