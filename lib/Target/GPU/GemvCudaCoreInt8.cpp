//===- GemvCudaCoreInt8.cpp - W8A8 at few rows on the CUDA cores ----------===//
//
// The CUDA-core kernel's block structure (GemvCudaCore.cpp) for 8-bit
// activation codes: per step a lane loads 16 bytes of each of its R weight
// rows and 16 bytes of each row of x codes at the same K offsets, and each
// 4-byte word pair goes through one dp4a (nvvm.dot.accumulate.4way,
// unsigned weight codes times signed x codes) into an i32 sum. The weights'
// offset of 128 is taken off once: sum x (c - 128) = sum x c - 128 sum x,
// sum x coming from dp4a with 0x01010101, shared by the rows. All sums are
// integers, so the warps' and lanes' partial sums add up exactly and each
// output is (x_scale[m] * scale[n]) * float(acc) + bias, the CPU's value.
//
//===----------------------------------------------------------------------===//

#include "GemvKernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using lowbit::gpu::detail::KernelBuilder;

void KernelBuilder::buildInt8CudaCore(Value x, Value packed, Value scales,
                                      Value bias, Value xScales, Value y,
                                      Value partials, Value tid, Value lane,
                                      Value warp, ArrayRef<Value> rows,
                                      Value row0) {
  const int64_t M = shape.m, R = rows.size(), W = shape.warpsPerBlock;
  Type i32t = b.getI32Type(), f32t = b.getF32Type();
  auto oneWord = VectorType::get({1}, i32t);
  auto bytes = VectorType::get({4}, b.getI8Type());
  const int64_t steps = shape.k / shape.stepK();
  Value laneK = mul(lane, index(16));
  auto unsignedBytes = NVVM::DotAccumulateTypeAttr::get(
      b.getContext(), NVVM::DotAccumulateType::UNSIGNED);
  auto signedBytes = NVVM::DotAccumulateTypeAttr::get(
      b.getContext(), NVVM::DotAccumulateType::SIGNED);
  auto asBytes = [&](Value word) -> Value {
    Value v = vector::BroadcastOp::create(b, loc, oneWord, word);
    return vector::BitCastOp::create(b, loc, bytes, v);
  };
  Value ones = asBytes(i32(0x01010101));
  // Accumulators: (r, m) at r * M + m, then the M sums of x.
  Value zero = i32(0);
  SmallVector<Value> init(R * M + M, zero);
  auto loop = scf::ForOp::create(b, loc, warp, index(steps), index(W), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value k0 = add(mul(loop.getInductionVar(), index(shape.stepK())), laneK);
    SmallVector<Value> acc(loop.getRegionIterArgs());
    // This lane's 16 bytes of `matrix` row `row`, as four vectors of bytes.
    auto loadBytes = [&](Value matrix, Value row) {
      SmallVector<Value> out;
      for (Value word : loadWords(matrix, row, k0))
        out.push_back(asBytes(word));
      return out;
    };
    SmallVector<SmallVector<Value>> weights, xs;
    for (Value row : rows)
      weights.push_back(loadBytes(packed, row));
    for (int64_t m = 0; m < M; ++m)
      xs.push_back(loadBytes(x, index(m)));
    for (int64_t w = 0; w < 4; ++w)
      for (int64_t m = 0; m < M; ++m) {
        acc[R * M + m] = NVVM::DotAccumulate4WayOp::create(
            b, loc, i32t, ones, unsignedBytes, xs[m][w], signedBytes,
            acc[R * M + m]);
        for (int64_t r = 0; r < R; ++r)
          acc[r * M + m] = NVVM::DotAccumulate4WayOp::create(
              b, loc, i32t, weights[r][w], unsignedBytes, xs[m][w], signedBytes,
              acc[r * M + m]);
      }
    scf::YieldOp::create(b, loc, acc);
  }

  // This lane's sum x (c - 128) per (r, m); the block adds them as
  // integers and scales the total once.
  SmallVector<Value> sums;
  for (int64_t r = 0; r < R; ++r)
    for (int64_t m = 0; m < M; ++m) {
      Value offset =
          arith::ShLIOp::create(b, loc, loop.getResult(R * M + m), i32(7));
      sums.push_back(
          arith::SubIOp::create(b, loc, loop.getResult(r * M + m), offset));
    }
  reduceAndStore(sums, partials, bias, y, tid, lane, warp, row0,
                 [&](Value total, Value m, Value row) -> Value {
                   Value scale = toF32(memref::LoadOp::create(
                       b, loc, scales, ValueRange{row, index(0)}));
                   Value xScale =
                       memref::LoadOp::create(b, loc, xScales, ValueRange{m});
                   return arith::MulFOp::create(
                       b, loc, arith::MulFOp::create(b, loc, xScale, scale),
                       arith::SIToFPOp::create(b, loc, f32t, total));
                 });
}
