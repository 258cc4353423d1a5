//===- CalibrateActivationScales.cpp - static activation scales -----------===//
//
// Dynamic per-token activation configs become static per-tensor ones whose
// scale comes from the calibration histogram of the linear's input.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Transforms/Passes.h"

#include "lowbit/Analysis/CalibrationTable.h"
#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Numerics/ActivationRange.h"
#include "lowbit/Transforms/OpNames.h"

#include "mlir/IR/BuiltinOps.h"

#include <cmath>

namespace lowbit {
#define GEN_PASS_DEF_CALIBRATEACTIVATIONSCALESPASS
#include "lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

struct CalibrateActivationScalesPass
    : lowbit::impl::CalibrateActivationScalesPassBase<
          CalibrateActivationScalesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<numerics::RangeMethod> range =
        numerics::parseRangeMethod(method);
    if (!range) {
      module.emitError() << "unknown method '" << method
                         << "'; expected minmax, percentile, entropy or mse";
      return signalPassFailure();
    }
    if (!(percentile > 0.0 && percentile <= 100.0)) {
      module.emitError() << "percentile must be in (0, 100], got "
                         << percentile;
      return signalPassFailure();
    }
    SmallVector<LinearOp> linears;
    module.walk([&](LinearOp op) {
      QConfigAttr config = op.getActQconfigAttr();
      if (config && config.getGranularity() == Granularity::Token &&
          config.getFormat() == NumberFormat::Int && config.getBits() >= 2 &&
          config.getBits() <= 8)
        linears.push_back(op);
    });
    if (linears.empty())
      return;
    if (!module->hasAttr(kCalibrationAttrName)) {
      module.emitError() << "static activation scales need calibration "
                            "statistics (the "
                         << kCalibrationAttrName
                         << " module attribute); run lowbit-calibrate first";
      return signalPassFailure();
    }
    for (LinearOp op : linears)
      if (failed(calibrate(module, op, *range)))
        return signalPassFailure();
  }

  LogicalResult calibrate(ModuleOp module, LinearOp op,
                          numerics::RangeMethod range) {
    QConfigAttr config = op.getActQconfigAttr();
    std::string tag = inputProbeTag(getModelOpName(op));
    FailureOr<std::optional<TensorCalibration>> found =
        lookupCalibration(module, tag);
    if (failed(found))
      return failure();
    if (!*found) {
      op.emitRemark() << "no calibration statistics for '" << tag
                      << "'; activations keep dynamic per-token scales";
      return success();
    }
    const TensorCalibration &stats = **found;
    numerics::RangeOptions options;
    options.method = range;
    options.bits = static_cast<int>(config.getBits());
    options.percentile = percentile;
    float maxAbs = std::max(std::fabs(stats.min), std::fabs(stats.max));
    float threshold = numerics::activationClipThreshold(
        stats.histogram, stats.histogramMax, maxAbs, options);
    float qmax = static_cast<float>((1 << (config.getBits() - 1)) - 1);
    float scale = threshold / qmax;
    if (!(scale > 0.0f) || !std::isfinite(scale)) {
      op.emitRemark() << "the calibrated input of this layer is all zeros; "
                         "activations keep dynamic per-token scales";
      return success();
    }
    op.setActQconfigAttr(QConfigAttr::get(
        op.getContext(), config.getBits(), Granularity::Tensor,
        /*group_size=*/0, /*symmetric=*/true, NumberFormat::Int));
    op.setActScaleAttr(FloatAttr::get(Float32Type::get(op.getContext()),
                                      scale));
    op->removeAttr("act_zero_point");
    return success();
  }
};

} // namespace
