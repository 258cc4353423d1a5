//===- DataMovement.cpp - IR for slicing, joining and gathering -----------===//

#include "DataMovement.h"
#include "ShapeFolding.h"

#include "../IRBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace lowbit::onnx_import;

/// Gathers with more pieces than this use a gather op rather than slices.
static constexpr size_t kMaxSlicePieces = 8;

static RankedTensorType withShape(Value value, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(
      shape, cast<RankedTensorType>(value.getType()).getElementType());
}

Value lowbit::onnx_import::sliceTensor(OpBuilder &b, Location loc, Value value,
                                       ArrayRef<int64_t> offsets,
                                       ArrayRef<int64_t> sizes) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == sizes)
    return value;
  return tosa::SliceOp::create(b, loc, withShape(value, sizes), value,
                               createTosaShape(b, loc, offsets),
                               createTosaShape(b, loc, sizes));
}

Value lowbit::onnx_import::stridedSlice(OpBuilder &b, Location loc, Value value,
                                        ArrayRef<int64_t> offsets,
                                        ArrayRef<int64_t> sizes,
                                        ArrayRef<int64_t> strides) {
  if (llvm::all_of(strides, [](int64_t s) { return s == 1; }))
    return sliceTensor(b, loc, value, offsets, sizes);
  auto toFoldResults = [&](ArrayRef<int64_t> values) {
    SmallVector<OpFoldResult> result;
    for (int64_t v : values)
      result.push_back(b.getIndexAttr(v));
    return result;
  };
  return tensor::ExtractSliceOp::create(
      b, loc, withShape(value, sizes), value, toFoldResults(offsets),
      toFoldResults(sizes), toFoldResults(strides));
}

Value lowbit::onnx_import::reverseAxis(OpBuilder &b, Location loc, Value value,
                                       int64_t axis) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getDimSize(axis) <= 1)
    return value;
  return tosa::ReverseOp::create(
      b, loc, type, value, b.getI32IntegerAttr(static_cast<int32_t>(axis)));
}

Value lowbit::onnx_import::concatAxis(OpBuilder &b, Location loc,
                                      ArrayRef<Value> pieces, int64_t axis) {
  SmallVector<Value> nonEmpty;
  int64_t total = 0;
  for (Value piece : pieces) {
    auto type = cast<RankedTensorType>(piece.getType());
    if (type.getNumElements() == 0)
      continue;
    nonEmpty.push_back(piece);
    total += type.getDimSize(axis);
  }
  if (nonEmpty.size() == 1)
    return nonEmpty.front();
  auto shape = llvm::to_vector(
      cast<RankedTensorType>(nonEmpty.front().getType()).getShape());
  shape[axis] = total;
  return tosa::ConcatOp::create(
      b, loc, withShape(nonEmpty.front(), shape), nonEmpty,
      b.getI32IntegerAttr(static_cast<int32_t>(axis)));
}

Value lowbit::onnx_import::tileTensor(OpBuilder &b, Location loc, Value value,
                                      ArrayRef<int64_t> multiples) {
  if (llvm::all_of(multiples, [](int64_t m) { return m == 1; }))
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  for (auto [d, m] : llvm::zip(type.getShape(), multiples))
    shape.push_back(d * m);
  return tosa::TileOp::create(b, loc, withShape(value, shape), value,
                              createTosaShape(b, loc, multiples));
}

Value lowbit::onnx_import::broadcastTo(OpBuilder &b, Location loc, Value value,
                                       ArrayRef<int64_t> shape) {
  value = expandRank(b, loc, value, shape.size());
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> multiples;
  for (auto [have, want] : llvm::zip(type.getShape(), shape))
    multiples.push_back(have == want ? 1 : want);
  return tileTensor(b, loc, value, multiples);
}

namespace {
/// `length` indices from `first`, each `step` (-1, 0 or 1) after the last.
struct IndexRun {
  int64_t first;
  int64_t length;
  int64_t step;
};
} // namespace

static SmallVector<IndexRun> splitIntoRuns(ArrayRef<int64_t> indices) {
  SmallVector<IndexRun> runs;
  size_t i = 0;
  while (i < indices.size()) {
    IndexRun run{indices[i], 1, 1};
    if (i + 1 < indices.size()) {
      int64_t step = indices[i + 1] - indices[i];
      if (step >= -1 && step <= 1) {
        run.step = step;
        while (i + run.length < indices.size() &&
               indices[i + run.length] - indices[i + run.length - 1] == step)
          ++run.length;
      }
    }
    runs.push_back(run);
    i += run.length;
  }
  return runs;
}

Value lowbit::onnx_import::gatherAxisConstant(OpBuilder &b, Location loc,
                                              Value value, int64_t axis,
                                              ArrayRef<int64_t> indices) {
  auto type = cast<RankedTensorType>(value.getType());
  auto resultShape = llvm::to_vector(type.getShape());
  resultShape[axis] = indices.size();
  auto resultType = withShape(value, resultShape);
  if (resultType.getNumElements() == 0)
    return createConstant(b, loc, emptyTensor(resultType));

  SmallVector<IndexRun> runs = splitIntoRuns(indices);
  if (runs.size() <= kMaxSlicePieces) {
    SmallVector<Value> pieces;
    for (const IndexRun &run : runs) {
      SmallVector<int64_t> offsets(type.getRank(), 0);
      auto sizes = llvm::to_vector(type.getShape());
      SmallVector<int64_t> multiples(type.getRank(), 1);
      if (run.step == 1) {
        offsets[axis] = run.first;
        sizes[axis] = run.length;
      } else if (run.step == -1) {
        offsets[axis] = run.first - run.length + 1;
        sizes[axis] = run.length;
      } else {
        offsets[axis] = run.first;
        sizes[axis] = 1;
        multiples[axis] = run.length;
      }
      Value piece = sliceTensor(b, loc, value, offsets, sizes);
      if (run.step == -1)
        piece = reverseAxis(b, loc, piece, axis);
      pieces.push_back(tileTensor(b, loc, piece, multiples));
    }
    return concatAxis(b, loc, pieces, axis);
  }

  int64_t outer = numElements(type.getShape().take_front(axis));
  int64_t inner = numElements(type.getShape().drop_front(axis + 1));
  int64_t count = indices.size();
  if (outer == 1) {
    Value values = reshapeTo(b, loc, value, {1, type.getDimSize(axis), inner});
    Value indexTensor =
        createConstant(b, loc, intTensor(b.getI32Type(), {1, count}, indices));
    Value gathered = tosa::GatherOp::create(
        b, loc, withShape(value, {1, count, inner}), values, indexTensor);
    return reshapeTo(b, loc, gathered, resultShape);
  }
  Value indexTensor =
      createConstant(b, loc, intTensor(b.getI64Type(), {count}, indices));
  return gatherAxis(b, loc, value, axis, indexTensor, /*normalize=*/false);
}

Value lowbit::onnx_import::normalizedIndex(OpBuilder &b, Location loc,
                                           Value index, int64_t size,
                                           bool isUnsigned) {
  Type i64 = b.getI64Type();
  if (index.getType() != i64)
    index = isUnsigned ? arith::ExtUIOp::create(b, loc, i64, index).getResult()
                       : arith::ExtSIOp::create(b, loc, i64, index).getResult();
  auto constant = [&](int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  Value last = constant(std::max<int64_t>(size - 1, 0));
  if (isUnsigned) {
    index = arith::MinUIOp::create(b, loc, index, last);
  } else {
    Value zero = constant(0);
    Value negative =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
    Value wrapped = arith::AddIOp::create(b, loc, index, constant(size));
    index = arith::SelectOp::create(b, loc, negative, wrapped, index);
    index = arith::MaxSIOp::create(b, loc, index, zero);
    index = arith::MinSIOp::create(b, loc, index, last);
  }
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
}

Value lowbit::onnx_import::gatherAxis(OpBuilder &b, Location loc, Value data,
                                      int64_t axis, Value indices,
                                      bool normalize) {
  auto dataType = cast<RankedTensorType>(data.getType());
  auto indicesType = cast<RankedTensorType>(indices.getType());
  int64_t q = indicesType.getRank();
  SmallVector<int64_t> resultShape(dataType.getShape().take_front(axis));
  llvm::append_range(resultShape, indicesType.getShape());
  llvm::append_range(resultShape, dataType.getShape().drop_front(axis + 1));
  auto resultType = withShape(data, resultShape);
  if (resultType.getNumElements() == 0)
    return createConstant(b, loc, emptyTensor(resultType));

  int64_t rank = resultShape.size();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> indexExprs;
  for (int64_t i = 0; i < q; ++i)
    indexExprs.push_back(getAffineDimExpr(axis + i, ctx));
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, indexExprs, ctx),
                                 AffineMap::getMultiDimIdentityMap(rank, ctx)};
  Value init =
      tensor::EmptyOp::create(b, loc, resultShape, dataType.getElementType());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  int64_t size = dataType.getDimSize(axis);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{indices}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value index =
            normalize
                ? normalizedIndex(nb, nl, args[0], size, false)
                : arith::IndexCastOp::create(nb, nl, nb.getIndexType(), args[0])
                      .getResult();
        SmallVector<Value> coords;
        for (int64_t i = 0; i < axis; ++i)
          coords.push_back(linalg::IndexOp::create(nb, nl, i));
        coords.push_back(index);
        for (int64_t i = axis + 1; i < dataType.getRank(); ++i)
          coords.push_back(linalg::IndexOp::create(nb, nl, i - 1 + q));
        Value element = tensor::ExtractOp::create(nb, nl, data, coords);
        linalg::YieldOp::create(nb, nl, element);
      });
  return generic.getResult(0);
}
