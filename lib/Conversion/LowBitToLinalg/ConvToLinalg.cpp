//===- ConvToLinalg.cpp - lowbit.conv as linalg convolutions --------------===//
//
// Padding becomes a tensor.pad with zeros, the bias the accumulator's initial
// value. The channels-first named convolutions cover group = 1 in 1 to 3
// spatial dimensions and grouped or depthwise 2-D convolutions; everything
// else (grouped 1-D / 3-D, 4 or more spatial axes) is one linalg.generic over
// [batch, group, out channel, out position..., in channel, kernel offset...].
//
//===----------------------------------------------------------------------===//

#include "Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::detail;

namespace {

struct ConvParams {
  ArrayRef<int64_t> strides;
  ArrayRef<int64_t> dilations;
  int64_t group;
};

/// Zero padding of the spatial axes, `pads` = begins then ends.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pads) {
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  size_t spatial = type.getRank() - 2;
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)),
      high(2, b.getIndexAttr(0));
  SmallVector<int64_t> shape(type.getShape());
  for (size_t i = 0; i < spatial; ++i) {
    low.push_back(b.getIndexAttr(pads[i]));
    high.push_back(b.getIndexAttr(pads[spatial + i]));
    shape[2 + i] += pads[i] + pads[spatial + i];
  }
  Value zero = createFloatConstant(b, loc, type.getElementType(), 0.0);
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), input, low,
      high, zero);
}

/// Splits axis `axis` of `value` into [outer, size / outer].
Value splitAxis(OpBuilder &b, Location loc, Value value, int64_t axis,
                int64_t outer) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (i == axis) {
      groups.push_back({static_cast<int64_t>(shape.size()),
                        static_cast<int64_t>(shape.size()) + 1});
      shape.push_back(outer);
      shape.push_back(type.getDimSize(i) / outer);
      continue;
    }
    groups.push_back({static_cast<int64_t>(shape.size())});
    shape.push_back(type.getDimSize(i));
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value,
      groups);
}

/// Merges axes `axis` and `axis + 1` of `value` into one.
Value mergeAxes(OpBuilder &b, Location loc, Value value, int64_t axis) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (i == axis) {
      groups.push_back({i, i + 1});
      shape.push_back(type.getDimSize(i) * type.getDimSize(i + 1));
      ++i;
      continue;
    }
    groups.push_back({i});
    shape.push_back(type.getDimSize(i));
  }
  return tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value,
      groups);
}

/// The general grouped convolution as one linalg.generic, on views with the
/// group split out: x [B, G, C/G, D...], w [G, O/G, C/G, k...],
/// acc [B, G, O/G, E...].
Value buildGenericConv(OpBuilder &b, Location loc, Value input, Value weight,
                       Value init, const ConvParams &params) {
  int64_t spatial = cast<RankedTensorType>(input.getType()).getRank() - 2;
  Value x = splitAxis(b, loc, input, 1, params.group);
  Value w = splitAxis(b, loc, weight, 0, params.group);
  Value acc = splitAxis(b, loc, init, 1, params.group);

  // Loops: b, g, og, e_1..e_n (parallel), c, k_1..k_n (reduction).
  MLIRContext *context = b.getContext();
  int64_t numLoops = 4 + 2 * spatial;
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  AffineExpr batch = dim(0), group = dim(1), outChannel = dim(2),
             inChannel = dim(3 + spatial);
  SmallVector<AffineExpr> xExprs{batch, group, inChannel};
  SmallVector<AffineExpr> wExprs{group, outChannel, inChannel};
  SmallVector<AffineExpr> accExprs{batch, group, outChannel};
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr position = dim(3 + i), offset = dim(4 + spatial + i);
    xExprs.push_back(position * params.strides[i] +
                     offset * params.dilations[i]);
    wExprs.push_back(offset);
    accExprs.push_back(position);
  }
  SmallVector<AffineMap> maps{AffineMap::get(numLoops, 0, xExprs, context),
                              AffineMap::get(numLoops, 0, wExprs, context),
                              AffineMap::get(numLoops, 0, accExprs, context)};
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  for (int64_t i = 3 + spatial; i < numLoops; ++i)
    iterators[i] = utils::IteratorType::reduction;

  Type accType = cast<RankedTensorType>(init.getType()).getElementType();
  Value result =
      linalg::GenericOp::create(
          b, loc, TypeRange{acc.getType()}, ValueRange{x, w}, ValueRange{acc},
          maps, iterators,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value lhs = convertFloat(nb, l, args[0], accType);
            Value rhs = convertFloat(nb, l, args[1], accType);
            Value product = arith::MulFOp::create(nb, l, lhs, rhs);
            linalg::YieldOp::create(
                nb, l, Value(arith::AddFOp::create(nb, l, args[2], product)));
          })
          .getResult(0);
  return mergeAxes(b, loc, result, 1);
}

/// The named channels-first ops; null when none fits.
Value buildNamedConv(OpBuilder &b, Location loc, Value input, Value weight,
                     Value init, const ConvParams &params) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t spatial = inputType.getRank() - 2;
  SmallVector<Type, 1> resultTypes{init.getType()};
  Attribute strides = b.getI64TensorAttr(params.strides);
  Attribute dilations = b.getI64TensorAttr(params.dilations);
  SmallVector<Value, 1> outs{init};
  if (params.group == 1) {
    SmallVector<Value, 2> ins{input, weight};
    switch (spatial) {
    case 1:
      return linalg::Conv1DNcwFcwOp::create(b, loc, resultTypes, ins, outs,
                                            strides, dilations)
          .getResult(0);
    case 2:
      return linalg::Conv2DNchwFchwOp::create(b, loc, resultTypes, ins, outs,
                                              strides, dilations)
          .getResult(0);
    case 3:
      return linalg::Conv3DNcdhwFcdhwOp::create(b, loc, resultTypes, ins, outs,
                                                strides, dilations)
          .getResult(0);
    default: return {};
    }
  }
  if (spatial != 2)
    return {};
  int64_t channels = inputType.getDimSize(1);
  if (params.group == channels && weightType.getDimSize(0) == channels) {
    // Depthwise: weight [C, 1, kh, kw] -> [C, kh, kw].
    auto filterType = RankedTensorType::get(
        {channels, weightType.getDimSize(2), weightType.getDimSize(3)},
        weightType.getElementType());
    Value filter = tensor::CollapseShapeOp::create(
        b, loc, filterType, weight,
        ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
    return linalg::DepthwiseConv2DNchwChwOp::create(b, loc, resultTypes,
                                                    ValueRange{input, filter},
                                                    outs, strides, dilations)
        .getResult(0);
  }
  Value x = splitAxis(b, loc, input, 1, params.group);
  Value w = splitAxis(b, loc, weight, 0, params.group);
  Value acc = splitAxis(b, loc, init, 1, params.group);
  Value result = linalg::Conv2DNgchwGfchwOp::create(
                     b, loc, TypeRange{acc.getType()}, ValueRange{x, w},
                     ValueRange{acc}, strides, dilations)
                     .getResult(0);
  return mergeAxes(b, loc, result, 1);
}

} // namespace

FailureOr<Value> lowbit::detail::lowerConv(RewriterBase &rewriter, ConvOp op) {
  if (failed(checkStaticShapes(op)))
    return failure();
  Location loc = op.getLoc();
  RankedTensorType resultType = op.getResult().getType();
  Type elementType = resultType.getElementType();
  ConvParams params{op.getStrides(), op.getDilations(),
                    static_cast<int64_t>(op.getGroup())};

  Value input = padSpatial(rewriter, loc, op.getInput(), op.getPads());
  Value init =
      createAccumulatorInit(rewriter, loc, resultType.getShape(),
                            getAccumulatorType(elementType), op.getBias(), 1);
  Value product =
      buildNamedConv(rewriter, loc, input, op.getWeight(), init, params);
  if (!product)
    product =
        buildGenericConv(rewriter, loc, input, op.getWeight(), init, params);
  return convertElements(rewriter, loc, product, elementType);
}
