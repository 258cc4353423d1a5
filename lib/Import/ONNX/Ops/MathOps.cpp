//===- MathOps.cpp - unary math and Clip ----------------------------------===//
//
// Neg, Abs, Reciprocal, Sqrt, Exp, Log, Floor, Ceil, Round, Sign, Erf, the
// trigonometric and hyperbolic functions, and Clip.
//
// TOSA for the ops it has with the same semantics (negate, abs, reciprocal,
// exp, log, floor, ceil, sin, cos, erf, clamp); math dialect bodies in a
// linalg.generic for the rest, computing f16/bf16 in f32 as numpy does.
//
//===----------------------------------------------------------------------===//

#include "ElementwiseCommon.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/APFloat.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// A unary TOSA op with the input's type.
template <typename TosaOp>
Value createTosaUnary(NodeImporter &node, Value x) {
  return TosaOp::create(node.builder(), node.loc(), x.getType(), x);
}

using FloatFoldFn = double (*)(double);

/// A float-only unary op mapped to a TOSA op.
template <typename TosaOp>
LogicalResult importTosaFloatUnary(NodeImporter &node, FloatFoldFn foldFn) {
  if (failed(checkInputType(node, 0, kFloatTypes)))
    return failure();
  Operand x = inputOperand(node, 0);
  return emitWithBuilder(
      node, {x}, x.type.getElementType(), x.dataType,
      [&](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
        return FoldValue::ofFloat(foldFn(v[0].f));
      },
      [&](ArrayRef<Value> v, ArrayRef<int64_t>) -> FailureOr<Value> {
        return createTosaUnary<TosaOp>(node, v[0]);
      });
}

/// A float-only unary op computed by a math dialect op in a linalg.generic.
template <typename MathOp>
LogicalResult importMathFloatUnary(NodeImporter &node, FloatFoldFn foldFn) {
  if (failed(checkInputType(node, 0, kFloatTypes)))
    return failure();
  Operand x = inputOperand(node, 0);
  Type element = x.type.getElementType();
  return emitElementwise(
      node, {x}, element, x.dataType,
      [&](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
        return FoldValue::ofFloat(foldFn(v[0].f));
      },
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        Value r = MathOp::create(b, loc, promote(b, loc, v[0]));
        return demote(b, loc, r, element);
      });
}

#define TOSA_UNARY(NAME, OP, FN)                                               \
  LogicalResult import##NAME(NodeImporter &node) {                             \
    return importTosaFloatUnary<OP>(node, FN);                                 \
  }
#define MATH_UNARY(NAME, OP, FN)                                               \
  LogicalResult import##NAME(NodeImporter &node) {                             \
    return importMathFloatUnary<OP>(node, FN);                                 \
  }

double reciprocal(double x) { return 1.0 / x; }
double sqrtFn(double x) { return std::sqrt(x); }
double expFn(double x) { return std::exp(x); }
double logFn(double x) { return std::log(x); }
double floorFn(double x) { return std::floor(x); }
double ceilFn(double x) { return std::ceil(x); }
/// Half to even (the default rounding mode, which lowbit never changes).
double roundFn(double x) { return std::nearbyint(x); }
double erfFn(double x) { return std::erf(x); }
double sinFn(double x) { return std::sin(x); }
double cosFn(double x) { return std::cos(x); }
double tanFn(double x) { return std::tan(x); }
double asinFn(double x) { return std::asin(x); }
double acosFn(double x) { return std::acos(x); }
double atanFn(double x) { return std::atan(x); }
double sinhFn(double x) { return std::sinh(x); }
double coshFn(double x) { return std::cosh(x); }
double asinhFn(double x) { return std::asinh(x); }
double acoshFn(double x) { return std::acosh(x); }
double atanhFn(double x) { return std::atanh(x); }

TOSA_UNARY(Reciprocal, tosa::ReciprocalOp, reciprocal)
TOSA_UNARY(Exp, tosa::ExpOp, expFn)
TOSA_UNARY(Log, tosa::LogOp, logFn)
TOSA_UNARY(Floor, tosa::FloorOp, floorFn)
TOSA_UNARY(Ceil, tosa::CeilOp, ceilFn)
TOSA_UNARY(Erf, tosa::ErfOp, erfFn)
TOSA_UNARY(Sin, tosa::SinOp, sinFn)
TOSA_UNARY(Cos, tosa::CosOp, cosFn)
MATH_UNARY(Sqrt, math::SqrtOp, sqrtFn)
MATH_UNARY(Round, math::RoundEvenOp, roundFn)
MATH_UNARY(Tan, math::TanOp, tanFn)
MATH_UNARY(Asin, math::AsinOp, asinFn)
MATH_UNARY(Acos, math::AcosOp, acosFn)
MATH_UNARY(Atan, math::AtanOp, atanFn)
MATH_UNARY(Sinh, math::SinhOp, sinhFn)
MATH_UNARY(Cosh, math::CoshOp, coshFn)
MATH_UNARY(Asinh, math::AsinhOp, asinhFn)
MATH_UNARY(Acosh, math::AcoshOp, acoshFn)
MATH_UNARY(Atanh, math::AtanhOp, atanhFn)

#undef TOSA_UNARY
#undef MATH_UNARY

//===----------------------------------------------------------------------===//
// Neg, Abs, Sign
//===----------------------------------------------------------------------===//

/// Floats: tosa.negate. Integers wrap (-INT_MIN == INT_MIN, as numpy);
/// tosa.negate's integer form saturates, so they subtract from zero.
LogicalResult importNeg(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kFloatOrSigned)))
    return failure();
  Operand x = inputOperand(node, 0);
  Type element = x.type.getElementType();
  auto fold = [](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
    if (v[0].isFloat)
      return FoldValue::ofFloat(-v[0].f);
    return FoldValue::ofInt(-v[0].i, false);
  };
  if (!isa<FloatType>(element))
    return emitElementwise(
        node, {x}, element, x.dataType, fold,
        [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
          return arith::SubIOp::create(b, loc, scalarConstant(b, loc, element, 0),
                                       v[0]);
        });
  return emitWithBuilder(
      node, {x}, element, x.dataType, fold,
      [&](ArrayRef<Value> v, ArrayRef<int64_t>) -> FailureOr<Value> {
        OpBuilder &b = node.builder();
        Value zp = createTosaZeroPoint(b, node.loc(), element);
        return tosa::NegateOp::create(b, node.loc(), v[0].getType(), v[0], zp,
                                      zp)
            .getResult();
      });
}

/// Unsigned values are their own absolute value; signed ones wrap at
/// INT_MIN like numpy.
LogicalResult importAbs(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kNumericTypes)))
    return failure();
  Operand x = inputOperand(node, 0);
  if (x.isUnsigned)
    return node.forwardInput(0, 0);
  return emitWithBuilder(
      node, {x}, x.type.getElementType(), x.dataType,
      [](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
        if (v[0].isFloat)
          return FoldValue::ofFloat(std::fabs(v[0].f));
        return FoldValue::ofInt(v[0].i.abs(), false);
      },
      [&](ArrayRef<Value> v, ArrayRef<int64_t>) -> FailureOr<Value> {
        return createTosaUnary<tosa::AbsOp>(node, v[0]);
      });
}

/// -1, 0 or 1; NaN stays NaN (numpy).
LogicalResult importSign(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kNumericTypes)))
    return failure();
  Operand x = inputOperand(node, 0);
  Type element = x.type.getElementType();
  bool isUnsigned = x.isUnsigned;
  auto fold = [&](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
    if (v[0].isFloat) {
      double f = v[0].f;
      return FoldValue::ofFloat(std::isnan(f) ? f : f > 0 ? 1.0 : f < 0 ? -1.0 : 0.0);
    }
    const APInt &i = v[0].i;
    unsigned w = i.getBitWidth();
    if (isUnsigned)
      return FoldValue::ofInt(APInt(w, i.isZero() ? 0 : 1), true);
    return FoldValue::ofInt(i.isNegative() ? APInt::getAllOnes(w)
                                           : APInt(w, i.isZero() ? 0 : 1),
                            false);
  };
  return emitElementwise(
      node, {x}, element, x.dataType, fold,
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        Value zero = scalarConstant(b, loc, element, 0);
        Value one = scalarConstant(b, loc, element, 1);
        if (isa<FloatType>(element)) {
          Value minusOne = scalarConstant(b, loc, element, -1);
          Value pos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                            v[0], zero);
          Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                            v[0], zero);
          Value isZero = arith::CmpFOp::create(
              b, loc, arith::CmpFPredicate::OEQ, v[0], zero);
          // NaN compares false everywhere and is passed through.
          Value r = arith::SelectOp::create(b, loc, isZero, zero, v[0]);
          r = arith::SelectOp::create(b, loc, neg, minusOne, r);
          return arith::SelectOp::create(b, loc, pos, one, r);
        }
        if (isUnsigned) {
          Value nonZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                                v[0], zero);
          return arith::SelectOp::create(b, loc, nonZero, one, zero);
        }
        Value minusOne = scalarConstant(b, loc, element, -1);
        Value pos = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                                          v[0], zero);
        Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                          v[0], zero);
        Value r = arith::SelectOp::create(b, loc, neg, minusOne, zero);
        return arith::SelectOp::create(b, loc, pos, one, r);
      });
}

//===----------------------------------------------------------------------===//
// Clip
//===----------------------------------------------------------------------===//

/// One bound of Clip as an operand of rank 0 (absent: null type).
struct ClipBound {
  Operand operand;
  bool present = false;
};

/// The bound given as input `i` (opset 11 and later): a scalar of the data's
/// type. One-element tensors are accepted as scalars.
FailureOr<ClipBound> clipInputBound(NodeImporter &node, int i,
                                    StringRef what) {
  ClipBound bound;
  if (!node.hasInput(i))
    return bound;
  if (node.inputDataType(i) != node.inputDataType(0))
    return node.emitError() << "input " << i << " (" << what.str()
                            << ") must have the element type of input 0";
  Operand op = inputOperand(node, i);
  if (op.type.getNumElements() != 1)
    return node.emitError() << "input " << i << " (" << what.str()
                            << ") must be a scalar";
  if (op.type.getRank() != 0) {
    auto scalarType = RankedTensorType::get({}, op.type.getElementType());
    op.value = reshapeTo(node.builder(), node.loc(), node.input(i), {});
    if (op.constant)
      op.constant = op.constant.reshape(scalarType);
    op.type = scalarType;
  }
  bound.operand = op;
  bound.present = true;
  return bound;
}

/// A bound given as a float attribute (before opset 11), rounded to the
/// data's type (the float32 range becomes infinity in f16).
ClipBound clipAttrBound(NodeImporter &node, Type element, double value) {
  APFloat v(value);
  bool losesInfo;
  v.convert(cast<FloatType>(element).getFloatSemantics(),
            APFloat::rmNearestTiesToEven, &losesInfo);
  auto type = RankedTensorType::get({}, element);
  ClipBound bound;
  bound.operand.type = type;
  bound.operand.constant = DenseElementsAttr::get(type, ArrayRef<APFloat>(v));
  bound.operand.dataType = node.inputDataType(0);
  bound.operand.value =
      createConstant(node.builder(), node.loc(),
                     cast<ElementsAttr>(bound.operand.constant));
  bound.present = true;
  return bound;
}

/// min(max(x, lo), hi) as numpy.clip: NaN in x propagates and lo > hi
/// gives hi. tosa.clamp when the bounds are known, ordered and not NaN,
/// and the type is float or signed; a linalg.generic otherwise.
LogicalResult importClip(NodeImporter &node) {
  bool fromInputs = node.opset() >= 11;
  if (failed(checkInputType(node, 0,
                            node.opset() >= 12 ? kNumericTypes : kFloatTypes)))
    return failure();
  Operand x = inputOperand(node, 0);
  Type element = x.type.getElementType();
  bool isFloat = isa<FloatType>(element);
  bool isUnsigned = x.isUnsigned;

  ClipBound lo, hi;
  if (fromInputs) {
    auto l = clipInputBound(node, 1, "min");
    auto h = clipInputBound(node, 2, "max");
    if (failed(l) || failed(h))
      return failure();
    lo = *l;
    hi = *h;
  } else {
    // Clip-6 defaults to the float32 range; Clip-1 has no defaults.
    double big = std::numeric_limits<float>::max();
    if (node.hasAttr("min") || node.opset() >= 6)
      lo = clipAttrBound(node, element, node.attrFloat("min", -big));
    if (node.hasAttr("max") || node.opset() >= 6)
      hi = clipAttrBound(node, element, node.attrFloat("max", big));
  }
  if (!lo.present && !hi.present)
    return node.forwardInput(0, 0);

  SmallVector<Operand> operands{x};
  if (lo.present)
    operands.push_back(lo.operand);
  if (hi.present)
    operands.push_back(hi.operand);

  auto fold = [&](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
    FoldValue r = v[0];
    size_t next = 1;
    auto apply = [&](const FoldValue &bound, bool isLower) {
      if (r.isFloat) {
        if (std::isnan(r.f) || std::isnan(bound.f))
          r.f = std::nan("");
        else if (isLower ? bound.f > r.f : bound.f < r.f)
          r.f = bound.f;
        return;
      }
      bool beyond = isUnsigned ? (isLower ? bound.i.ugt(r.i) : bound.i.ult(r.i))
                               : (isLower ? bound.i.sgt(r.i) : bound.i.slt(r.i));
      if (beyond)
        r.i = bound.i;
    };
    if (lo.present)
      apply(v[next++], true);
    if (hi.present)
      apply(v[next++], false);
    return r;
  };

  // tosa.clamp takes the bounds as attributes.
  auto knownBound = [&](const ClipBound &bound, bool isLower)
      -> std::optional<Attribute> {
    Builder b(node.context());
    if (!bound.present) {
      if (isFloat) {
        const llvm::fltSemantics &sem = cast<FloatType>(element).getFloatSemantics();
        return b.getFloatAttr(element, APFloat::getInf(sem, isLower));
      }
      unsigned w = element.getIntOrFloatBitWidth();
      return b.getIntegerAttr(element, isLower ? APInt::getSignedMinValue(w)
                                               : APInt::getSignedMaxValue(w));
    }
    if (!bound.operand.constant)
      return std::nullopt;
    if (isFloat) {
      APFloat v = bound.operand.constant.getSplatValue<APFloat>();
      if (v.isNaN())
        return std::nullopt;
      return b.getFloatAttr(element, v);
    }
    return b.getIntegerAttr(element,
                            bound.operand.constant.getSplatValue<APInt>());
  };
  std::optional<Attribute> loAttr, hiAttr;
  if (!isUnsigned) {
    loAttr = knownBound(lo, true);
    hiAttr = knownBound(hi, false);
  }
  bool ordered = false;
  if (loAttr && hiAttr) {
    if (isFloat)
      ordered = cast<FloatAttr>(*loAttr).getValue().compare(
                    cast<FloatAttr>(*hiAttr).getValue()) !=
                APFloat::cmpGreaterThan;
    else
      ordered = cast<IntegerAttr>(*loAttr).getValue().sle(
          cast<IntegerAttr>(*hiAttr).getValue());
  }
  if (ordered)
    return emitWithBuilder(
        node, operands, element, x.dataType, fold,
        [&](ArrayRef<Value> v, ArrayRef<int64_t>) -> FailureOr<Value> {
          return tosa::ClampOp::create(node.builder(), node.loc(),
                                       v[0].getType(), v[0],
                                       cast<TypedAttr>(*loAttr),
                                       cast<TypedAttr>(*hiAttr),
                                       tosa::NanPropagationMode::PROPAGATE)
              .getResult();
        });

  return emitElementwise(
      node, operands, element, x.dataType, fold,
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        Value r = v[0];
        size_t next = 1;
        auto apply = [&](Value bound, bool isLower) {
          if (isFloat)
            r = isLower ? arith::MaximumFOp::create(b, loc, r, bound).getResult()
                        : arith::MinimumFOp::create(b, loc, r, bound).getResult();
          else if (isUnsigned)
            r = isLower ? arith::MaxUIOp::create(b, loc, r, bound).getResult()
                        : arith::MinUIOp::create(b, loc, r, bound).getResult();
          else
            r = isLower ? arith::MaxSIOp::create(b, loc, r, bound).getResult()
                        : arith::MinSIOp::create(b, loc, r, bound).getResult();
        };
        if (lo.present)
          apply(v[next++], true);
        if (hi.present)
          apply(v[next++], false);
        return r;
      });
}

} // namespace

void lowbit::onnx_import::registerMathOps(std::vector<OpHandler> &table) {
  table.push_back({"", "Neg", 1, importNeg, "integers wrap"});
  table.push_back({"", "Abs", 1, importAbs});
  table.push_back({"", "Reciprocal", 1, importReciprocal});
  table.push_back({"", "Sqrt", 1, importSqrt});
  table.push_back({"", "Exp", 1, importExp});
  table.push_back({"", "Log", 1, importLog});
  table.push_back({"", "Floor", 1, importFloor});
  table.push_back({"", "Ceil", 1, importCeil});
  table.push_back({"", "Round", 11, importRound, "half to even"});
  table.push_back({"", "Sign", 9, importSign});
  table.push_back({"", "Erf", 9, importErf});
  table.push_back({"", "Sin", 7, importSin});
  table.push_back({"", "Cos", 7, importCos});
  table.push_back({"", "Tan", 7, importTan});
  table.push_back({"", "Asin", 7, importAsin});
  table.push_back({"", "Acos", 7, importAcos});
  table.push_back({"", "Atan", 7, importAtan});
  table.push_back({"", "Sinh", 9, importSinh});
  table.push_back({"", "Cosh", 9, importCosh});
  table.push_back({"", "Asinh", 9, importAsinh});
  table.push_back({"", "Acosh", 9, importAcosh});
  table.push_back({"", "Atanh", 9, importAtanh});
  table.push_back({"", "Clip", 1, importClip, "bounds as attributes"});
  table.push_back({"", "Clip", 11, importClip,
                   "bounds as optional scalar inputs"});
}
