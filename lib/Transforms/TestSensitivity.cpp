//===- TestSensitivity.cpp - print the sensitivity table ------------------===//

#include "lowbit/Transforms/Passes.h"

#include "lowbit/Transforms/MixedPrecision.h"

#include "llvm/Support/FormatVariadic.h"

namespace lowbit {
#define GEN_PASS_DEF_TESTSENSITIVITYPASS
#include "lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

struct TestSensitivityPass
    : lowbit::impl::TestSensitivityPassBase<TestSensitivityPass> {
  using Base::Base;

  void runOnOperation() override {
    SensitivityOptions options;
    options.groupSize = groupSize;
    if (!bits.empty())
      options.bits.assign(bits.begin(), bits.end());
    FailureOr<std::vector<LayerSensitivity>> layers =
        analyzeSensitivity(getOperation(), options);
    if (failed(layers))
      return signalPassFailure();
    for (const LayerSensitivity &layer : *layers)
      for (const SensitivityCandidate &c : layer.candidates)
        LinearOp(layer.op).emitRemark()
            << "'" << layer.name << "' bits=" << c.bits
            << " output_error=" << llvm::formatv("{0:e6}", c.outputError)
            << " diag=" << llvm::formatv("{0:e6}", c.diagProxy)
            << " trace=" << llvm::formatv("{0:e6}", c.traceProxy)
            << " relative=" << llvm::formatv("{0:e6}", c.relativeError)
            << " size_bits=" << c.sizeBits
            << " bpw=" << llvm::formatv("{0:f4}", c.bpw);
  }
};

} // namespace
