//===- TensorConversion.h - ONNX tensors and types to MLIR ------*- C++ -*-===//

#ifndef LOWBIT_LIB_IMPORT_ONNX_TENSORCONVERSION_H
#define LOWBIT_LIB_IMPORT_ONNX_TENSORCONVERSION_H

#include "onnx/onnx_pb.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"

#include <functional>
#include <memory>
#include <string>

namespace lowbit::onnx_import {

/// MLIR element type of an ONNX data type (signless integers, i1 for bool);
/// null for types lowbit does not handle (string, complex, 4-bit, fp8).
mlir::Type getElementType(mlir::MLIRContext *context, int dataType);
/// numpy-style name of an ONNX data type ("float32", "uint8", ...).
const char *getDataTypeName(int dataType);
/// ONNX data type of an MLIR element type; integers are taken as signed.
int getDataTypeOf(mlir::Type elementType, bool isUnsigned = false);
bool isUnsignedDataType(int dataType);
/// Size in bytes of one element (0 for unsupported types).
int64_t getDataTypeSize(int dataType);

/// Largest number of elements of a tensor lowbit accepts (2^40): dims above
/// that are taken to be a corrupt header, never allocated.
constexpr int64_t kMaxElements = int64_t(1) << 40;

/// Small tensors become DenseElementsAttr (readable in IR, foldable);
/// larger ones dense_resource blobs. Integer tensors up to this many
/// elements stay dense so shape computations can be folded.
constexpr int64_t kMaxDenseIntElements = 4096;
constexpr int64_t kMaxDenseFloatElements = 16;

using ErrorFn = std::function<mlir::InFlightDiagnostic()>;

/// Converts TensorProtos of one model: raw data is referenced in place (the
/// model is kept alive by the blobs that point into it), external data is
/// memory-mapped from files inside the model's directory only.
class TensorConverter {
public:
  TensorConverter(mlir::MLIRContext *context,
                  std::shared_ptr<const onnx::ModelProto> model,
                  std::string modelDirectory);

  /// The tensor as an ElementsAttr of its own type. `emitError` reports
  /// problems (bad dims, data length, unsupported type, external-data path).
  mlir::FailureOr<mlir::ElementsAttr> convert(const onnx::TensorProto &tensor,
                                              llvm::StringRef nameHint,
                                              const ErrorFn &emitError);

private:
  mlir::FailureOr<std::shared_ptr<llvm::MemoryBuffer>>
  mapExternalData(const onnx::TensorProto &tensor, int64_t expectedBytes,
                  const ErrorFn &emitError);

  mlir::MLIRContext *context;
  std::shared_ptr<const onnx::ModelProto> model;
  std::string modelDirectory;
  std::string realModelDirectory;
};

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_IMPORT_ONNX_TENSORCONVERSION_H
