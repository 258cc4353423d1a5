//===- LinearToLinalg.cpp - lowbit.linear as a linalg.matmul --------------===//
//
// y[..., n] = sum_k x[..., k] * W[n, k] + b[n]: the leading axes of x are
// flattened into M rows, the weight is read in its [N, K] layout through a
// transposed indexing map (no copy), and the bias is the accumulator's
// initial value.
//
//===----------------------------------------------------------------------===//

#include "Lowerings.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace lowbit;
using namespace lowbit::detail;

namespace {

/// The reassociation that groups all leading axes of a rank-`rank` tensor
/// into one and keeps the last axis: [[0, ..., rank-2], [rank-1]].
SmallVector<ReassociationIndices> rowsAndLastAxis(int64_t rank) {
  ReassociationIndices rows;
  for (int64_t i = 0; i + 1 < rank; ++i)
    rows.push_back(i);
  return {rows, {rank - 1}};
}

} // namespace

/// [..., K] -> [M, K]; a vector [K] becomes one row [1, K].
Value lowbit::detail::toRowMatrix(OpBuilder &b, Location loc, Value value,
                                  int64_t rows) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  auto matrixType = RankedTensorType::get({rows, type.getShape().back()},
                                          type.getElementType());
  if (rank == 2)
    return value;
  if (rank == 1)
    return tensor::ExpandShapeOp::create(
        b, loc, matrixType, value, ArrayRef<ReassociationIndices>{{0, 1}});
  return tensor::CollapseShapeOp::create(b, loc, matrixType, value,
                                         rowsAndLastAxis(rank));
}

/// [M, N] -> the result shape [..., N].
Value lowbit::detail::fromRowMatrix(OpBuilder &b, Location loc, Value matrix,
                                    RankedTensorType resultType) {
  int64_t rank = resultType.getRank();
  if (rank == 2)
    return matrix;
  if (rank == 1)
    return tensor::CollapseShapeOp::create(
        b, loc, resultType, matrix, ArrayRef<ReassociationIndices>{{0, 1}});
  return tensor::ExpandShapeOp::create(b, loc, resultType, matrix,
                                       rowsAndLastAxis(rank));
}

FailureOr<Value> lowbit::detail::lowerLinear(RewriterBase &rewriter,
                                             LinearOp op) {
  if (failed(checkStaticShapes(op)))
    return failure();
  Location loc = op.getLoc();
  RankedTensorType inputType = op.getInput().getType();
  RankedTensorType resultType = op.getResult().getType();
  Type elementType = inputType.getElementType();
  int64_t n = op.getOutFeatures();
  int64_t m = 1;
  for (int64_t d : inputType.getShape().drop_back())
    m *= d;

  Value x = toRowMatrix(rewriter, loc, op.getInput(), m);
  Type accType = getAccumulatorType(elementType);
  Value init =
      createAccumulatorInit(rewriter, loc, {m, n}, accType, op.getBias(), 1);

  MLIRContext *context = rewriter.getContext();
  AffineExpr dm, dn, dk;
  bindDims(context, dm, dn, dk);
  auto maps =
      rewriter.getAffineMapArrayAttr({AffineMap::get(3, 0, {dm, dk}, context),
                                      AffineMap::get(3, 0, {dn, dk}, context),
                                      AffineMap::get(3, 0, {dm, dn}, context)});
  auto matmul =
      linalg::MatmulOp::create(rewriter, loc, TypeRange{init.getType()},
                               ValueRange{x, op.getWeight()}, ValueRange{init});
  matmul.setIndexingMapsAttr(maps);

  Value product =
      convertElements(rewriter, loc, matmul.getResult(0), elementType);
  return fromRowMatrix(rewriter, loc, product, resultType);
}
