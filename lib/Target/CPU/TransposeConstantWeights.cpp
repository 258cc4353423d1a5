//===- TransposeConstantWeights.cpp - [N, K] weights stored as [K, N] -----===//

#include "lowbit/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
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
    if (dense.isSplat() || dense.getElementType().isInteger(1))
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
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  std::optional<ArrayRef<char>> bytes = getRawBytes(value);
  if (!bytes || bits % 8 != 0)
    return {};
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  size_t width = bits / 8;
  if (bytes->size() != static_cast<size_t>(rows * cols) * width)
    return {};
  auto transposedType =
      RankedTensorType::get({cols, rows}, type.getElementType());
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
  return DenseElementsAttr::getFromRawBuffer(transposedType,
                                             blob.getData());
}

bool readsRightOperandTransposed(linalg::MatmulOp matmul) {
  MLIRContext *context = matmul.getContext();
  AffineExpr m, n, k;
  bindDims(context, m, n, k);
  SmallVector<AffineMap> maps = matmul.getIndexingMapsArray();
  return maps.size() == 3 && maps[0] == AffineMap::get(3, 0, {m, k}, context) &&
         maps[1] == AffineMap::get(3, 0, {n, k}, context) &&
         maps[2] == AffineMap::get(3, 0, {m, n}, context);
}

struct TransposeConstantWeightsPass
    : lowbit::cpu::impl::TransposeConstantWeightsPassBase<
          TransposeConstantWeightsPass> {
  void runOnOperation() override {
    // One transposed copy per weight, however many products read it.
    DenseMap<Value, Value> transposed;
    getOperation().walk([&](linalg::MatmulOp matmul) {
      if (!matmul.hasPureTensorSemantics() ||
          !readsRightOperandTransposed(matmul))
        return;
      Value weight = matmul.getDpsInputOperand(1)->get();
      auto constant = weight.getDefiningOp<arith::ConstantOp>();
      if (!constant)
        return;
      Value &replacement = transposed[weight];
      if (!replacement) {
        ElementsAttr value =
            transposeMatrix(cast<ElementsAttr>(constant.getValue()));
        if (!value)
          return;
        OpBuilder b(constant);
        replacement = arith::ConstantOp::create(b, constant.getLoc(),
                                                cast<TypedAttr>(value));
      }
      matmul.getDpsInputOperand(1)->set(replacement);
      matmul.setIndexingMapsAttr(OpBuilder(matmul).getAffineMapArrayAttr(
          linalg::MatmulOp::getDefaultIndexingMaps(&getContext())));
    });
    // The [N, K] originals are dead unless something else reads them.
    for (auto &[original, copy] : transposed)
      if (auto constant = original.getDefiningOp<arith::ConstantOp>();
          constant && constant->use_empty())
        constant->erase();
  }
};

} // namespace
