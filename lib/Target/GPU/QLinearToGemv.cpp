//===- QLinearToGemv.cpp - small-batch lowbit.qlinear as a GPU GEMV -------===//

#include "lowbit/Target/GPU/Passes.h"

#include "GemvKernel.h"

#include "lowbit/Dialect/LowBit/LowBitDialect.h"
#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace lowbit::gpu {
#define GEN_PASS_DEF_QLINEARTOGEMVPASS
#include "lowbit/Target/GPU/Passes.h.inc"
} // namespace lowbit::gpu

using namespace mlir;
using lowbit::gpu::GemvShape;

namespace {

constexpr llvm::StringLiteral kKernelModuleName = "lowbit_gemv_kernels";

/// The kernel's specialization for `op`, or nothing when the kernel does not
/// handle it.
std::optional<GemvShape> matchGemv(lowbit::QLinearOp op) {
  lowbit::QConfigAttr weights = op.getWeightQconfig();
  if (weights.getBits() != 4 || weights.getFormat() != lowbit::NumberFormat::Int ||
      op.getActQconfigAttr() || op.getLayout() != lowbit::PackingLayout::KMajor)
    return std::nullopt;
  auto input = cast<RankedTensorType>(op.getInput().getType());
  auto result = cast<RankedTensorType>(op.getResult().getType());
  if (!input.hasStaticShape() || !input.getElementType().isF32() ||
      !result.getElementType().isF32() || input.getRank() < 1)
    return std::nullopt;
  GemvShape shape;
  shape.k = op.getInFeatures();
  shape.n = op.getOutFeatures();
  shape.m = input.getNumElements() / std::max<int64_t>(shape.k, 1);
  auto scales = cast<RankedTensorType>(op.getScales().getType());
  if (scales.getRank() != 2 || scales.getDimSize(1) < 1 ||
      shape.k % scales.getDimSize(1) != 0 ||
      input.getShape().back() != shape.k)
    return std::nullopt;
  shape.groupSize = shape.k / scales.getDimSize(1);
  shape.scaleType = scales.getElementType();
  shape.hasZeroPoints = static_cast<bool>(op.getZeroPoints());
  if (Value bias = op.getBias())
    shape.biasType = cast<RankedTensorType>(bias.getType()).getElementType();
  if (!(shape.scaleType.isF32() || shape.scaleType.isF16()) ||
      (shape.biasType && !(shape.biasType.isF32() || shape.biasType.isF16())))
    return std::nullopt;
  if (!shape.supported())
    return std::nullopt;
  return shape;
}

/// `value` as a tensor of `shape` (a collapse or expansion of static dims).
Value reshape(OpBuilder &b, Location loc, Value value,
              ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  auto target = RankedTensorType::get(shape, type.getElementType());
  auto shapeConst = arith::ConstantOp::create(
      b, loc, b.getI64TensorAttr(shape));
  return tensor::ReshapeOp::create(b, loc, target, value, shapeConst);
}

Value toBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*read_only=*/true);
}

struct QLinearToGemvPass
    : lowbit::gpu::impl::QLinearToGemvPassBase<QLinearToGemvPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<lowbit::QLinearOp, GemvShape>> matches;
    module.walk([&](lowbit::QLinearOp op) {
      if (auto shape = matchGemv(op))
        matches.push_back({op, *shape});
    });
    if (matches.empty())
      return;

    OpBuilder b(&getContext());
    module->setAttr(mlir::gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());
    auto kernels = module.lookupSymbol<mlir::gpu::GPUModuleOp>(
        kKernelModuleName);
    if (!kernels) {
      b.setInsertionPointToEnd(module.getBody());
      kernels = mlir::gpu::GPUModuleOp::create(b, module.getLoc(),
                                               kKernelModuleName);
    }

    for (auto [op, shape] : matches) {
      Location loc = op.getLoc();
      mlir::gpu::GPUFuncOp kernel =
          lowbit::gpu::getOrBuildGemvKernel(kernels, shape, loc);
      b.setInsertionPoint(op);
      SmallVector<Value> args = {
          toBuffer(b, loc, reshape(b, loc, op.getInput(), {shape.m, shape.k})),
          toBuffer(b, loc, op.getPacked()), toBuffer(b, loc, op.getScales())};
      if (shape.hasZeroPoints)
        args.push_back(toBuffer(b, loc, op.getZeroPoints()));
      if (shape.biasType)
        args.push_back(toBuffer(b, loc, op.getBias()));
      auto outType = MemRefType::get({shape.m, shape.n}, b.getF32Type());
      Value out = memref::AllocOp::create(b, loc, outType);
      args.push_back(out);
      auto one = arith::ConstantIndexOp::create(b, loc, 1);
      auto grid = arith::ConstantIndexOp::create(
          b, loc, shape.n / shape.rowsPerWarp());
      auto block = arith::ConstantIndexOp::create(
          b, loc, 32 * GemvShape::kWarpsPerBlock);
      mlir::gpu::LaunchFuncOp::create(b, loc, kernel, {grid, one, one},
                                      {block, one, one}, Value(), args);
      Value result = bufferization::ToTensorOp::create(
          b, loc, RankedTensorType::get({shape.m, shape.n}, b.getF32Type()),
          out, /*restrict=*/true, /*writable=*/true);
      auto resultType = cast<RankedTensorType>(op.getResult().getType());
      op.getResult().replaceAllUsesWith(
          reshape(b, loc, result, resultType.getShape()));
      op.erase();
    }
  }
};

} // namespace
