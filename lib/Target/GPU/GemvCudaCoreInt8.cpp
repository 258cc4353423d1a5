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
  auto loadType = VectorType::get({16}, b.getI8Type());
  auto wordsType = VectorType::get({4}, i32t);
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
    auto loadWords = [&](Value matrix, Value row) {
      auto load =
          vector::LoadOp::create(b, loc, loadType, matrix, ValueRange{row, k0});
      load.setAlignment(16);
      Value words = vector::BitCastOp::create(b, loc, wordsType, load);
      SmallVector<Value> out;
      for (int64_t w = 0; w < 4; ++w)
        out.push_back(asBytes(vector::ExtractOp::create(b, loc, words, w)));
      return out;
    };
    SmallVector<SmallVector<Value>> weights, xs;
    for (Value row : rows)
      weights.push_back(loadWords(packed, row));
    for (int64_t m = 0; m < M; ++m)
      xs.push_back(loadWords(x, index(m)));
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

  // This lane's sum x (c - 128) per (r, m), summed over the warp; lane 0
  // leaves the warp's sums (as f32 bits) in shared memory.
  SmallVector<Value> sums;
  for (int64_t r = 0; r < R; ++r)
    for (int64_t m = 0; m < M; ++m) {
      Value offset =
          arith::ShLIOp::create(b, loc, loop.getResult(R * M + m), i32(7));
      Value sum =
          arith::SubIOp::create(b, loc, loop.getResult(r * M + m), offset);
      sums.push_back(warpSum(b, loc, sum));
    }
  Value isLane0 =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, index(0));
  {
    auto write = scf::IfOp::create(b, loc, isLane0);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(write.thenBlock());
    for (int64_t i = 0; i < R * M; ++i)
      memref::StoreOp::create(b, loc,
                              arith::BitcastOp::create(b, loc, f32t, sums[i]),
                              partials, ValueRange{warp, index(i)});
  }
  mlir::gpu::BarrierOp::create(b, loc);
  // One thread per output: the warps' sums added as integers, then scaled.
  Value isWriter = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, tid,
                                         index(R * M));
  auto writeOut = scf::IfOp::create(b, loc, isWriter);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(writeOut.thenBlock());
    Value total = zero;
    for (int64_t w = 0; w < W; ++w) {
      Value bits =
          memref::LoadOp::create(b, loc, partials, ValueRange{index(w), tid});
      total = arith::AddIOp::create(
          b, loc, total, arith::BitcastOp::create(b, loc, i32t, bits));
    }
    Value row = add(row0, arith::DivUIOp::create(b, loc, tid, index(M)));
    Value m = arith::RemUIOp::create(b, loc, tid, index(M));
    Value scale = toF32(
        memref::LoadOp::create(b, loc, scales, ValueRange{row, index(0)}));
    Value xScale = memref::LoadOp::create(b, loc, xScales, ValueRange{m});
    Value value = arith::MulFOp::create(
        b, loc, arith::MulFOp::create(b, loc, xScale, scale),
        arith::SIToFPOp::create(b, loc, f32t, total));
    if (bias)
      value = arith::AddFOp::create(
          b, loc, value,
          toF32(memref::LoadOp::create(b, loc, bias, ValueRange{row})));
    memref::StoreOp::create(b, loc, finish(value, m, row), y,
                            ValueRange{m, row});
  }
  mlir::gpu::ReturnOp::create(b, loc);
}
