//===- Calibrator.cpp - run a float model on calibration samples ----------===//

#include "lowbit/Analysis/Calibrator.h"

#include "lowbit/Analysis/ActivationStatistics.h"
#include "lowbit/Analysis/CalibrationTable.h"
#include "lowbit/Analysis/Passes.h"
#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Pipelines/Pipelines.h"
#include "lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/TargetSelect.h"

#include <algorithm>
#include <functional>
#include <map>

using namespace mlir;
using namespace lowbit;

namespace {

/// Largest K whose K x K Gram matrix (in double) is accumulated: 512 MiB.
constexpr int64_t kMaxGramChannels = 8192;

/// What is known of one probe before the model is compiled.
struct ProbeInfo {
  /// Index of the accumulator (probes of one tensor share one).
  size_t accumulator;
  /// Only the first probe of a tensor feeds its accumulator.
  bool primary;
};

struct Accumulator {
  std::string firstTag;
  int64_t channelAxis;
  std::unique_ptr<ActivationStatistics> stats;
  std::vector<float> scratch;
};

} // namespace

struct Calibrator::Impl {
  CalibratorOptions options;
  std::vector<CalibrationTensor> inputs, outputs;
  std::vector<std::vector<char>> outputBuffers;
  /// By observe id (the order of lowbit.observer_tags).
  std::vector<ProbeInfo> probes;
  std::vector<std::string> tags;
  std::vector<Accumulator> accumulators;
  int64_t samples = 0;

  std::function<llvm::Error(llvm::Module *)> transformer;
  std::unique_ptr<ExecutionEngine> engine;
  void (*invoke)(void **) = nullptr;

  void observe(int64_t id, const DynamicMemRefType<float> &view);
};

namespace {

/// The calibrator whose model is running on this thread.
thread_local Calibrator::Impl *activeCalibrator = nullptr;

extern "C" void lowbitObserveCallback(int64_t id,
                                      ::UnrankedMemRefType<float> *memref) {
  if (activeCalibrator && memref)
    activeCalibrator->observe(id, DynamicMemRefType<float>(*memref));
}

int64_t elementBytes(Type type) {
  unsigned bits = type.getIntOrFloatBitWidth();
  return bits == 1 ? 1 : bits / 8;
}

FailureOr<std::vector<CalibrationTensor>>
describe(func::FuncOp func, TypeRange types, bool arguments) {
  std::vector<CalibrationTensor> tensors;
  for (auto [i, type] : llvm::enumerate(types)) {
    CalibrationTensor tensor;
    tensor.name = (arguments ? "input" : "output") + std::to_string(i);
    DictionaryAttr attrs =
        arguments ? func.getArgAttrDict(i) : func.getResultAttrDict(i);
    if (auto name = attrs ? attrs.getAs<StringAttr>("lowbit.name") : nullptr)
      tensor.name = name.getValue().str();
    auto ranked = dyn_cast<RankedTensorType>(type);
    if (!ranked || !ranked.hasStaticShape() ||
        !ranked.getElementType().isIntOrFloat())
      return func.emitError() << "calibration needs inputs and outputs of "
                                 "static shape; '"
                              << tensor.name << "' has type " << type;
    tensor.elementType = ranked.getElementType();
    tensor.shape.assign(ranked.getShape().begin(), ranked.getShape().end());
    tensor.numBytes =
        ranked.getNumElements() * elementBytes(tensor.elementType);
    tensors.push_back(std::move(tensor));
  }
  return tensors;
}

} // namespace

void Calibrator::Impl::observe(int64_t id,
                               const DynamicMemRefType<float> &view) {
  if (id < 0 || static_cast<size_t>(id) >= probes.size() ||
      !probes[id].primary)
    return;
  Accumulator &acc = accumulators[probes[id].accumulator];
  int64_t rank = view.rank;
  int64_t count = 1;
  for (int64_t d = 0; d < rank; ++d)
    count *= view.sizes[d];
  // Dense C order in one piece, copying when the buffer is strided.
  const float *data = view.data + view.offset;
  bool dense = true;
  for (int64_t d = rank - 1, stride = 1; d >= 0; --d) {
    if (view.sizes[d] != 1 && view.strides[d] != stride)
      dense = false;
    stride *= view.sizes[d];
  }
  if (!dense) {
    acc.scratch.resize(static_cast<size_t>(count));
    std::vector<int64_t> index(rank, 0);
    for (int64_t i = 0; i < count; ++i) {
      int64_t at = view.offset;
      for (int64_t d = 0; d < rank; ++d)
        at += index[d] * view.strides[d];
      acc.scratch[i] = view.data[at];
      for (int64_t d = rank - 1; d >= 0 && ++index[d] == view.sizes[d]; --d)
        index[d] = 0;
    }
    data = acc.scratch.data();
  }
  int64_t axis = acc.channelAxis, outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= view.sizes[d];
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= view.sizes[d];
  acc.stats->add(data, outer, inner);
}

Calibrator::Calibrator(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
Calibrator::~Calibrator() = default;

ArrayRef<CalibrationTensor> Calibrator::inputs() const { return impl->inputs; }
size_t Calibrator::numProbes() const { return impl->accumulators.size(); }
int64_t Calibrator::samplesRun() const { return impl->samples; }

FailureOr<std::unique_ptr<Calibrator>>
Calibrator::create(ModuleOp module, const CalibratorOptions &options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  MLIRContext *context = module.getContext();
  OwningOpRef<ModuleOp> copy = module.clone();
  (*copy)->removeAttr(kCalibrationAttrName);

  auto entry = copy->lookupSymbol<func::FuncOp>(options.entry);
  if (!entry || entry.isExternal())
    return module.emitError() << "the module has no function '"
                              << options.entry << "' to calibrate";
  auto inputs = describe(entry, entry.getArgumentTypes(), true);
  if (failed(inputs))
    return failure();
  auto outputs = describe(entry, entry.getResultTypes(), false);
  if (failed(outputs))
    return failure();
  impl->inputs = std::move(*inputs);
  impl->outputs = std::move(*outputs);

  PassManager probing(context);
  probing.addPass(createInsertObserversPass());
  if (failed(probing.run(*copy)))
    return failure();

  // One accumulator per probed tensor; the tag order is the one
  // lowbit-lower-observers-to-calls numbers the probes in.
  llvm::DenseMap<Value, size_t> accumulatorOf;
  std::map<std::string, ProbeInfo> probeOf;
  copy->walk([&](ObserveOp probe) {
    Value value = probe.getInput();
    auto [it, inserted] =
        accumulatorOf.try_emplace(value, impl->accumulators.size());
    if (inserted) {
      auto type = cast<RankedTensorType>(value.getType());
      int64_t rank = type.getRank();
      // A probe the module already had may read nothing.
      Operation *reader = probe.getResult().use_empty()
                              ? nullptr
                              : *probe.getResult().getUsers().begin();
      // Convolutions are channels first; everything else channels last.
      bool channelsFirst = isa_and_nonnull<ConvOp>(reader) && rank >= 3;
      int64_t axis = rank == 0 ? 0 : (channelsFirst ? 1 : rank - 1);
      int64_t channels = rank == 0 ? 1 : type.getDimSize(axis);
      bool linear = isa_and_nonnull<LinearOp>(reader);
      bool gram = linear && channels <= kMaxGramChannels;
      if (linear && !gram)
        reader->emitWarning() << "input has " << channels
                              << " features; X^T X is not recorded above "
                              << kMaxGramChannels;
      Accumulator acc;
      acc.firstTag = probe.getTag().str();
      acc.channelAxis = axis;
      acc.stats = std::make_unique<ActivationStatistics>(
          channels, gram, options.histogramBins);
      impl->accumulators.push_back(std::move(acc));
    }
    probeOf[probe.getTag().str()] = {it->second, inserted};
  });

  PassManager lowering(context);
  lowering.addPass(createLowerObserversToCallsPass());
  CPUPipelineOptions pipeline;
  pipeline.entry = options.entry;
  pipeline.vectorize = options.vectorize;
  // The JIT links against this process, not the model runtime: no thread pool
  // (OpenMP entry points) and no buffer cache (memref allocation hooks).
  pipeline.parallel = false;
  pipeline.runtimeAllocator = false;
  buildCPUPipeline(lowering, pipeline);
  if (failed(lowering.run(*copy)))
    return failure();
  // The pipeline keeps module attributes; read the ids back.
  if (auto tags = (*copy)->getAttrOfType<ArrayAttr>(kObserverTagsAttrName)) {
    for (Attribute tag : tags) {
      std::string name = cast<StringAttr>(tag).getValue().str();
      impl->tags.push_back(name);
      impl->probes.push_back(probeOf.at(name));
    }
  }

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  impl->transformer = makeOptimizingTransformer(3, 0, nullptr);
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = impl->transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  auto engine = ExecutionEngine::create(*copy, engineOptions);
  if (!engine)
    return module.emitError() << "cannot JIT-compile the model: "
                              << llvm::toString(engine.takeError());
  impl->engine = std::move(*engine);
  impl->engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner(("_mlir_ciface_" + kObserveCallee).str())] = {
        llvm::orc::ExecutorAddr::fromPtr(&lowbitObserveCallback),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  auto invoke = impl->engine->lookup("__lowbit_model_invoke");
  if (!invoke)
    return module.emitError() << "cannot find the compiled model's entry: "
                              << llvm::toString(invoke.takeError());
  impl->invoke = reinterpret_cast<void (*)(void **)>(*invoke);

  for (const CalibrationTensor &output : impl->outputs)
    impl->outputBuffers.emplace_back(static_cast<size_t>(output.numBytes));
  return std::unique_ptr<Calibrator>(new Calibrator(std::move(impl)));
}

ArrayRef<CalibrationTensor> Calibrator::outputs() const {
  return impl->outputs;
}

const void *Calibrator::outputData(size_t i) const {
  return impl->outputBuffers[i].data();
}

LogicalResult Calibrator::run(ArrayRef<const void *> inputs) {
  if (inputs.size() != impl->inputs.size())
    return failure();
  std::vector<void *> buffers;
  for (const void *input : inputs)
    buffers.push_back(const_cast<void *>(input));
  for (std::vector<char> &output : impl->outputBuffers)
    buffers.push_back(output.data());
  Impl *previous = activeCalibrator;
  activeCalibrator = impl.get();
  impl->invoke(buffers.data());
  activeCalibrator = previous;
  ++impl->samples;
  return success();
}

void Calibrator::writeTable(ModuleOp module) const {
  MLIRContext *context = module.getContext();
  std::vector<DictionaryAttr> encoded(impl->accumulators.size());
  SmallVector<NamedAttribute> entries;
  for (auto [tag, probe] : llvm::zip(impl->tags, impl->probes)) {
    const Accumulator &acc = impl->accumulators[probe.accumulator];
    if (!encoded[probe.accumulator]) {
      encoded[probe.accumulator] = encodeCalibration(
          context, *acc.stats, acc.channelAxis, acc.firstTag);
      if (acc.stats->nonFinite() > 0)
        module.emitWarning() << "calibration: '" << acc.firstTag << "' held "
                             << acc.stats->nonFinite()
                             << " NaN or infinite values (left out of its "
                                "statistics)";
    }
    entries.push_back(NamedAttribute(StringAttr::get(context, tag),
                                     encoded[probe.accumulator]));
  }
  module->setAttr(kCalibrationAttrName,
                  DictionaryAttr::get(context, entries));
}
