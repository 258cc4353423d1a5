//===- QuantizePerTokenToKernel.cpp - per-token codes in one GPU kernel ---===//
//
// One block per row (128 to 1024 threads, 16-byte loads): the threads take
// the largest magnitude of their strided elements, the maxima meet through warp shuffles and shared
// memory, and each thread writes its elements' codes. The generic lowering
// needs a fill, split partial maxima, their total, the scale and the codes
// as kernels of their own.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/GPU/Passes.h"

#include "GemvKernel.h"

#include "lowbit/Dialect/LowBit/LowBitDialect.h"
#include "lowbit/Dialect/LowBit/LowBitOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <algorithm>

namespace lowbit::gpu {
#define GEN_PASS_DEF_QUANTIZEPERTOKENTOKERNELPASS
#include "lowbit/Target/GPU/Passes.h.inc"
} // namespace lowbit::gpu

using namespace mlir;

namespace {

/// Threads per block for rows of `width` values: about 16 values per
/// thread, 128 to 1024 threads (at one token a row is the whole grid).
int64_t threadsFor(int64_t width) {
  return std::clamp<int64_t>((width / 16 + 31) / 32 * 32, 128, 1024);
}

/// The kernel for `rows` rows of `width` f32 values and `bits`-bit signed
/// codes: (x [rows, width], codes [rows, width] i8, scales [rows] f32).
mlir::gpu::GPUFuncOp getOrBuildKernel(mlir::gpu::GPUModuleOp module,
                                      int64_t rows, int64_t width,
                                      int64_t bits, Location loc) {
  std::string name = "quantize_per_token_r" + std::to_string(rows) + "_w" +
                     std::to_string(width) + "_b" + std::to_string(bits);
  if (auto existing = module.lookupSymbol<mlir::gpu::GPUFuncOp>(name))
    return existing;
  const int64_t threads = threadsFor(width), warps = threads / 32;
  // Four values per 16-byte load where rows allow it.
  const int64_t lanes = width % 4 == 0 ? 4 : 1;
  OpBuilder b(module.getContext());
  FloatType f32 = b.getF32Type();
  Type i8 = b.getI8Type();
  auto func = lowbit::gpu::createRowKernel(
      b, module, name,
      {MemRefType::get({rows, width}, f32), MemRefType::get({rows, width}, i8),
       MemRefType::get({rows}, f32)},
      threads, loc);
  Block &entry = func.front();
  Value x = entry.getArgument(0), codes = entry.getArgument(1),
        scales = entry.getArgument(2);
  Value partials = func.getWorkgroupAttributions().front();
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto constant = [&](float v) -> Value {
    return arith::ConstantFloatOp::create(b, loc, f32, APFloat(v));
  };
  const float qmin = -float(int64_t(1) << (bits - 1)),
              qmax = float((int64_t(1) << (bits - 1)) - 1);
  Value tid = mlir::gpu::ThreadIdOp::create(b, loc, mlir::gpu::Dimension::x);
  Value row = mlir::gpu::BlockIdOp::create(b, loc, mlir::gpu::Dimension::x);
  auto valuesType = VectorType::get({lanes}, f32);
  auto loadValues = [&](Value i) -> Value {
    auto load = vector::LoadOp::create(b, loc, valuesType, x, ValueRange{row, i});
    load.setAlignment(4 * lanes);
    return load;
  };
  // This thread's largest magnitude: `lanes` values at lanes * tid, then
  // every lanes * threads.
  Value first = arith::MulIOp::create(b, loc, tid, index(lanes));
  Value end = index(width), stride = index(lanes * threads);
  auto maxLoop = scf::ForOp::create(b, loc, first, end, stride,
                                    ValueRange{constant(0.0f)});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(maxLoop.getBody());
    Value values = loadValues(maxLoop.getInductionVar());
    Value largest = maxLoop.getRegionIterArgs()[0];
    for (int64_t e = 0; e < lanes; ++e)
      largest = arith::MaxNumFOp::create(
          b, loc, largest,
          math::AbsFOp::create(b, loc,
                               vector::ExtractOp::create(b, loc, values, e)));
    scf::YieldOp::create(b, loc, largest);
  }
  Value total = lowbit::gpu::blockReduce(b, loc, maxLoop.getResult(0),
                                         partials, tid, warps,
                                         lowbit::gpu::ReduceKind::Max);
  // The scale as the CPU lowering computes it: max / qmax, 1 for a row of
  // zeros.
  Value scale = arith::DivFOp::create(b, loc, total, constant(qmax));
  Value isZero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                       scale, constant(0.0f));
  scale = arith::SelectOp::create(b, loc, isZero, constant(1.0f), scale);
  Value isThread0 =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, index(0));
  lowbit::gpu::storeIf(b, loc, isThread0, scale, scales, ValueRange{row});
  auto codeLoop = scf::ForOp::create(b, loc, first, end, stride);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(codeLoop.getBody());
    Value i = codeLoop.getInductionVar();
    Value values = loadValues(i);
    SmallVector<Value> laneCodes;
    for (int64_t e = 0; e < lanes; ++e) {
      Value v = vector::ExtractOp::create(b, loc, values, e);
      Value rounded = math::RoundEvenOp::create(
          b, loc, arith::DivFOp::create(b, loc, v, scale));
      // + 0 (the zero point of a symmetric config), then the clamp.
      Value shifted = arith::AddFOp::create(b, loc, rounded, constant(0.0f));
      Value clamped = arith::MinNumFOp::create(
          b, loc, arith::MaxNumFOp::create(b, loc, shifted, constant(qmin)),
          constant(qmax));
      laneCodes.push_back(arith::FPToSIOp::create(b, loc, i8, clamped));
    }
    Value packed = vector::FromElementsOp::create(
        b, loc, VectorType::get({lanes}, i8), laneCodes);
    auto store =
        vector::StoreOp::create(b, loc, packed, codes, ValueRange{row, i});
    store.setAlignment(lanes);
  }
  mlir::gpu::ReturnOp::create(b, loc);
  return func;
}

struct QuantizePerTokenToKernelPass
    : lowbit::gpu::impl::QuantizePerTokenToKernelPassBase<
          QuantizePerTokenToKernelPass> {
  using Base::Base;

  static bool matches(lowbit::QuantizePerTokenOp op) {
    lowbit::QConfigAttr config = op.getQconfig();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    auto codesType = cast<RankedTensorType>(op.getResult().getType());
    auto scaleType = cast<RankedTensorType>(op.getScale().getType());
    return config.getSymmetric() && !op.getZeroPoint() &&
           config.getFormat() == lowbit::NumberFormat::Int &&
           config.getBits() >= 2 && config.getBits() <= 8 &&
           type.hasStaticShape() && type.getRank() >= 1 &&
           type.getElementType().isF32() &&
           codesType.getElementType().isInteger(8) &&
           scaleType.hasStaticShape() && scaleType.getElementType().isF32() &&
           type.getNumElements() > 0;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<lowbit::QuantizePerTokenOp> ops;
    module.walk([&](lowbit::QuantizePerTokenOp op) {
      if (matches(op))
        ops.push_back(op);
    });
    for (lowbit::QuantizePerTokenOp op : ops) {
      auto type = cast<RankedTensorType>(op.getInput().getType());
      int64_t width = type.getShape().back();
      int64_t rows = type.getNumElements() / width;
      Location loc = op.getLoc();
      mlir::gpu::GPUFuncOp kernel = getOrBuildKernel(
          lowbit::gpu::getOrCreateKernelModule(module), rows, width,
          op.getQconfig().getBits(), loc);
      OpBuilder b(op);
      Value x = lowbit::gpu::reshape(b, loc, op.getInput(), {rows, width});
      SmallVector<Value> results = lowbit::gpu::launchWithResults(
          b, loc, kernel, {rows, 1, 1}, threadsFor(width),
          {lowbit::gpu::toBuffer(b, loc, x)},
          {RankedTensorType::get({rows, width}, b.getI8Type()),
           RankedTensorType::get({rows}, b.getF32Type())});
      auto scaleType = cast<RankedTensorType>(op.getScale().getType());
      op.getResult().replaceAllUsesWith(
          lowbit::gpu::reshape(b, loc, results[0], type.getShape()));
      op.getScale().replaceAllUsesWith(
          lowbit::gpu::reshape(b, loc, results[1], scaleType.getShape()));
      op.erase();
    }
  }
};

} // namespace
