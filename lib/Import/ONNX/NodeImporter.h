//===- NodeImporter.h - what an op handler sees of its node -----*- C++ -*-===//
//
// Op handlers are small functions `LogicalResult(NodeImporter &)`, one per
// (domain, op type, since-version), registered in a table (OpRegistry.h).
// A handler reads its inputs and attributes through this class, builds IR
// with `builder()` at `loc()`, and sets every output with setResult().
//
// Errors: handlers return `emitError() << ...` (or fail(...)); the message is
// prefixed with the file, node name and op type. Attribute getters check the
// attribute's type; a mismatch is reported once and makes the node fail even
// if the handler goes on, so handlers need not check each getter.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_NODEIMPORTER_H
#define LOWBIT_LIB_IMPORT_ONNX_NODEIMPORTER_H

#include "onnx/onnx_pb.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace lowbit::onnx_import {

class GraphImporter;

/// A tensor of the graph as the importer knows it: its SSA value, its ONNX
/// element type (which keeps the signedness MLIR's signless integers lose),
/// and its value when known at import time (initializers, Constant nodes,
/// shape computations folded at import).
struct TensorEntry {
  /// Null for constants not yet used as SSA values: a weight that is only
  /// read at import time (and rewritten, e.g. transposed) never appears in IR.
  mlir::Value value;
  int dataType = 0; // onnx::TensorProto::DataType
  mlir::ElementsAttr constant;

  mlir::RankedTensorType getType() const {
    return mlir::cast<mlir::RankedTensorType>(value ? value.getType()
                                                    : constant.getType());
  }
};

class NodeImporter {
public:
  NodeImporter(GraphImporter &graph, const onnx::NodeProto &node, int opset,
               mlir::OpBuilder &builder, mlir::Location loc);

  const onnx::NodeProto &node() const { return nodeProto; }
  llvm::StringRef opType() const { return nodeProto.op_type(); }
  /// Opset version of the node's domain in the model (or enclosing function).
  int opset() const { return opsetVersion; }
  mlir::OpBuilder &builder() { return opBuilder; }
  mlir::Location loc() const { return location; }
  mlir::MLIRContext *context() const { return opBuilder.getContext(); }

  //===--- Inputs ---------------------------------------------------------===//
  int numInputs() const { return nodeProto.input_size(); }
  /// Present and not the empty name (ONNX's "optional input omitted").
  bool hasInput(int i) const;
  /// The input's value; null when absent.
  mlir::Value input(int i) const;
  mlir::RankedTensorType inputType(int i) const;
  /// ONNX element type of input i (onnx::TensorProto::DataType), 0 if absent.
  int inputDataType(int i) const;
  bool inputIsUnsigned(int i) const;
  /// The input's value when known at import time, else null. Includes
  /// weights (dense_resource); use constantInputDense for small tensors.
  mlir::ElementsAttr constantInput(int i) const;
  /// As constantInput, but only when the data is a DenseElementsAttr (small
  /// tensors: shapes, axes, scalars), which handlers can read element-wise.
  mlir::DenseElementsAttr constantInputDense(int i) const;
  /// Integer values of a constant input (shape, axes, pads, ...). Fails with
  /// "input N (WHAT) must be a constant" when the value is not known.
  mlir::FailureOr<llvm::SmallVector<int64_t>> constantInts(int i,
                                                          llvm::StringRef what);
  /// The end of a "must be known at import time" message for input i: names
  /// the graph inputs it comes from and suggests --freeze-input, or suggests
  /// --input-shape when it is computed from shapes alone.
  std::string knownAtImportHint(int i);
  /// Float values of a constant input.
  mlir::FailureOr<llvm::SmallVector<double>>
  constantFloats(int i, llvm::StringRef what);

  //===--- Attributes -----------------------------------------------------===//
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  bool hasAttr(llvm::StringRef name) const { return attr(name) != nullptr; }
  int64_t attrInt(llvm::StringRef name, int64_t defaultValue);
  float attrFloat(llvm::StringRef name, float defaultValue);
  std::string attrString(llvm::StringRef name, llvm::StringRef defaultValue);
  llvm::SmallVector<int64_t> attrInts(llvm::StringRef name,
                                      llvm::ArrayRef<int64_t> defaultValue = {});
  llvm::SmallVector<float> attrFloats(llvm::StringRef name,
                                      llvm::ArrayRef<float> defaultValue = {});
  /// A tensor-valued attribute converted to an ElementsAttr; null if absent.
  mlir::ElementsAttr attrTensor(llvm::StringRef name);
  /// ONNX element type of a tensor-valued attribute (0 when absent).
  int attrTensorDataType(llvm::StringRef name) const;

  //===--- Results --------------------------------------------------------===//
  int numOutputs() const { return nodeProto.output_size(); }
  bool hasOutput(int i) const;
  /// Binds output i. `dataType` is the ONNX element type; by default it is
  /// derived from the MLIR type (signed for integers) or, for integers of
  /// the same width, from input 0.
  mlir::LogicalResult setResult(int i, mlir::Value value, int dataType = 0);
  /// Binds output i to input j unchanged (same value, type and known
  /// constant): Identity and its relatives.
  mlir::LogicalResult forwardInput(int output, int input);
  /// Binds output i to a constant known at import time (emits arith.constant
  /// and records the value for later folding).
  mlir::LogicalResult setConstantResult(int i, mlir::ElementsAttr value,
                                        int dataType = 0);

  //===--- Errors ---------------------------------------------------------===//
  /// An error at this node: "FILE: node 'NAME' (OP): " followed by the text.
  mlir::InFlightDiagnostic emitError();
  mlir::LogicalResult fail(const llvm::Twine &message);
  /// Whether an attribute getter already reported an error.
  bool hasFailed() const { return failedAttribute; }

  /// The MLIR element type for an ONNX data type; null (and an error) when
  /// lowbit cannot represent it.
  mlir::Type elementType(int dataType);

  GraphImporter &graph() { return graphImporter; }

private:
  const TensorEntry *inputEntry(int i) const;
  const onnx::AttributeProto *typedAttr(llvm::StringRef name, int type);

  GraphImporter &graphImporter;
  const onnx::NodeProto &nodeProto;
  int opsetVersion;
  mlir::OpBuilder &opBuilder;
  mlir::Location location;
  bool failedAttribute = false;
};

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_NODEIMPORTER_H
