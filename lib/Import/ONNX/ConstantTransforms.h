//===- ConstantTransforms.h - rewriting constant weights at import -*- C++ -*-===//
//
// Weights that an exporter stored in another layout (MatMul's [K, N], Gemm
// with alpha) are rewritten once at import into lowbit's layout, so that
// every later pass sees `lowbit.linear` weights as [N, K].
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_CONSTANTTRANSFORMS_H
#define LOWBIT_LIB_IMPORT_ONNX_CONSTANTTRANSFORMS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringRef.h"

namespace lowbit::onnx_import {

/// The raw bytes of a dense or dense_resource constant (not splat-expanded:
/// a splat DenseElementsAttr yields one element).
llvm::ArrayRef<char> getRawData(mlir::ElementsAttr value);

/// Transposes a 2-D constant ([R, C] -> [C, R]); the result is a blob of the
/// same kind (dense for small, dense_resource for large).
mlir::ElementsAttr transpose2D(mlir::ElementsAttr value, llvm::StringRef name);

/// Multiplies a float constant by `factor` (Gemm's alpha and beta).
mlir::ElementsAttr scaleFloat(mlir::ElementsAttr value, double factor,
                              llvm::StringRef name);

/// Reinterprets a constant with a new shape of the same element count.
mlir::ElementsAttr reshapeConstant(mlir::ElementsAttr value,
                                   llvm::ArrayRef<int64_t> shape,
                                   llvm::StringRef name);

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_CONSTANTTRANSFORMS_H
