//===- lowbit-calibrate.cpp - measure a float model on calibration data ---===//
//
//   lowbit-calibrate MODEL.onnx|MODEL.mlir --calib DATA.npz|DIR -o OUT.mlir
//                    [--input-shape NAME=D0xD1...] [--max-samples N]
//                    [--histogram-bins N] [--emit-bytecode] [--quiet]
//
// Compiles the float model in-process (CPU pipeline + JIT), runs it on every
// calibration sample and writes the model with its `lowbit.calibration`
// statistics table (docs/calibration.md). Progress goes to stderr; errors are
// "error: ..." lines and exit status 1.
//
//===----------------------------------------------------------------------===//

#include "CalibrationDriver.h"

#include "lowbit/Import/ONNX/Importer.h"
#include "lowbit/InitAll.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx|.mlir>"),
                               cl::init(""));
cl::opt<std::string> calibPath("calib",
                               cl::desc("Calibration samples: DATA.npz or a "
                                        "directory of sample directories"),
                               cl::value_desc("path"), cl::init(""));
cl::opt<std::string> outputPath("o", cl::desc("Output .mlir file"),
                                cl::value_desc("file"), cl::init(""));
cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Static shape of an input: NAME=D0xD1x..."),
                cl::value_desc("name=dims"));
cl::opt<int64_t> maxSamples("max-samples",
                            cl::desc("Use at most this many samples "
                                     "(0: all)"),
                            cl::init(0));
cl::opt<int64_t> histogramBins("histogram-bins",
                               cl::desc("Bins of each |x| histogram"),
                               cl::init(2048));
cl::opt<bool> emitBytecode(
    "emit-bytecode",
    cl::desc("Write MLIR bytecode (weights and statistics as raw bytes, not "
             "hex text: about half the size, faster to read back)"),
    cl::init(false));
cl::opt<bool> quiet("quiet", cl::desc("No progress lines"), cl::init(false));

void progress(const llvm::Twine &step) {
  if (!quiet)
    llvm::errs() << "lowbit-calibrate: " << step << "\n";
}

int fail(const llvm::Twine &message) {
  llvm::errs() << "error: " << message << "\n";
  return 1;
}

void printDiagnostic(Diagnostic &diag) {
  llvm::raw_ostream &os = llvm::errs();
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error: os << "error: "; break;
  case DiagnosticSeverity::Warning: os << "warning: "; break;
  case DiagnosticSeverity::Note: os << "note: "; break;
  case DiagnosticSeverity::Remark: os << "remark: "; break;
  }
  std::string message = diag.str();
  if (auto named = dyn_cast<NameLoc>(diag.getLocation()))
    if (!llvm::StringRef(message).contains(": node '"))
      os << "node '" << named.getName().getValue() << "': ";
  os << message << "\n";
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
  for (const std::string &text : inputShapes) {
    std::string error;
    if (!lowbit::onnx_import::parseInputShape(text, options, error)) {
      fail(error);
      return nullptr;
    }
  }
  return lowbit::onnx_import::importModel(inputPath, options, &context);
}

int calibrateModel() {
  if (inputPath.empty())
    return fail("no model given; usage: lowbit-calibrate MODEL.onnx --calib "
                "DATA.npz -o OUT.mlir");
  if (calibPath.empty())
    return fail("no calibration data given (--calib DATA.npz|DIR)");
  if (outputPath.empty())
    return fail("no output file given (-o OUT.mlir)");
  if (maxSamples < 0)
    return fail("--max-samples must not be negative");
  if (histogramBins < 1 || histogramBins > (1 << 20))
    return fail("--histogram-bins must be between 1 and 1048576");

  DialectRegistry registry;
  lowbit::registerAllDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  context.getDiagEngine().registerHandler(
      [](Diagnostic &diag) { printDiagnostic(diag); });

  progress("import " + inputPath);
  OwningOpRef<ModuleOp> module = loadModel(context);
  if (!module)
    return 1;

  calibrate::DriverOptions options;
  options.dataPath = calibPath;
  options.maxSamples = maxSamples;
  options.histogramBins = histogramBins;
  std::string error;
  if (!calibrate::calibrateModule(*module, options, progress, error))
    return error.empty() ? 1 : fail(error);

  progress("write " + outputPath);
  auto output = openOutputFile(outputPath, &error);
  if (!output)
    return fail(outputPath + ": " + error);
  if (emitBytecode) {
    if (failed(writeBytecodeToFile(*module, output->os())))
      return fail("cannot write " + outputPath + " as bytecode");
    output->keep();
    return 0;
  }
  // With locations: the statistics are keyed by the ops' names in them.
  module->print(output->os(), OpPrintingFlags().enableDebugInfo());
  output->os() << "\n";
  output->keep();
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "lowbit calibration: run a float model on "
                              "samples and record activation statistics\n");
  return calibrateModel();
}
