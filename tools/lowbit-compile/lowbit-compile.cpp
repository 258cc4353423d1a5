//===- lowbit-compile.cpp - ONNX model to a native model library ----------===//
//
//   lowbit-compile MODEL.onnx -o OUT.so [--input-shape NAME=D0xD1...]
//                  [--freeze-input NAME=FILE.npy|FILE.pb]
//                  [--compile-to=import|quantized|linalg|llvm]
//                  [--target host|cuda] [--quant none|w8a16|w4a16|w8a8|w4a4]
//                  [--group-size N] [--quant-method rtn|mse|gptq|awq]
//                  [--calib DATA.npz|DIR] [--fake-quant] [--asymmetric-weights]
//                  [--act-scale dynamic|minmax|percentile|entropy|mse]
//                  [--quant mixed --target-bpw F [--solver S] [--mixed-bits B,...]
//                   [--report R.json]]
//                  [--smooth-quant ALPHA|auto [--smooth-shift]]
//                  [--rotate [--rotate-seed N]]
//                  [--gpu-chip sm_90] [--gpu-features +ptx80]
//
// MODEL may also be an .mlir file holding what the importer produces. With
// --compile-to the IR after that phase is written to -o (default: stdout)
// instead of a library. Progress goes to stderr; errors are "error: ..."
// lines and exit status 1.
//
//===----------------------------------------------------------------------===//

#include "CalibrationDriver.h"
#include "MixedPrecisionDriver.h"
#include "MixedPrecisionReport.h"

#include "lowbit/Report/QuantReportHTML.h"

#include <numeric>
#include "lowbit/Transforms/MixedPrecision.h"
#include "lowbit/Transforms/Passes.h"

#include "lowbit/Dialect/LowBit/LowBitOps.h"
#include "lowbit/Import/ONNX/Importer.h"
#include "lowbit/InitAll.h"
#include "lowbit/Pipelines/Pipelines.h"
#include "lowbit/Target/CPU/ObjectEmitter.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <chrono>
#include <map>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

enum class Phase { Import, Quantized, Linalg, LLVM, Library };

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"),
                               cl::init(""));
cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                cl::value_desc("file"), cl::init(""));
cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Static shape of an input: NAME=D0xD1x..."),
                cl::value_desc("name=dims"));
cl::list<std::string> frozenInputs(
    "freeze-input",
    cl::desc("Import an input as a constant read from a .npy or TensorProto "
             ".pb file: NAME=FILE"),
    cl::value_desc("name=file"));
cl::opt<Phase> compileTo(
    "compile-to", cl::desc("Stop after a phase and write its IR"),
    cl::init(Phase::Library),
    cl::values(clEnumValN(Phase::Import, "import", "The imported model"),
               clEnumValN(Phase::Quantized, "quantized", "After quantization"),
               clEnumValN(Phase::Linalg, "linalg", "linalg on tensors"),
               clEnumValN(Phase::LLVM, "llvm", "The LLVM dialect")));
cl::opt<std::string> target("target",
                            cl::desc("Where the model runs: host (default) "
                                     "or cuda (an NVIDIA GPU)"),
                            cl::init("host"));
cl::opt<std::string>
    quant("quant",
          cl::desc("Quantization preset: none (default), w8a16, w4a16, w8a8, "
                   "w4a4, or mixed (a width per layer under --target-bpw)"),
          cl::init("none"));
cl::opt<int64_t> groupSize(
    "group-size",
    cl::desc("Weights per scale of the 4-bit presets (default 128; 0: per "
             "output channel)"),
    cl::init(128));
cl::opt<bool> fakeQuant(
    "fake-quant",
    cl::desc("With --quant: float kernels computing the preset's quantized "
             "numerics (for accuracy studies)"),
    cl::init(false));
cl::opt<std::string>
    quantMethod("quant-method",
                cl::desc("How weights are quantized: rtn, mse, gptq or awq "
                         "(gptq and awq need --calib; default: gptq with "
                         "--calib, else rtn)"),
                cl::init(""));
cl::opt<std::string>
    calibPath("calib",
              cl::desc("Calibration samples (DATA.npz keyed by input name "
                       "with a leading sample axis, or a directory of "
                       "sample directories): the float model is run on "
                       "them first"),
              cl::value_desc("path"), cl::init(""));
cl::opt<bool> asymmetricWeights(
    "asymmetric-weights",
    cl::desc("With --quant: weights on [min, max] with a zero point per "
             "scale (default: symmetric)"),
    cl::init(false));
cl::opt<std::string> actScale(
    "act-scale",
    cl::desc("Activation scales of w8a8/w4a4: dynamic (default; per token "
             "at run time) or static from --calib: minmax, percentile, "
             "entropy, mse"),
    cl::init("dynamic"));
cl::opt<double> actPercentile(
    "act-percentile",
    cl::desc("The percentile of |x| that --act-scale percentile keeps in "
             "range (default 99.99)"),
    cl::init(99.99));
cl::opt<std::string> smoothQuant(
    "smooth-quant",
    cl::desc("With --quant and --calib: migrate activation outliers into "
             "the weights (SmoothQuant) with this alpha in (0, 1], e.g. 0.5, "
             "or 'auto' to choose alpha per input for the preset's widths"),
    cl::value_desc("alpha|auto"), cl::init(""));
cl::opt<bool> smoothShift(
    "smooth-shift",
    cl::desc("With --smooth-quant: also centre each channel (OS+ shifts)"),
    cl::init(false));
cl::opt<bool> rotate(
    "rotate",
    cl::desc("Rotate linear inputs by randomized Hadamard matrices folded "
             "into the weights (QuaRot): the residual stream of RMSNorm "
             "decoders for free, other inputs online"),
    cl::init(false));
cl::opt<int64_t> rotateSeed(
    "rotate-seed",
    cl::desc("With --rotate: the seed of the random signs (0: none)"),
    cl::init(1));
cl::opt<int> measureLayers(
    "measure-layers",
    cl::desc("With --quant mixed: run the model on the calibration data with "
             "only one layer quantized, for the N layers with the largest "
             "predicted error, and report the measured output error"),
    cl::init(0));
cl::list<int> mixedBits(
    "mixed-bits",
    cl::desc("With --quant mixed: the candidate widths (default 2,3,4,6,8; "
             "0 lets the allocator prune a layer)"),
    cl::CommaSeparated);
cl::opt<double> targetBpw(
    "target-bpw",
    cl::desc("With --quant mixed: average bits per weight, scales included"),
    cl::init(0.0));
cl::opt<std::string>
    solverName("solver",
               cl::desc("With --quant mixed: exact (default), greedy or "
                        "equal-loss"),
               cl::init("exact"));
cl::opt<std::string> reportPath(
    "report",
    cl::desc("With --quant mixed: write the sensitivity table, the chosen "
             "widths and the trade-off curve to FILE.json, and the page "
             "FILE.html beside it"),
    cl::value_desc("FILE.json"), cl::init(""));
cl::opt<std::string> gpuChip("gpu-chip",
                             cl::desc("GPU architecture for --target cuda "
                                      "(default sm_90; sm_80, sm_90a, ...)"),
                             cl::init("sm_90"));
cl::opt<std::string>
    gpuFeatures("gpu-features",
                cl::desc("PTX features for --target cuda (default +ptx80)"),
                cl::init("+ptx80"));
cl::opt<bool> gpuTensorCores(
    "gpu-tensor-cores",
    cl::desc("With --target cuda: W4A16 layers with 3 to 16 rows on the "
             "tensor cores, activations rounded to f16 (default: true; "
             "=false for activations beyond the f16 range)"),
    cl::init(true));
cl::opt<bool> gpuFuseEpilogues(
    "gpu-fuse-epilogues",
    cl::desc("With --target cuda: compute the elementwise ops after a "
             "generated GEMV kernel's product (residual add, activation) in "
             "that kernel (default: true)"),
    cl::init(true));
cl::opt<bool> vectorize("vectorize",
                        cl::desc("Tile and vectorize (default: true)"),
                        cl::init(true));
cl::opt<std::string>
    runtimeLib("runtime-lib",
               cl::desc("The runtime archive to link into the library"),
               cl::value_desc("path"), cl::init(""));
cl::opt<std::string>
    compilerDriver("cc",
                   cl::desc("The C compiler driver that links (default: cc)"),
                   cl::value_desc("program"), cl::init("cc"));
cl::opt<bool> quiet("quiet", cl::desc("No progress lines"), cl::init(false));

void progress(const llvm::Twine &step) {
  if (!quiet)
    llvm::errs() << "lowbit-compile: " << step << "\n";
}

int fail(const llvm::Twine &message) {
  llvm::errs() << "error: " << message << "\n";
  return 1;
}

/// "error: ..." lines; importer messages already name file and node, IR
/// from a file gets its position.
void printDiagnostic(Diagnostic &diag) {
  llvm::raw_ostream &os = llvm::errs();
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error: os << "error: "; break;
  case DiagnosticSeverity::Warning: os << "warning: "; break;
  case DiagnosticSeverity::Note: os << "note: "; break;
  case DiagnosticSeverity::Remark: os << "remark: "; break;
  }
  std::string message = diag.str();
  Location loc = diag.getLocation();
  if (auto named = dyn_cast<NameLoc>(loc)) {
    if (!llvm::StringRef(message).contains(": node '"))
      os << "node '" << named.getName().getValue() << "': ";
  } else if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    if (file.getLine() != 0)
      os << file.getFilename().getValue() << ":" << file.getLine() << ":"
         << file.getColumn() << ": ";
  }
  os << message << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(note);
}

OwningOpRef<ModuleOp> loadModel(MLIRContext &context) {
  if (llvm::StringRef(inputPath).ends_with(".mlir")) {
    llvm::SourceMgr sourceMgr;
    std::string error;
    auto file = openInputFile(inputPath, &error);
    if (!file) {
      fail(inputPath.getValue() + ": " + error);
      return nullptr;
    }
    sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
    return parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  lowbit::onnx_import::ImportOptions options;
  std::string error;
  if (!lowbit::onnx_import::parseImportOptions(inputShapes, frozenInputs,
                                               options, error)) {
    fail(error);
    return nullptr;
  }
  return lowbit::onnx_import::importModel(inputPath, options, &context);
}

LogicalResult writeIR(ModuleOp module) {
  std::string error;
  std::string path = outputPath.empty() ? std::string("-") : outputPath;
  auto output = openOutputFile(path, &error);
  if (!output) {
    fail(path + ": " + error);
    return failure();
  }
  module.print(output->os());
  output->os() << "\n";
  output->keep();
  return success();
}

/// The runtime archive beside this executable: build tree (bin/, lib/) or
/// installed tree (bin/, lib/lowbit/).
std::string findRuntimeArchive(const char *argv0) {
  if (!runtimeLib.empty())
    return runtimeLib;
  std::string exe = llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&findRuntimeArchive));
  llvm::SmallString<256> prefix(
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(exe)));
  for (const char *dir : {"lib", "lib/lowbit"}) {
    llvm::SmallString<256> candidate(prefix);
    llvm::sys::path::append(candidate, dir, "libLowBitRuntime.a");
    if (llvm::sys::fs::exists(candidate))
      return std::string(candidate);
  }
  llvm::SmallString<256> fallback(prefix);
  llvm::sys::path::append(fallback, "lib", "libLowBitRuntime.a");
  return std::string(fallback);
}

LogicalResult runGPUPipeline(ModuleOp module) {
  lowbit::GPUPipelineOptions options;
  options.chip = gpuChip;
  options.features = gpuFeatures;
  options.tensorCores = gpuTensorCores;
  options.fuseEpilogues = gpuFuseEpilogues;
  PassManager pm(module.getContext());
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  lowbit::buildGPUKernelsPhase(pm, options);
  lowbit::buildGPULLVMPhase(pm, options);
  return pm.run(module);
}

LogicalResult runPipeline(ModuleOp module, lowbit::CPUPhase last) {
  if (target == "cuda" && last == lowbit::CPUPhase::Linalg) {
    PassManager pm(module.getContext());
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    lowbit::GPUPipelineOptions options;
    options.tensorCores = gpuTensorCores;
    options.fuseEpilogues = gpuFuseEpilogues;
    lowbit::buildGPULinalgPhase(pm, options);
    return pm.run(module);
  }
  lowbit::CPUPipelineOptions options;
  options.compileTo = last;
  options.vectorize = vectorize;
  PassManager pm(module.getContext());
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  if (last == lowbit::CPUPhase::Linalg)
    lowbit::buildCPULinalgPhase(pm, options);
  else
    lowbit::buildCPULLVMPhase(pm, options);
  return pm.run(module);
}

/// The `quantized` phase; warns when a preset finds nothing to quantize.
/// The weight quantization method: as given, else GPTQ when calibration
/// data is there (it needs the statistics), else RTN.
std::string method() {
  if (!quantMethod.empty())
    return quantMethod;
  return calibPath.empty() ? "rtn" : "gptq";
}

/// --quant mixed through the driver (MixedPrecisionDriver.cpp).
LogicalResult quantizeMixed(ModuleOp module, lowbit::ReportInputs &report) {
  lowbit::MixedDriverOptions options;
  options.groupSize = groupSize;
  options.bits.assign(mixedBits.begin(), mixedBits.end());
  options.targetBpw = targetBpw;
  options.solver = *lowbit::parseAllocationSolver(solverName);
  options.measureLayers = measureLayers;
  options.calibPath = calibPath;
  options.method = method();
  options.reportPath = reportPath;
  return lowbit::quantizeMixed(module, options, report, progress);
}

LogicalResult quantize(ModuleOp module, lowbit::ReportInputs &report) {
  if (quant == "none")
    return success();
  if (quant == "mixed")
    return quantizeMixed(module, report);
  lowbit::QuantPipelineOptions options;
  options.preset = quant;
  options.groupSize = groupSize;
  options.method = method();
  options.fake = fakeQuant;
  options.asymmetricWeights = asymmetricWeights;
  options.actScale = actScale;
  options.actPercentile = actPercentile;
  PassManager pm(module.getContext());
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  lowbit::buildQuantPipeline(pm, options);
  if (failed(pm.run(module)))
    return failure();
  int64_t quantized = 0;
  module.walk([&](Operation *op) {
    if (isa<lowbit::QLinearOp, lowbit::FakeQuantOp>(op))
      ++quantized;
  });
  // Fake-quantized weights leave no op behind: count the constants that
  // replaced them by the decision they consumed.
  if (fakeQuant)
    module.walk([&](lowbit::LinearOp op) {
      if (!op.getWeightQconfigAttr())
        ++quantized;
    });
  if (quantized == 0)
    llvm::errs() << "warning: --quant " << quant
                 << ": the model has no layer to quantize (no MatMul or Gemm "
                    "with a constant weight); it is compiled in floating "
                    "point\n";
  else
    progress("quantized " + llvm::Twine(quantized) + " layers");
  return success();
}

int compile(const char *argv0) {
  if (inputPath.empty())
    return fail("no model given; usage: lowbit-compile MODEL.onnx -o OUT.so");
  if (target != "host" && target != "cuda")
    return fail("unknown --target '" + target + "' (host and cuda are "
                "supported)");
  bool cuda = target == "cuda";
  if (!lowbit::isQuantPreset(quant))
    return fail("unknown --quant preset '" + quant + "' (expected one of " +
                lowbit::getQuantPresetNames() + ")");
  if (!quantMethod.empty() && quantMethod != "rtn" && quantMethod != "mse" &&
      quantMethod != "gptq" && quantMethod != "awq")
    return fail("unknown --quant-method '" + quantMethod +
                "' (expected rtn, mse, gptq or awq)");
  if (actScale != "dynamic" && actScale != "minmax" &&
      actScale != "percentile" && actScale != "entropy" && actScale != "mse")
    return fail("unknown --act-scale '" + actScale +
                "' (expected dynamic, minmax, percentile, entropy or mse)");
  if (actScale != "dynamic" && quant != "w8a8" && quant != "w4a4")
    return fail("--act-scale " + actScale +
                " needs a preset that quantizes activations (w8a8 or w4a4)");
  if (actScale != "dynamic" && calibPath.empty())
    return fail("--act-scale " + actScale +
                " needs calibration data (--calib DATA.npz|DIR)");
  // 0: no smoothing; -1: search alpha.
  double smoothAlpha = 0.0;
  if (smoothQuant == "auto")
    smoothAlpha = -1.0;
  else if (!smoothQuant.empty() &&
           (llvm::StringRef(smoothQuant).getAsDouble(smoothAlpha) ||
            !(smoothAlpha > 0 && smoothAlpha <= 1)))
    return fail("--smooth-quant takes an alpha in (0, 1] or 'auto'");
  if (smoothShift && smoothAlpha == 0)
    return fail("--smooth-shift needs --smooth-quant ALPHA");
  if (smoothAlpha != 0 && (quant == "none" || calibPath.empty()))
    return fail("--smooth-quant needs a --quant preset and calibration data "
                "(--calib DATA.npz|DIR)");
  if (rotateSeed < 0)
    return fail("--rotate-seed must be non-negative");
  if (quant == "mixed" && !(targetBpw > 0))
    return fail("--quant mixed needs --target-bpw F (average bits per "
                "weight, scales included; e.g. 4.5)");
  if (quant != "mixed" && targetBpw != 0)
    return fail("--target-bpw is for --quant mixed");
  if (quant != "mixed" && !mixedBits.empty())
    return fail("--mixed-bits is for --quant mixed");
  if (measureLayers < 0 || (quant != "mixed" && measureLayers != 0))
    return fail("--measure-layers N (N >= 0) is for --quant mixed");
  if (!lowbit::parseAllocationSolver(solverName))
    return fail("unknown --solver '" + solverName +
                "' (expected exact, greedy or equal-loss)");
  if (!reportPath.empty() && quant != "mixed")
    return fail("--report is written by --quant mixed only");
  if (quant == "mixed" && calibPath.empty())
    return fail("--quant mixed needs calibration data (--calib "
                "DATA.npz|DIR): the widths are chosen by the error each "
                "layer makes on it");
  if (quant == "mixed" && asymmetricWeights)
    return fail("--asymmetric-weights is not supported with --quant mixed");
  if (asymmetricWeights && quant == "none")
    return fail("--asymmetric-weights needs a --quant preset other than none");
  if (!calibPath.empty() && quant == "none")
    return fail("--calib needs a --quant preset other than none");
  if ((method() == "gptq" || method() == "awq") && calibPath.empty())
    return fail("--quant-method " + method() +
                " needs calibration data (--calib DATA.npz|DIR)");
  if (compileTo == Phase::Library && outputPath.empty())
    return fail("no output library given (-o OUT.so)");

  DialectRegistry registry;
  lowbit::registerAllDialects(registry);
  MLIRContext context(registry);
  // A failing pass would otherwise print the whole (large) module.
  context.printOpOnDiagnostic(false);
  context.getDiagEngine().registerHandler(
      [](Diagnostic &diag) { printDiagnostic(diag); });

  progress("import " + inputPath);
  OwningOpRef<ModuleOp> module = loadModel(context);
  if (!module)
    return 1;
  if (compileTo == Phase::Import)
    return failed(writeIR(*module));

  lowbit::ReportInputs report;
  report.model = inputPath;
  if (rotate) {
    // Before calibration: the statistics must describe the rotated model.
    progress("rotate linear inputs (Hadamard)");
    auto start = std::chrono::steady_clock::now();
    PassManager pm(module->getContext());
    if (failed(applyPassManagerCLOptions(pm)))
      return 1;
    lowbit::RotatePassOptions options;
    options.seed = rotateSeed;
    pm.addPass(lowbit::createRotatePass(options));
    if (failed(pm.run(*module)))
      return 1;
    report.seconds["rotate"] = std::chrono::duration<double>(
        std::chrono::steady_clock::now() - start).count();
  }
  if (!calibPath.empty()) {
    progress("calibrate on " + calibPath);
    auto start = std::chrono::steady_clock::now();
    calibrate::DriverOptions calib;
    calib.dataPath = calibPath;
    std::string error;
    if (!calibrate::calibrateModule(*module, calib, progress, error))
      return error.empty() ? 1 : fail(error);
    report.seconds["calibrate"] = std::chrono::duration<double>(
        std::chrono::steady_clock::now() - start).count();
    if (smoothAlpha != 0) {
      progress(smoothAlpha > 0
                   ? llvm::formatv("smooth activation outliers (alpha {0})",
                                   smoothAlpha)
                         .str()
                   : std::string("smooth activation outliers (alpha "
                                 "searched per input)"));
      start = std::chrono::steady_clock::now();
      PassManager pm(module->getContext());
      if (failed(applyPassManagerCLOptions(pm)))
        return 1;
      lowbit::SmoothQuantPassOptions smooth;
      smooth.alpha = smoothAlpha > 0 ? smoothAlpha : 0.5;
      smooth.shift = smoothShift;
      smooth.searchAlpha = smoothAlpha < 0;
      // The widths the search assumes: the preset's (mixed: 4-bit weights).
      llvm::StringRef preset(quant);
      smooth.weightBits = preset.starts_with("w8") ? 8 : 4;
      smooth.actBits = preset.ends_with("a4") ? 4 : 8;
      smooth.groupSize = smooth.weightBits == 4 ? groupSize : 0;
      pm.addPass(lowbit::createSmoothQuantPass(smooth));
      if (failed(pm.run(*module)))
        return 1;
      report.seconds["smooth_quant"] = std::chrono::duration<double>(
          std::chrono::steady_clock::now() - start).count();
      // The statistics described the model before smoothing; calibrate
      // again only for what reads them.
      bool readsStatistics = method() == "gptq" || method() == "awq" ||
                             actScale != "dynamic" || quant == "mixed";
      if (readsStatistics && !(*module)->hasAttr("lowbit.calibration")) {
        progress("calibrate the smoothed model on " + calibPath);
        if (!calibrate::calibrateModule(*module, calib, progress, error))
          return error.empty() ? 1 : fail(error);
      }
    }
  }

  progress("quantize (" + quant + ")");
  if (failed(quantize(*module, report)))
    return 1;
  if (compileTo == Phase::Quantized)
    return failed(writeIR(*module));

  progress("lower to linalg");
  if (failed(runPipeline(*module, lowbit::CPUPhase::Linalg)))
    return 1;
  if (compileTo == Phase::Linalg)
    return failed(writeIR(*module));

  progress(cuda ? "lower to GPU kernels (" + gpuChip + ") and LLVM"
                : llvm::Twine("lower to LLVM"));
  if (failed(cuda ? runGPUPipeline(*module)
                  : runPipeline(*module, lowbit::CPUPhase::LLVM)))
    return 1;
  if (compileTo == Phase::LLVM)
    return failed(writeIR(*module));

  llvm::SmallString<128> objectPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("lowbit-model", "o", objectPath))
    return fail("cannot create a temporary object file: " + ec.message());
  llvm::FileRemover removeObject(objectPath);
  progress("emit object code for " +
           (cuda ? llvm::StringRef("the host (portable)")
                 : llvm::sys::getHostCPUName()));
  if (failed(lowbit::cpu::emitHostObject(*module, objectPath, cuda)))
    return 1;

  progress("link " + outputPath);
  std::string error;
  std::string runtime = findRuntimeArchive(argv0);
  SmallVector<std::string> extraArchives;
  if (cuda)
    extraArchives.push_back(
        (llvm::sys::path::parent_path(runtime) + "/libLowBitCUDARuntime.a")
            .str());
  if (!lowbit::cpu::linkModelLibrary(objectPath, runtime, outputPath,
                                     compilerDriver, error, extraArchives))
    return fail(error);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  cl::ParseCommandLineOptions(argc, argv,
                              "lowbit compiler: ONNX model to a native "
                              "model library\n");
  return compile(argv[0]);
}
