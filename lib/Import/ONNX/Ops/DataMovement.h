//===- DataMovement.h - IR for slicing, joining and gathering ---*- C++ -*-===//
//
// Builders shared by the shape, layout and indexing handlers. They emit TOSA
// where TOSA has the op (slice, reverse, concat, tile, gather) and
// tensor/linalg otherwise (strided slices, gathers with run-time indices).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_OPS_DATAMOVEMENT_H
#define LOWBIT_LIB_IMPORT_ONNX_OPS_DATAMOVEMENT_H

#include "../NodeImporter.h"

#include "mlir/IR/Builders.h"

namespace lowbit::onnx_import {

/// tosa.slice of `sizes` elements from `offsets` (the value itself when
/// that is everything).
mlir::Value sliceTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, llvm::ArrayRef<int64_t> offsets,
                        llvm::ArrayRef<int64_t> sizes);

/// Elements offsets + k * strides (strides >= 1): tosa.slice when every
/// stride is 1, else tensor.extract_slice.
mlir::Value stridedSlice(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value value, llvm::ArrayRef<int64_t> offsets,
                         llvm::ArrayRef<int64_t> sizes,
                         llvm::ArrayRef<int64_t> strides);

/// tosa.reverse along `axis` (the value itself when the axis has <= 1
/// element).
mlir::Value reverseAxis(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, int64_t axis);

/// tosa.concat along `axis`, leaving out empty pieces. At least one piece
/// must be non-empty.
mlir::Value concatAxis(mlir::OpBuilder &b, mlir::Location loc,
                       llvm::ArrayRef<mlir::Value> pieces, int64_t axis);

/// tosa.tile by `multiples` (the value itself when all are 1).
mlir::Value tileTensor(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value value, llvm::ArrayRef<int64_t> multiples);

/// Broadcasts `value` to `shape` (numpy rules; the shapes must be
/// compatible): rank expansion and tosa.tile.
mlir::Value broadcastTo(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, llvm::ArrayRef<int64_t> shape);

/// Selects elements `indices` (in range, known at import time) along `axis`:
/// the result has indices.size() elements on that axis. Runs of consecutive,
/// reversed or repeated indices become slices (Pad's reflect/edge/wrap,
/// Slice with negative steps); other lists a gather.
mlir::Value gatherAxisConstant(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value value, int64_t axis,
                               llvm::ArrayRef<int64_t> indices);

/// numpy take along `axis` with a tensor of indices: the result shape is
/// data[:axis] + indices + data[axis+1:]. `normalize` adds the axis size to
/// negative indices; out-of-range indices are clamped (ONNX leaves them
/// undefined; clamping keeps the generated code memory-safe).
mlir::Value gatherAxis(mlir::OpBuilder &b, mlir::Location loc, mlir::Value data,
                       int64_t axis, mlir::Value indices, bool normalize);

/// An index (any integer type, scalar) as `index`, with `size` added when
/// negative and clamped to [0, size - 1]: safe to use as a coordinate.
mlir::Value normalizedIndex(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value index, int64_t size, bool isUnsigned);

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_OPS_DATAMOVEMENT_H
