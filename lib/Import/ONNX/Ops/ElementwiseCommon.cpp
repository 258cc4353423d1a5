//===- ElementwiseCommon.cpp - shared by the elementwise op handlers ------===//

#include "ElementwiseCommon.h"
#include "../TensorConversion.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/APFloat.h"

using namespace mlir;
using namespace lowbit::onnx_import;

//===----------------------------------------------------------------------===//
// Element type classes
//===----------------------------------------------------------------------===//

unsigned lowbit::onnx_import::typeClassOf(int dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    return kFloatTypes;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::INT64:
    return kSignedTypes;
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    return kUnsignedTypes;
  case onnx::TensorProto::BOOL:
    return kBoolType;
  default:
    return 0;
  }
}

LogicalResult lowbit::onnx_import::checkInputType(NodeImporter &node, int i,
                                                  unsigned allowed) {
  if (!node.hasInput(i))
    return node.emitError() << "input " << i << " is missing";
  int dataType = node.inputDataType(i);
  if (!(typeClassOf(dataType) & allowed))
    return node.emitError() << "input " << i << " has element type "
                            << getDataTypeName(dataType) << ", which "
                            << node.opType() << " does not accept";
  return success();
}

LogicalResult lowbit::onnx_import::checkSameInputTypes(NodeImporter &node,
                                                       int first, int last) {
  for (int i = first; i <= last; ++i)
    if (!node.hasInput(i))
      return node.emitError() << "input " << i << " is missing";
  for (int i = first + 1; i <= last; ++i)
    if (node.inputDataType(i) != node.inputDataType(first))
      return node.emitError()
             << "inputs " << first << " and " << i
             << " have different element types ("
             << getDataTypeName(node.inputDataType(first)) << " and "
             << getDataTypeName(node.inputDataType(i)) << ")";
  return success();
}

Type lowbit::onnx_import::computeType(Type elementType) {
  if (elementType.isF16() || elementType.isBF16())
    return Float32Type::get(elementType.getContext());
  return elementType;
}

//===----------------------------------------------------------------------===//
// Operands and broadcasting
//===----------------------------------------------------------------------===//

Value Operand::get(NodeImporter &node) const {
  if (value)
    return value;
  return node.input(inputIndex);
}

Operand lowbit::onnx_import::inputOperand(NodeImporter &node, int i) {
  Operand op;
  op.type = node.inputType(i);
  op.constant = node.constantInputDense(i);
  op.dataType = node.inputDataType(i);
  op.isUnsigned = node.inputIsUnsigned(i);
  op.inputIndex = i;
  return op;
}

static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os);
  os << "]";
  return text;
}

FailureOr<std::pair<Operand, Operand>>
lowbit::onnx_import::binaryOperands(NodeImporter &node,
                                    int legacyBroadcastBefore) {
  if (!node.hasInput(0) || !node.hasInput(1))
    return node.emitError() << "expects two inputs";
  Operand lhs = inputOperand(node, 0);
  Operand rhs = inputOperand(node, 1);
  if (node.opset() >= legacyBroadcastBefore)
    return std::make_pair(lhs, rhs);

  // Before opset 7 the second operand broadcasts to the first only when
  // `broadcast` is set: its shape is a contiguous run of the first's,
  // starting at `axis`, or a suffix when `axis` is absent.
  ArrayRef<int64_t> lhsShape = lhs.type.getShape();
  ArrayRef<int64_t> rhsShape = rhs.type.getShape();
  int64_t broadcast = node.attrInt("broadcast", 0);
  if (broadcast == 0) {
    if (lhsShape != rhsShape)
      return node.emitError()
             << "input shapes " << formatShape(lhsShape) << " and "
             << formatShape(rhsShape)
             << " differ and attribute 'broadcast' is not set";
    return std::make_pair(lhs, rhs);
  }
  if (broadcast != 1)
    return node.emitError() << "attribute 'broadcast' must be 0 or 1, not "
                            << broadcast;
  int64_t lhsRank = lhsShape.size(), rhsRank = rhsShape.size();
  if (rhsRank > lhsRank)
    return node.emitError() << "input 1 of shape " << formatShape(rhsShape)
                            << " has more axes than input 0 of shape "
                            << formatShape(lhsShape);
  int64_t axis = lhsRank - rhsRank;
  if (node.hasAttr("axis")) {
    FailureOr<int64_t> given =
        normalizeAxis(node, node.attrInt("axis", 0), std::max<int64_t>(lhsRank, 1));
    if (failed(given))
      return failure();
    if (rhs.type.getNumElements() != 1) {
      if (*given + rhsRank > lhsRank)
        return node.emitError()
               << "input 1 of shape " << formatShape(rhsShape)
               << " does not fit input 0 of shape " << formatShape(lhsShape)
               << " at axis " << *given;
      axis = *given;
    }
  }
  SmallVector<int64_t> shape(lhsRank, 1);
  if (rhs.type.getNumElements() != 1)
    for (int64_t i = 0; i < rhsRank; ++i)
      shape[axis + i] = rhsShape[i];
  for (int64_t i = 0; i < lhsRank; ++i)
    if (shape[i] != 1 && shape[i] != lhsShape[i])
      return node.emitError() << "input 1 of shape " << formatShape(rhsShape)
                              << " cannot be broadcast to input 0 of shape "
                              << formatShape(lhsShape);
  if (ArrayRef<int64_t>(shape) != rhsShape) {
    auto type = RankedTensorType::get(shape, rhs.type.getElementType());
    rhs.value = reshapeTo(node.builder(), node.loc(), node.input(1), shape);
    if (rhs.constant)
      rhs.constant = rhs.constant.reshape(type);
    rhs.type = type;
  }
  return std::make_pair(lhs, rhs);
}

FailureOr<SmallVector<int64_t>>
lowbit::onnx_import::broadcastOperands(NodeImporter &node,
                                       ArrayRef<Operand> operands) {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (const Operand &op : operands)
    shapes.push_back(op.type.getShape());
  return broadcastShapes(node, shapes);
}

SmallVector<Value>
lowbit::onnx_import::equalizeRanks(NodeImporter &node, ArrayRef<Value> values) {
  int64_t rank = 0;
  for (Value v : values)
    rank = std::max(rank, cast<RankedTensorType>(v.getType()).getRank());
  SmallVector<Value> result;
  for (Value v : values)
    result.push_back(expandRank(node.builder(), node.loc(), v, rank));
  return result;
}

//===----------------------------------------------------------------------===//
// Import-time folding
//===----------------------------------------------------------------------===//

/// The elements of a known operand as FoldValues.
static std::vector<FoldValue> readElements(const Operand &op) {
  std::vector<FoldValue> values;
  DenseElementsAttr attr = op.constant;
  values.reserve(attr.getNumElements());
  if (isa<FloatType>(attr.getElementType())) {
    for (const APFloat &v : attr.getValues<APFloat>())
      values.push_back(FoldValue::ofFloat(v.convertToDouble()));
  } else {
    bool isUnsigned = op.isUnsigned || attr.getElementType().isInteger(1);
    for (const APInt &v : attr.getValues<APInt>())
      values.push_back(FoldValue::ofInt(v, isUnsigned));
  }
  return values;
}

DenseElementsAttr lowbit::onnx_import::foldElementwise(
    ArrayRef<Operand> operands, ArrayRef<int64_t> shape,
    Type resultElementType, FoldFn fn) {
  for (const Operand &op : operands)
    if (!op.constant)
      return {};
  auto floatType = dyn_cast<FloatType>(resultElementType);
  int64_t limit = floatType ? kMaxDenseFloatElements : kMaxDenseIntElements;
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d > limit)
      return {};
    count *= d;
    if (count > limit)
      return {};
  }

  // Every operand broadcasts to `shape`, so none has more elements than the
  // result: reading them whole is bounded by the same limit.
  int64_t rank = shape.size();
  std::vector<std::vector<FoldValue>> elements;
  std::vector<SmallVector<int64_t>> strides; // 0 on broadcast axes
  for (const Operand &op : operands) {
    elements.push_back(readElements(op));
    ArrayRef<int64_t> opShape = op.type.getShape();
    SmallVector<int64_t> opStrides(rank, 0);
    int64_t stride = 1;
    for (int64_t i = opShape.size() - 1; i >= 0; --i) {
      int64_t axis = rank - opShape.size() + i;
      opStrides[axis] = opShape[i] == 1 ? 0 : stride;
      stride *= opShape[i];
    }
    strides.push_back(opStrides);
  }

  SmallVector<int64_t> index(rank, 0);
  SmallVector<FoldValue> args(operands.size());
  SmallVector<APFloat> floats;
  SmallVector<APInt> ints;
  SmallVector<bool> bools;
  unsigned width = floatType ? 0 : resultElementType.getIntOrFloatBitWidth();
  for (int64_t n = 0; n < count; ++n) {
    for (size_t k = 0; k < operands.size(); ++k) {
      int64_t offset = 0;
      for (int64_t a = 0; a < rank; ++a)
        offset += index[a] * strides[k][a];
      args[k] = elements[k][offset];
    }
    std::optional<FoldValue> r = fn(args);
    if (!r)
      return {};
    if (floatType) {
      APFloat v(floatType.getFloatSemantics());
      if (r->isFloat) {
        v = APFloat(r->f);
        bool losesInfo;
        v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
      } else {
        v.convertFromAPInt(r->i, /*IsSigned=*/!r->isUnsigned,
                           APFloat::rmNearestTiesToEven);
      }
      floats.push_back(v);
    } else {
      if (r->isFloat)
        return {};
      APInt v = r->isUnsigned ? r->i.zextOrTrunc(width) : r->i.sextOrTrunc(width);
      if (width == 1)
        bools.push_back(!v.isZero());
      else
        ints.push_back(v);
    }
    // Next index, last axis fastest.
    for (int64_t a = rank - 1; a >= 0; --a) {
      if (++index[a] < shape[a])
        break;
      index[a] = 0;
    }
  }
  auto type = RankedTensorType::get(shape, resultElementType);
  if (floatType)
    return DenseElementsAttr::get(type, floats);
  if (width == 1)
    return DenseElementsAttr::get(type, bools);
  return DenseElementsAttr::get(type, ints);
}

//===----------------------------------------------------------------------===//
// The common path
//===----------------------------------------------------------------------===//

LogicalResult lowbit::onnx_import::emitWithBuilder(
    NodeImporter &node, ArrayRef<Operand> operands, Type resultElementType,
    int resultDataType, std::optional<FoldFn> fold, TensorBuildFn build) {
  FailureOr<SmallVector<int64_t>> shape = broadcastOperands(node, operands);
  if (failed(shape))
    return failure();
  // TOSA rejects zero-sized tensors; an empty result needs no computation.
  if (llvm::is_contained(*shape, 0)) {
    auto type = RankedTensorType::get(*shape, resultElementType);
    DenseElementsAttr empty =
        isa<FloatType>(resultElementType)
            ? DenseElementsAttr::get(type, ArrayRef<APFloat>())
        : resultElementType.isInteger(1)
            ? DenseElementsAttr::get(type, ArrayRef<bool>())
            : DenseElementsAttr::get(type, ArrayRef<APInt>());
    return node.setConstantResult(0, cast<ElementsAttr>(empty), resultDataType);
  }
  if (fold)
    if (DenseElementsAttr folded =
            foldElementwise(operands, *shape, resultElementType, *fold))
      return node.setConstantResult(0, cast<ElementsAttr>(folded),
                                    resultDataType);
  SmallVector<Value> values;
  for (const Operand &op : operands)
    values.push_back(op.get(node));
  FailureOr<Value> result = build(values, *shape);
  if (failed(result))
    return failure();
  return node.setResult(0, *result, resultDataType);
}

LogicalResult lowbit::onnx_import::emitElementwise(
    NodeImporter &node, ArrayRef<Operand> operands, Type resultElementType,
    int resultDataType, std::optional<FoldFn> fold, ScalarBodyFn body) {
  return emitWithBuilder(
      node, operands, resultElementType, resultDataType, fold,
      [&](ArrayRef<Value> values, ArrayRef<int64_t> shape) -> FailureOr<Value> {
        return buildElementwise(node.builder(), node.loc(), shape,
                                resultElementType, values, body);
      });
}

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

Value lowbit::onnx_import::scalarConstant(OpBuilder &b, Location loc, Type type,
                                          double value) {
  if (auto floatType = dyn_cast<FloatType>(type)) {
    APFloat v(value);
    bool losesInfo;
    v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &losesInfo);
    return arith::ConstantOp::create(b, loc, FloatAttr::get(type, v));
  }
  unsigned width = type.getIntOrFloatBitWidth();
  APInt v(width, static_cast<uint64_t>(static_cast<int64_t>(value)),
          /*isSigned=*/false, /*implicitTrunc=*/true);
  return arith::ConstantOp::create(b, loc, IntegerAttr::get(type, v));
}

Value lowbit::onnx_import::promote(OpBuilder &b, Location loc, Value v) {
  Type type = computeType(v.getType());
  if (type == v.getType())
    return v;
  return arith::ExtFOp::create(b, loc, type, v);
}

Value lowbit::onnx_import::demote(OpBuilder &b, Location loc, Value v,
                                  Type type) {
  if (v.getType() == type)
    return v;
  return arith::TruncFOp::create(b, loc, type, v);
}
