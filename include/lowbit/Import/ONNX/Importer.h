//===- Importer.h - ONNX models into MLIR -----------------------*- C++ -*-===//
//
// Turns an ONNX model (binary protobuf or ONNX text format) into a module with
// one `func.func` whose body uses the lowbit dialect for weight-carrying ops
// and norms, and upstream dialects (TOSA, linalg, tensor, arith, math) for the
// rest. Every user error is reported through the context's diagnostic engine
// as "FILE: node 'NAME' (OP): problem", and the import returns null.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_IMPORT_ONNX_IMPORTER_H
#define LOWBIT_IMPORT_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace lowbit::onnx_import {

struct ImportOptions {
  /// Static shapes for graph inputs, by input name (--input-shape NAME=2x128).
  /// They replace symbolic or unknown dimensions; a given static dimension
  /// must agree with the model's.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Graph inputs to import as constants, by input name, with the file that
  /// holds the value (--freeze-input NAME=FILE.npy|FILE.pb). lowbit compiles
  /// static shapes: a value that decides a shape (a Reshape target, Slice
  /// starts, Reduce axes, ...) must be known at import time.
  llvm::StringMap<std::string> frozenInputs;
  /// Name of the function that holds the graph.
  std::string functionName = "main";
};

/// Parses "NAME=D0xD1x..." (a scalar is "NAME="). Returns false with `error`
/// set on malformed text.
bool parseInputShape(llvm::StringRef text, ImportOptions &options,
                     std::string &error);

/// Parses "NAME=FILE" for --freeze-input. Returns false with `error` set on
/// malformed text or a name given twice; the file is read during import.
bool parseFreezeInput(llvm::StringRef text, ImportOptions &options,
                      std::string &error);

/// Applies every --input-shape and --freeze-input string to `options`, the
/// one place both lowbit-import and lowbit-compile parse them.
bool parseImportOptions(llvm::ArrayRef<std::string> inputShapes,
                        llvm::ArrayRef<std::string> frozenInputs,
                        ImportOptions &options, std::string &error);

/// Imports the model at `path`. Returns null after emitting diagnostics on
/// any error. Weights are `dense_resource` blobs that point into the loaded
/// model or into memory-mapped external-data files.
mlir::OwningOpRef<mlir::ModuleOp> importModel(llvm::StringRef path,
                                              const ImportOptions &options,
                                              mlir::MLIRContext *context);

/// Imports a model held in memory (binary protobuf, or ONNX text format when
/// `isText`), reported under `displayName`. External data is refused: an
/// in-memory model has no directory. Used by the fuzzer.
mlir::OwningOpRef<mlir::ModuleOp>
importModelFromMemory(llvm::StringRef bytes, bool isText,
                      llvm::StringRef displayName, const ImportOptions &options,
                      mlir::MLIRContext *context);

/// One row of the handler table, for documentation.
struct SupportedOp {
  std::string domain;
  std::string opType;
  int sinceVersion;
  std::string notes;
};
/// Every (domain, op, since-version) the importer handles, sorted.
std::vector<SupportedOp> listSupportedOps();

/// Opset versions of the default ONNX domain that the importer accepts.
constexpr int kMinOpset = 1;
constexpr int kMaxOpset = 23;

} // namespace lowbit::onnx_import

#endif // LOWBIT_IMPORT_ONNX_IMPORTER_H
