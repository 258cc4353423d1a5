//===- GemvTensorCoreInt8.cpp - W8A8 on the tensor cores ------------------===//
//
// The main loop of the tensor-core kernel for 8-bit activation codes
// (GemvShape::int8Activations): nvgpu.mma.sync m16n8k32 on signed bytes
// with i32 accumulators, no dequantization in the loop.
//
// K in the fragments: per 64 values of K, lane (r, q) (r = lane / 4, q =
// lane % 4) loads the 16 bytes at K offset 16 q of weight row n0 + r and of
// x rows r and r + 8; its words w = 0..3 hold K offsets 16 q + 4 w + i.
// mma s (s = 0, 1) of those 64 values takes words 2 s and 2 s + 1 into the
// fragment slots 4 q .. 4 q + 3 and 16 + 4 q .. 16 + 4 q + 3 of both A and
// B, so x and weights meet at the same K offsets and the 64 offsets are
// each taken once.
//
//===----------------------------------------------------------------------===//

#include "GemvKernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using lowbit::gpu::detail::KernelBuilder;

void KernelBuilder::int8Products(SmallVectorImpl<Value> &acc,
                                 ArrayRef<SmallVector<Value>> xWords,
                                 ArrayRef<SmallVector<Value>> weightWords) {
  const int64_t T = weightWords.size(), P = xWords.size() / 2;
  Type i8 = b.getI8Type(), i32t = b.getI32Type();
  auto vecA = VectorType::get({4, 4}, i8);
  auto vecB = VectorType::get({2, 4}, i8);
  auto bytes = VectorType::get({4}, i8);
  auto oneWord = VectorType::get({1}, i32t);
  auto fragment = [&](VectorType type, ArrayRef<Value> words) -> Value {
    Value result = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getI8IntegerAttr(0)));
    for (auto [i, word] : llvm::enumerate(words)) {
      Value asVector = vector::BroadcastOp::create(b, loc, oneWord, word);
      Value four = vector::BitCastOp::create(b, loc, bytes, asVector);
      result = vector::InsertOp::create(b, loc, four, result,
                                        static_cast<int64_t>(i));
    }
    return result;
  };
  for (int64_t s = 0; s < 2; ++s) {
    SmallVector<Value> bMatrices;
    for (int64_t t = 0; t < T; ++t)
      bMatrices.push_back(fragment(
          vecB, {weightWords[t][2 * s], weightWords[t][2 * s + 1]}));
    for (int64_t p = 0; p < P; ++p) {
      // A's registers: (row r, slots 4q..), (row r + 8, 4q..), (row r,
      // 16 + 4q..), (row r + 8, 16 + 4q..).
      ArrayRef<Value> low = xWords[2 * p], high = xWords[2 * p + 1];
      Value aMatrix = fragment(
          vecA, {low[2 * s], high[2 * s], low[2 * s + 1], high[2 * s + 1]});
      for (int64_t t = 0; t < T; ++t)
        acc[p * T + t] =
            nvgpu::MmaSyncOp::create(b, loc, aMatrix, bMatrices[t],
                                     acc[p * T + t],
                                     ArrayRef<int64_t>{16, 8, 32});
    }
  }
}

SmallVector<Value> KernelBuilder::scaleInt8(ValueRange acc, Value scales,
                                            Value xScales,
                                            ArrayRef<Value> columns,
                                            ArrayRef<Value> xRows) {
  const int64_t T = columns.size() / 2, P = xRows.size() / 2;
  // (x_scale[m] * scale[n]) * float(acc), the CPU lowering's expression.
  SmallVector<Value> rowScales;
  for (Value row : xRows)
    rowScales.push_back(
        memref::LoadOp::create(b, loc, xScales, ValueRange{row}));
  SmallVector<Value> totals(4 * T * P);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t c = 0; c < 2; ++c) {
      Value scale = toF32(memref::LoadOp::create(
          b, loc, scales, ValueRange{columns[2 * t + c], index(0)}));
      for (int64_t p = 0; p < P; ++p)
        for (int64_t half = 0; half < 2; ++half) {
          Value sum = vector::ExtractOp::create(b, loc, acc[p * T + t],
                                                ArrayRef<int64_t>{half, c});
          Value product = arith::MulFOp::create(
              b, loc, rowScales[2 * p + half], scale);
          totals[4 * (p * T + t) + 2 * half + c] = arith::MulFOp::create(
              b, loc, product,
              arith::SIToFPOp::create(b, loc, b.getF32Type(), sum));
        }
    }
  return totals;
}

/// Unsigned weight codes to signed weights: c - 128 is c ^ 0x80 as a
/// signed byte.
static constexpr int32_t kSignFlip = static_cast<int32_t>(0x80808080u);

SmallVector<Value> KernelBuilder::buildInt8Loop(
    Value x, Value packed, Value scales, Value xScales, Value q,
    ArrayRef<Value> weightRows, ArrayRef<Value> columns, ArrayRef<Value> xRows,
    Value first, Value last) {
  const int64_t T = weightRows.size(), P = xRows.size() / 2;
  auto vecC = VectorType::get({2, 2}, b.getI32Type());
  Value zeroC = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(vecC, b.getI32IntegerAttr(0)));
  Value signFlip = i32(kSignFlip);
  SmallVector<Value> init(T * P, zeroC);
  auto loop = scf::ForOp::create(b, loc, first, last, index(1), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value k0 = mul(loop.getInductionVar(), index(128));
    SmallVector<Value> acc(loop.getRegionIterArgs());
    Value laneOffset = mul(q, index(16));
    // The four words of this lane's 16 bytes of `matrix` row `row` in the
    // l-th 64 values of the step.
    auto loadStepWords = [&](Value matrix, Value row, int64_t l) {
      return loadWords(matrix, row, add(k0, add(index(64 * l), laneOffset)));
    };
    for (int64_t l = 0; l < 2; ++l) {
      SmallVector<SmallVector<Value>> weights(T), xs(2 * P);
      for (int64_t t = 0; t < T; ++t)
        for (Value word : loadStepWords(packed, weightRows[t], l))
          weights[t].push_back(arith::XOrIOp::create(b, loc, word, signFlip));
      for (int64_t h = 0; h < 2 * P; ++h)
        xs[h] = loadStepWords(x, xRows[h], l);
      int8Products(acc, xs, weights);
    }
    scf::YieldOp::create(b, loc, acc);
  }
  return scaleInt8(loop.getResults(), scales, xScales, columns, xRows);
}

// The staged form (GemvStaged.cpp): stage j holds int8StageK values of K
// of the block's rows of x and of its channels, in parts of 64: [parts *
// rows, 64] bytes each, part l's rows after those of part l - 1, in the
// order of global memory; rows of x past M are zero-filled. The fragments
// come from shared memory exactly as the direct form loads them from
// global memory: lane (r, q) reads the 16 bytes at 16 q of rows r and r + 8
// of its tiles, and a warp's read of 8 rows is 512 contiguous bytes, free
// of bank conflicts.
SmallVector<Value> KernelBuilder::buildInt8StagedLoop(
    Value x, Value packed, Value scales, Value xScales, Value tid, Value r,
    Value q, Value blockRow0, Value blockColumn0, Value warpRow0,
    Value warpColumn0, ArrayRef<Value> columns, ArrayRef<Value> xRows,
    Value first, Value last) {
  const int64_t T = columns.size() / 2, P = xRows.size() / 2;
  auto vecC = VectorType::get({2, 2}, b.getI32Type());
  Value zeroC = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(vecC, b.getI32IntegerAttr(0)));
  Value signFlip = i32(kSignFlip);
  // Stages of int8StageK values of K, in parts of 64: [first, last) in
  // steps of 128 is [first 128 / int8StageK, last 128 / int8StageK) in
  // stages.
  const int64_t parts = shape.stageParts(), perStep = 128 / shape.int8StageK;
  Value stageEnd = mul(last, index(perStep));
  SmallVector<StagedTile> tiles = {
      {x, stagedX, shape.rowsPerBlock(), blockRow0, shape.m, 4, false, parts},
      {packed, stagedW, shape.channelsPerBlock(), blockColumn0, -1, 4, false,
       parts}};
  SmallVector<Value> init(T * P, zeroC);
  scf::ForOp loop = stagedLoop(
      mul(first, index(perStep)), stageEnd, init,
      [&](Value stage, Value slot) {
        return issueStage(tiles, stage, stageEnd, slot, tid);
      },
      [&](Value, Value slot, ValueRange args) {
        SmallVector<Value> acc(args);
        auto readWords = [&](Value tile, Value row) {
          Value words =
              loadWordVector(tile, ValueRange{slot, row, mul(q, index(16))});
          SmallVector<Value> result;
          for (int64_t w = 0; w < 4; ++w)
            result.push_back(vector::ExtractOp::create(b, loc, words, w));
          return result;
        };
        for (int64_t l = 0; l < parts; ++l) {
          Value wRow0 = add(warpColumn0, index(l * shape.channelsPerBlock()));
          Value xRow0 = add(warpRow0, index(l * shape.rowsPerBlock()));
          SmallVector<SmallVector<Value>> weights(T), xs(2 * P);
          for (int64_t t = 0; t < T; ++t)
            for (Value word :
                 readWords(stagedW, add(wRow0, add(r, index(8 * t)))))
              weights[t].push_back(
                  arith::XOrIOp::create(b, loc, word, signFlip));
          for (int64_t h = 0; h < 2 * P; ++h)
            xs[h] = readWords(stagedX, add(xRow0, add(r, index(8 * h))));
          int8Products(acc, xs, weights);
        }
        return acc;
      });
  return scaleInt8(loop.getResults(), scales, xScales, columns, xRows);
}
