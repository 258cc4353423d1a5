//===- ConstantTransforms.cpp - rewriting constant weights at import ------===//

#include "ConstantTransforms.h"
#include "TensorConversion.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>
#include <vector>

using namespace mlir;
using namespace lowbit::onnx_import;

ArrayRef<char> lowbit::onnx_import::getRawData(ElementsAttr value) {
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return dense.getRawData();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      return blob->getData();
  return {};
}

/// Builds a constant of `type` from `bytes` (element-size-aligned raw data).
static ElementsAttr makeConstant(RankedTensorType type, std::vector<char> bytes,
                                 StringRef name) {
  int64_t count = type.getNumElements();
  Type element = type.getElementType();
  bool small = element.isInteger() ? count <= kMaxDenseIntElements
                                   : count <= kMaxDenseFloatElements;
  if (small || element.isInteger(1))
    return DenseElementsAttr::getFromRawBuffer(type, bytes);
  size_t align = std::max<size_t>(1, element.getIntOrFloatBitWidth() / 8);
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(bytes.data(), bytes.size()), align);
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

/// Materializes all elements (expanding splats) as raw bytes.
static std::vector<char> allBytes(ElementsAttr value) {
  auto type = cast<RankedTensorType>(value.getType());
  size_t elementBytes = type.getElementType().getIntOrFloatBitWidth() / 8;
  ArrayRef<char> raw = getRawData(value);
  size_t total = type.getNumElements() * elementBytes;
  std::vector<char> bytes(total);
  if (raw.size() == total) {
    std::memcpy(bytes.data(), raw.data(), total);
  } else if (raw.size() == elementBytes) { // splat
    for (size_t i = 0; i < total; i += elementBytes)
      std::memcpy(bytes.data() + i, raw.data(), elementBytes);
  }
  return bytes;
}

ElementsAttr lowbit::onnx_import::transpose2D(ElementsAttr value,
                                              StringRef name) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  size_t size = type.getElementType().getIntOrFloatBitWidth() / 8;
  std::vector<char> in = allBytes(value);
  std::vector<char> out(in.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      std::memcpy(out.data() + (c * rows + r) * size,
                  in.data() + (r * cols + c) * size, size);
  auto resultType =
      RankedTensorType::get({cols, rows}, type.getElementType());
  return makeConstant(resultType, std::move(out), name);
}

ElementsAttr lowbit::onnx_import::scaleFloat(ElementsAttr value, double factor,
                                             StringRef name) {
  auto type = cast<RankedTensorType>(value.getType());
  auto floatType = cast<FloatType>(type.getElementType());
  std::vector<char> bytes = allBytes(value);
  size_t size = floatType.getWidth() / 8;
  for (size_t i = 0; i < bytes.size(); i += size) {
    APInt bits(floatType.getWidth(), 0);
    std::memcpy(const_cast<uint64_t *>(bits.getRawData()), bytes.data() + i,
                size);
    APFloat v(floatType.getFloatSemantics(), bits);
    bool lost;
    APFloat f(factor);
    f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &lost);
    v.multiply(f, APFloat::rmNearestTiesToEven);
    APInt out = v.bitcastToAPInt();
    std::memcpy(bytes.data() + i, out.getRawData(), size);
  }
  return makeConstant(type, std::move(bytes), name);
}

ElementsAttr lowbit::onnx_import::reshapeConstant(ElementsAttr value,
                                                  ArrayRef<int64_t> shape,
                                                  StringRef name) {
  auto type = cast<RankedTensorType>(value.getType());
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return dense.reshape(resultType);
  return makeConstant(resultType, allBytes(value), name);
}
