//===- lowbit-report.cpp - Render a quantization report as HTML -----------===//
//
//   lowbit-report REPORT.json -o REPORT.html
//
// Renders the JSON that `lowbit-compile --report` writes as the same
// self-contained HTML page lowbit-compile writes beside it. Exit status 1 and
// an `error:` line naming the file on bad input.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Report/QuantReportHTML.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::opt<std::string> input(cl::Positional, cl::Required,
                             cl::desc("<report.json>"));
  cl::opt<std::string> output("o", cl::Required,
                              cl::desc("Output HTML file"),
                              cl::value_desc("report.html"));
  cl::ParseCommandLineOptions(
      argc, argv, "lowbit-report: the quantization report as an HTML page\n");
  if (llvm::Error e = lowbit::renderQuantReportFile(input, output)) {
    llvm::WithColor::error(llvm::errs(), "lowbit-report")
        << llvm::toString(std::move(e)) << "\n";
    return 1;
  }
  return 0;
}
