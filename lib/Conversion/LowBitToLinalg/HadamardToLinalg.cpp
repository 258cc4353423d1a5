//===- HadamardToLinalg.cpp - lowbit.hadamard as a fast transform ---------===//
//
// The online rotation y = H D x / sqrt(n) per block of n = 2^k * m elements
// of the last axis (H = S_{2^k} (x) P_m, lowbit/Numerics/FastHadamard.h),
// in O(n (m + log2 n)) work per block:
//
//   1. one elementwise generic multiplies element j of every block by
//      d_j / sqrt(n) (signs and normalization in one constant vector);
//   2. for m > 1, one generic multiplies every m-chunk by the dense Paley
//      matrix P_m (a small reduction);
//   3. k butterfly generics, one per half-length h = 1, 2, ..., 2^(k-1)
//      (in chunks): the row viewed as [R, P, 2, h*m], every output reads
//      both halves, y[.., 0, q] = a + b and y[.., 1, q] = a - b.
//
// Reshapes between the steps are tensor.expand_shape / collapse_shape of a
// contiguous row, so they cost nothing after bufferization. f16 and bf16
// inputs are transformed in f32 and converted back once.
//
//===----------------------------------------------------------------------===//

#include "Lowerings.h"

#include "lowbit/Numerics/FastHadamard.h"
#include "lowbit/Numerics/Hadamard.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace lowbit;
using namespace lowbit::detail;

namespace {

/// `value` (a contiguous row-major tensor) with the static shape `shape`.
Value reshapeTo(OpBuilder &b, Location loc, Value value,
                ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  // Through the flat [R, L] matrix both ways, which is always a valid pair
  // of collapse / expand reassociations when the leading axis is kept.
  int64_t rows = type.getDimSize(0);
  int64_t cols = type.getNumElements() / rows;
  auto matrixType = RankedTensorType::get({rows, cols}, type.getElementType());
  auto trailing = [](int64_t rank) {
    ReassociationIndices rest;
    for (int64_t i = 1; i < rank; ++i)
      rest.push_back(i);
    return SmallVector<ReassociationIndices>{{0}, rest};
  };
  Value matrix = value;
  if (type.getRank() != 2)
    matrix = tensor::CollapseShapeOp::create(b, loc, matrixType, value,
                                             trailing(type.getRank()));
  if (shape.size() == 2)
    return matrix;
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), matrix,
      trailing(shape.size()));
}

SmallVector<utils::IteratorType> parallel(unsigned loops) {
  return SmallVector<utils::IteratorType>(loops, utils::IteratorType::parallel);
}

/// x [R, B, n] times the per-position factors c [n].
Value scaleBlocks(OpBuilder &b, Location loc, Value x,
                  const std::vector<float> &factors) {
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  auto vectorType = RankedTensorType::get(
      {static_cast<int64_t>(factors.size())}, type.getElementType());
  Value c = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(vectorType, ArrayRef<float>(factors)));
  AffineMap full = AffineMap::getMultiDimIdentityMap(3, ctx);
  AffineMap lane = AffineMap::get(3, 0, {getAffineDimExpr(2, ctx)}, ctx);
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                        type.getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{x, c}, ValueRange{empty},
             ArrayRef<AffineMap>{full, lane, full}, parallel(3),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   nb, l,
                   Value(arith::MulFOp::create(nb, l, args[0], args[1])));
             })
      .getResult(0);
}

/// Every m-chunk of x [R, T, m] times the Paley matrix: y[r, t, i] =
/// sum_j P[i][j] x[r, t, j].
Value multiplyChunks(OpBuilder &b, Location loc, Value x, int64_t m) {
  auto type = cast<RankedTensorType>(x.getType());
  Type f32 = type.getElementType();
  MLIRContext *ctx = b.getContext();
  std::vector<int8_t> matrix = numerics::hadamardMatrix(m);
  std::vector<float> entries(matrix.begin(), matrix.end());
  Value p = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({m, m}, f32),
                             ArrayRef<float>(entries)));
  // Loops (r, t, i, j).
  auto dims = [&](ArrayRef<unsigned> which) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d : which)
      exprs.push_back(getAffineDimExpr(d, ctx));
    return AffineMap::get(4, 0, exprs, ctx);
  };
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape(), f32);
  Value zero = createFloatConstant(b, loc, f32, 0.0);
  Value init = linalg::FillOp::create(b, loc, ValueRange{zero},
                                      ValueRange{empty})
                   .getResult(0);
  SmallVector<utils::IteratorType> iterators = parallel(4);
  iterators[3] = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{x, p}, ValueRange{init},
             ArrayRef<AffineMap>{dims({0, 1, 3}), dims({2, 3}), dims({0, 1, 2})},
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value product = arith::MulFOp::create(nb, l, args[0], args[1]);
               linalg::YieldOp::create(
                   nb, l, Value(arith::AddFOp::create(nb, l, args[2], product)));
             })
      .getResult(0);
}

/// One butterfly stage on x [R, P, 2, Q]: y[r, p, s, q] = x[r, p, 0, q] +
/// (s ? -1 : 1) * x[r, p, 1, q].
Value butterfly(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  AffineExpr r = getAffineDimExpr(0, ctx), p = getAffineDimExpr(1, ctx),
             q = getAffineDimExpr(3, ctx);
  AffineMap first = AffineMap::get(4, 0, {r, p, getAffineConstantExpr(0, ctx), q},
                                   ctx);
  AffineMap second =
      AffineMap::get(4, 0, {r, p, getAffineConstantExpr(1, ctx), q}, ctx);
  AffineMap full = AffineMap::getMultiDimIdentityMap(4, ctx);
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                        type.getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{x, x}, ValueRange{empty},
             ArrayRef<AffineMap>{first, second, full}, parallel(4),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value s = linalg::IndexOp::create(nb, l, 2);
               Value zero = arith::ConstantIndexOp::create(nb, l, 0);
               Value isFirst = arith::CmpIOp::create(
                   nb, l, arith::CmpIPredicate::eq, s, zero);
               Value sum = arith::AddFOp::create(nb, l, args[0], args[1]);
               Value difference =
                   arith::SubFOp::create(nb, l, args[0], args[1]);
               linalg::YieldOp::create(
                   nb, l,
                   Value(arith::SelectOp::create(nb, l, isFirst, sum,
                                                 difference)));
             })
      .getResult(0);
}

} // namespace

FailureOr<Value> lowbit::detail::lowerHadamard(RewriterBase &rewriter,
                                               HadamardOp op) {
  if (failed(checkStaticShapes(op)))
    return failure();
  Location loc = op.getLoc();
  RankedTensorType type = op.getInput().getType();
  const int64_t n = static_cast<int64_t>(op.getSize());
  const int64_t m = numerics::hadamardPaleyOrder(n);
  if (m == 0)
    return op.emitOpError() << "no Hadamard matrix of order " << n;
  const int64_t length = type.getShape().back();
  const int64_t rows = type.getNumElements() / std::max<int64_t>(length, 1);
  const int64_t blocks = length / n;
  if (type.getNumElements() == 0)
    return op.getInput();

  Type f32 = rewriter.getF32Type();
  Value x = convertElements(rewriter, loc,
                            toRowMatrix(rewriter, loc, op.getInput(), rows),
                            f32);

  // Step 1: signs and 1 / sqrt(n).
  std::vector<int8_t> signs =
      numerics::hadamardSigns(n, static_cast<uint64_t>(op.getSeed()));
  const float norm = static_cast<float>(1.0 / std::sqrt(static_cast<double>(n)));
  std::vector<float> factors(n);
  for (int64_t j = 0; j < n; ++j)
    factors[j] = norm * static_cast<float>(signs[j]);
  x = scaleBlocks(rewriter, loc, reshapeTo(rewriter, loc, x, {rows, blocks, n}),
                  factors);

  // Step 2: the Paley factor on each m-chunk.
  const int64_t chunks = length / m;
  if (m > 1)
    x = multiplyChunks(rewriter, loc,
                       reshapeTo(rewriter, loc, x, {rows, chunks, m}), m);

  // Step 3: Walsh-Hadamard butterflies across chunks.
  for (int64_t h = 1; h * m < n; h *= 2) {
    int64_t span = h * m;
    x = butterfly(rewriter, loc,
                  reshapeTo(rewriter, loc, x,
                            {rows, length / (2 * span), 2, span}));
  }

  x = reshapeTo(rewriter, loc, x, {rows, length});
  x = convertElements(rewriter, loc, x, type.getElementType());
  return fromRowMatrix(rewriter, loc, x, type);
}
