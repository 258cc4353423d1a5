//===- TransposeConstantWeights.cpp - [N, K] weights stored as [K, N] -----===//

#include "lowbit/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

namespace lowbit::cpu {
#define GEN_PASS_DEF_TRANSPOSECONSTANTWEIGHTSPASS
#include "lowbit/Target/CPU/Passes.h.inc"
} // namespace lowbit::cpu

using namespace mlir;

namespace {

/// The bytes of a dense constant, or none when they are not at hand (a
/// resource without data, packed booleans).
std::optional<ArrayRef<char>> getRawBytes(ElementsAttr value) {
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (dense.getElementType().isInteger(1))
      return std::nullopt;
    return dense.getRawData();
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    return blob->getData();
  }
  return std::nullopt;
}

/// `value` [rows, cols] as [cols, rows]; null when its bytes are not at hand.
ElementsAttr transposeMatrix(ElementsAttr value) {
  auto type = cast<ShapedType>(value.getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  auto transposedType =
      RankedTensorType::get({cols, rows}, type.getElementType());
  if (auto dense = dyn_cast<DenseElementsAttr>(value); dense && dense.isSplat())
    return dense.reshape(transposedType);
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  std::optional<ArrayRef<char>> bytes = getRawBytes(value);
  if (!bytes || bits % 8 != 0)
    return {};
  size_t width = bits / 8;
  if (bytes->size() != static_cast<size_t>(rows * cols) * width)
    return {};
  AsmResourceBlob blob = HeapAsmResourceBlob::allocate(
      bytes->size(), /*align=*/64, /*dataIsMutable=*/true);
  char *out = blob.getMutableData().data();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      std::memcpy(out + (c * rows + r) * width,
                  bytes->data() + (r * cols + c) * width, width);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    return DenseResourceElementsAttr::get(
        transposedType,
        (resource.getRawHandle().getKey() + ".transposed").str(),
        std::move(blob));
  return DenseElementsAttr::getFromRawBuffer(transposedType, blob.getData());
}

/// The operand of a contraction that should be transposed: a 2-D constant
/// read as (i, j) where j is reduced and i is the loop of the output's
/// innermost axis, so that its contiguous axis runs along the reduction
/// while the vector lanes run along i.
std::optional<unsigned> findTransposedWeight(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      !isa<linalg::MatmulOp, linalg::GenericOp>(op.getOperation()) ||
      !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  AffineMap outputMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outputMap.getNumResults() == 0)
    return std::nullopt;
  auto lane = dyn_cast<AffineDimExpr>(outputMap.getResults().back());
  if (!lane)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.getNumResults() != 2 ||
        !input->get().getDefiningOp<arith::ConstantOp>())
      continue;
    auto rows = dyn_cast<AffineDimExpr>(map.getResult(0));
    auto cols = dyn_cast<AffineDimExpr>(map.getResult(1));
    if (rows && cols && rows == lane &&
        iterators[cols.getPosition()] == utils::IteratorType::reduction)
      return input->getOperandNumber();
  }
  return std::nullopt;
}

struct TransposeConstantWeightsPass
    : lowbit::cpu::impl::TransposeConstantWeightsPassBase<
          TransposeConstantWeightsPass> {
  void runOnOperation() override {
    // One transposed copy per weight, however many products read it.
    DenseMap<Value, Value> transposed;
    getOperation().walk([&](linalg::LinalgOp op) {
      std::optional<unsigned> operand = findTransposedWeight(op);
      if (!operand)
        return;
      OpOperand &use = op->getOpOperand(*operand);
      Value weight = use.get();
      Value &replacement = transposed[weight];
      if (!replacement) {
        auto constant = weight.getDefiningOp<arith::ConstantOp>();
        ElementsAttr value =
            transposeMatrix(cast<ElementsAttr>(constant.getValue()));
        if (!value) {
          transposed.erase(weight);
          return;
        }
        OpBuilder b(constant);
        replacement = arith::ConstantOp::create(b, constant.getLoc(),
                                                cast<TypedAttr>(value));
      }
      SmallVector<AffineMap> maps = op.getIndexingMapsArray();
      AffineMap map = maps[*operand];
      maps[*operand] =
          AffineMap::get(map.getNumDims(), 0,
                         {map.getResult(1), map.getResult(0)}, op.getContext());
      use.set(replacement);
      ArrayAttr mapsAttr = OpBuilder(op).getAffineMapArrayAttr(maps);
      if (auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation()))
        matmul.setIndexingMapsAttr(mapsAttr);
      else
        cast<linalg::GenericOp>(op.getOperation())
            .setIndexingMapsAttr(mapsAttr);
    });
    // The originals are dead unless something else reads them.
    for (auto &[original, copy] : transposed)
      if (auto constant = original.getDefiningOp<arith::ConstantOp>();
          constant && constant->use_empty())
        constant->erase();
  }
};

} // namespace
