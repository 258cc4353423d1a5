//===- QuantToLinalg.cpp - quantize, dequantize, fake_quant as linalg -----===//
//
// Every op works on a view of its input as rows [R, G, E]: R is the product
// of the leading axes, G the number of scales in a row (1 for tensor,
// channel and token granularity, K / group_size for groups) and E the
// elements that share one scale. Scales are read as [R, G], or as a scalar
// for tensor granularity.
//
// The arithmetic is lib/Numerics/UniformQuantizer's, in binary32 (signed
// activation domain, qmin = -2^(b-1), qmax = 2^(b-1) - 1):
//   quantize    q = clamp(roundeven(x / s) + z, qmin, qmax)  (true division)
//   dequantize  x = s * float(q - z)
//   fake_quant  dequantize(quantize(x))
// Per-token (dynamic) scales come from each row's range:
//   symmetric   s = max|x| / float(qmax)
//   asymmetric  lo = min(min x, 0), hi = max(max x, 0),
//               s = (hi - lo) / float(2^b - 1),
//               z = clamp(qmin + roundeven(-lo / s), qmin, qmax)
// and s = 1 where the formula gives 0.
//
//===----------------------------------------------------------------------===//

#include "Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::detail;

namespace {

using utils::IteratorType;

struct CodeBounds {
  int64_t qmin, qmax;
};

CodeBounds signedBounds(unsigned bits) {
  return {-(int64_t(1) << (bits - 1)), (int64_t(1) << (bits - 1)) - 1};
}

Value f32Constant(OpBuilder &b, Location loc, double value) {
  return createFloatConstant(b, loc, b.getF32Type(), value);
}

AffineMap dimsMap(MLIRContext *context, unsigned numDims,
                  ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(numDims, 0, exprs, context);
}

/// Scales and zero points of a [R, G, E] view: tensors [R, G] (or rank 0),
/// f32 and i32 (zero point null: 0).
struct RowParams {
  Value scale, zeroPoint;
};

AffineMap paramMap(MLIRContext *context, Value param) {
  if (cast<RankedTensorType>(param.getType()).getRank() == 0)
    return AffineMap::get(3, 0, {}, context);
  return dimsMap(context, 3, {0, 1});
}

/// One elementwise generic over `input` [R, G, E] with the row parameters,
/// into a new tensor of `resultElement`; `body(b, loc, x, s, z)` gets the
/// scale as f32 and the zero point as i32 (constant 0 when absent).
Value mapWithParams(
    OpBuilder &b, Location loc, Value input, const RowParams &params,
    Type resultElement,
    function_ref<Value(OpBuilder &, Location, Value, Value, Value)> body) {
  MLIRContext *context = b.getContext();
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<Value> inputs{input, params.scale};
  SmallVector<AffineMap> maps{dimsMap(context, 3, {0, 1, 2}),
                              paramMap(context, params.scale)};
  if (params.zeroPoint) {
    inputs.push_back(params.zeroPoint);
    maps.push_back(paramMap(context, params.zeroPoint));
  }
  maps.push_back(dimsMap(context, 3, {0, 1, 2}));
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), resultElement);
  bool hasZero = static_cast<bool>(params.zeroPoint);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             SmallVector<IteratorType>(3, IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value scale = convertFloat(nb, l, args[1], nb.getF32Type());
               Value zero;
               if (hasZero) {
                 zero = args[2];
                 unsigned width = zero.getType().getIntOrFloatBitWidth();
                 if (width < 32)
                   zero = arith::ExtSIOp::create(nb, l, nb.getI32Type(), zero);
                 else if (width > 32)
                   zero = arith::TruncIOp::create(nb, l, nb.getI32Type(), zero);
               } else {
                 zero = arith::ConstantOp::create(nb, l, nb.getI32IntegerAttr(0));
               }
               linalg::YieldOp::create(nb, l,
                                       body(nb, l, args[0], scale, zero));
             })
      .getResult(0);
}

/// clamp(roundeven(x / s) + z, qmin, qmax), as an f32 holding an integer.
Value quantizeScalar(OpBuilder &b, Location loc, Value x, Value scale,
                     Value zero, CodeBounds bounds) {
  Type f32 = b.getF32Type();
  Value xf = convertFloat(b, loc, x, f32);
  Value rounded = math::RoundEvenOp::create(
      b, loc, arith::DivFOp::create(b, loc, xf, scale));
  Value shifted = arith::AddFOp::create(
      b, loc, rounded, arith::SIToFPOp::create(b, loc, f32, zero));
  Value low = arith::MaxNumFOp::create(
      b, loc, shifted, f32Constant(b, loc, double(bounds.qmin)));
  return arith::MinNumFOp::create(b, loc, low,
                                  f32Constant(b, loc, double(bounds.qmax)));
}

/// s * float(q - z) with q an integer-valued f32 or an integer.
Value dequantizeScalar(OpBuilder &b, Location loc, Value q, Value scale,
                       Value zero) {
  Type f32 = b.getF32Type();
  Value offset;
  if (isa<IntegerType>(q.getType())) {
    Value wide = q;
    unsigned width = q.getType().getIntOrFloatBitWidth();
    if (width < 32)
      wide = arith::ExtSIOp::create(b, loc, b.getI32Type(), q);
    else if (width > 32)
      wide = arith::TruncIOp::create(b, loc, b.getI32Type(), q);
    offset = arith::SIToFPOp::create(
        b, loc, f32, arith::SubIOp::create(b, loc, wide, zero));
  } else {
    offset = arith::SubFOp::create(b, loc, q,
                                   arith::SIToFPOp::create(b, loc, f32, zero));
  }
  return arith::MulFOp::create(b, loc, scale, offset);
}

Value toInteger(OpBuilder &b, Location loc, Value codeAsFloat, Type type) {
  return arith::FPToSIOp::create(b, loc, type, codeAsFloat);
}

/// [..., K] as [R, G, K / G] (R rows of the leading axes).
Value toRowGroups(OpBuilder &b, Location loc, Value value, int64_t groups) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t k = type.getShape().back();
  int64_t rows = type.getNumElements() / std::max<int64_t>(k, 1);
  Value matrix = toRowMatrix(b, loc, value, rows);
  return tensor::ExpandShapeOp::create(
      b, loc,
      RankedTensorType::get({rows, groups, k / groups}, type.getElementType()),
      matrix, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
}

/// [R, G, E] back to `type` [..., K].
Value fromRowGroups(OpBuilder &b, Location loc, Value value,
                    RankedTensorType type) {
  auto viewType = cast<RankedTensorType>(value.getType());
  int64_t rows = viewType.getDimSize(0);
  Value matrix = tensor::CollapseShapeOp::create(
      b, loc,
      RankedTensorType::get({rows, viewType.getDimSize(1) *
                                       viewType.getDimSize(2)},
                            viewType.getElementType()),
      value, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
  return fromRowMatrix(b, loc, matrix, type);
}

/// Scale or zero-point operand [..., G] as [R, G]; rank 0 stays.
Value paramsAsRows(OpBuilder &b, Location loc, Value param, int64_t rows) {
  if (!param || cast<RankedTensorType>(param.getType()).getRank() == 0)
    return param;
  return toRowMatrix(b, loc, param, rows);
}

int64_t groupsOf(QConfigAttr config, int64_t k) {
  return config.getGranularity() == Granularity::Group
             ? k / config.getGroupSize()
             : 1;
}

/// Per-row range statistics of x [R, K] (f32): max|x| (symmetric) or
/// min(min x, 0) and max(max x, 0), each [R].
SmallVector<Value> rowRanges(OpBuilder &b, Location loc, Value x,
                             bool symmetric) {
  MLIRContext *context = b.getContext();
  int64_t rows = cast<RankedTensorType>(x.getType()).getDimSize(0);
  Type f32 = b.getF32Type();
  Value zero = f32Constant(b, loc, 0.0);
  Value empty = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{rows}, f32);
  Value init =
      linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{empty})
          .getResult(0);
  SmallVector<Value> inits(symmetric ? 1 : 2, init);
  SmallVector<AffineMap> maps{dimsMap(context, 2, {0, 1})};
  maps.append(inits.size(), dimsMap(context, 2, {0}));
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange(ValueRange(inits)), ValueRange{x}, inits, maps,
      ArrayRef<IteratorType>{IteratorType::parallel, IteratorType::reduction},
      [&](OpBuilder &nb, Location l, ValueRange args) {
        if (symmetric) {
          Value magnitude = math::AbsFOp::create(nb, l, args[0]);
          linalg::YieldOp::create(
              nb, l, Value(arith::MaxNumFOp::create(nb, l, args[1], magnitude)));
          return;
        }
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::MinNumFOp::create(nb, l, args[1], args[0]),
                       arith::MaxNumFOp::create(nb, l, args[2], args[0])});
      });
  return SmallVector<Value>(op.getResults());
}

/// Scales [R] (and zero points [R] i32 when asymmetric) from rowRanges.
RowParams rowParamsFromRanges(OpBuilder &b, Location loc,
                              ArrayRef<Value> ranges, unsigned bits,
                              bool symmetric) {
  MLIRContext *context = b.getContext();
  int64_t rows = cast<RankedTensorType>(ranges[0].getType()).getDimSize(0);
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  CodeBounds bounds = signedBounds(bits);
  SmallVector<Value> inits{
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{rows}, f32)};
  if (!symmetric)
    inits.push_back(
        tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{rows}, i32));
  SmallVector<AffineMap> maps(ranges.size() + inits.size(),
                              dimsMap(context, 1, {0}));
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange(ValueRange(inits)), ranges, inits, maps,
      ArrayRef<IteratorType>{IteratorType::parallel},
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value zero = f32Constant(nb, l, 0.0), one = f32Constant(nb, l, 1.0);
        auto nonZero = [&](Value s) -> Value {
          Value isZero =
              arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, s, zero);
          return arith::SelectOp::create(nb, l, isZero, one, s);
        };
        if (symmetric) {
          Value s = arith::DivFOp::create(
              nb, l, args[0], f32Constant(nb, l, double(bounds.qmax)));
          linalg::YieldOp::create(nb, l, nonZero(s));
          return;
        }
        Value lo = args[0], hi = args[1];
        Value levels = f32Constant(nb, l, double((int64_t(1) << bits) - 1));
        Value s = nonZero(arith::DivFOp::create(
            nb, l, arith::SubFOp::create(nb, l, hi, lo), levels));
        Value offset = math::RoundEvenOp::create(
            nb, l,
            arith::DivFOp::create(nb, l, arith::NegFOp::create(nb, l, lo), s));
        Value z = arith::AddFOp::create(
            nb, l, offset, f32Constant(nb, l, double(bounds.qmin)));
        z = arith::MaxNumFOp::create(nb, l, z,
                                     f32Constant(nb, l, double(bounds.qmin)));
        z = arith::MinNumFOp::create(nb, l, z,
                                     f32Constant(nb, l, double(bounds.qmax)));
        linalg::YieldOp::create(
            nb, l, ValueRange{s, arith::FPToSIOp::create(nb, l, i32, z)});
      });
  RowParams params;
  params.scale = op.getResult(0);
  if (!symmetric)
    params.zeroPoint = op.getResult(1);
  return params;
}

/// Dynamic per-token parameters of x [R, K] f32, as [R, 1] tensors.
RowParams tokenParams(OpBuilder &b, Location loc, Value x,
                      QConfigAttr config) {
  SmallVector<Value> ranges = rowRanges(b, loc, x, config.getSymmetric());
  RowParams flat = rowParamsFromRanges(b, loc, ranges, config.getBits(),
                                       config.getSymmetric());
  auto expand = [&](Value v) -> Value {
    if (!v)
      return v;
    auto type = cast<RankedTensorType>(v.getType());
    return tensor::ExpandShapeOp::create(
        b, loc,
        RankedTensorType::get({type.getDimSize(0), 1}, type.getElementType()),
        v, ArrayRef<ReassociationIndices>{{0, 1}});
  };
  return {expand(flat.scale), expand(flat.zeroPoint)};
}

FailureOr<CodeBounds> integerBounds(Operation *op, QConfigAttr config) {
  if (config.getBits() < 2 || config.getBits() > 8 ||
      config.getFormat() != NumberFormat::Int)
    return op->emitOpError(
        "only 2 to 8 bit integer quantization can be compiled");
  return signedBounds(config.getBits());
}

} // namespace

FailureOr<QuantizedRows> lowbit::detail::quantizeActivationRows(
    RewriterBase &rewriter, Operation *op, Value x, QConfigAttr config,
    FloatAttr staticScale, IntegerAttr staticZeroPoint) {
  FailureOr<CodeBounds> bounds = integerBounds(op, config);
  if (failed(bounds))
    return failure();
  Location loc = op->getLoc();
  int64_t rows = cast<RankedTensorType>(x.getType()).getDimSize(0);
  Type f32 = rewriter.getF32Type(), i32 = rewriter.getI32Type();
  QuantizedRows result;
  RowParams params;
  if (config.getGranularity() == Granularity::Token) {
    params = tokenParams(rewriter, loc, x, config);
  } else if (config.getGranularity() == Granularity::Tensor) {
    if (!staticScale)
      return op->emitOpError(
          "per-tensor activation quantization needs a calibrated act_scale");
    auto fill = [&](Attribute value, Type type) -> Value {
      Value empty = tensor::EmptyOp::create(
          rewriter, loc, ArrayRef<int64_t>{rows, 1}, type);
      Value v = arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(value));
      return linalg::FillOp::create(rewriter, loc, ValueRange{v},
                                    ValueRange{empty})
          .getResult(0);
    };
    params.scale = fill(
        rewriter.getF32FloatAttr(staticScale.getValueAsDouble()), f32);
    if (staticZeroPoint)
      params.zeroPoint = fill(
          rewriter.getI32IntegerAttr(staticZeroPoint.getInt()), i32);
  } else {
    return op->emitOpError()
           << "activations can be quantized per token or per tensor; got "
           << stringifyGranularity(config.getGranularity());
  }
  Value view = toRowGroups(rewriter, loc, x, 1);
  CodeBounds cb = *bounds;
  Type i8 = rewriter.getI8Type();
  Value codes = mapWithParams(
      rewriter, loc, view, params, i8,
      [&](OpBuilder &b, Location l, Value v, Value s, Value z) {
        return toInteger(b, l, quantizeScalar(b, l, v, s, z, cb), i8);
      });
  result.codes = tensor::CollapseShapeOp::create(
      rewriter, loc,
      RankedTensorType::get(cast<RankedTensorType>(x.getType()).getShape(), i8),
      codes, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
  auto flatten = [&](Value v) -> Value {
    auto type = cast<RankedTensorType>(v.getType());
    return tensor::CollapseShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({type.getDimSize(0)}, type.getElementType()), v,
        ArrayRef<ReassociationIndices>{{0, 1}});
  };
  result.scale = flatten(params.scale);
  if (params.zeroPoint) {
    result.zeroPoint = flatten(params.zeroPoint);
  } else {
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{rows}, i32);
    Value zero =
        arith::ConstantOp::create(rewriter, loc, rewriter.getI32IntegerAttr(0));
    result.zeroPoint = linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                              ValueRange{empty})
                           .getResult(0);
  }
  return result;
}

FailureOr<Value> lowbit::detail::lowerQuantize(RewriterBase &rewriter,
                                               QuantizeOp op) {
  if (failed(checkStaticShapes(op)))
    return failure();
  QConfigAttr config = op.getQconfig();
  FailureOr<CodeBounds> bounds = integerBounds(op, config);
  if (failed(bounds))
    return failure();
  Location loc = op.getLoc();
  RankedTensorType type = op.getInput().getType();
  int64_t k = type.getShape().back();
  int64_t groups = groupsOf(config, k);
  Value view = toRowGroups(rewriter, loc, op.getInput(), groups);
  int64_t rows = cast<RankedTensorType>(view.getType()).getDimSize(0);
  RowParams params{paramsAsRows(rewriter, loc, op.getScale(), rows),
                   paramsAsRows(rewriter, loc, op.getZeroPoint(), rows)};
  RankedTensorType resultType = op.getResult().getType();
  Type element = resultType.getElementType();
  CodeBounds cb = *bounds;
  Value codes = mapWithParams(
      rewriter, loc, view, params, element,
      [&](OpBuilder &b, Location l, Value v, Value s, Value z) {
        return toInteger(b, l, quantizeScalar(b, l, v, s, z, cb), element);
      });
  return fromRowGroups(rewriter, loc, codes, resultType);
}

FailureOr<Value> lowbit::detail::lowerDequantize(RewriterBase &rewriter,
                                                 DequantizeOp op) {
  if (failed(checkStaticShapes(op)))
    return failure();
  QConfigAttr config = op.getQconfig();
  if (failed(integerBounds(op, config)))
    return failure();
  Location loc = op.getLoc();
  RankedTensorType type = op.getInput().getType();
  int64_t groups = groupsOf(config, type.getShape().back());
  Value view = toRowGroups(rewriter, loc, op.getInput(), groups);
  int64_t rows = cast<RankedTensorType>(view.getType()).getDimSize(0);
  RowParams params{paramsAsRows(rewriter, loc, op.getScale(), rows),
                   paramsAsRows(rewriter, loc, op.getZeroPoint(), rows)};
  RankedTensorType resultType = op.getResult().getType();
  Type element = resultType.getElementType();
  Value values = mapWithParams(
      rewriter, loc, view, params, element,
      [&](OpBuilder &b, Location l, Value q, Value s, Value z) {
        return convertFloat(b, l, dequantizeScalar(b, l, q, s, z), element);
      });
  return fromRowGroups(rewriter, loc, values, resultType);
}

FailureOr<SmallVector<Value>>
lowbit::detail::lowerQuantizePerToken(RewriterBase &rewriter,
                                      QuantizePerTokenOp op) {
  if (failed(checkStaticShapes(op)))
    return failure();
  QConfigAttr config = op.getQconfig();
  FailureOr<CodeBounds> bounds = integerBounds(op, config);
  if (failed(bounds))
    return failure();
  Location loc = op.getLoc();
  Type f32 = rewriter.getF32Type();
  Value x = convertElements(rewriter, loc, op.getInput(), f32);
  Value view = toRowGroups(rewriter, loc, x, 1);
  int64_t rows = cast<RankedTensorType>(view.getType()).getDimSize(0);
  Value matrix = toRowMatrix(rewriter, loc, x, rows);
  RowParams params = tokenParams(rewriter, loc, matrix, config);
  RankedTensorType codesType = op.getResult().getType();
  Type element = codesType.getElementType();
  CodeBounds cb = *bounds;
  Value codes = mapWithParams(
      rewriter, loc, view, params, element,
      [&](OpBuilder &b, Location l, Value v, Value s, Value z) {
        return toInteger(b, l, quantizeScalar(b, l, v, s, z, cb), element);
      });
  SmallVector<Value> results{fromRowGroups(rewriter, loc, codes, codesType)};
  auto scaleType = cast<RankedTensorType>(op.getScale().getType());
  results.push_back(fromRowMatrix(
      rewriter, loc,
      convertElements(rewriter, loc, params.scale, scaleType.getElementType()),
      scaleType));
  if (Value zp = op.getZeroPoint()) {
    auto zpType = cast<RankedTensorType>(zp.getType());
    Value z = params.zeroPoint;
    Type zElement = zpType.getElementType();
    if (zElement != rewriter.getI32Type()) {
      Value empty = tensor::EmptyOp::create(
          rewriter, loc, cast<RankedTensorType>(z.getType()).getShape(),
          zElement);
      z = linalg::GenericOp::create(
              rewriter, loc, TypeRange{empty.getType()}, ValueRange{z},
              ValueRange{empty},
              SmallVector<AffineMap>(2, AffineMap::getMultiDimIdentityMap(
                                            2, rewriter.getContext())),
              SmallVector<IteratorType>(2, IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange args) {
                unsigned width = zElement.getIntOrFloatBitWidth();
                Value c = width < 32
                              ? Value(arith::TruncIOp::create(b, l, zElement,
                                                              args[0]))
                              : Value(arith::ExtSIOp::create(b, l, zElement,
                                                             args[0]));
                linalg::YieldOp::create(b, l, c);
              })
              .getResult(0);
    }
    results.push_back(fromRowMatrix(rewriter, loc, z, zpType));
  }
  return results;
}

FailureOr<Value> lowbit::detail::lowerFakeQuant(RewriterBase &rewriter,
                                                FakeQuantOp op) {
  if (failed(checkStaticShapes(op)))
    return failure();
  QConfigAttr config = op.getQconfig();
  Location loc = op.getLoc();
  RankedTensorType type = op.getInput().getType();
  if (config.isFloat())
    return op.getInput();
  if (config.isPruned()) {
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    Value zero = createFloatConstant(rewriter, loc, type.getElementType(), 0.0);
    return linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                  ValueRange{empty})
        .getResult(0);
  }
  FailureOr<CodeBounds> bounds = integerBounds(op, config);
  if (failed(bounds))
    return failure();
  int64_t groups = groupsOf(config, type.getShape().back());
  Value view = toRowGroups(rewriter, loc, op.getInput(), groups);
  int64_t rows = cast<RankedTensorType>(view.getType()).getDimSize(0);
  RowParams params;
  if (config.getGranularity() == Granularity::Token) {
    Value x = convertElements(rewriter, loc, op.getInput(),
                              rewriter.getF32Type());
    params = tokenParams(rewriter, loc, toRowMatrix(rewriter, loc, x, rows),
                         config);
  } else {
    params = {paramsAsRows(rewriter, loc, op.getScale(), rows),
              paramsAsRows(rewriter, loc, op.getZeroPoint(), rows)};
  }
  Type element = type.getElementType();
  CodeBounds cb = *bounds;
  Value values = mapWithParams(
      rewriter, loc, view, params, element,
      [&](OpBuilder &b, Location l, Value v, Value s, Value z) {
        Value q = quantizeScalar(b, l, v, s, z, cb);
        return convertFloat(b, l, dequantizeScalar(b, l, q, s, z), element);
      });
  return fromRowGroups(rewriter, loc, values, type);
}
