//===- ActivationOps.cpp - activation functions ---------------------------===//
//
// Relu (tosa.clamp), Sigmoid and Tanh (TOSA), and the rest as linalg.generic
// bodies that follow the ONNX reference formulas. f16/bf16 compute in f32
// and round once at the end, as onnxruntime does. Attribute constants are
// float32 in ONNX and used at that precision, as the ops' function bodies
// do (CastLike of the float attribute).
//
//===----------------------------------------------------------------------===//

#include "ElementwiseCommon.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/APFloat.h"

#include <cmath>

using namespace mlir;
using namespace lowbit::onnx_import;

namespace {

/// An operand of a FloatBody op: a value, or a constant made when the op
/// is built, so that constants never depend on argument evaluation order.
struct Term {
  Term(Value v) : value(v) {}
  Term(double c) : constant(c) {}
  Value value;
  double constant = 0;
};

/// Builds the body of a float activation on the value promoted to the
/// compute type. Each helper materializes its operands left to right, so
/// the IR order is fixed; callers nest at most one op-building argument.
struct FloatBody {
  OpBuilder &b;
  Location loc;
  Type type;

  Value get(Term t) const {
    return t.value ? t.value : scalarConstant(b, loc, type, t.constant);
  }
  template <typename OpTy>
  Value binary(Term x, Term y) const {
    Value lhs = get(x);
    Value rhs = get(y);
    return OpTy::create(b, loc, lhs, rhs);
  }
  Value add(Term x, Term y) const { return binary<arith::AddFOp>(x, y); }
  Value sub(Term x, Term y) const { return binary<arith::SubFOp>(x, y); }
  Value mul(Term x, Term y) const { return binary<arith::MulFOp>(x, y); }
  Value div(Term x, Term y) const { return binary<arith::DivFOp>(x, y); }
  /// NaN-propagating, as numpy.maximum/minimum.
  Value max(Term x, Term y) const { return binary<arith::MaximumFOp>(x, y); }
  Value min(Term x, Term y) const { return binary<arith::MinimumFOp>(x, y); }
  Value exp(Value x) const { return math::ExpOp::create(b, loc, x); }
  Value tanh(Value x) const { return math::TanhOp::create(b, loc, x); }
  /// Ordered comparison: false when either side is NaN.
  Value greater(Term x, Term y) const {
    Value lhs = get(x);
    Value rhs = get(y);
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, lhs, rhs);
  }
  Value less(Term x, Term y) const {
    Value lhs = get(x);
    Value rhs = get(y);
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, lhs, rhs);
  }
  Value select(Value cond, Term x, Term y) const {
    Value onTrue = get(x);
    Value onFalse = get(y);
    return arith::SelectOp::create(b, loc, cond, onTrue, onFalse);
  }
  /// log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)).
  Value softplus(Value x) const {
    Value abs = math::AbsFOp::create(b, loc, x);
    Value negAbs = arith::NegFOp::create(b, loc, abs);
    Value tail = math::Log1pOp::create(b, loc, exp(negAbs));
    Value positive = max(x, 0.0);
    return add(positive, tail);
  }
};

using FloatBodyFn = llvm::function_ref<Value(const FloatBody &, Value)>;

/// A float-only activation of input 0, computed per element by `body`.
LogicalResult importFloatActivation(NodeImporter &node, FloatBodyFn body) {
  if (failed(checkInputType(node, 0, kFloatTypes)))
    return failure();
  if (node.hasFailed())
    return failure();
  Operand x = inputOperand(node, 0);
  Type element = x.type.getElementType();
  return emitElementwise(
      node, {x}, element, x.dataType, std::nullopt,
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        Value in = promote(b, loc, v[0]);
        FloatBody f{b, loc, in.getType()};
        return demote(b, loc, body(f, in), element);
      });
}

//===----------------------------------------------------------------------===//
// TOSA-backed: Relu, Sigmoid, Tanh
//===----------------------------------------------------------------------===//

/// max(x, 0) as tosa.clamp [0, +inf] (NaN propagates, as numpy.maximum).
LogicalResult importRelu(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kFloatOrSigned)))
    return failure();
  Operand x = inputOperand(node, 0);
  Type element = x.type.getElementType();
  auto fold = [](ArrayRef<FoldValue> v) -> std::optional<FoldValue> {
    FoldValue r = v[0];
    if (r.isFloat) {
      if (!std::isnan(r.f) && !(r.f > 0))
        r.f = 0;
    } else if (r.i.isNegative()) {
      r.i = APInt(r.i.getBitWidth(), 0);
    }
    return r;
  };
  return emitWithBuilder(
      node, {x}, element, x.dataType, fold,
      [&](ArrayRef<Value> v, ArrayRef<int64_t>) -> FailureOr<Value> {
        Builder b(node.context());
        TypedAttr lo, hi;
        if (auto f = dyn_cast<FloatType>(element)) {
          lo = b.getFloatAttr(element, APFloat::getZero(f.getFloatSemantics()));
          hi = b.getFloatAttr(element, APFloat::getInf(f.getFloatSemantics()));
        } else {
          unsigned w = element.getIntOrFloatBitWidth();
          lo = b.getIntegerAttr(element, APInt(w, 0));
          hi = b.getIntegerAttr(element, APInt::getSignedMaxValue(w));
        }
        return tosa::ClampOp::create(node.builder(), node.loc(),
                                     v[0].getType(), v[0], lo, hi,
                                     tosa::NanPropagationMode::PROPAGATE)
            .getResult();
      });
}

template <typename TosaOp>
LogicalResult importTosaActivation(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kFloatTypes)))
    return failure();
  Operand x = inputOperand(node, 0);
  return emitWithBuilder(
      node, {x}, x.type.getElementType(), x.dataType, std::nullopt,
      [&](ArrayRef<Value> v, ArrayRef<int64_t>) -> FailureOr<Value> {
        return TosaOp::create(node.builder(), node.loc(), v[0].getType(), v[0])
            .getResult();
      });
}

//===----------------------------------------------------------------------===//
// Generic float activations
//===----------------------------------------------------------------------===//

/// x > 0 ? x : alpha * x
LogicalResult importLeakyRelu(NodeImporter &node) {
  double alpha = node.attrFloat("alpha", 0.01f);
  return importFloatActivation(node, [&](const FloatBody &f, Value x) {
    Value positive = f.greater(x, 0.0);
    Value scaled = f.mul(x, alpha);
    return f.select(positive, x, scaled);
  });
}

/// x > 0 ? x : alpha * (exp(x) - 1)
LogicalResult importElu(NodeImporter &node) {
  double alpha = node.attrFloat("alpha", 1.0f);
  return importFloatActivation(node, [&](const FloatBody &f, Value x) {
    Value positive = f.greater(x, 0.0);
    Value expm1 = f.sub(f.exp(x), 1.0);
    Value negative = f.mul(alpha, expm1);
    return f.select(positive, x, negative);
  });
}

/// gamma * (x > 0 ? x : alpha * exp(x) - alpha); Selu-1 had other defaults.
LogicalResult importSelu(NodeImporter &node) {
  bool v1 = node.opset() < 6;
  double alpha = node.attrFloat("alpha", v1 ? 1.6732f : 1.67326319217681884765625f);
  double gamma = node.attrFloat("gamma", v1 ? 1.0507f : 1.05070102214813232421875f);
  return importFloatActivation(node, [&](const FloatBody &f, Value x) {
    Value positive = f.greater(x, 0.0);
    Value scaledExp = f.mul(f.exp(x), alpha);
    Value negative = f.sub(scaledExp, alpha);
    Value r = f.select(positive, x, negative);
    return f.mul(r, gamma);
  });
}

/// max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
LogicalResult importCelu(NodeImporter &node) {
  double alpha = node.attrFloat("alpha", 1.0f);
  if (alpha == 0)
    return node.fail("attribute 'alpha' must not be 0");
  return importFloatActivation(node, [&](const FloatBody &f, Value x) {
    Value expm1 = f.sub(f.exp(f.div(x, alpha)), 1.0);
    Value negative = f.min(0.0, f.mul(alpha, expm1));
    Value positive = f.max(0.0, x);
    return f.add(positive, negative);
  });
}

/// max(0, min(1, alpha * x + beta))
Value hardSigmoid(const FloatBody &f, Value x, double alpha, double beta) {
  Value lin = f.add(f.mul(x, alpha), beta);
  Value upper = f.min(1.0, lin);
  return f.max(0.0, upper);
}

LogicalResult importHardSigmoid(NodeImporter &node) {
  double alpha = node.attrFloat("alpha", 0.2f);
  double beta = node.attrFloat("beta", 0.5f);
  return importFloatActivation(node, [&](const FloatBody &f, Value x) {
    return hardSigmoid(f, x, alpha, beta);
  });
}

/// x * HardSigmoid(x) with alpha = 1/6 (as float32) and beta = 0.5.
LogicalResult importHardSwish(NodeImporter &node) {
  double alpha = static_cast<float>(1.0 / 6.0);
  return importFloatActivation(node, [&](const FloatBody &f, Value x) {
    return f.mul(x, hardSigmoid(f, x, alpha, 0.5));
  });
}

/// log(exp(x) + 1), computed without overflow for large x.
LogicalResult importSoftplus(NodeImporter &node) {
  return importFloatActivation(
      node, [&](const FloatBody &f, Value x) { return f.softplus(x); });
}

/// x / (1 + |x|)
LogicalResult importSoftsign(NodeImporter &node) {
  return importFloatActivation(node, [&](const FloatBody &f, Value x) {
    Value abs = math::AbsFOp::create(f.b, f.loc, x);
    Value denominator = f.add(1.0, abs);
    return f.div(x, denominator);
  });
}

/// x > alpha ? x : 0
LogicalResult importThresholdedRelu(NodeImporter &node) {
  double alpha = node.attrFloat("alpha", 1.0f);
  return importFloatActivation(node, [&](const FloatBody &f, Value x) {
    Value above = f.greater(x, alpha);
    return f.select(above, x, 0.0);
  });
}

/// x * tanh(softplus(x))
LogicalResult importMish(NodeImporter &node) {
  return importFloatActivation(node, [&](const FloatBody &f, Value x) {
    Value t = f.tanh(f.softplus(x));
    return f.mul(x, t);
  });
}

/// approximate="none": 0.5 x (1 + erf(x / sqrt(2)));
/// approximate="tanh": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
LogicalResult importGelu(NodeImporter &node) {
  std::string approximate = node.attrString("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return node.fail("attribute 'approximate' must be \"none\" or \"tanh\", "
                     "not \"" + approximate + "\"");
  bool useTanh = approximate == "tanh";
  return importFloatActivation(node, [&](const FloatBody &f, Value x) {
    Value inner;
    if (useTanh) {
      Value cube = f.mul(f.mul(x, x), x);
      Value poly = f.add(x, f.mul(0.044715, cube));
      inner = f.tanh(f.mul(std::sqrt(2.0 / M_PI), poly));
    } else {
      inner = math::ErfOp::create(f.b, f.loc, f.div(x, std::sqrt(2.0)));
    }
    Value half = f.mul(0.5, x);
    Value onePlus = f.add(1.0, inner);
    return f.mul(half, onePlus);
  });
}

//===----------------------------------------------------------------------===//
// PRelu, Shrink (also on integers)
//===----------------------------------------------------------------------===//

/// The slope as an operand broadcasting to X's shape: numpy-style, or, as
/// the ONNX reference does, a 1-D slope whose length matches exactly one
/// axis of X applies along that axis.
FailureOr<Operand> preluSlope(NodeImporter &node) {
  Operand slope = inputOperand(node, 1);
  ArrayRef<int64_t> xShape = node.inputType(0).getShape();
  ArrayRef<int64_t> sShape = slope.type.getShape();
  auto fits = [&](ArrayRef<int64_t> s) {
    if (s.size() > xShape.size())
      return false;
    size_t offset = xShape.size() - s.size();
    for (size_t i = 0; i < s.size(); ++i)
      if (s[i] != 1 && s[i] != xShape[offset + i])
        return false;
    return true;
  };
  if (fits(sShape))
    return slope;
  if (sShape.size() == 1) {
    SmallVector<int64_t> shape;
    int matches = 0;
    for (int64_t d : xShape) {
      bool match = d == sShape[0];
      matches += match;
      shape.push_back(match ? d : 1);
    }
    if (matches == 1) {
      auto type = RankedTensorType::get(shape, slope.type.getElementType());
      slope.value = reshapeTo(node.builder(), node.loc(), node.input(1), shape);
      if (slope.constant)
        slope.constant = slope.constant.reshape(type);
      slope.type = type;
      return slope;
    }
  }
  auto diag = node.emitError() << "slope of shape [";
  llvm::interleaveComma(sShape, diag);
  diag << "] does not broadcast to the input's shape [";
  llvm::interleaveComma(xShape, diag);
  return diag << "]";
}

/// x > 0 ? x : x * slope
LogicalResult importPRelu(NodeImporter &node) {
  if (failed(checkSameInputTypes(node, 0, 1)) ||
      failed(checkInputType(node, 0, kNumericTypes)))
    return failure();
  Operand x = inputOperand(node, 0);
  FailureOr<Operand> slope = preluSlope(node);
  if (failed(slope))
    return failure();
  Type element = x.type.getElementType();
  bool isUnsigned = x.isUnsigned;
  return emitElementwise(
      node, {x, *slope}, element, x.dataType, std::nullopt,
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        if (isa<FloatType>(element)) {
          Value in = promote(b, loc, v[0]);
          FloatBody f{b, loc, in.getType()};
          Value positive = f.greater(in, 0.0);
          Value scaled = f.mul(in, promote(b, loc, v[1]));
          Value r = f.select(positive, in, scaled);
          return demote(b, loc, r, element);
        }
        Value zero = scalarConstant(b, loc, element, 0);
        Value pos = arith::CmpIOp::create(
            b, loc,
            isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt,
            v[0], zero);
        Value scaled = arith::MulIOp::create(b, loc, v[0], v[1]);
        return arith::SelectOp::create(b, loc, pos, v[0], scaled);
      });
}

/// x < -lambd ? x + bias : (x > lambd ? x - bias : 0). Integers compute in
/// f64 and truncate back, as numpy's promotion with the float attributes
/// and astype do.
LogicalResult importShrink(NodeImporter &node) {
  if (failed(checkInputType(node, 0, kNumericTypes)))
    return failure();
  double bias = node.attrFloat("bias", 0.0f);
  double lambd = node.attrFloat("lambd", 0.5f);
  Operand x = inputOperand(node, 0);
  Type element = x.type.getElementType();
  bool isUnsigned = x.isUnsigned;
  bool isFloat = isa<FloatType>(element);
  Type f64 = Float64Type::get(node.context());
  return emitElementwise(
      node, {x}, element, x.dataType, std::nullopt,
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        Value in = isFloat ? promote(b, loc, v[0])
                           : castScalar(b, loc, v[0], f64, isUnsigned, false);
        FloatBody f{b, loc, in.getType()};
        Value low = f.less(in, -lambd);
        Value high = f.greater(in, lambd);
        Value r = f.select(high, f.sub(in, bias), 0.0);
        r = f.select(low, f.add(in, bias), r);
        if (isFloat)
          return demote(b, loc, r, element);
        return castScalar(b, loc, r, element, false, isUnsigned);
      });
}

} // namespace

void lowbit::onnx_import::registerActivationOps(std::vector<OpHandler> &table) {
  table.push_back({"", "Relu", 1, importRelu});
  table.push_back({"", "Sigmoid", 1, importTosaActivation<tosa::SigmoidOp>});
  table.push_back({"", "Tanh", 1, importTosaActivation<tosa::TanhOp>});
  table.push_back({"", "LeakyRelu", 1, importLeakyRelu});
  table.push_back({"", "PRelu", 1, importPRelu,
                   "slope broadcasts numpy-style, or a 1-D slope along the "
                   "one axis of its length"});
  table.push_back({"", "Elu", 1, importElu});
  table.push_back({"", "Selu", 1, importSelu});
  table.push_back({"", "Celu", 12, importCelu});
  table.push_back({"", "HardSigmoid", 1, importHardSigmoid});
  table.push_back({"", "HardSwish", 14, importHardSwish});
  table.push_back({"", "Softplus", 1, importSoftplus,
                   "computed as max(x, 0) + log1p(exp(-|x|))"});
  table.push_back({"", "Softsign", 1, importSoftsign});
  table.push_back({"", "ThresholdedRelu", 10, importThresholdedRelu});
  table.push_back({"", "Mish", 18, importMish});
  table.push_back({"", "Gelu", 20, importGelu});
  table.push_back({"", "Shrink", 9, importShrink});
}
