//===- TestCalibrationStats.cpp - print calibration statistics ------------===//

#include "lowbit/Analysis/CalibrationTable.h"
#include "lowbit/Analysis/Passes.h"
#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Transforms/OpNames.h"

#include "llvm/Support/Format.h"

namespace lowbit {
#define GEN_PASS_DEF_TESTCALIBRATIONSTATSPASS
#include "lowbit/Analysis/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

void printList(llvm::raw_ostream &os, ArrayRef<float> values, size_t limit) {
  os << "[";
  for (size_t i = 0; i < std::min(limit, values.size()); ++i)
    os << (i ? " " : "") << llvm::format("%.6g", values[i]);
  if (values.size() > limit)
    os << " ...";
  os << "]";
}

struct TestCalibrationStatsPass
    : lowbit::impl::TestCalibrationStatsPassBase<TestCalibrationStatsPass> {
  using TestCalibrationStatsPassBase::TestCalibrationStatsPassBase;

  void runOnOperation() override {
    Operation *module = getOperation();
    size_t limit = static_cast<size_t>(std::max<int64_t>(0, maxChannels));
    WalkResult walked = module->walk([&](Operation *op) {
      if (!isa<LinearOp, ConvOp, QLinearOp>(op))
        return WalkResult::advance();
      std::string tag = inputProbeTag(getModelOpName(op));
      auto found = lookupCalibration(module, tag);
      if (failed(found))
        return WalkResult::interrupt();
      if (!*found) {
        op->emitRemark() << "no calibration statistics for '" << tag << "'";
        return WalkResult::advance();
      }
      const TensorCalibration &stats = **found;
      InFlightDiagnostic remark = op->emitRemark();
      std::string text;
      llvm::raw_string_ostream os(text);
      os << "'" << tag << "': samples=" << stats.samples
         << " values/channel=" << stats.valuesPerChannel
         << " axis=" << stats.channelAxis
         << llvm::format(" min=%.6g max=%.6g", stats.min, stats.max)
         << llvm::format(" p99.99=%.6g bin=%.6g",
                         histogramPercentile(stats.histogram,
                                             stats.histogramMax, 0.9999),
                         stats.histogramMax / stats.histogram.size())
         << " channel_min=";
      printList(os, stats.channelMin, limit);
      os << " channel_max=";
      printList(os, stats.channelMax, limit);
      os << " mean_abs=";
      printList(os, stats.meanAbs, limit);
      if (!stats.gram.empty()) {
        size_t k = stats.meanAbs.size();
        double trace = 0.0;
        for (size_t i = 0; i < k; ++i)
          trace += stats.gram[i * k + i];
        os << llvm::format(" gram_trace=%.6g", trace) << " gram_row0=";
        printList(os, ArrayRef<float>(stats.gram).take_front(k), limit);
      }
      remark << text;
      return WalkResult::advance();
    });
    if (walked.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
