//===- ShapeFamily.h - the shape and data-movement handlers -----*- C++ -*-===//
//
// The family is split by kind of op; registerShapeOps (ShapeOps.cpp) adds
// the rows of every part.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_OPS_SHAPEFAMILY_H
#define LOWBIT_LIB_IMPORT_ONNX_OPS_SHAPEFAMILY_H

#include "../OpRegistry.h"

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <vector>

namespace lowbit::onnx_import {

class NodeImporter;

/// Transpose, Concat, Split, Slice, Tile, Pad, DepthToSpace, SpaceToDepth.
void registerLayoutOps(std::vector<OpHandler> &table);
/// Pad (called from registerLayoutOps).
void registerPadOps(std::vector<OpHandler> &table);
/// Gather, GatherElements, GatherND, NonZero, Compress.
void registerIndexingOps(std::vector<OpHandler> &table);
/// Scatter, ScatterElements, ScatterND (called from registerIndexingOps).
void registerScatterOps(std::vector<OpHandler> &table);
/// ConstantOfShape, Range, EyeLike, Trilu, OneHot, CumSum.
void registerGeneratorOps(std::vector<OpHandler> &table);

/// Fails unless inputs 0 to count - 1 are present.
mlir::LogicalResult requireInputs(NodeImporter &node, int count);
/// Fails unless input `i` holds integers (not bool): indices.
mlir::LogicalResult requireIntegerIndices(NodeImporter &node, int i);

/// Fails unless every dimension is >= 0 and the element count stays within
/// what lowbit accepts; `what` names the tensor in the message.
mlir::LogicalResult checkResultShape(NodeImporter &node,
                                     llvm::ArrayRef<int64_t> shape,
                                     llvm::StringRef what = "the result");

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_OPS_SHAPEFAMILY_H
