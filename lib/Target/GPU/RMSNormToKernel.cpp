//===- RMSNormToKernel.cpp - lowbit.rms_norm as one GPU kernel ------------===//
//
// One block per normalized row: the threads sum the squares of their
// strided elements, the sums meet through warp shuffles and shared memory,
// and each thread scales its elements. The generic lowering needs a fill, the
// partial sums, their total and the scaling as kernels of their own.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/GPU/Passes.h"

#include "GemvKernel.h"

#include "lowbit/Dialect/LowBit/LowBitDialect.h"
#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

namespace lowbit::gpu {
#define GEN_PASS_DEF_RMSNORMTOKERNELPASS
#include "lowbit/Target/GPU/Passes.h.inc"
} // namespace lowbit::gpu

using namespace mlir;

namespace {

constexpr int64_t kThreads = 128, kWarps = kThreads / 32;

/// The kernel for `rows` rows of `width` f32 values:
/// (x [rows, width], gamma [width], y [rows, width]).
mlir::gpu::GPUFuncOp getOrBuildKernel(mlir::gpu::GPUModuleOp module,
                                      int64_t rows, int64_t width,
                                      float epsilon, Location loc) {
  std::string name = "rms_norm_r" + std::to_string(rows) + "_w" +
                     std::to_string(width) + "_eps" +
                     std::to_string(llvm::bit_cast<uint32_t>(epsilon));
  if (auto existing = module.lookupSymbol<mlir::gpu::GPUFuncOp>(name))
    return existing;
  OpBuilder b(module.getContext());
  Type f32 = b.getF32Type();
  auto matrix = MemRefType::get({rows, width}, f32);
  auto func = lowbit::gpu::createRowKernel(
      b, module, name, {matrix, MemRefType::get({width}, f32), matrix},
      kThreads, loc);
  Block &entry = func.front();
  Value x = entry.getArgument(0), gamma = entry.getArgument(1),
        y = entry.getArgument(2);
  Value partials = func.getWorkgroupAttributions().front();
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto constant = [&](float v) -> Value {
    return arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(v));
  };
  Value tid = mlir::gpu::ThreadIdOp::create(b, loc, mlir::gpu::Dimension::x);
  Value row = mlir::gpu::BlockIdOp::create(b, loc, mlir::gpu::Dimension::x);
  // This thread's sum of squares: elements tid, tid + 128, ...
  auto sumLoop = scf::ForOp::create(b, loc, tid, index(width), index(kThreads),
                                    ValueRange{constant(0.0f)});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(sumLoop.getBody());
    Value v = memref::LoadOp::create(b, loc, x,
                                     ValueRange{row, sumLoop.getInductionVar()});
    Value sum = arith::AddFOp::create(
        b, loc, sumLoop.getRegionIterArgs()[0],
        arith::MulFOp::create(b, loc, v, v));
    scf::YieldOp::create(b, loc, sum);
  }
  Value total = lowbit::gpu::blockReduce(b, loc, sumLoop.getResult(0),
                                         partials, tid, kWarps,
                                         lowbit::gpu::ReduceKind::Sum);
  // 1 / sqrt(mean + epsilon), as the CPU lowering computes it.
  Value mean = arith::MulFOp::create(b, loc, total, constant(1.0f / width));
  Value root = math::SqrtOp::create(
      b, loc, arith::AddFOp::create(b, loc, mean, constant(epsilon)));
  Value inverse = arith::DivFOp::create(b, loc, constant(1.0f), root);
  auto scaleLoop = scf::ForOp::create(b, loc, tid, index(width), index(kThreads));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(scaleLoop.getBody());
    Value i = scaleLoop.getInductionVar();
    Value v = memref::LoadOp::create(b, loc, x, ValueRange{row, i});
    Value g = memref::LoadOp::create(b, loc, gamma, ValueRange{i});
    Value scaled = arith::MulFOp::create(
        b, loc, arith::MulFOp::create(b, loc, v, inverse), g);
    memref::StoreOp::create(b, loc, scaled, y, ValueRange{row, i});
  }
  mlir::gpu::ReturnOp::create(b, loc);
  return func;
}

/// The axes of a rank-`rank` tensor grouped as [0, split) and [split, rank).
SmallVector<ReassociationIndices> twoGroups(int64_t rank, int64_t split) {
  ReassociationIndices leading, trailing;
  for (int64_t i = 0; i < rank; ++i)
    (i < split ? leading : trailing).push_back(i);
  return {leading, trailing};
}

struct RMSNormToKernelPass
    : lowbit::gpu::impl::RMSNormToKernelPassBase<RMSNormToKernelPass> {
  using Base::Base;

  /// The first normalized axis of `norm` when the kernel takes it: f32,
  /// static shapes, at least one leading axis and min-width values per row.
  std::optional<int64_t> match(lowbit::RMSNormOp norm) const {
    auto type = cast<RankedTensorType>(norm.getInput().getType());
    auto gammaType = cast<RankedTensorType>(norm.getGamma().getType());
    if (!type.hasStaticShape() || !gammaType.hasStaticShape() ||
        !type.getElementType().isF32() || !gammaType.getElementType().isF32())
      return std::nullopt;
    int64_t rank = type.getRank();
    int64_t axis = static_cast<int64_t>(norm.getAxis());
    if (axis < 0)
      axis += rank;
    if (axis < 1 || axis >= rank || gammaType.getRank() != rank - axis ||
        gammaType.getNumElements() < minWidth)
      return std::nullopt;
    return axis;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<lowbit::RMSNormOp, int64_t>> norms;
    module.walk([&](lowbit::RMSNormOp norm) {
      if (auto axis = match(norm))
        norms.push_back({norm, *axis});
    });
    for (auto [norm, axis] : norms) {
      auto type = cast<RankedTensorType>(norm.getInput().getType());
      auto gammaType = cast<RankedTensorType>(norm.getGamma().getType());
      int64_t width = gammaType.getNumElements();
      int64_t rows = type.getNumElements() / width;
      Location loc = norm.getLoc();
      mlir::gpu::GPUFuncOp kernel = getOrBuildKernel(
          lowbit::gpu::getOrCreateKernelModule(module), rows, width,
          norm.getEpsilon().convertToFloat(), loc);
      OpBuilder b(norm);
      // The normalized axes are the trailing ones, so [rows, width] and
      // [width] are views of the input and gamma.
      Value x = norm.getInput();
      if (type.getRank() > 2)
        x = tensor::CollapseShapeOp::create(
            b, loc, RankedTensorType::get({rows, width}, b.getF32Type()), x,
            twoGroups(type.getRank(), axis));
      // gamma [width], all its axes folded into one.
      Value gamma = lowbit::gpu::reshape(b, loc, norm.getGamma(), {width});
      Value result = lowbit::gpu::launchWithResult(
          b, loc, kernel, {rows, 1, 1}, kThreads,
          {lowbit::gpu::toBuffer(b, loc, x),
           lowbit::gpu::toBuffer(b, loc, gamma)},
          {rows, width});
      if (type.getRank() > 2)
        result = tensor::ExpandShapeOp::create(b, loc, type, result,
                                               twoGroups(type.getRank(), axis));
      norm.getResult().replaceAllUsesWith(result);
      norm.erase();
    }
  }
};

} // namespace
