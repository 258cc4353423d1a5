//===- lowbit-import.cpp - ONNX model to MLIR -----------------------------===//
//
//   lowbit-import MODEL.onnx [-o OUT.mlir] [--input-shape NAME=D0xD1...]
//                 [--freeze-input NAME=FILE.npy|FILE.pb]
//
// Exit status 1 with "error: FILE: node 'NAME' (OP): problem" on bad input.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Import/ONNX/Importer.h"
#include "lowbit/InitAll.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace mlir;
namespace cl = llvm::cl;

/// Prints diagnostics as "error: ..." lines. Importer messages already name
/// the file and node; anything else (verifier messages) gets its location.
static void printDiagnostic(Diagnostic &diag) {
  llvm::raw_ostream &os = llvm::errs();
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error: os << "error: "; break;
  case DiagnosticSeverity::Warning: os << "warning: "; break;
  case DiagnosticSeverity::Note: os << "note: "; break;
  case DiagnosticSeverity::Remark: os << "remark: "; break;
  }
  std::string message = diag.str();
  if (auto named = dyn_cast<NameLoc>(diag.getLocation());
      named && !llvm::StringRef(message).contains(": node '"))
    os << "node '" << named.getName().getValue() << "': ";
  os << message << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(note);
}

/// Markdown table of the handler table, for docs/onnx-support.md.
static void printSupportedOps(llvm::raw_ostream &os) {
  std::map<std::pair<std::string, std::string>, std::vector<int>> versions;
  std::map<std::pair<std::string, std::string>, std::string> notes;
  for (const auto &op : lowbit::onnx_import::listSupportedOps()) {
    auto key = std::make_pair(op.domain.empty() ? std::string("ai.onnx") : op.domain,
                              op.opType);
    versions[key].push_back(op.sinceVersion);
    if (!op.notes.empty())
      notes[key] = op.notes;
  }
  os << "| Domain | Op | Since versions | Notes |\n|---|---|---|---|\n";
  for (const auto &[key, since] : versions) {
    os << "| " << key.first << " | " << key.second << " | ";
    llvm::interleave(since, os, ", ");
    os << " | " << notes[key] << " |\n";
  }
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"),
                                 cl::init(""));
  cl::opt<std::string> outputPath("o", cl::desc("Output file (default: stdout)"),
                                  cl::value_desc("file"), cl::init("-"));
  cl::list<std::string> inputShapes(
      "input-shape", cl::desc("Static shape of an input: NAME=D0xD1x..."),
      cl::value_desc("name=dims"));
  cl::list<std::string> frozenInputs(
      "freeze-input",
      cl::desc("Import an input as a constant read from a .npy or "
               "TensorProto .pb file: NAME=FILE"),
      cl::value_desc("name=file"));
  cl::opt<bool> listOps("list-supported-ops",
                        cl::desc("Print the supported ONNX ops as a Markdown "
                                 "table and exit"));
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "lowbit ONNX importer\n");

  if (listOps) {
    printSupportedOps(llvm::outs());
    return 0;
  }
  if (inputPath.empty()) {
    llvm::errs() << "error: no model given; usage: lowbit-import MODEL.onnx "
                    "[-o OUT.mlir] [--input-shape NAME=D0xD1...]\n";
    return 1;
  }

  lowbit::onnx_import::ImportOptions options;
  std::string optionError;
  if (!lowbit::onnx_import::parseImportOptions(inputShapes, frozenInputs,
                                               options, optionError)) {
    llvm::errs() << "error: " << optionError << "\n";
    return 1;
  }

  DialectRegistry registry;
  lowbit::registerAllDialects(registry);
  MLIRContext context(registry);
  context.getDiagEngine().registerHandler(
      [](Diagnostic &diag) { printDiagnostic(diag); });

  OwningOpRef<ModuleOp> module =
      lowbit::onnx_import::importModel(inputPath, options, &context);
  if (!module)
    return 1;

  std::string error;
  auto output = openOutputFile(outputPath, &error);
  if (!output) {
    llvm::errs() << "error: " << outputPath << ": " << error << "\n";
    return 1;
  }
  module->print(output->os());
  output->os() << "\n";
  output->keep();
  return 0;
}
