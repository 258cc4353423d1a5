//===- ShapeFolding.h - import-time shape computations ----------*- C++ -*-===//
//
// Exporters compute shapes at run time (Shape -> Gather -> Concat ->
// Reshape). lowbit's shapes are static, so when the inputs of such an op are
// known at import time its result is computed here, in C++, and bound as a
// constant. Only small results are computed (integer tensors of up to
// kMaxDenseIntElements elements, float tensors of up to
// kMaxDenseFloatElements); splats of any size are cheap and kept too.
//
// Data-movement ops are folded through index maps: for each element of the
// result, the flat index of the source element it copies.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_OPS_SHAPEFOLDING_H
#define LOWBIT_LIB_IMPORT_ONNX_OPS_SHAPEFOLDING_H

#include "../NodeImporter.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace lowbit::onnx_import {

/// Whether a result of `type` is small enough to be computed at import time.
bool isFoldableType(mlir::RankedTensorType type);

/// Input `i` as a dense constant when a result of `resultType` computed
/// from it may be folded (small result, or a splat input when
/// `splatKeepsSplat`: the op only moves elements around); else null.
mlir::DenseElementsAttr foldableInput(NodeImporter &node, int i,
                                      mlir::RankedTensorType resultType,
                                      bool splatKeepsSplat = true);

/// Input `i` when it is known and small enough to read element by element
/// at import time (a splat may stand for a huge tensor); else null.
mlir::DenseElementsAttr smallConstant(NodeImporter &node, int i);

/// Indices known at import time for an axis of `size` elements, negative
/// ones wrapped; fails (at the node) on indices outside [-size, size).
mlir::FailureOr<llvm::SmallVector<int64_t>>
checkedIndices(NodeImporter &node, mlir::DenseElementsAttr indices,
               bool isUnsigned, int64_t size, int64_t axis);

/// Number of elements of a static shape.
int64_t numElements(llvm::ArrayRef<int64_t> shape);
/// Row-major strides of a static shape.
llvm::SmallVector<int64_t> rowMajorStrides(llvm::ArrayRef<int64_t> shape);

/// Calls `fn` with the multi-index of every element of `shape`, in
/// row-major order.
void forEachIndex(llvm::ArrayRef<int64_t> shape,
                  llvm::function_ref<void(llvm::ArrayRef<int64_t>)> fn);

/// The source flat index of each result element, from a function of the
/// result's multi-index.
llvm::SmallVector<int64_t>
mapIndices(llvm::ArrayRef<int64_t> resultShape,
           llvm::function_ref<int64_t(llvm::ArrayRef<int64_t>)> sourceOf);

/// The elements of a dense constant, splats expanded.
llvm::SmallVector<mlir::Attribute> elementsOf(mlir::DenseElementsAttr value);

/// result[k] = source[sources()[k]]. Splat sources stay splats, without
/// computing the index map (which may be as large as the result).
mlir::DenseElementsAttr
moveElements(mlir::DenseElementsAttr source, mlir::RankedTensorType resultType,
             llvm::function_ref<llvm::SmallVector<int64_t>()> sources);

/// The source index map of a transpose of `shape` by `perms`.
llvm::SmallVector<int64_t> transposeIndexMap(llvm::ArrayRef<int64_t> shape,
                                             llvm::ArrayRef<int64_t> perms);

/// Integer elements as int64 (sign- or zero-extended).
llvm::SmallVector<int64_t> intsOf(mlir::DenseElementsAttr value,
                                  bool isUnsigned);

/// A tensor of `shape` with integer element type `elementType` holding
/// `values` (truncated to the element width).
mlir::DenseElementsAttr intTensor(mlir::Type elementType,
                                  llvm::ArrayRef<int64_t> shape,
                                  llvm::ArrayRef<int64_t> values);
/// A 1-D int64 tensor (shapes, as ONNX Shape returns them).
mlir::DenseElementsAttr int64Vector(mlir::MLIRContext *context,
                                    llvm::ArrayRef<int64_t> values);

/// A constant with no elements (any op whose result is empty folds to it).
mlir::DenseElementsAttr emptyTensor(mlir::RankedTensorType type);

/// Binds output `i` to a constant of no elements when `type` has none.
/// Returns true when it did.
bool bindIfEmpty(NodeImporter &node, int i, mlir::RankedTensorType type);

/// "[2, 3, 4]" for diagnostics.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_OPS_SHAPEFOLDING_H
