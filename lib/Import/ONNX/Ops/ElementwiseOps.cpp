//===- ElementwiseOps.cpp - binary and variadic arithmetic ----------------===//
//
// Add, Sub, Mul, Div, Mod, Pow, Max, Min, Sum, Mean, BitShift and the
// bitwise ops, and the registration of the whole elementwise family (whose
// other ops live in MathOps, LogicalOps, CastOps and ActivationOps).
//
// TOSA where it is faithful (add/sub/mul wrap like ONNX integers,
// maximum/minimum propagate NaN like numpy); linalg.generic with arith and
// math bodies otherwise. Known operands are folded at import.
//
//===----------------------------------------------------------------------===//

#include "ElementwiseCommon.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// A TOSA binary op on values of equal rank, with the broadcast shape.
template <typename TosaOp>
Value createTosaBinary(NodeImporter &node, Value lhs, Value rhs,
                       ArrayRef<int64_t> shape, Type resultElementType) {
  SmallVector<Value> v = equalizeRanks(node, {lhs, rhs});
  auto type = RankedTensorType::get(shape, resultElementType);
  return TosaOp::create(node.builder(), node.loc(), type, v[0], v[1]);
}

Value createTosaMul(NodeImporter &node, Value lhs, Value rhs,
                    ArrayRef<int64_t> shape, Type resultElementType) {
  SmallVector<Value> v = equalizeRanks(node, {lhs, rhs});
  auto type = RankedTensorType::get(shape, resultElementType);
  Value shift = createSplat(node.builder(), node.loc(),
                            node.builder().getI8Type(), {1}, 0);
  return tosa::MulOp::create(node.builder(), node.loc(), type, v[0], v[1],
                             shift);
}

//===----------------------------------------------------------------------===//
// Add, Sub, Mul
//===----------------------------------------------------------------------===//

enum class AddSubMul { Add, Sub, Mul };

std::optional<FoldValue> foldAddSubMul(AddSubMul kind,
                                       ArrayRef<FoldValue> v) {
  if (v[0].isFloat) {
    double a = v[0].f, b = v[1].f;
    return FoldValue::ofFloat(kind == AddSubMul::Add   ? a + b
                              : kind == AddSubMul::Sub ? a - b
                                                       : a * b);
  }
  const APInt &a = v[0].i, &b = v[1].i;
  return FoldValue::ofInt(kind == AddSubMul::Add   ? a + b
                          : kind == AddSubMul::Sub ? a - b
                                                   : a * b,
                          v[0].isUnsigned);
}

template <AddSubMul kind>
LogicalResult importAddSubMul(NodeImporter &node) {
  if (failed(checkSameInputTypes(node, 0, 1)) ||
      failed(checkInputType(node, 0, kNumericTypes)))
    return failure();
  auto operands = binaryOperands(node);
  if (failed(operands))
    return failure();
  Type element = operands->first.type.getElementType();
  return emitWithBuilder(
      node, {operands->first, operands->second}, element,
      operands->first.dataType,
      [](ArrayRef<FoldValue> v) { return foldAddSubMul(kind, v); },
      [&](ArrayRef<Value> v, ArrayRef<int64_t> shape) -> FailureOr<Value> {
        if (kind == AddSubMul::Add)
          return createTosaBinary<tosa::AddOp>(node, v[0], v[1], shape, element);
        if (kind == AddSubMul::Sub)
          return createTosaBinary<tosa::SubOp>(node, v[0], v[1], shape, element);
        return createTosaMul(node, v[0], v[1], shape, element);
      });
}

//===----------------------------------------------------------------------===//
// Div, Mod
//===----------------------------------------------------------------------===//

/// Floats divide exactly (TOSA has no float division); integers truncate
/// toward zero, by their signedness. Division by zero is left to run time.
LogicalResult importDiv(NodeImporter &node) {
  if (failed(checkSameInputTypes(node, 0, 1)) ||
      failed(checkInputType(node, 0, kNumericTypes)))
    return failure();
  auto operands = binaryOperands(node);
  if (failed(operands))
    return failure();
  Type element = operands->first.type.getElementType();
  bool isUnsigned = operands->first.isUnsigned;
  auto fold = [&](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
    if (v[0].isFloat)
      return FoldValue::ofFloat(v[0].f / v[1].f);
    if (v[1].i.isZero())
      return std::nullopt;
    if (isUnsigned)
      return FoldValue::ofInt(v[0].i.udiv(v[1].i), true);
    bool overflow;
    APInt q = v[0].i.sdiv_ov(v[1].i, overflow);
    if (overflow)
      return std::nullopt;
    return FoldValue::ofInt(q, false);
  };
  return emitElementwise(
      node, {operands->first, operands->second}, element,
      operands->first.dataType, fold,
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        if (isa<FloatType>(element))
          return arith::DivFOp::create(b, loc, v[0], v[1]);
        if (isUnsigned)
          return arith::DivUIOp::create(b, loc, v[0], v[1]);
        return arith::DivSIOp::create(b, loc, v[0], v[1]);
      });
}

/// fmod=1: C's fmod/%, the sign of the dividend. fmod=0 (integers only):
/// Python's %, the sign of the divisor.
LogicalResult importMod(NodeImporter &node) {
  if (failed(checkSameInputTypes(node, 0, 1)) ||
      failed(checkInputType(node, 0, kNumericTypes)))
    return failure();
  int64_t fmod = node.attrInt("fmod", 0);
  if (fmod != 0 && fmod != 1)
    return node.fail("attribute 'fmod' must be 0 or 1, not " +
                     std::to_string(fmod));
  Operand lhs = inputOperand(node, 0), rhs = inputOperand(node, 1);
  Type element = lhs.type.getElementType();
  bool isFloat = isa<FloatType>(element);
  if (isFloat && fmod == 0)
    return node.fail("attribute 'fmod' must be 1 for floating-point inputs");
  bool isUnsigned = lhs.isUnsigned;
  auto fold = [&](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
    if (isFloat)
      return FoldValue::ofFloat(std::fmod(v[0].f, v[1].f));
    const APInt &a = v[0].i, &d = v[1].i;
    if (d.isZero())
      return std::nullopt;
    if (isUnsigned)
      return FoldValue::ofInt(a.urem(d), true);
    APInt r = a.srem(d);
    if (fmod == 0 && !r.isZero() && r.isNegative() != d.isNegative())
      r += d;
    return FoldValue::ofInt(r, false);
  };
  return emitElementwise(
      node, {lhs, rhs}, element, lhs.dataType, fold,
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        if (isFloat) {
          // fmod is exact, so computing f16/bf16 in f32 loses nothing.
          Value x = promote(b, loc, v[0]);
          Value y = promote(b, loc, v[1]);
          Value r = arith::RemFOp::create(b, loc, x, y);
          return demote(b, loc, r, element);
        }
        if (isUnsigned)
          return arith::RemUIOp::create(b, loc, v[0], v[1]);
        Value r = arith::RemSIOp::create(b, loc, v[0], v[1]);
        if (fmod == 1)
          return r;
        Value zero = scalarConstant(b, loc, element, 0);
        Value nonZero =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, r, zero);
        Value rNeg =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, zero);
        Value dNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                           v[1], zero);
        Value signsDiffer = arith::XOrIOp::create(b, loc, rNeg, dNeg);
        Value adjust = arith::AndIOp::create(b, loc, nonZero, signsDiffer);
        Value shifted = arith::AddIOp::create(b, loc, r, v[1]);
        return arith::SelectOp::create(b, loc, adjust, shifted, r);
      });
}

//===----------------------------------------------------------------------===//
// Pow
//===----------------------------------------------------------------------===//

/// Converts a scalar to `to` by the signedness of its ONNX type.
Value convertScalar(OpBuilder &b, Location loc, Value v, bool isUnsigned,
                    Type to) {
  return castScalar(b, loc, v, to, isUnsigned, /*toUnsigned=*/false);
}

/// The result has the base's type. As numpy does, mixed operands compute in
/// a common wider type: float bases in f32 (f64 when either side is f64),
/// integer bases with float exponents in f64 and truncated back, integer
/// bases with integer exponents in i64 (wrapping) and truncated back.
LogicalResult importPow(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kFloatOrSigned)) ||
      failed(checkInputType(node, 1, kNumericTypes)))
    return failure();
  auto operands = binaryOperands(node);
  if (failed(operands))
    return failure();
  Operand base = operands->first, exponent = operands->second;
  Type baseType = base.type.getElementType();
  Type expType = exponent.type.getElementType();
  bool baseFloat = isa<FloatType>(baseType);
  bool expFloat = isa<FloatType>(expType);
  bool expUnsigned = exponent.isUnsigned;
  MLIRContext *ctx = node.context();
  Type f64 = Float64Type::get(ctx), i64 = IntegerType::get(ctx, 64);

  auto fold = [&](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
    auto asDouble = [](const FoldValue &x) {
      if (x.isFloat)
        return x.f;
      return x.isUnsigned ? static_cast<double>(x.i.getZExtValue())
                          : static_cast<double>(x.i.getSExtValue());
    };
    if (baseFloat)
      return FoldValue::ofFloat(std::pow(v[0].f, asDouble(v[1])));
    unsigned width = v[0].i.getBitWidth();
    if (expFloat) {
      double r = std::pow(asDouble(v[0]), v[1].f);
      if (!std::isfinite(r) || std::fabs(r) >= std::ldexp(1.0, width - 1))
        return std::nullopt;
      return FoldValue::ofInt(APInt(width, static_cast<uint64_t>(
                                               static_cast<int64_t>(r)),
                                    /*isSigned=*/true, /*implicitTrunc=*/true),
                              false);
    }
    if (!v[1].isUnsigned && v[1].i.isNegative())
      return std::nullopt; // integers to negative powers: left to run time
    uint64_t e = v[1].i.getZExtValue();
    APInt result(width, 1), square = v[0].i;
    for (; e; e >>= 1) {
      if (e & 1)
        result *= square;
      square *= square;
    }
    return FoldValue::ofInt(result, false);
  };

  return emitElementwise(
      node, {base, exponent}, baseType, base.dataType, fold,
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        if (baseFloat) {
          Type compute = baseType.isF64() || expType.isF64()
                             ? f64
                             : Float32Type::get(ctx);
          Value x = convertScalar(b, loc, v[0], false, compute);
          Value y = convertScalar(b, loc, v[1], expUnsigned, compute);
          Value r = math::PowFOp::create(b, loc, x, y);
          return castScalar(b, loc, r, baseType, false, false);
        }
        if (expFloat) {
          Value x = convertScalar(b, loc, v[0], false, f64);
          Value y = convertScalar(b, loc, v[1], false, f64);
          Value r = math::PowFOp::create(b, loc, x, y);
          return castScalar(b, loc, r, baseType, false, false);
        }
        Value x = convertScalar(b, loc, v[0], false, i64);
        Value y = convertScalar(b, loc, v[1], expUnsigned, i64);
        Value r = math::IPowIOp::create(b, loc, x, y);
        return castScalar(b, loc, r, baseType, false, false);
      });
}

//===----------------------------------------------------------------------===//
// Max, Min, Sum, Mean (variadic)
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Operand>> variadicOperands(NodeImporter &node,
                                                 unsigned allowed) {
  if (node.numInputs() < 1)
    return node.emitError() << "expects at least one input";
  if (failed(checkSameInputTypes(node, 0, node.numInputs() - 1)) ||
      failed(checkInputType(node, 0, allowed)))
    return failure();
  SmallVector<Operand> operands;
  for (int i = 0; i < node.numInputs(); ++i)
    operands.push_back(inputOperand(node, i));
  return operands;
}

/// Reduces the operands pairwise, left to right, with `combine` building one
/// broadcasting TOSA op.
Value chainOperands(
    NodeImporter &node, ArrayRef<Value> values,
    llvm::function_ref<Value(Value, Value, ArrayRef<int64_t>)> combine) {
  Value acc = values[0];
  for (Value next : values.drop_front()) {
    auto accType = cast<RankedTensorType>(acc.getType());
    auto nextType = cast<RankedTensorType>(next.getType());
    // The full broadcast was already checked; a pairwise one cannot fail.
    FailureOr<SmallVector<int64_t>> shape =
        broadcastShapes(node, {accType.getShape(), nextType.getShape()});
    acc = combine(acc, next, *shape);
  }
  return acc;
}

/// numpy maximum/minimum: NaN propagates, -0 orders below +0.
double foldFloatMinMax(double a, double b, bool isMax) {
  if (std::isnan(a) || std::isnan(b))
    return std::nan("");
  if (a == b)
    return (std::signbit(a) == isMax) ? b : a;
  return (a > b) == isMax ? a : b;
}

template <bool isMax>
LogicalResult importMaxMin(NodeImporter &node) {
  auto operands = variadicOperands(node, kNumericTypes);
  if (failed(operands))
    return failure();
  if (operands->size() == 1)
    return node.forwardInput(0, 0);
  Type element = (*operands)[0].type.getElementType();
  bool isUnsigned = (*operands)[0].isUnsigned;
  auto fold = [&](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
    FoldValue acc = v[0];
    for (const FoldValue &x : v.drop_front()) {
      if (acc.isFloat) {
        acc.f = foldFloatMinMax(acc.f, x.f, isMax);
        continue;
      }
      bool greater = isUnsigned ? x.i.ugt(acc.i) : x.i.sgt(acc.i);
      bool less = isUnsigned ? x.i.ult(acc.i) : x.i.slt(acc.i);
      if (isMax ? greater : less)
        acc.i = x.i;
    }
    return acc;
  };
  if (isUnsigned)
    return emitElementwise(
        node, *operands, element, (*operands)[0].dataType, fold,
        [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
          Value acc = v[0];
          for (Value x : v.drop_front())
            acc = isMax ? arith::MaxUIOp::create(b, loc, acc, x).getResult()
                        : arith::MinUIOp::create(b, loc, acc, x).getResult();
          return acc;
        });
  return emitWithBuilder(
      node, *operands, element, (*operands)[0].dataType, fold,
      [&](ArrayRef<Value> values, ArrayRef<int64_t>) -> FailureOr<Value> {
        return chainOperands(node, values,
                             [&](Value a, Value c, ArrayRef<int64_t> shape) {
                               if (isMax)
                                 return createTosaBinary<tosa::MaximumOp>(
                                     node, a, c, shape, element);
                               return createTosaBinary<tosa::MinimumOp>(
                                   node, a, c, shape, element);
                             });
      });
}

/// Sum, and Mean (the sum divided by the count, as numpy does).
template <bool isMean>
LogicalResult importSumMean(NodeImporter &node) {
  auto operands = variadicOperands(node, kFloatTypes);
  if (failed(operands))
    return failure();
  if (operands->size() == 1)
    return node.forwardInput(0, 0);
  Type element = (*operands)[0].type.getElementType();
  double count = operands->size();
  auto fold = [&](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
    double sum = 0;
    for (const FoldValue &x : v)
      sum += x.f;
    return FoldValue::ofFloat(isMean ? sum / count : sum);
  };
  return emitWithBuilder(
      node, *operands, element, (*operands)[0].dataType, fold,
      [&](ArrayRef<Value> values, ArrayRef<int64_t> shape) -> FailureOr<Value> {
        Value sum = chainOperands(
            node, values, [&](Value a, Value c, ArrayRef<int64_t> s) {
              return createTosaBinary<tosa::AddOp>(node, a, c, s, element);
            });
        if (!isMean)
          return sum;
        return buildElementwise(
            node.builder(), node.loc(), shape, element, ValueRange{sum},
            [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
              return arith::DivFOp::create(
                  b, loc, v[0], scalarConstant(b, loc, element, count));
            });
      });
}

//===----------------------------------------------------------------------===//
// BitShift and bitwise ops
//===----------------------------------------------------------------------===//

/// Unsigned shifts; as numpy, a shift by the width or more gives 0.
LogicalResult importBitShift(NodeImporter &node) {
  if (failed(checkSameInputTypes(node, 0, 1)) ||
      failed(checkInputType(node, 0, kUnsignedTypes)))
    return failure();
  std::string direction = node.attrString("direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    return node.fail("attribute 'direction' must be \"LEFT\" or \"RIGHT\", "
                     "not \"" + direction + "\"");
  bool left = direction == "LEFT";
  Operand x = inputOperand(node, 0), y = inputOperand(node, 1);
  Type element = x.type.getElementType();
  unsigned width = element.getIntOrFloatBitWidth();
  auto fold = [&](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
    if (v[1].i.uge(width))
      return FoldValue::ofInt(APInt(width, 0), true);
    unsigned amount = v[1].i.getZExtValue();
    return FoldValue::ofInt(left ? v[0].i.shl(amount) : v[0].i.lshr(amount),
                            true);
  };
  return emitElementwise(
      node, {x, y}, element, x.dataType, fold,
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        Value shifted =
            left ? arith::ShLIOp::create(b, loc, v[0], v[1]).getResult()
                 : arith::ShRUIOp::create(b, loc, v[0], v[1]).getResult();
        Value tooFar = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::uge, v[1],
            scalarConstant(b, loc, element, width));
        return arith::SelectOp::create(b, loc, tooFar,
                                       scalarConstant(b, loc, element, 0),
                                       shifted);
      });
}

enum class Bitwise { And, Or, Xor };

template <Bitwise kind>
LogicalResult importBitwise(NodeImporter &node) {
  if (failed(checkSameInputTypes(node, 0, 1)) ||
      failed(checkInputType(node, 0, kIntTypes)))
    return failure();
  Operand lhs = inputOperand(node, 0), rhs = inputOperand(node, 1);
  Type element = lhs.type.getElementType();
  auto fold = [&](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
    const APInt &a = v[0].i, &b = v[1].i;
    return FoldValue::ofInt(kind == Bitwise::And  ? (a & b)
                            : kind == Bitwise::Or ? (a | b)
                                                  : (a ^ b),
                            v[0].isUnsigned);
  };
  return emitWithBuilder(
      node, {lhs, rhs}, element, lhs.dataType, fold,
      [&](ArrayRef<Value> v, ArrayRef<int64_t> shape) -> FailureOr<Value> {
        if (kind == Bitwise::And)
          return createTosaBinary<tosa::BitwiseAndOp>(node, v[0], v[1], shape,
                                                      element);
        if (kind == Bitwise::Or)
          return createTosaBinary<tosa::BitwiseOrOp>(node, v[0], v[1], shape,
                                                     element);
        return createTosaBinary<tosa::BitwiseXorOp>(node, v[0], v[1], shape,
                                                    element);
      });
}

LogicalResult importBitwiseNot(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kIntTypes)))
    return failure();
  Operand x = inputOperand(node, 0);
  Type element = x.type.getElementType();
  return emitWithBuilder(
      node, {x}, element, x.dataType,
      [](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
        return FoldValue::ofInt(~v[0].i, v[0].isUnsigned);
      },
      [&](ArrayRef<Value> v, ArrayRef<int64_t> shape) -> FailureOr<Value> {
        return tosa::BitwiseNotOp::create(
                   node.builder(), node.loc(),
                   RankedTensorType::get(shape, element), v[0])
            .getResult();
      });
}

} // namespace

void lowbit::onnx_import::registerArithmeticOps(std::vector<OpHandler> &table) {
  const char *legacy = "before opset 7: 'broadcast'/'axis' attributes";
  table.push_back({"", "Add", 1, importAddSubMul<AddSubMul::Add>, legacy});
  table.push_back({"", "Add", 7, importAddSubMul<AddSubMul::Add>});
  table.push_back({"", "Sub", 1, importAddSubMul<AddSubMul::Sub>, legacy});
  table.push_back({"", "Sub", 7, importAddSubMul<AddSubMul::Sub>});
  table.push_back({"", "Mul", 1, importAddSubMul<AddSubMul::Mul>, legacy});
  table.push_back({"", "Mul", 7, importAddSubMul<AddSubMul::Mul>});
  table.push_back({"", "Div", 1, importDiv, legacy});
  table.push_back({"", "Div", 7, importDiv,
                   "integer division truncates toward zero"});
  table.push_back({"", "Mod", 10, importMod,
                   "fmod=0 (Python sign rule) is for integers only"});
  table.push_back({"", "Pow", 1, importPow, legacy});
  table.push_back({"", "Pow", 7, importPow,
                   "mixed base/exponent types compute in a common wider "
                   "type"});
  table.push_back({"", "Max", 1, importMaxMin<true>, "NaN propagates"});
  table.push_back({"", "Min", 1, importMaxMin<false>, "NaN propagates"});
  table.push_back({"", "Sum", 1, importSumMean<false>});
  table.push_back({"", "Mean", 1, importSumMean<true>});
  table.push_back({"", "BitShift", 11, importBitShift});
  table.push_back({"", "BitwiseAnd", 18, importBitwise<Bitwise::And>});
  table.push_back({"", "BitwiseOr", 18, importBitwise<Bitwise::Or>});
  table.push_back({"", "BitwiseXor", 18, importBitwise<Bitwise::Xor>});
  table.push_back({"", "BitwiseNot", 18, importBitwiseNot});
}

void lowbit::onnx_import::registerElementwiseOps(std::vector<OpHandler> &table) {
  registerArithmeticOps(table);
  registerMathOps(table);
  registerLogicalOps(table);
  registerCastOps(table);
  registerActivationOps(table);
}
