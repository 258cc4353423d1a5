//===- QLinearToLinalg.cpp - lowbit.qlinear as fused unpack-dequant-dot ---===//
//
// The packed weight is never expanded into a float matrix: one
// linalg.generic reads the packed bytes, extracts each code, dequantizes it
// and multiplies it into the activation in the same loop body.
//
// Loop nest. A row of K codes is cut into units of `unitBytes` whole bytes
// holding `codesPerUnit` codes (1 byte / 1 code at 8 bits, 1 / 2 at 4 bits,
// 1 / 4 at 2 bits, 3 / 8 at 3 bits, 3 / 4 at 6 bits), the units of a scale
// group into blocks of `lanes` consecutive units. The generic iterates
//
//   (m, n, g, u, j, l)   code k = ((g * U + u) * L + l) * J + j
//
// with m, n, l parallel and g (group), u (block in the group), j (code in
// the unit) reduced, into partial sums acc[m, n, l]: lane l accumulates
// the codes of unit l of every block. l is the innermost loop so that the
// vectorizer's vectors run along it. Byte plane p of the packed weight is
// read as [N, G, U, L], contiguous along l; the activation is relaid once
// as [M, G, U, J, L] so that it is contiguous along l too. The CPU tiler
// puts the vector lanes on l and a block of 8 on the second-to-last axis of
// the partial sums: weight rows (acc [M, N, L]) for fewer than 8 activation
// rows, activation rows (acc [N, M, L]) otherwise, so that an unpacked
// weight vector serves 8 rows. Each step loads L packed bytes per row,
// shifts and masks them in vector registers and multiplies and adds; a
// final reduction over l (with the bias as its initial value) gives y.
//
// Weight only (no act_qconfig): acc += x * (s[n, g] * float(c - z)), the
// dequantized weight exactly as lib/Numerics computes it.
//
// Integer (act_qconfig with 2..8 bits, per token or static per tensor): the
// activation is quantized to signed codes q with scale sx[m] and zero point
// zx[m] first (quantizeActivationRows, QuantToLinalg.cpp), then
//   per-channel weights: acc_i32 += (q - zx) * (c - z), and at the end
//                        y = bias + (sx[m] * s[n]) * float(sum_l acc)
//   grouped weights:     acc_f32 += s[n, g] * float((q - zx) * (c - z)),
//                        y = bias + sx[m] * sum_l acc
// Integer products are exact, so the per-channel result is bit-exact with a
// reference that computes the same expression.
//
//===----------------------------------------------------------------------===//

#include "Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <numeric>

using namespace mlir;
using namespace lowbit;
using namespace lowbit::detail;

namespace {

/// Lanes of one partial sum: one 64-byte vector of f32 or i32.
constexpr int64_t kMaxLanes = 16;
/// From this many activation rows on, partial sums are laid out [N, M, L]
/// so that the tiler's row blocks reuse each unpacked weight.
constexpr int64_t kRowBlockForWeightReuse = 8;

/// Whether partial sums of `m` activation rows are laid out [N, M, L]
/// (else [M, N, L]). The layout is decided here, never guessed from the
/// shapes: with M == N both read the same.
bool weightRowsOuter(int64_t m) { return m >= kRowBlockForWeightReuse; }

/// How a packed row is cut into units, blocks and groups.
struct PackedGeometry {
  unsigned bits;
  int64_t k, groups, groupSize;
  int64_t unitBytes, codesPerUnit;
  int64_t lanes, blocksPerGroup;
};

int64_t largestDivisorAtMost(int64_t extent, int64_t limit) {
  for (int64_t d = std::min(extent, limit); d > 1; --d)
    if (extent % d == 0)
      return d;
  return 1;
}

FailureOr<PackedGeometry> getGeometry(QLinearOp op) {
  QConfigAttr config = op.getWeightQconfig();
  PackedGeometry geo;
  geo.bits = config.getBits();
  geo.k = static_cast<int64_t>(op.getInFeatures());
  if (geo.bits < 2 || geo.bits > 8 || config.getFormat() != NumberFormat::Int)
    return op.emitOpError("only 2 to 8 bit integer weights can be compiled");
  if (op.getLayout() != PackingLayout::KMajor)
    return op.emitOpError("only the k_major layout can be compiled");
  int64_t unitBits = std::lcm<int64_t>(8, geo.bits);
  geo.unitBytes = unitBits / 8;
  geo.codesPerUnit = unitBits / geo.bits;
  geo.groups = op.getScales().getType().getDimSize(1);
  if (geo.groups <= 0 || geo.k % geo.groups != 0)
    return op.emitOpError() << geo.groups << " scale groups do not divide K = "
                            << geo.k;
  geo.groupSize = geo.k / geo.groups;
  if (geo.groupSize % geo.codesPerUnit != 0)
    return op.emitOpError()
           << "cannot be compiled yet: " << geo.bits
           << "-bit codes come in units of " << geo.codesPerUnit
           << " and a scale covers " << geo.groupSize << " of them";
  int64_t units = geo.groupSize / geo.codesPerUnit;
  geo.lanes = largestDivisorAtMost(units, kMaxLanes);
  geo.blocksPerGroup = units / geo.lanes;
  return geo;
}

AffineMap mapOf(MLIRContext *context, unsigned numDims,
                ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(numDims, 0, exprs, context);
}

/// The byte planes [N, G, U, L] of the packed weight [N, G * U * L * B]:
/// plane p holds byte p of every unit.
SmallVector<Value> getBytePlanes(OpBuilder &b, Location loc, Value packed,
                                 const PackedGeometry &geo) {
  auto type = cast<RankedTensorType>(packed.getType());
  int64_t n = type.getDimSize(0);
  SmallVector<int64_t> planeShape{n, geo.groups, geo.blocksPerGroup,
                                  geo.lanes};
  if (geo.unitBytes == 1)
    return {tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(planeShape, type.getElementType()),
        packed, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}})};
  SmallVector<int64_t> unitShape(planeShape);
  unitShape.push_back(geo.unitBytes);
  Value units = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(unitShape, type.getElementType()), packed,
      ArrayRef<ReassociationIndices>{{0}, {1, 2, 3, 4}});
  SmallVector<Value> planes;
  auto planeType = RankedTensorType::get(planeShape, type.getElementType());
  for (int64_t p = 0; p < geo.unitBytes; ++p) {
    SmallVector<OpFoldResult> offsets(5, b.getIndexAttr(0));
    offsets[4] = b.getIndexAttr(p);
    SmallVector<OpFoldResult> sizes;
    for (int64_t d : planeShape)
      sizes.push_back(b.getIndexAttr(d));
    sizes.push_back(b.getIndexAttr(1));
    SmallVector<OpFoldResult> strides(5, b.getIndexAttr(1));
    planes.push_back(tensor::ExtractSliceOp::create(b, loc, planeType, units,
                                                    offsets, sizes, strides));
  }
  return planes;
}

/// x [M, K] as [M, G, U, J, L] (see the file comment).
Value relayoutActivation(OpBuilder &b, Location loc, Value x,
                         const PackedGeometry &geo) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t m = type.getDimSize(0);
  Type element = type.getElementType();
  if (geo.codesPerUnit == 1)
    return tensor::ExpandShapeOp::create(
        b, loc,
        RankedTensorType::get(
            {m, geo.groups, geo.blocksPerGroup, 1, geo.lanes}, element),
        x, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3, 4}});
  Value expanded = tensor::ExpandShapeOp::create(
      b, loc,
      RankedTensorType::get(
          {m, geo.groups, geo.blocksPerGroup, geo.lanes, geo.codesPerUnit},
          element),
      x, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3, 4}});
  Value init = tensor::EmptyOp::create(
      b, loc,
      ArrayRef<int64_t>{m, geo.groups, geo.blocksPerGroup, geo.codesPerUnit,
                        geo.lanes},
      element);
  return linalg::TransposeOp::create(b, loc, expanded, init,
                                     ArrayRef<int64_t>{0, 1, 2, 4, 3})
      .getResult()[0];
}

/// Inside the body: the signed weight c - z (i32) of code j of the unit
/// whose bytes are `bytes`, with zero point `zeroPoint` (i8 code) or the
/// symmetric 2^(bits-1).
Value decodeWeight(OpBuilder &b, Location loc, ValueRange bytes,
                   Value zeroPoint, const PackedGeometry &geo) {
  Type i32 = b.getI32Type();
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  };
  Value word = arith::ExtUIOp::create(b, loc, i32, bytes[0]);
  for (size_t p = 1; p < bytes.size(); ++p) {
    Value byte = arith::ExtUIOp::create(b, loc, i32, bytes[p]);
    word = arith::OrIOp::create(
        b, loc, word,
        arith::ShLIOp::create(b, loc, byte, constant(8 * int64_t(p))));
  }
  Value code = word;
  if (geo.codesPerUnit > 1) {
    Value j = linalg::IndexOp::create(b, loc, 4);
    Value shift = arith::MulIOp::create(
        b, loc, arith::IndexCastOp::create(b, loc, i32, j), constant(geo.bits));
    code = arith::ShRUIOp::create(b, loc, word, shift);
  }
  if (geo.bits < 8 || geo.unitBytes > 1)
    code = arith::AndIOp::create(b, loc, code,
                                 constant((int64_t(1) << geo.bits) - 1));
  Value z = zeroPoint ? Value(arith::ExtUIOp::create(b, loc, i32, zeroPoint))
                      : constant(int64_t(1) << (geo.bits - 1));
  return arith::SubIOp::create(b, loc, code, z);
}

/// acc + a * b. The add with the accumulator as operand is what the
/// vectorizer recognizes as a reduction. The product is an fma with -0
/// (exactly a * b) rather than a mulf: a mulf feeding the reduction would be
/// folded into a vector.contract whose unit reduction dimensions lower to
/// scalar code, while this stays elementwise on vectors along the lanes.
Value multiplyAdd(OpBuilder &b, Location loc, Value lhs, Value rhs,
                  Value acc) {
  Value negativeZero = createFloatConstant(b, loc, lhs.getType(), -0.0);
  Value product = math::FmaOp::create(b, loc, lhs, rhs, negativeZero);
  return arith::AddFOp::create(b, loc, acc, product);
}

/// How the activation enters the product.
struct ActivationOperands {
  /// [M, K] float (weight only) or signed codes (integer path).
  Value values;
  /// Integer path: per-row scale [M] f32 and zero point [M] i32.
  Value scale, zeroPoint;
};

/// acc[m, n, l] of the file comment; `integerAcc` for the per-channel
/// integer path (i32), else f32.
Value buildPartialSums(OpBuilder &b, Location loc, QLinearOp op,
                       const PackedGeometry &geo,
                       const ActivationOperands &act, bool integerAcc) {
  MLIRContext *context = b.getContext();
  auto xType = cast<RankedTensorType>(act.values.getType());
  int64_t m = xType.getDimSize(0);
  int64_t n = op.getOutFeatures();
  Type f32 = b.getF32Type();
  Type accType = integerAcc ? Type(b.getI32Type()) : f32;
  bool integer = static_cast<bool>(act.scale);

  Value x = relayoutActivation(b, loc, act.values, geo);
  SmallVector<Value> planes = getBytePlanes(b, loc, op.getPacked(), geo);
  Value zeroPoints = op.getZeroPoints();

  // Loops (m, n, g, u, j, l) = d0 .. d5: the lanes innermost, so that
  // vectors are 1-D along them after unrolling.
  SmallVector<Value> inputs{x};
  SmallVector<AffineMap> maps{mapOf(context, 6, {0, 2, 3, 4, 5})};
  for (Value plane : planes) {
    inputs.push_back(plane);
    maps.push_back(mapOf(context, 6, {1, 2, 3, 5}));
  }
  // Per-channel integer sums are scaled after the reduction.
  bool readScales = !integerAcc;
  if (readScales) {
    inputs.push_back(op.getScales());
    maps.push_back(mapOf(context, 6, {1, 2}));
  }
  if (zeroPoints) {
    inputs.push_back(zeroPoints);
    maps.push_back(mapOf(context, 6, {1, 2}));
  }
  if (integer) {
    inputs.push_back(act.zeroPoint);
    maps.push_back(mapOf(context, 6, {0}));
  }
  // The CPU tiler blocks the second-to-last axis of the partial sums by 8:
  // rows of the weight when M is small (each unpacked byte used once, 8
  // rows share one activation vector), activation rows otherwise (each
  // unpacked weight vector is reused by 8 activation rows).
  bool rowsOuter = !weightRowsOuter(m);
  maps.push_back(rowsOuter ? mapOf(context, 6, {0, 1, 5})
                           : mapOf(context, 6, {1, 0, 5}));

  Value empty =
      tensor::EmptyOp::create(
          b, loc,
          rowsOuter ? ArrayRef<int64_t>{m, n, geo.lanes}
                    : ArrayRef<int64_t>{n, m, geo.lanes},
          accType);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(accType));
  Value init =
      linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{empty})
          .getResult(0);

  using utils::IteratorType;
  SmallVector<IteratorType> iterators{
      IteratorType::parallel,  IteratorType::parallel,
      IteratorType::reduction, IteratorType::reduction,
      IteratorType::reduction, IteratorType::parallel};
  size_t numPlanes = planes.size();
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               size_t next = 0;
               Value xValue = args[next++];
               ValueRange bytes = args.slice(next, numPlanes);
               next += numPlanes;
               Value scale =
                   readScales ? convertFloat(nb, l, args[next++], f32)
                              : Value();
               Value zp = zeroPoints ? args[next++] : Value();
               Value actZero = integer ? args[next++] : Value();
               Value acc = args[next];
               Value w = decodeWeight(nb, l, bytes, zp, geo);
               Value result;
               if (!integer) {
                 Value wf = arith::MulFOp::create(
                     nb, l, scale, arith::SIToFPOp::create(nb, l, f32, w));
                 Value xf = convertFloat(nb, l, xValue, f32);
                 result = multiplyAdd(nb, l, xf, wf, acc);
               } else {
                 Value q = arith::SubIOp::create(
                     nb, l,
                     arith::ExtSIOp::create(nb, l, nb.getI32Type(), xValue),
                     actZero);
                 Value product = arith::MulIOp::create(nb, l, q, w);
                 if (integerAcc) {
                   result = arith::AddIOp::create(nb, l, acc, product);
                 } else {
                   Value pf = arith::SIToFPOp::create(nb, l, f32, product);
                   result = multiplyAdd(nb, l, scale, pf, acc);
                 }
               }
               linalg::YieldOp::create(nb, l, result);
             })
      .getResult(0);
}

/// sum over l of acc [M, N, L] (or [N, M, L]) into `init` [M, N] (same
/// element type).
Value sumLanes(OpBuilder &b, Location loc, Value acc, Value init) {
  MLIRContext *context = b.getContext();
  using utils::IteratorType;
  auto accType = cast<RankedTensorType>(acc.getType());
  bool integer = isa<IntegerType>(accType.getElementType());
  bool transposed =
      weightRowsOuter(cast<RankedTensorType>(init.getType()).getDimSize(0));
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{acc},
             ValueRange{init},
             ArrayRef<AffineMap>{transposed ? mapOf(context, 3, {1, 0, 2})
                                            : mapOf(context, 3, {0, 1, 2}),
                                 mapOf(context, 3, {0, 1})},
             ArrayRef<IteratorType>{IteratorType::parallel,
                                    IteratorType::parallel,
                                    IteratorType::reduction},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value sum =
                   integer ? Value(arith::AddIOp::create(nb, l, args[1],
                                                         args[0]))
                           : Value(arith::AddFOp::create(nb, l, args[1],
                                                         args[0]));
               linalg::YieldOp::create(nb, l, sum);
             })
      .getResult(0);
}

/// y[m, n] = init[m, n] + rowScale[m] * (colScale[n] *) float(sum[m, n])
/// (`colScale` may be null).
Value scaleSums(OpBuilder &b, Location loc, Value sums, Value rowScale,
                Value colScale, Value init) {
  MLIRContext *context = b.getContext();
  using utils::IteratorType;
  Type f32 = b.getF32Type();
  SmallVector<Value> inputs{sums, rowScale};
  SmallVector<AffineMap> maps{mapOf(context, 2, {0, 1}),
                              mapOf(context, 2, {0})};
  if (colScale) {
    inputs.push_back(colScale);
    maps.push_back(mapOf(context, 2, {1}));
  }
  maps.push_back(mapOf(context, 2, {0, 1}));
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             ArrayRef<IteratorType>{IteratorType::parallel,
                                    IteratorType::parallel},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value sum = args[0];
               if (isa<IntegerType>(sum.getType()))
                 sum = arith::SIToFPOp::create(nb, l, f32, sum);
               Value scale = args[1];
               if (colScale)
                 scale = arith::MulFOp::create(
                     nb, l, scale, convertFloat(nb, l, args[2], f32));
               Value out = args[inputs.size()];
               linalg::YieldOp::create(
                   nb, l,
                   Value(arith::AddFOp::create(
                       nb, l, out, arith::MulFOp::create(nb, l, scale, sum))));
             })
      .getResult(0);
}

/// Per-channel scales [N, 1] as a vector [N].
Value scalesAsVector(OpBuilder &b, Location loc, Value scales) {
  auto type = cast<RankedTensorType>(scales.getType());
  return tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({type.getDimSize(0)}, type.getElementType()),
      scales, ArrayRef<ReassociationIndices>{{0, 1}});
}

} // namespace

FailureOr<Value> lowbit::detail::lowerQLinear(RewriterBase &rewriter,
                                              QLinearOp op) {
  if (failed(checkStaticShapes(op)))
    return failure();
  FailureOr<PackedGeometry> geo = getGeometry(op);
  if (failed(geo))
    return failure();
  Location loc = op.getLoc();
  RankedTensorType inputType = op.getInput().getType();
  RankedTensorType resultType = op.getResult().getType();
  Type elementType = inputType.getElementType();
  Type f32 = rewriter.getF32Type();
  int64_t n = op.getOutFeatures();
  int64_t m = 1;
  for (int64_t d : inputType.getShape().drop_back())
    m *= d;

  Value x = convertElements(rewriter, loc,
                            toRowMatrix(rewriter, loc, op.getInput(), m), f32);
  Value init = createAccumulatorInit(rewriter, loc, {m, n}, f32, op.getBias(),
                                     1);

  QConfigAttr actConfig = op.getActQconfigAttr();
  Value product;
  if (!actConfig || actConfig.isFloat()) {
    ActivationOperands act{x, {}, {}};
    Value acc = buildPartialSums(rewriter, loc, op, *geo, act,
                                 /*integerAcc=*/false);
    product = sumLanes(rewriter, loc, acc, init);
  } else {
    FailureOr<QuantizedRows> rows = quantizeActivationRows(
        rewriter, op, x, actConfig, op.getActScaleAttr(),
        op.getActZeroPointAttr());
    if (failed(rows))
      return failure();
    ActivationOperands act{rows->codes, rows->scale, rows->zeroPoint};
    bool perChannel = geo->groups == 1;
    Value acc = buildPartialSums(rewriter, loc, op, *geo, act, perChannel);
    Type sumType = perChannel ? Type(rewriter.getI32Type()) : f32;
    Value empty = tensor::EmptyOp::create(rewriter, loc,
                                          ArrayRef<int64_t>{m, n}, sumType);
    Value zero =
        arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(sumType));
    Value sumInit = linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                           ValueRange{empty})
                        .getResult(0);
    Value sums = sumLanes(rewriter, loc, acc, sumInit);
    product = scaleSums(rewriter, loc, sums, rows->scale,
                        perChannel ? scalesAsVector(rewriter, loc, op.getScales())
                                   : Value(),
                        init);
  }
  Value result = convertElements(rewriter, loc, product, elementType);
  return fromRowMatrix(rewriter, loc, result, resultType);
}
