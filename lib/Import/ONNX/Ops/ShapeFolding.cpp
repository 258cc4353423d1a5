//===- ShapeFolding.cpp - import-time evaluation of shape computations ----===//

#include "ShapeFolding.h"

#include "../TensorConversion.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace lowbit::onnx_import;

bool lowbit::onnx_import::isFoldableType(RankedTensorType type) {
  if (!type.hasStaticShape())
    return false;
  int64_t count = type.getNumElements();
  Type element = type.getElementType();
  if (element.isIntOrIndex())
    return count <= kMaxDenseIntElements;
  return count <= kMaxDenseFloatElements;
}

DenseElementsAttr
lowbit::onnx_import::foldableInput(NodeImporter &node, int i,
                                   RankedTensorType resultType,
                                   bool splatKeepsSplat) {
  DenseElementsAttr value = node.constantInputDense(i);
  if (!value)
    return {};
  if (isFoldableType(resultType) || (splatKeepsSplat && value.isSplat()))
    return value;
  return {};
}

DenseElementsAttr lowbit::onnx_import::smallConstant(NodeImporter &node,
                                                     int i) {
  DenseElementsAttr value = node.constantInputDense(i);
  if (value && value.getNumElements() <= kMaxDenseIntElements)
    return value;
  return {};
}

FailureOr<SmallVector<int64_t>>
lowbit::onnx_import::checkedIndices(NodeImporter &node,
                                    DenseElementsAttr indices, bool isUnsigned,
                                    int64_t size, int64_t axis) {
  SmallVector<int64_t> result = intsOf(indices, isUnsigned);
  for (int64_t &i : result) {
    if (i < -size || i >= size)
      return node.emitError() << "index " << i << " is out of range for axis "
                              << axis << " of size " << size;
    if (i < 0)
      i += size;
  }
  return result;
}

int64_t lowbit::onnx_import::numElements(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

SmallVector<int64_t>
lowbit::onnx_import::rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

void lowbit::onnx_import::forEachIndex(
    ArrayRef<int64_t> shape, function_ref<void(ArrayRef<int64_t>)> fn) {
  if (numElements(shape) == 0)
    return;
  SmallVector<int64_t> index(shape.size(), 0);
  while (true) {
    fn(index);
    int64_t axis = static_cast<int64_t>(shape.size()) - 1;
    for (; axis >= 0; --axis) {
      if (++index[axis] < shape[axis])
        break;
      index[axis] = 0;
    }
    if (axis < 0)
      return;
  }
}

SmallVector<int64_t> lowbit::onnx_import::mapIndices(
    ArrayRef<int64_t> resultShape,
    function_ref<int64_t(ArrayRef<int64_t>)> sourceOf) {
  SmallVector<int64_t> result;
  result.reserve(numElements(resultShape));
  forEachIndex(resultShape, [&](ArrayRef<int64_t> index) {
    result.push_back(sourceOf(index));
  });
  return result;
}

SmallVector<Attribute>
lowbit::onnx_import::elementsOf(DenseElementsAttr value) {
  return SmallVector<Attribute>(value.getValues<Attribute>());
}

DenseElementsAttr lowbit::onnx_import::moveElements(
    DenseElementsAttr source, RankedTensorType resultType,
    function_ref<SmallVector<int64_t>()> sources) {
  if (resultType.getNumElements() == 0)
    return emptyTensor(resultType);
  if (source.isSplat())
    return DenseElementsAttr::get(resultType,
                                  source.getSplatValue<Attribute>());
  SmallVector<Attribute> elements = elementsOf(source);
  SmallVector<Attribute> result;
  for (int64_t i : sources())
    result.push_back(elements[i]);
  return DenseElementsAttr::get(resultType, result);
}

SmallVector<int64_t>
lowbit::onnx_import::transposeIndexMap(ArrayRef<int64_t> shape,
                                       ArrayRef<int64_t> perms) {
  SmallVector<int64_t> strides = rowMajorStrides(shape);
  SmallVector<int64_t> resultShape;
  for (int64_t p : perms)
    resultShape.push_back(shape[p]);
  return mapIndices(resultShape, [&](ArrayRef<int64_t> index) {
    int64_t flat = 0;
    for (auto [axis, p] : llvm::enumerate(perms))
      flat += index[axis] * strides[p];
    return flat;
  });
}

SmallVector<int64_t> lowbit::onnx_import::intsOf(DenseElementsAttr value,
                                                 bool isUnsigned) {
  SmallVector<int64_t> result;
  result.reserve(value.getNumElements());
  for (const APInt &v : value.getValues<APInt>())
    result.push_back(isUnsigned ? static_cast<int64_t>(v.getZExtValue())
                                : v.getSExtValue());
  return result;
}

DenseElementsAttr lowbit::onnx_import::intTensor(Type elementType,
                                                 ArrayRef<int64_t> shape,
                                                 ArrayRef<int64_t> values) {
  unsigned width = elementType.getIntOrFloatBitWidth();
  SmallVector<APInt> bits;
  bits.reserve(values.size());
  for (int64_t v : values)
    bits.push_back(
        APInt(64, static_cast<uint64_t>(v), /*isSigned=*/true).trunc(width));
  return DenseElementsAttr::get(RankedTensorType::get(shape, elementType),
                                bits);
}

DenseElementsAttr lowbit::onnx_import::int64Vector(MLIRContext *context,
                                                   ArrayRef<int64_t> values) {
  return intTensor(IntegerType::get(context, 64),
                   {static_cast<int64_t>(values.size())}, values);
}

DenseElementsAttr lowbit::onnx_import::emptyTensor(RankedTensorType type) {
  return DenseElementsAttr::get(type, ArrayRef<Attribute>{});
}

bool lowbit::onnx_import::bindIfEmpty(NodeImporter &node, int i,
                                      RankedTensorType type) {
  if (type.getNumElements() != 0)
    return false;
  (void)node.setConstantResult(i, emptyTensor(type));
  return true;
}

std::string lowbit::onnx_import::formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(shape, os);
  os << "]";
  return text;
}
