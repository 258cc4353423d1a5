//===- ShapeUtils.h - shape checks shared by lowbit verifiers ---*- C++ -*-===//

#ifndef LOWBIT_LIB_DIALECT_LOWBIT_SHAPEUTILS_H
#define LOWBIT_LIB_DIALECT_LOWBIT_SHAPEUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include <string>

namespace lowbit::detail {

/// "[2, ?, 4]" for a shape with one dynamic dimension.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Dimensions agree when equal or when either is dynamic.
bool dimsCompatible(int64_t a, int64_t b);
bool shapesCompatible(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

} // namespace lowbit::detail

#endif // LOWBIT_LIB_DIALECT_LOWBIT_SHAPEUTILS_H
