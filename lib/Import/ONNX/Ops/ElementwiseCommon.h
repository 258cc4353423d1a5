//===- ElementwiseCommon.h - shared by the elementwise op handlers -*- C++ -*-===//
//
// The elementwise family (arithmetic, math, logical, cast, activations) is
// split over several files by op kind; this header holds what they share:
// operand and type checks, ONNX broadcasting (numpy, and the legacy
// `broadcast`/`axis` attributes before opset 7), import-time folding of
// known operands, and small scalar-building helpers for linalg bodies.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_OPS_ELEMENTWISECOMMON_H
#define LOWBIT_LIB_IMPORT_ONNX_OPS_ELEMENTWISECOMMON_H

#include "../IRBuilders.h"
#include "../OpRegistry.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/APInt.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <vector>

namespace lowbit::onnx_import {

//===----------------------------------------------------------------------===//
// Element type classes
//===----------------------------------------------------------------------===//

/// Which element types an op accepts; ONNX signedness is taken from the
/// operand's ONNX data type since MLIR integers are signless.
enum TypeClass : unsigned {
  kFloatTypes = 1,
  kSignedTypes = 2,
  kUnsignedTypes = 4,
  kBoolType = 8,
  kIntTypes = kSignedTypes | kUnsignedTypes,
  kNumericTypes = kFloatTypes | kIntTypes,
  kFloatOrSigned = kFloatTypes | kSignedTypes,
  kAnyTypes = kNumericTypes | kBoolType,
};

/// The class of an ONNX data type (0 for types lowbit does not represent).
unsigned typeClassOf(int dataType);

/// Fails with "input N has element type T, which OP does not accept" unless
/// input `i`'s type is in `allowed`. A missing input fails too.
mlir::LogicalResult checkInputType(NodeImporter &node, int i,
                                   unsigned allowed);

/// Fails unless inputs `first..last` exist and share one ONNX element type.
mlir::LogicalResult checkSameInputTypes(NodeImporter &node, int first,
                                        int last);

/// f16/bf16 bodies compute in f32 (as numpy and onnxruntime do for these
/// types); other types compute in themselves.
mlir::Type computeType(mlir::Type elementType);

//===----------------------------------------------------------------------===//
// Operands and broadcasting
//===----------------------------------------------------------------------===//

/// An operand of an elementwise op: its value (created on first use for
/// constants), type, known value, and ONNX signedness.
struct Operand {
  mlir::RankedTensorType type;
  mlir::DenseElementsAttr constant;
  int dataType = 0;
  bool isUnsigned = false;

  /// The SSA value, materialized when first asked for.
  mlir::Value get(NodeImporter &node) const;

  // Either an input of the node or an already built value.
  int inputIndex = -1;
  mlir::Value value;
};

/// Input `i` as an operand.
Operand inputOperand(NodeImporter &node, int i);

/// Operands 0 and 1 of a binary op, with the second reshaped for the
/// legacy broadcasting of opsets before 7 (`broadcast` and `axis`
/// attributes); from opset 7 the inputs are returned unchanged and
/// broadcast numpy-style.
mlir::FailureOr<std::pair<Operand, Operand>>
binaryOperands(NodeImporter &node, int legacyBroadcastBefore = 7);

/// The numpy broadcast of the operands' shapes.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastOperands(NodeImporter &node, llvm::ArrayRef<Operand> operands);

/// Reshapes every value to the largest rank among them (TOSA wants equal
/// ranks; size-1 axes then broadcast).
llvm::SmallVector<mlir::Value> equalizeRanks(NodeImporter &node,
                                             llvm::ArrayRef<mlir::Value> values);

//===----------------------------------------------------------------------===//
// Import-time folding
//===----------------------------------------------------------------------===//

/// One element during folding. Integers (and bool, width 1) are APInts of
/// their type's width with the ONNX signedness; floats are doubles, which
/// hold every lowbit float type exactly, so that the basic operations
/// rounded once to the result type are correctly rounded.
struct FoldValue {
  llvm::APInt i;
  double f = 0;
  bool isFloat = false;
  bool isUnsigned = false;

  static FoldValue ofFloat(double v) {
    FoldValue r;
    r.f = v;
    r.isFloat = true;
    return r;
  }
  static FoldValue ofInt(llvm::APInt v, bool isUnsigned) {
    FoldValue r;
    r.i = std::move(v);
    r.isUnsigned = isUnsigned;
    return r;
  }
  static FoldValue ofBool(bool v) { return ofInt(llvm::APInt(1, v), true); }
  bool isTrue() const { return isFloat ? f != 0 : !i.isZero(); }
};

/// Computes one result element from the operands' elements; nullopt when
/// the value must be left to run time (integer division by zero, a float
/// out of an integer type's range).
using FoldFn = llvm::function_ref<std::optional<FoldValue>(
    llvm::ArrayRef<FoldValue>)>;

/// The result of an elementwise op whose operands are all known, or null
/// when one is not, when the result is larger than the importer keeps as
/// dense constants, or when `fn` declines an element. Integer results of
/// `fn` stored into a float type are converted exactly (by signedness);
/// double results are rounded to the nearest value of the result type.
mlir::DenseElementsAttr foldElementwise(llvm::ArrayRef<Operand> operands,
                                        llvm::ArrayRef<int64_t> shape,
                                        mlir::Type resultElementType,
                                        FoldFn fn);

//===----------------------------------------------------------------------===//
// The common path: fold, or build a linalg.generic
//===----------------------------------------------------------------------===//

/// Binds output 0 to `fold` applied to known operands when possible, else to
/// a linalg.generic computing `body` per element (numpy broadcasting).
/// Ops without `fold` (std::nullopt) always emit IR. An empty result is a
/// constant either way.
mlir::LogicalResult
emitElementwise(NodeImporter &node, llvm::ArrayRef<Operand> operands,
                mlir::Type resultElementType, int resultDataType,
                std::optional<FoldFn> fold, ScalarBodyFn body);

/// As emitElementwise, but the IR comes from `build`, given the operands'
/// values and the broadcast shape (TOSA ops).
using TensorBuildFn = llvm::function_ref<mlir::FailureOr<mlir::Value>(
    llvm::ArrayRef<mlir::Value>, llvm::ArrayRef<int64_t>)>;
mlir::LogicalResult emitWithBuilder(NodeImporter &node,
                                    llvm::ArrayRef<Operand> operands,
                                    mlir::Type resultElementType,
                                    int resultDataType,
                                    std::optional<FoldFn> fold,
                                    TensorBuildFn build);

//===----------------------------------------------------------------------===//
// Scalar helpers for linalg bodies
//===----------------------------------------------------------------------===//

/// A scalar arith.constant of `type`: floats rounded to nearest, integers
/// truncated toward zero and wrapped to the type's width.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);
/// Extends f16/bf16 to f32 (computeType); other values pass through.
mlir::Value promote(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);
/// Truncates a value computed in computeType back to `type`.
mlir::Value demote(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                   mlir::Type type);

//===----------------------------------------------------------------------===//
// Registration, one function per file
//===----------------------------------------------------------------------===//

void registerArithmeticOps(std::vector<OpHandler> &table);
void registerMathOps(std::vector<OpHandler> &table);
void registerLogicalOps(std::vector<OpHandler> &table);
void registerCastOps(std::vector<OpHandler> &table);
void registerActivationOps(std::vector<OpHandler> &table);

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_OPS_ELEMENTWISECOMMON_H
