//===- OpRegistry.h - the table of ONNX op handlers -------------*- C++ -*-===//
//
// One entry per (domain, op type, since-version), like an ONNX schema. For a
// node, the handler with the greatest since-version not above the model's
// opset for that domain is used. Each op family registers its entries from
// its own file under Ops/.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_OPREGISTRY_H
#define LOWBIT_LIB_IMPORT_ONNX_OPREGISTRY_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace lowbit::onnx_import {

class NodeImporter;

using OpHandlerFn = mlir::LogicalResult (*)(NodeImporter &);

struct OpHandler {
  const char *domain; // "" is the default ONNX domain ("ai.onnx")
  const char *opType;
  int sinceVersion;
  OpHandlerFn handler;
  const char *notes = ""; // limitations, shown in docs/onnx-support.md
};

/// The handler for (domain, opType) at `opsetVersion`, or null.
const OpHandler *lookupOpHandler(llvm::StringRef domain, llvm::StringRef opType,
                                 int opsetVersion);
/// Whether some version of (domain, opType) has a handler.
bool hasAnyOpHandler(llvm::StringRef domain, llvm::StringRef opType);
/// The whole table.
llvm::ArrayRef<OpHandler> allOpHandlers();

/// Each op family adds its rows; called once, in OpRegistry.cpp.
void registerElementwiseOps(std::vector<OpHandler> &table);
void registerShapeOps(std::vector<OpHandler> &table);
void registerLinearOps(std::vector<OpHandler> &table);
void registerConvPoolOps(std::vector<OpHandler> &table);
void registerNormalizationOps(std::vector<OpHandler> &table);
void registerReductionOps(std::vector<OpHandler> &table);
void registerMicrosoftOps(std::vector<OpHandler> &table);
void registerMiscOps(std::vector<OpHandler> &table);
void registerQuantizeOps(std::vector<OpHandler> &table);
void registerEinsumOps(std::vector<OpHandler> &table);
void registerRecurrentOps(std::vector<OpHandler> &table);
void registerResizeOps(std::vector<OpHandler> &table);

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_OPREGISTRY_H
