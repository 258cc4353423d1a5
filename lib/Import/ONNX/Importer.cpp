//===- Importer.cpp - public entry points of the ONNX importer ------------===//

#include "lowbit/Import/ONNX/Importer.h"
#include "GraphImporter.h"
#include "OpRegistry.h"

using namespace mlir;
using namespace lowbit::onnx_import;

bool lowbit::onnx_import::parseInputShape(llvm::StringRef text,
                                          ImportOptions &options,
                                          std::string &error) {
  auto [name, dims] = text.rsplit('=');
  if (name.empty() || !text.contains('=')) {
    error = "--input-shape expects NAME=D0xD1x..., got '" + text.str() + "'";
    return false;
  }
  SmallVector<int64_t> shape;
  if (!dims.empty()) {
    SmallVector<StringRef> parts;
    dims.split(parts, 'x');
    for (StringRef part : parts) {
      int64_t d;
      if (part.getAsInteger(10, d) || d < 0 || d > kMaxElements) {
        error = "--input-shape " + name.str() + ": '" + part.str() +
                "' is not a dimension (a non-negative integer)";
        return false;
      }
      shape.push_back(d);
    }
  }
  options.inputShapes[name] = shape;
  return true;
}

bool lowbit::onnx_import::parseFreezeInput(llvm::StringRef text,
                                           ImportOptions &options,
                                           std::string &error) {
  auto [name, file] = text.split('=');
  if (name.empty() || file.empty() || !text.contains('=')) {
    error = "--freeze-input expects NAME=FILE.npy or NAME=FILE.pb, got '" +
            text.str() + "'";
    return false;
  }
  if (!options.frozenInputs.try_emplace(name, file.str()).second) {
    error = "--freeze-input gives input '" + name.str() + "' twice";
    return false;
  }
  return true;
}

bool lowbit::onnx_import::parseImportOptions(
    llvm::ArrayRef<std::string> inputShapes,
    llvm::ArrayRef<std::string> frozenInputs, ImportOptions &options,
    std::string &error) {
  for (const std::string &text : inputShapes)
    if (!parseInputShape(text, options, error))
      return false;
  for (const std::string &text : frozenInputs)
    if (!parseFreezeInput(text, options, error))
      return false;
  return true;
}

OwningOpRef<ModuleOp>
lowbit::onnx_import::importModel(llvm::StringRef path,
                                 const ImportOptions &options,
                                 MLIRContext *context) {
  GraphImporter importer(context, path.str(), options);
  return importer.run();
}

OwningOpRef<ModuleOp> lowbit::onnx_import::importModelFromMemory(
    llvm::StringRef bytes, bool isText, llvm::StringRef displayName,
    const ImportOptions &options, MLIRContext *context) {
  GraphImporter importer(context, displayName.str(), options);
  importer.setContents(bytes, isText);
  return importer.run();
}

std::vector<SupportedOp> lowbit::onnx_import::listSupportedOps() {
  std::vector<SupportedOp> ops;
  for (const OpHandler &h : allOpHandlers())
    ops.push_back({h.domain, h.opType, h.sinceVersion, h.notes});
  return ops;
}
