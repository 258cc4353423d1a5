//===- GraphImporter.h - an ONNX graph into one func.func -------*- C++ -*-===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_GRAPHIMPORTER_H
#define LOWBIT_LIB_IMPORT_ONNX_GRAPHIMPORTER_H

#include "NodeImporter.h"
#include "TensorConversion.h"
#include "lowbit/Import/ONNX/Importer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"

#include <map>
#include <memory>
#include <string>

namespace lowbit::onnx_import {

/// Opset version per domain ("" for the default domain).
using OpsetMap = std::map<std::string, int>;

class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext *context, std::string path,
                const ImportOptions &options);

  /// Import from memory instead of reading `path` (which then only names the
  /// model in messages); external data is refused.
  void setContents(llvm::StringRef bytes, bool isText) {
    contents = bytes.str();
    contentsAreText = isText;
    fromMemory = true;
  }

  /// Loads, checks and imports the model; null after diagnostics on error.
  mlir::OwningOpRef<mlir::ModuleOp> run();

  //===--- For NodeImporter and op handlers -------------------------------===//
  /// The tensor bound to `name`, or null when undefined. Constants may have
  /// no SSA value yet; materialize() creates it.
  const TensorEntry *lookup(llvm::StringRef name);
  /// The SSA value of `name`, creating the constant op on first use.
  mlir::Value materialize(llvm::StringRef name);
  void bind(llvm::StringRef name, TensorEntry entry);
  /// Converts a TensorProto of this model (initializer or attribute).
  mlir::FailureOr<mlir::ElementsAttr>
  convertTensor(const onnx::TensorProto &tensor, llvm::StringRef nameHint,
                const ErrorFn &emitError);
  /// Names of the graph inputs (function arguments) that `value` is computed
  /// from, in order of first discovery; empty for values known at import.
  llvm::SmallVector<std::string> graphInputsBehind(mlir::Value value);
  /// The prefix of every error about `node`: "FILE: node 'NAME' (OP)".
  std::string describeNode(const onnx::NodeProto &node) const;
  const std::string &fileName() const { return path; }
  mlir::MLIRContext *getContext() const { return context; }

private:
  mlir::LogicalResult checkOpsets();
  mlir::LogicalResult declareInitializers();
  /// --freeze-input values as initializers (FrozenInputs.cpp).
  mlir::LogicalResult freezeInputs();
  mlir::FailureOr<mlir::func::FuncOp> createFunction(mlir::OpBuilder &builder);
  mlir::LogicalResult
  importNodes(const google::protobuf::RepeatedPtrField<onnx::NodeProto> &nodes,
              const OpsetMap &opsets, mlir::OpBuilder &builder, int depth);
  mlir::LogicalResult importNode(const onnx::NodeProto &node,
                                 const OpsetMap &opsets,
                                 mlir::OpBuilder &builder, int depth);
  /// A call of a model-local function, its body inlined
  /// (FunctionInlining.cpp).
  mlir::LogicalResult inlineFunction(const onnx::NodeProto &node,
                                     const onnx::FunctionProto &function,
                                     const OpsetMap &callerOpsets,
                                     mlir::OpBuilder &builder, int depth);
  mlir::LogicalResult createReturn(mlir::func::FuncOp func,
                                   mlir::OpBuilder &builder);
  mlir::InFlightDiagnostic emitModelError();
  mlir::Location nodeLocation(const onnx::NodeProto &node,
                              llvm::StringRef prefix = "");

  mlir::MLIRContext *context;
  std::string path;
  std::string displayName;
  const ImportOptions &options;
  std::shared_ptr<onnx::ModelProto> model;
  std::unique_ptr<TensorConverter> converter;
  OpsetMap modelOpsets;
  llvm::StringMap<TensorEntry> tensors;
  /// Initializers not yet turned into IR (converted on first use).
  llvm::StringMap<const onnx::TensorProto *> pendingInitializers;
  mlir::Block *entryBlock = nullptr;
  mlir::Operation *lastConstant = nullptr;
  unsigned inlineCounter = 0;
  /// Function bodies may call functions; stop runaway recursion.
  static constexpr int kMaxInlineDepth = 16;
  std::string contents;
  bool contentsAreText = false;
  bool fromMemory = false;
};

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_GRAPHIMPORTER_H
