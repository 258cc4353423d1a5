//===- QuantizeOps.cpp - QuantizeLinear, DequantizeLinear, integer products ===//
//
// ONNX's linear quantization, y = saturate(round_half_even(x / scale) + zp)
// and x = (q - zp) * scale, per tensor (scalar scale) or per axis (1-D scale
// along `axis`), as linalg.generic bodies. MatMulInteger and QLinearMatMul
// subtract the zero points in int32 and multiply in int32 (exact); the
// requantization of QLinearMatMul scales the int32 product by
// a_scale * b_scale / y_scale in float32, as ONNX's reference does.
// Blocked quantization (opset 21 block_size) and float8/4-bit types are
// rejected.
//
//===----------------------------------------------------------------------===//

#include "ElementwiseCommon.h"
#include "NNBuilders.h"
#include "../TensorConversion.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// The float type the quantization arithmetic runs in for `x`'s type.
Type quantComputeType(Type element) {
  return element.isF64() ? element : Float32Type::get(element.getContext());
}

bool isQuantIntType(int dataType) {
  return dataType == onnx::TensorProto::INT8 ||
         dataType == onnx::TensorProto::UINT8 ||
         dataType == onnx::TensorProto::INT16 ||
         dataType == onnx::TensorProto::UINT16;
}

/// The scale or zero point `v` (input `i`) shaped to broadcast against a
/// tensor of `shape`: per tensor (one element) or per axis (1-D of the size
/// of `axis`).
FailureOr<Value> broadcastQuantParam(NodeImporter &node, int i,
                                     ArrayRef<int64_t> shape, int64_t axis,
                                     StringRef what) {
  Value v = node.input(i);
  auto type = node.inputType(i);
  int64_t rank = shape.size();
  if (type.getNumElements() == 1 && type.getRank() <= 1)
    return reshapeTo(node.builder(), node.loc(), v,
                     SmallVector<int64_t>(rank, 1));
  if (type.getRank() != 1)
    return node.emitError() << what << " must be a scalar or 1-D (per axis); "
                            << "blocked quantization is not supported";
  FailureOr<int64_t> a = normalizeAxis(node, axis, rank);
  if (failed(a))
    return failure();
  if (type.getDimSize(0) != shape[*a])
    return node.emitError() << what << " has " << type.getDimSize(0)
                            << " elements; axis " << *a << " has size "
                            << shape[*a];
  SmallVector<int64_t> target(rank, 1);
  target[*a] = shape[*a];
  return reshapeTo(node.builder(), node.loc(), v, target);
}

/// round_half_even(value) + zp, saturated to the integer type `to` and
/// converted. `value` and the result of the addition are in `compute`
/// (a float type); NaN saturates to the lowest value like ONNX's reference.
Value requantizeScalar(OpBuilder &b, Location loc, Value value, Value zp,
                       bool zpUnsigned, Type to, bool toUnsigned) {
  Type compute = value.getType();
  Value rounded = math::RoundEvenOp::create(b, loc, value);
  if (zp)
    rounded = arith::AddFOp::create(
        b, loc, rounded, castScalar(b, loc, zp, compute, zpUnsigned, false));
  unsigned width = to.getIntOrFloatBitWidth();
  double low = toUnsigned ? 0.0 : -std::ldexp(1.0, width - 1);
  double high = toUnsigned ? std::ldexp(1.0, width) - 1
                           : std::ldexp(1.0, width - 1) - 1;
  Value clamped = arith::MaxNumFOp::create(
      b, loc, rounded, scalarConstant(b, loc, compute, low));
  clamped = arith::MinNumFOp::create(b, loc, clamped,
                                     scalarConstant(b, loc, compute, high));
  return toUnsigned ? arith::FPToUIOp::create(b, loc, to, clamped).getResult()
                    : arith::FPToSIOp::create(b, loc, to, clamped).getResult();
}

/// The output data type of QuantizeLinear: the zero point's, else
/// output_dtype (opset 21), else uint8.
FailureOr<int> quantizedDataType(NodeImporter &node) {
  if (node.hasInput(2))
    return node.inputDataType(2);
  int64_t outputType = node.attrInt("output_dtype", 0);
  return outputType ? static_cast<int>(outputType)
                    : static_cast<int>(onnx::TensorProto::UINT8);
}

LogicalResult importQuantizeLinear(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kFloatTypes)) ||
      failed(checkInputType(node, 1, kFloatTypes)))
    return failure();
  if (node.attrInt("block_size", 0) != 0)
    return node.fail("blocked quantization (block_size) is not supported");
  FailureOr<int> outType = quantizedDataType(node);
  if (node.hasFailed() || failed(outType))
    return failure();
  if (!isQuantIntType(*outType))
    return node.emitError() << "quantizing to " << getDataTypeName(*outType)
                            << " is not supported (int8, uint8, int16, "
                               "uint16)";
  auto xType = node.inputType(0);
  int64_t axis = node.attrInt("axis", 1);
  FailureOr<Value> scale =
      broadcastQuantParam(node, 1, xType.getShape(), axis, "y_scale");
  if (failed(scale))
    return failure();
  SmallVector<Value> inputs{node.input(0), *scale};
  if (node.hasInput(2)) {
    FailureOr<Value> zp =
        broadcastQuantParam(node, 2, xType.getShape(), axis, "y_zero_point");
    if (failed(zp))
      return failure();
    inputs.push_back(*zp);
  }
  Type to = getElementType(node.context(), *outType);
  bool toUnsigned = isUnsignedDataType(*outType);
  Type xElement = xType.getElementType();
  Type compute = quantComputeType(xElement);
  Value result = buildElementwise(
      node.builder(), node.loc(), xType.getShape(), to, inputs,
      [&](OpBuilder &b, Location loc, ValueRange v) {
        // The division rounds in x's own type, as numpy's x / y_scale does.
        Value scaleX = v[1].getType() == xElement
                           ? v[1]
                           : castScalar(b, loc, v[1], xElement, false, false);
        Value q = arith::DivFOp::create(b, loc, v[0], scaleX);
        q = castScalar(b, loc, q, compute, false, false);
        return requantizeScalar(b, loc, q, v.size() > 2 ? v[2] : Value(),
                                toUnsigned, to, toUnsigned);
      });
  return node.setResult(0, result, *outType);
}

LogicalResult importDequantizeLinear(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kIntTypes)) ||
      failed(checkInputType(node, 1, kFloatTypes)))
    return failure();
  if (node.attrInt("block_size", 0) != 0)
    return node.fail("blocked quantization (block_size) is not supported");
  int xDataType = node.inputDataType(0);
  if (!isQuantIntType(xDataType) && xDataType != onnx::TensorProto::INT32)
    return node.emitError() << "dequantizing " << getDataTypeName(xDataType)
                            << " is not supported";
  if (node.hasInput(2) && node.inputDataType(2) != xDataType)
    return node.emitError() << "x_zero_point is "
                            << getDataTypeName(node.inputDataType(2))
                            << " but x is " << getDataTypeName(xDataType);
  auto xType = node.inputType(0);
  int64_t axis = node.attrInt("axis", 1);
  FailureOr<Value> scale =
      broadcastQuantParam(node, 1, xType.getShape(), axis, "x_scale");
  if (failed(scale))
    return failure();
  SmallVector<Value> inputs{node.input(0), *scale};
  if (node.hasInput(2)) {
    FailureOr<Value> zp =
        broadcastQuantParam(node, 2, xType.getShape(), axis, "x_zero_point");
    if (failed(zp))
      return failure();
    inputs.push_back(*zp);
  }
  bool xUnsigned = isUnsignedDataType(xDataType);
  Type yElement = node.inputType(1).getElementType();
  Type compute = computeType(yElement);
  Value result = buildElementwise(
      node.builder(), node.loc(), xType.getShape(), yElement, inputs,
      [&](OpBuilder &b, Location loc, ValueRange v) {
        // The difference is exact in i64; it is rounded once to float.
        Type i64 = b.getI64Type();
        Value diff = castScalar(b, loc, v[0], i64, xUnsigned, false);
        if (v.size() > 2)
          diff = arith::SubIOp::create(
              b, loc, diff, castScalar(b, loc, v[2], i64, xUnsigned, false));
        Value f = arith::SIToFPOp::create(b, loc, compute, diff);
        Value y = arith::MulFOp::create(b, loc, f, promote(b, loc, v[1]));
        return demote(b, loc, y, yElement);
      });
  return node.setResult(0, result);
}

/// (input - zero point) as int32, the zero point broadcast along
/// `zpAxisFromEnd` (1: per row of a matrix operand, 0: per column) when
/// it is 1-D with more than one element.
FailureOr<Value> centeredInt32(NodeImporter &node, int input, int zpInput,
                               int zpAxisFromEnd, StringRef what) {
  Value x = node.input(input);
  auto xType = node.inputType(input);
  bool xUnsigned = node.inputIsUnsigned(input);
  SmallVector<Value> inputs{x};
  if (node.hasInput(zpInput)) {
    if (node.inputDataType(zpInput) != node.inputDataType(input))
      return node.emitError() << what << " zero point is "
                              << getDataTypeName(node.inputDataType(zpInput))
                              << " but the operand is "
                              << getDataTypeName(node.inputDataType(input));
    auto zpType = node.inputType(zpInput);
    Value zp = node.input(zpInput);
    int64_t rank = xType.getRank();
    if (zpType.getNumElements() == 1 && zpType.getRank() <= 1) {
      zp = reshapeTo(node.builder(), node.loc(), zp,
                     SmallVector<int64_t>(rank, 1));
    } else {
      int64_t axis = rank - 1 - zpAxisFromEnd;
      if (zpType.getRank() != 1 || axis < 0 ||
          zpType.getDimSize(0) != xType.getDimSize(axis))
        return node.emitError()
               << what << " zero point must be a scalar or hold one value per "
               << (zpAxisFromEnd ? "row" : "column");
      SmallVector<int64_t> shape(rank, 1);
      shape[axis] = xType.getDimSize(axis);
      zp = reshapeTo(node.builder(), node.loc(), zp, shape);
    }
    inputs.push_back(zp);
  }
  Type i32 = node.builder().getI32Type();
  return buildElementwise(
      node.builder(), node.loc(), xType.getShape(), i32, inputs,
      [&](OpBuilder &b, Location loc, ValueRange v) {
        Value c = castScalar(b, loc, v[0], i32, xUnsigned, false);
        if (v.size() > 1)
          c = arith::SubIOp::create(
              b, loc, c, castScalar(b, loc, v[1], i32, xUnsigned, false));
        return c;
      });
}

/// The int32 product (a - a_zp) @ (b - b_zp) of MatMulInteger, and of
/// QLinearMatMul with its zero points at inputs 2 and 5.
FailureOr<Value> integerProduct(NodeImporter &node, int aIndex, int aZp,
                                int bIndex, int bZp) {
  for (int i : {aIndex, bIndex})
    if (!node.hasInput(i))
      return node.emitError() << "input " << i << " is missing";
  for (int i : {aIndex, bIndex}) {
    int t = node.inputDataType(i);
    if (t != onnx::TensorProto::INT8 && t != onnx::TensorProto::UINT8)
      return node.emitError() << "input " << i << " is " << getDataTypeName(t)
                              << "; " << node.opType()
                              << " takes int8 or uint8";
  }
  if (node.inputType(aIndex).getRank() < 1 ||
      node.inputType(bIndex).getRank() < 1)
    return node.fail("the operands must have rank >= 1");
  FailureOr<Value> a = centeredInt32(node, aIndex, aZp, 1, "A's");
  FailureOr<Value> b = centeredInt32(node, bIndex, bZp, 0, "B's");
  if (failed(a) || failed(b))
    return failure();
  return buildNumpyMatMul(node, *a, *b);
}

LogicalResult importMatMulInteger(NodeImporter &node) {
  FailureOr<Value> product = integerProduct(node, 0, 2, 1, 3);
  if (failed(product))
    return failure();
  return node.setResult(0, *product, onnx::TensorProto::INT32);
}

LogicalResult importQLinearMatMul(NodeImporter &node) {
  for (int i = 0; i < 8; ++i)
    if (!node.hasInput(i))
      return node.emitError() << "input " << i << " is missing";
  for (int i : {1, 4, 6})
    if (failed(checkInputType(node, i, kFloatTypes)))
      return failure();
  int yDataType = node.inputDataType(7);
  if (!isQuantIntType(yDataType))
    return node.emitError() << "y_zero_point is "
                            << getDataTypeName(yDataType)
                            << "; QLinearMatMul produces int8 or uint8";
  for (int i : {1, 6, 7})
    if (node.inputType(i).getNumElements() != 1)
      return node.emitError() << "input " << i
                              << " must be a scalar (per-tensor)";
  FailureOr<Value> product = integerProduct(node, 0, 2, 3, 5);
  if (failed(product))
    return failure();
  auto productType = cast<RankedTensorType>(product->getType());
  int64_t rank = productType.getRank();
  auto asRank = [&](int i) -> FailureOr<Value> {
    auto type = node.inputType(i);
    if (type.getNumElements() == 1)
      return reshapeTo(node.builder(), node.loc(), node.input(i),
                       SmallVector<int64_t>(rank, 1));
    // b_scale per column of B.
    if (type.getRank() != 1 || rank < 1 ||
        type.getDimSize(0) != productType.getShape().back())
      return node.emitError() << "input " << i
                              << " must be a scalar or hold one value per "
                                 "column of B";
    SmallVector<int64_t> shape(rank, 1);
    shape.back() = type.getDimSize(0);
    return reshapeTo(node.builder(), node.loc(), node.input(i), shape);
  };
  FailureOr<Value> aScale = asRank(1), bScale = asRank(4), yScale = asRank(6),
                   yZp = asRank(7);
  if (failed(aScale) || failed(bScale) || failed(yScale) || failed(yZp))
    return failure();
  Type to = getElementType(node.context(), yDataType);
  bool toUnsigned = isUnsignedDataType(yDataType);
  Type f32 = node.builder().getF32Type();
  Value result = buildElementwise(
      node.builder(), node.loc(), productType.getShape(), to,
      ValueRange{*product, *aScale, *bScale, *yScale, *yZp},
      [&](OpBuilder &b, Location loc, ValueRange v) {
        auto f = [&](Value s) { return castScalar(b, loc, s, f32, false, false); };
        Value multiplier = arith::MulFOp::create(b, loc, f(v[1]), f(v[2]));
        multiplier = arith::DivFOp::create(b, loc, multiplier, f(v[3]));
        Value acc = arith::SIToFPOp::create(b, loc, f32, v[0]);
        Value scaled = arith::MulFOp::create(b, loc, acc, multiplier);
        return requantizeScalar(b, loc, scaled, v[4], toUnsigned, to,
                                toUnsigned);
      });
  return node.setResult(0, result, yDataType);
}

} // namespace

void lowbit::onnx_import::registerQuantizeOps(std::vector<OpHandler> &table) {
  const char *notes = "per tensor or per axis; int8/uint8/int16/uint16; "
                      "not blocked";
  table.push_back({"", "QuantizeLinear", 10, importQuantizeLinear, notes});
  table.push_back({"", "DequantizeLinear", 10, importDequantizeLinear, notes});
  table.push_back({"", "MatMulInteger", 10, importMatMulInteger,
                   "int8/uint8, zero points per tensor, row (A) or column (B)"});
  table.push_back({"", "QLinearMatMul", 10, importQLinearMatMul,
                   "int8/uint8; requantized in float32"});
}
