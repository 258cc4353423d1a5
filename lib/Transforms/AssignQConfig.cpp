//===- AssignQConfig.cpp - quantization presets as #lowbit.qconfig --------===//

#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Transforms/OpNames.h"
#include "lowbit/Transforms/Passes.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <optional>

namespace lowbit {
#define GEN_PASS_DEF_ASSIGNQCONFIGPASS
#include "lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

namespace {

struct Preset {
  unsigned weightBits;
  /// Weights in groups of `group-size` rather than one scale per channel.
  bool grouped;
  /// 0 keeps activations in floating point.
  unsigned activationBits;
  bool convolutionWeights;
};

std::optional<Preset> lookupPreset(StringRef name) {
  return llvm::StringSwitch<std::optional<Preset>>(name)
      .Case("w4a16", Preset{4, /*grouped=*/true, 0, false})
      .Case("w8a16", Preset{8, /*grouped=*/false, 0, false})
      .Case("w8a8", Preset{8, /*grouped=*/false, 8, true})
      .Case("w4a4", Preset{4, /*grouped=*/true, 4, false})
      .Default(std::nullopt);
}

constexpr const char *kPresetList = "w8a8, w4a16, w4a4 or w8a16";

struct AssignQConfigPass
    : lowbit::impl::AssignQConfigPassBase<AssignQConfigPass> {
  using AssignQConfigPassBase::AssignQConfigPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (preset.empty()) {
      module.emitError() << "a preset is required: preset=" << kPresetList;
      return signalPassFailure();
    }
    std::optional<Preset> spec = lookupPreset(preset);
    if (!spec) {
      module.emitError() << "unknown preset '" << preset << "'; expected "
                         << kPresetList;
      return signalPassFailure();
    }
    int64_t group = groupSize;
    if (group != 0 &&
        (group < 8 || !llvm::isPowerOf2_64(static_cast<uint64_t>(group)))) {
      module.emitError() << "group-size must be 0 (per channel) or a power of "
                            "two >= 8; got "
                         << group;
      return signalPassFailure();
    }

    llvm::StringSet<> floatNames;
    for (const std::string &name : keepFloat)
      floatNames.insert(name);
    llvm::StringSet<> matchedNames;
    llvm::DenseSet<Operation *> lastLinears;
    if (skipLast)
      module.walk([&](FunctionOpInterface function) {
        Operation *last = nullptr;
        function.walk([&](LinearOp op) { last = op; });
        if (last)
          lastLinears.insert(last);
      });

    module.walk([&](Operation *op) {
      if (!isa<LinearOp, ConvOp>(op))
        return;
      std::string name = getModelOpName(op);
      bool listed = floatNames.contains(name);
      if (listed)
        matchedNames.insert(name);
      if (listed || lastLinears.contains(op)) {
        if (overwrite) {
          setConfig(op, "weight_qconfig", {});
          setConfig(op, "act_qconfig", {});
        }
        return;
      }
      if (auto linear = dyn_cast<LinearOp>(op))
        assignLinear(linear, *spec);
      else if (spec->convolutionWeights)
        assignConv(cast<ConvOp>(op), *spec);
    });

    for (const std::string &name : keepFloat)
      if (!matchedNames.contains(name))
        module.emitWarning() << "keep-float name '" << name
                             << "' matches no lowbit.linear or lowbit.conv";
  }

  /// Sets (or, with a null config, removes) one config, keeping one that is
  /// already there unless overwriting.
  void setConfig(Operation *op, StringRef attrName, QConfigAttr config) {
    if (op->hasAttr(attrName) && !overwrite)
      return;
    if (config)
      op->setAttr(attrName, config);
    else
      op->removeAttr(attrName);
  }

  QConfigAttr channelConfig(unsigned bits) {
    return QConfigAttr::get(&getContext(), bits, Granularity::Channel,
                            /*group_size=*/0, symmetricWeights,
                            NumberFormat::Int);
  }

  /// The preset's weight config for a linear with `inFeatures` columns; a
  /// group size that does not divide them falls back to per channel.
  QConfigAttr linearWeightConfig(LinearOp op, const Preset &spec) {
    int64_t group = groupSize;
    if (!spec.grouped || group == 0)
      return channelConfig(spec.weightBits);
    int64_t inFeatures = op.getInFeatures();
    if (ShapedType::isDynamic(inFeatures)) {
      op.emitRemark() << "the input feature count is not static; this layer "
                         "gets per-channel weight scales";
      return channelConfig(spec.weightBits);
    }
    if (inFeatures % group != 0) {
      op.emitRemark() << "group size " << group << " does not divide the "
                      << inFeatures
                      << " input features; this layer gets per-channel "
                         "weight scales";
      return channelConfig(spec.weightBits);
    }
    return QConfigAttr::get(&getContext(), spec.weightBits, Granularity::Group,
                            group, symmetricWeights, NumberFormat::Int);
  }

  void assignLinear(LinearOp op, const Preset &spec) {
    if (!op.getWeightQconfigAttr() || overwrite)
      setConfig(op, "weight_qconfig", linearWeightConfig(op, spec));
    QConfigAttr activations;
    if (spec.activationBits != 0)
      activations = QConfigAttr::get(&getContext(), spec.activationBits,
                                     Granularity::Token, /*group_size=*/0,
                                     /*symmetric=*/true, NumberFormat::Int);
    setConfig(op, "act_qconfig", activations);
  }

  void assignConv(ConvOp op, const Preset &spec) {
    setConfig(op, "weight_qconfig", channelConfig(spec.weightBits));
    setConfig(op, "act_qconfig", {});
  }
};

} // namespace
