//===- ImportFuzzer.cpp - libFuzzer target for the ONNX importer ----------===//
//
// Feeds arbitrary bytes to the importer, as a binary protobuf and as ONNX
// text format. Any crash, sanitizer report or timeout is a bug: bad input
// must end in a diagnostic. Built only with clang (-DLOWBIT_ENABLE_FUZZER=ON);
// bench/fuzz/run.sh runs it.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Import/ONNX/Importer.h"
#include "lowbit/InitAll.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>

static const mlir::DialectRegistry &registry() {
  static mlir::DialectRegistry *r = [] {
    auto *reg = new mlir::DialectRegistry();
    lowbit::registerAllDialects(*reg);
    return reg;
  }();
  return *r;
}

static void importOnce(llvm::StringRef bytes, bool isText) {
  mlir::MLIRContext context(registry(), mlir::MLIRContext::Threading::DISABLED);
  context.getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
  lowbit::onnx_import::ImportOptions options;
  (void)lowbit::onnx_import::importModelFromMemory(bytes, isText, "fuzz.onnx",
                                                   options, &context);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  importOnce(bytes, /*isText=*/false);
  if (!bytes.empty() && bytes.front() == '<')
    importOnce(bytes, /*isText=*/true);
  return 0;
}
