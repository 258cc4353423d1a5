//===- GemvKernel.cpp - the W4A16 GEMV kernel as a gpu.func ---------------===//
//
// One block computes rowsPerWarp() output channels for all M rows of x; its
// four warps split K (split-K) and meet in shared memory at the end. In one
// step a warp covers 1024 values of K: each lane loads 16 bytes (32 codes)
// of each of its rows with one 128-bit load, so a warp reads 512 contiguous
// bytes of a row. Codes are turned into floats in registers without a
// conversion instruction: a code c in the low mantissa bits of 2^23
// (| 0x4B000000) reads as 2^23 + c, and one subtraction of 2^23 leaves c.
// At one or two rows of x that is three instructions per code: 4-bit codes
// are masked where they lie (c * 16^i, x divided by 16^i instead), 8-bit
// codes are moved next to 0x4B by one byte permute (prmt); the fma with x
// follows, and the zero point and scale are applied once per lane, row and
// group: acc += scale * (sum x c - zero * sum x). The activations of the
// lane's values are read once per step and reused for every row; partial
// sums are reduced with warp shuffles.
//
// The f32-weight variant (lowbit.linear's float path at small batch) has the
// same block structure; a warp step covers 256 values of K, each lane
// loading two float4 of each of its rows 512 bytes apart, so every load
// instruction of a warp reads 512 contiguous bytes.
//
//===----------------------------------------------------------------------===//

#include "GemvKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir;
using lowbit::gpu::GemvShape;

std::string GemvShape::name() const {
  if (floatWeights)
    return "gemv_f32_m" + std::to_string(m) + "_n" + std::to_string(n) +
           "_k" + std::to_string(k) +
           (biasType ? (biasType.isF16() ? "_b16" : "_b32") : "");
  std::string name = "gemv_w" + std::to_string(bits) +
                     (tensorCores ? "tc" + std::to_string(tensorCoreTiles) : "") +
                     "_m" +
                     std::to_string(m) + "_n" +
                     std::to_string(n) + "_k" + std::to_string(k) + "_g" +
                     std::to_string(groupSize) +
                     (scaleType.isF16() ? "_s16" : "_s32");
  if (hasZeroPoints)
    name += "_zp";
  if (!tensorCores && codeRows)
    name += "_r" + std::to_string(codeRows);
  if (warpsSplitN())
    name += "_mt" + std::to_string(mTiles);
  else if (halfActivations())
    name += "_xh";
  if (tensorCores && kSplits > 1)
    name += "_ks" + std::to_string(kSplits);
  if (biasType)
    name += biasType.isF16() ? "_b16" : "_b32";
  return name;
}

namespace {

constexpr llvm::StringLiteral kKernelModuleName = "lowbit_gemv_kernels";

/// `value` ([..., K], or a matrix [M, K]) as `shape`, one of the two being
/// the [M, K] matrix of the other: a collapse or an expansion of the leading
/// axes, which bufferizes to a view (a tensor.reshape with a shape operand
/// would leave a memref.reshape reading that shape on the host).
Value reshape(OpBuilder &b, Location loc, Value value,
              ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  auto target = RankedTensorType::get(shape, type.getElementType());
  bool collapsing = type.getRank() > static_cast<int64_t>(shape.size());
  int64_t rank = collapsing ? type.getRank() : static_cast<int64_t>(shape.size());
  int64_t small = collapsing ? static_cast<int64_t>(shape.size()) : type.getRank();
  // Leading axes fold into the first one of the smaller shape (a vector
  // [K] is the matrix [1, K]).
  SmallVector<ReassociationIndices> groups;
  if (small == 1) {
    ReassociationIndices all;
    for (int64_t i = 0; i < rank; ++i)
      all.push_back(i);
    groups.push_back(all);
  } else {
    ReassociationIndices leading;
    for (int64_t i = 0; i < rank - 1; ++i)
      leading.push_back(i);
    groups = {leading, {rank - 1}};
  }
  if (collapsing)
    return tensor::CollapseShapeOp::create(b, loc, target, value, groups);
  return tensor::ExpandShapeOp::create(b, loc, target, value, groups);
}

Value toBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*read_only=*/true);
}

struct KernelBuilder {
  OpBuilder &b;
  Location loc;
  const GemvShape &shape;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(double v) {
    return arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                          APFloat(float(v)));
  }
  Value i32(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  }
  /// The block's total of one output: the warps' partials at `slot` summed.
  Value sumOverWarps(Value partials, Value slot) {
    Value total = f32(0.0);
    for (int64_t w = 0; w < GemvShape::kWarpsPerBlock; ++w)
      total = arith::AddFOp::create(
          b, loc, total,
          memref::LoadOp::create(b, loc, partials, ValueRange{index(w), slot}));
    return total;
  }
  Value toF32(Value v) {
    if (v.getType().isF32())
      return v;
    return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  }
  Value add(Value a, Value c) { return arith::AddIOp::create(b, loc, a, c); }
  Value mul(Value a, Value c) { return arith::MulIOp::create(b, loc, a, c); }

  void build(gpu::GPUFuncOp func);
  /// The f32-weight loop: partial sums [R * M] of this lane.
  scf::ForOp buildFloatLoop(Value x, Value weight, Value warp, Value lane,
                            ArrayRef<Value> rows);
  /// The tensor-core kernel body (everything after the common prologue).
  void buildTensorCore(Value x, Value packed, Value scales, Value zeroPoints,
                       Value bias, Value y, Value partials, Value tid,
                       Value lane, Value warp, Value bid);
  /// Sums the lanes' partials over the warp and the block, adds the bias
  /// and stores y[m, row0 + r].
  void reduceAndStore(ValueRange partialSums, Value partials, Value bias,
                      Value y, Value tid, Value lane, Value warp, Value row0);
};

scf::ForOp KernelBuilder::buildFloatLoop(Value x, Value weight, Value warp,
                                         Value lane, ArrayRef<Value> rows) {
  const int64_t M = shape.m, R = shape.rowsPerWarp(),
                W = GemvShape::kWarpsPerBlock;
  auto vecF32 = VectorType::get({4}, b.getF32Type());
  SmallVector<Value> zeros(R * M, f32(0.0));
  int64_t steps = shape.k / shape.stepK();
  auto loop = scf::ForOp::create(b, loc, warp, index(steps), index(W), zeros);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  SmallVector<Value> acc(loop.getRegionIterArgs().begin(),
                         loop.getRegionIterArgs().end());
  Value k0 = add(mul(loop.getInductionVar(), index(shape.stepK())),
                 mul(lane, index(4)));
  // Every weight load of the step first, so that they are all in flight.
  SmallVector<Value> w(R * 2);
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t r = 0; r < R; ++r) {
      auto load = vector::LoadOp::create(
          b, loc, vecF32, weight, ValueRange{rows[r], add(k0, index(128 * h))});
      load.setAlignment(16);
      w[h * R + r] = load;
    }
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t m = 0; m < M; ++m) {
      auto xv = vector::LoadOp::create(
          b, loc, vecF32, x, ValueRange{index(m), add(k0, index(128 * h))});
      xv.setAlignment(16);
      for (int64_t e = 0; e < 4; ++e) {
        Value xe = vector::ExtractOp::create(b, loc, xv, e);
        for (int64_t r = 0; r < R; ++r) {
          Value we = vector::ExtractOp::create(b, loc, w[h * R + r], e);
          acc[r * M + m] = LLVM::FMAOp::create(b, loc, xe, we, acc[r * M + m]);
        }
      }
    }
  scf::YieldOp::create(b, loc, acc);
  return loop;
}

// The tensor-core kernel. A warp step covers 128 values of K with 8
// mma.sync m16n8k16 per n-tile of 8 output channels (tensorCoreTiles of
// them share each activation fragment). The order in which K enters the products is free, so
// each lane is given K positions it can load itself: lane (r, q) (r = lane /
// 4, q = lane % 4) holds, for the weight row n0 + r, the 32 codes at K
// offsets 32 h + 8 q + i (h, i < 4, 8) of the step, four 32-bit words of the
// packed row; the i-th group of four codes of word h feeds mma 2 h + i / 4
// in the fragment slots (2q, 2q + 1, 2q + 8, 2q + 9), and since A's
// fragment uses the same slots for the same lane, the lane reads exactly
// those K positions of x rows r and r + 8 as one float4 each.
void KernelBuilder::buildTensorCore(Value x, Value packed, Value scales,
                                    Value zeroPoints, Value bias, Value y,
                                    Value partials, Value tid, Value lane,
                                    Value warp, Value bid) {
  const int64_t M = shape.m, W = GemvShape::kWarpsPerBlock,
                T = shape.tensorCoreTiles, R = shape.rowsPerWarp(),
                P = shape.mTiles;
  const bool splitN = shape.warpsSplitN();
  Type f16 = b.getF16Type(), f32t = b.getF32Type(), i32t = b.getI32Type();
  auto vecC = VectorType::get({2, 2}, f32t);
  auto vecA = VectorType::get({4, 2}, f16);
  auto vecB = VectorType::get({2, 2}, f16);
  auto half2 = VectorType::get({2}, f16);
  auto vecF32 = VectorType::get({4}, f32t);
  auto vecI32 = VectorType::get({1}, i32t);
  const int64_t bits = shape.bits;
  // This warp's first output channel; with the warps splitting N each has
  // its own R channels of the block's W * R.
  Value n0 = mul(bid, index(shape.channelsPerBlock()));
  if (splitN)
    n0 = add(n0, mul(warp, index(R)));
  Value r = arith::DivUIOp::create(b, loc, lane, index(4));
  Value q = arith::RemUIOp::create(b, loc, lane, index(4));
  // Per n-tile: this lane's weight row and its two accumulator columns.
  SmallVector<Value> weightRows, columns;
  for (int64_t t = 0; t < T; ++t) {
    Value tile0 = add(n0, index(8 * t));
    weightRows.push_back(add(tile0, r));
    Value c0 = add(tile0, mul(q, index(2)));
    columns.push_back(c0);
    columns.push_back(add(c0, index(1)));
  }
  // The block's first row of x (grid z), then per row tile p and half the
  // lane's row of x; rows past M read row 0 and are replaced by zeros.
  Value mBase = index(0);
  if (splitN)
    mBase = mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::z),
                index(16 * P));
  SmallVector<Value> xRows, xValid, outRows;
  for (int64_t p = 0; p < P; ++p)
    for (int64_t half = 0; half < 2; ++half) {
      Value row = add(mBase, add(r, index(16 * p + 8 * half)));
      Value valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          row, index(M));
      outRows.push_back(row);
      xRows.push_back(arith::SelectOp::create(b, loc, valid, row, index(0)));
      xValid.push_back(valid);
    }
  Value zeroC = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(vecC, b.getFloatAttr(f32t, 0.0)));
  // x arrives in f16 for the GEMM and with halfX (converted once before the
  // launch), else in f32 and rounded here.
  const bool halfX = shape.halfActivations();
  Value zeroX = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(vecF32, b.getFloatAttr(f32t, 0.0)));
  int64_t steps = shape.k / 128;
  const int64_t S = shape.kSplits;
  // This block's share of the steps: [split * steps / S, (split+1) * steps / S).
  Value split = index(0), first = index(0), last = index(steps);
  if (S > 1) {
    split = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
    first = arith::DivUIOp::create(b, loc, mul(split, index(steps)), index(S));
    last = arith::DivUIOp::create(b, loc, mul(add(split, index(1)), index(steps)),
                                  index(S));
  }
  // Accumulators: (p, t, half, c) at 4 (p T + t) + 2 half + c.
  SmallVector<Value> zeros(4 * T * P, f32(0.0));
  // Warps splitting K take every W-th step; splitting N, every step.
  auto loop = splitN ? scf::ForOp::create(b, loc, first, last, index(1), zeros)
                     : scf::ForOp::create(b, loc, add(first, warp), last,
                                          index(W), zeros);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value step = loop.getInductionVar();
    Value k0 = mul(step, index(128));
    Value byte0 = mul(step, index(16 * bits));
    Value group = arith::DivUIOp::create(b, loc, k0, index(shape.groupSize));
    // Every weight word of the step first, so that all loads are in flight:
    // 4-bit codes as four 32-bit words 16 bytes apart (word h at 16 h + 4 q),
    // 8-bit codes as two 16-byte loads (at 64 hh + 16 q), eight words.
    const int64_t loads = bits == 4 ? 4 : 2, bytes = bits == 4 ? 4 : 16;
    auto loadType = VectorType::get({bytes}, b.getI8Type());
    auto wordsType = VectorType::get({bytes / 4}, i32t);
    SmallVector<SmallVector<Value>> words(T);
    for (int64_t t = 0; t < T; ++t)
      for (int64_t l = 0; l < loads; ++l) {
        Value at = add(byte0, add(index(4 * bytes * l), mul(q, index(bytes))));
        auto load = vector::LoadOp::create(b, loc, loadType, packed,
                                           ValueRange{weightRows[t], at});
        load.setAlignment(bytes);
        Value asWords = vector::BitCastOp::create(b, loc, wordsType, load);
        for (int64_t w = 0; w < bytes / 4; ++w)
          words[t].push_back(vector::ExtractOp::create(b, loc, asWords, w));
      }
    // 1024 + zero point, subtracted from 1024 + code: exact in f16.
    SmallVector<Value> offsets;
    for (int64_t t = 0; t < T; ++t) {
      Value offset;
      if (zeroPoints) {
        Value code = memref::LoadOp::create(b, loc, zeroPoints,
                                            ValueRange{weightRows[t], group});
        Value wide = arith::ExtUIOp::create(b, loc, i32t, code);
        Value asFloat = arith::UIToFPOp::create(b, loc, f32t, wide);
        offset = arith::TruncFOp::create(
            b, loc, f16, arith::AddFOp::create(b, loc, asFloat, f32(1024.0)));
      } else {
        offset = arith::ConstantFloatOp::create(
            b, loc, b.getF16Type(),
            APFloat(APFloat::IEEEhalf(),
                    std::to_string(1024 + (int64_t(1) << (bits - 1)))));
      }
      offsets.push_back(vector::BroadcastOp::create(b, loc, half2, offset));
    }
    // Two codes of a word as f16x2 minus the zero point, by one mask and
    // one or: (word >> shift) & mask | 0x64006400 puts the code in the low
    // bits of each 16-bit half under the exponent of 1024. 4-bit codes
    // (mask 0x000F000F) pair code s with code s + 4 of the word's eight,
    // 8-bit ones (0x00FF00FF) byte s with byte s + 2 of its four.
    auto codePair = [&](Value word, int64_t shift, Value offset2) {
      Value v = shift ? arith::ShRUIOp::create(b, loc, word, i32(shift)) : word;
      v = arith::AndIOp::create(b, loc, v,
                                i32(bits == 4 ? 0x000F000F : 0x00FF00FF));
      v = arith::OrIOp::create(b, loc, v, i32(0x64006400));
      Value asVector = vector::BroadcastOp::create(b, loc, vecI32, v);
      Value pair = vector::BitCastOp::create(b, loc, half2, asVector);
      return arith::SubFOp::create(b, loc, pair, offset2);
    };
    SmallVector<Value> acc(T * P, zeroC);
    for (int64_t h = 0; h < 4; ++h) {
      // The eight K offsets of this lane in mma 2h and 2h+1: for 4-bit codes
      // those of word h (32 h + 8 q + i), for 8-bit ones those of words
      // 2 (h % 2) and +1 of load h / 2 (64 (h/2) + 16 q + 8 (h%2) + i).
      Value kx = bits == 4
                     ? add(k0, add(index(32 * h), mul(q, index(8))))
                     : add(k0, add(index(64 * (h / 2) + 8 * (h % 2)),
                                   mul(q, index(16))));
      // x at those offsets, per row tile and half, as eight f16.
      SmallVector<SmallVector<Value>> xs(2 * P);
      for (int64_t p = 0; p < P; ++p)
        for (int64_t half = 0; half < 2; ++half) {
          SmallVector<Value> &values = xs[2 * p + half];
          Value valid = xValid[2 * p + half];
          auto pick = [&](Value v) {
            for (int64_t e = 0; e < 4; ++e)
              values.push_back(vector::ExtractOp::create(b, loc, v, e));
          };
          if (halfX) {
            auto type = VectorType::get({8}, f16);
            auto load = vector::LoadOp::create(
                b, loc, type, x, ValueRange{xRows[2 * p + half], kx});
            load.setAlignment(16);
            Value zero = arith::ConstantOp::create(
                b, loc, DenseElementsAttr::get(type, b.getFloatAttr(f16, 0.0)));
            Value v = arith::SelectOp::create(b, loc, valid, load, zero);
            for (int64_t e = 0; e < 8; ++e)
              values.push_back(vector::ExtractOp::create(b, loc, v, e));
            continue;
          }
          for (int64_t part = 0; part < 2; ++part) {
            auto load = vector::LoadOp::create(
                b, loc, vecF32, x,
                ValueRange{xRows[2 * p + half], add(kx, index(4 * part))});
            load.setAlignment(16);
            Value v = arith::SelectOp::create(b, loc, valid, load, zeroX);
            pick(arith::TruncFOp::create(b, loc, VectorType::get({4}, f16), v));
          }
        }
      for (int64_t sub = 0; sub < 2; ++sub) {
        // The weight fragments of mma 2h + sub, shared by every row tile:
        // slots (2q, 2q+1) and (2q+8, 2q+9) hold the values at offsets
        // (lo0, lo1) and (hi0, hi1) of the eight.
        int64_t lo0, lo1, hi0, hi1;
        SmallVector<Value> bMatrices;
        for (int64_t t = 0; t < T; ++t) {
          Value low, high;
          if (bits == 4) {
            // Codes (2 sub, 2 sub + 4) and (2 sub + 1, 2 sub + 5).
            low = codePair(words[t][h], 8 * sub, offsets[t]);
            high = codePair(words[t][h], 8 * sub + 4, offsets[t]);
          } else {
            // Bytes (0, 2) and (1, 3) of word 4 (h/2) + 2 (h%2) + sub.
            Value word = words[t][4 * (h / 2) + 2 * (h % 2) + sub];
            low = codePair(word, 0, offsets[t]);
            high = codePair(word, 8, offsets[t]);
          }
          Value bMatrix = arith::ConstantOp::create(
              b, loc, DenseElementsAttr::get(vecB, b.getFloatAttr(f16, 0.0)));
          bMatrix = vector::InsertOp::create(b, loc, low, bMatrix, 0);
          bMatrix = vector::InsertOp::create(b, loc, high, bMatrix, 1);
          bMatrices.push_back(bMatrix);
        }
        if (bits == 4) {
          lo0 = 2 * sub, lo1 = 2 * sub + 4, hi0 = 2 * sub + 1, hi1 = 2 * sub + 5;
        } else {
          lo0 = 4 * sub, lo1 = 4 * sub + 2, hi0 = 4 * sub + 1, hi1 = 4 * sub + 3;
        }
        for (int64_t p = 0; p < P; ++p) {
          // A's registers: (row r, low slots), (row r+8, low), (row r, high
          // slots), (row r+8, high).
          Value aMatrix = arith::ConstantOp::create(
              b, loc, DenseElementsAttr::get(vecA, b.getFloatAttr(f16, 0.0)));
          for (int64_t reg = 0; reg < 4; ++reg) {
            ArrayRef<Value> values = xs[2 * p + reg % 2];
            Value pair = vector::FromElementsOp::create(
                b, loc, half2,
                ValueRange{values[reg < 2 ? lo0 : hi0],
                           values[reg < 2 ? lo1 : hi1]});
            aMatrix = vector::InsertOp::create(b, loc, pair, aMatrix, reg);
          }
          for (int64_t t = 0; t < T; ++t)
            acc[p * T + t] = nvgpu::MmaSyncOp::create(
                b, loc, aMatrix, bMatrices[t], acc[p * T + t],
                ArrayRef<int64_t>{16, 8, 16});
        }
      }
    }
    // Scales of the accumulators' columns (output channels 2q, 2q+1).
    SmallVector<Value> totals(4 * T * P);
    for (int64_t t = 0; t < T; ++t) {
      Value s0 = toF32(memref::LoadOp::create(
          b, loc, scales, ValueRange{columns[2 * t], group}));
      Value s1 = toF32(memref::LoadOp::create(
          b, loc, scales, ValueRange{columns[2 * t + 1], group}));
      for (int64_t p = 0; p < P; ++p)
        for (int64_t half = 0; half < 2; ++half)
          for (int64_t c = 0; c < 2; ++c) {
            int64_t at = 4 * (p * T + t) + 2 * half + c;
            Value v = vector::ExtractOp::create(b, loc, acc[p * T + t],
                                                ArrayRef<int64_t>{half, c});
            totals[at] = LLVM::FMAOp::create(b, loc, v, c ? s1 : s0,
                                             loop.getRegionIterArgs()[at]);
          }
    }
    scf::YieldOp::create(b, loc, totals);
  }
  // The bias of `column`, added once (by the first split).
  auto withBias = [&](Value total, Value column) -> Value {
    if (!bias)
      return total;
    Value biasValue =
        toF32(memref::LoadOp::create(b, loc, bias, ValueRange{column}));
    if (S > 1) {
      Value isFirst = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                            split, index(0));
      biasValue = arith::SelectOp::create(b, loc, isFirst, biasValue, f32(0.0));
    }
    return arith::AddFOp::create(b, loc, total, biasValue);
  };
  auto store = [&](Value total, Value m, Value column) {
    if (S > 1)
      memref::StoreOp::create(b, loc, total, y, ValueRange{split, m, column});
    else
      memref::StoreOp::create(b, loc, total, y, ValueRange{m, column});
  };
  if (splitN) {
    // Every output has one owner lane: store it, rows past M skipped.
    for (int64_t p = 0; p < P; ++p)
      for (int64_t half = 0; half < 2; ++half) {
        auto inRange = scf::IfOp::create(b, loc, xValid[2 * p + half]);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(inRange.thenBlock());
        for (int64_t t = 0; t < T; ++t)
          for (int64_t c = 0; c < 2; ++c) {
            Value v = loop.getResult(4 * (p * T + t) + 2 * half + c);
            Value column = columns[2 * t + c];
            store(withBias(v, column), outRows[2 * p + half], column);
          }
      }
    gpu::ReturnOp::create(b, loc);
    return;
  }
  // Each lane's outputs: (row r (+8), channel 8t + 2q + c) into this
  // warp's partials [16, R].
  for (int64_t t = 0; t < T; ++t)
    for (int64_t half = 0; half < 2; ++half)
      for (int64_t c = 0; c < 2; ++c) {
        Value v = loop.getResult(4 * t + 2 * half + c);
        Value row = add(r, index(8 * half));
        Value slot = add(mul(row, index(R)),
                         add(index(8 * t + c), mul(q, index(2))));
        memref::StoreOp::create(b, loc, v, partials, ValueRange{warp, slot});
      }
  gpu::BarrierOp::create(b, loc);
  // The block's 16 x R sums, 128 threads at a time; rows past M are skipped.
  for (int64_t base = 0; base < 16 * R; base += 32 * W) {
    Value slot = add(tid, index(base));
    Value m = arith::DivUIOp::create(b, loc, slot, index(R));
    Value isWriter =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, m, index(M));
    auto writeOut = scf::IfOp::create(b, loc, isWriter);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(writeOut.thenBlock());
    Value total = sumOverWarps(partials, slot);
    Value column = add(n0, arith::RemUIOp::create(b, loc, slot, index(R)));
    store(withBias(total, column), m, column);
  }
  gpu::ReturnOp::create(b, loc);
}

void KernelBuilder::reduceAndStore(ValueRange partialSums, Value partials,
                                   Value bias, Value y, Value tid, Value lane,
                                   Value warp, Value row0) {
  const int64_t M = shape.m, R = shape.rowsPerWarp();
  SmallVector<Value> sums(partialSums.begin(), partialSums.end());
  for (Value &sum : sums)
    for (int32_t offset = 16; offset >= 1; offset /= 2) {
      auto shuffle = gpu::ShuffleOp::create(b, loc, sum, offset, 32,
                                            gpu::ShuffleMode::XOR);
      sum = arith::AddFOp::create(b, loc, sum, shuffle.getShuffleResult());
    }
  Value isLane0 = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                        index(0));
  auto writePartials = scf::IfOp::create(b, loc, isLane0);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(writePartials.thenBlock());
    for (int64_t i = 0; i < R * M; ++i)
      memref::StoreOp::create(b, loc, sums[i], partials,
                              ValueRange{warp, index(i)});
  }
  gpu::BarrierOp::create(b, loc);
  Value isWriter = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         tid, index(R * M));
  auto writeOut = scf::IfOp::create(b, loc, isWriter);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(writeOut.thenBlock());
    Value total = sumOverWarps(partials, tid);
    Value row = add(row0, arith::DivUIOp::create(b, loc, tid, index(M)));
    Value m = arith::RemUIOp::create(b, loc, tid, index(M));
    if (bias)
      total = arith::AddFOp::create(
          b, loc, total,
          toF32(memref::LoadOp::create(b, loc, bias, ValueRange{row})));
    memref::StoreOp::create(b, loc, total, y, ValueRange{m, row});
  }
  gpu::ReturnOp::create(b, loc);
}

void KernelBuilder::build(gpu::GPUFuncOp func) {
  const int64_t M = shape.m, R = shape.rowsPerWarp(),
                W = GemvShape::kWarpsPerBlock;
  Block &entry = func.front();
  unsigned arg = 0;
  Value x = entry.getArgument(arg++);
  Value packed = entry.getArgument(arg++);
  Value scales = shape.floatWeights ? Value() : entry.getArgument(arg++);
  Value zeroPoints = shape.hasZeroPoints ? entry.getArgument(arg++) : Value();
  Value bias = shape.biasType ? entry.getArgument(arg++) : Value();
  Value y = entry.getArgument(arg++);
  Value partials = func.getWorkgroupAttributions().empty()
                       ? Value()
                       : Value(func.getWorkgroupAttributions().front());
  b.setInsertionPointToStart(&entry);

  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value bid = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value lane = arith::RemUIOp::create(b, loc, tid, index(32));
  Value warp = arith::DivUIOp::create(b, loc, tid, index(32));
  Value row0 = mul(bid, index(R));
  SmallVector<Value> rows;
  for (int64_t r = 0; r < R; ++r)
    rows.push_back(add(row0, index(r)));
  if (shape.tensorCores) {
    buildTensorCore(x, packed, scales, zeroPoints, bias, y, partials, tid, lane,
                    warp, bid);
    return;
  }
  if (shape.floatWeights) {
    scf::ForOp loop = buildFloatLoop(x, packed, warp, lane, rows);
    reduceAndStore(loop.getResults(), partials, bias, y, tid, lane, warp, row0);
    return;
  }

  auto vecI8 = VectorType::get({16}, b.getI8Type());
  auto vecI32 = VectorType::get({4}, b.getI32Type());
  auto vecF32 = VectorType::get({4}, b.getF32Type());
  const int64_t bits = shape.bits, perWord = 32 / bits;
  const int64_t steps = shape.k / shape.stepK();
  Value laneK = mul(lane, index(shape.codesPerLoad()));
  // The loads of one step: the 16 code bytes of each row (as four words),
  // then the rows' scales, then their zero points, as loaded.
  auto loadStep = [&](Value step, bool opaque) {
    Value k0 = add(mul(step, index(shape.stepK())), laneK);
    Value byte0 = add(mul(step, index(shape.stepK() * bits / 8)),
                      mul(lane, index(16)));
    Value group = arith::DivUIOp::create(b, loc, k0, index(shape.groupSize));
    SmallVector<Value> loaded;
    for (int64_t r = 0; r < R; ++r) {
      auto load = vector::LoadOp::create(b, loc, vecI8, packed,
                                         ValueRange{rows[r], byte0});
      load.setAlignment(16);
      Value words = vector::BitCastOp::create(b, loc, vecI32, load);
      if (opaque) {
        // Each word through an empty move that LLVM cannot look into: else
        // InstCombine merges the loop's phi of this load and the one in the
        // loop into one load at the phi'd address, undoing the prefetch.
        for (int64_t w = 0; w < 4; ++w) {
          Value word = vector::ExtractOp::create(b, loc, words, w);
          Value moved =
              LLVM::InlineAsmOp::create(
                  b, loc, b.getI32Type(), ValueRange{word}, "mov.b32 $0, $1;",
                  "=r,r", /*has_side_effects=*/false, /*is_align_stack=*/false,
                  LLVM::tailcallkind::TailCallKind::None,
                  LLVM::AsmDialectAttr(), ArrayAttr())
                  .getRes();
          words = vector::InsertOp::create(b, loc, moved, words, w);
        }
      }
      loaded.push_back(words);
    }
    for (int64_t r = 0; r < R; ++r)
      loaded.push_back(
          memref::LoadOp::create(b, loc, scales, ValueRange{rows[r], group}));
    if (zeroPoints)
      for (int64_t r = 0; r < R; ++r)
        loaded.push_back(memref::LoadOp::create(b, loc, zeroPoints,
                                                ValueRange{rows[r], group}));
    return loaded;
  };
  // With more steps than warps, a warp loads its next step before it works
  // on the current one (the loads travel through the loop's iteration
  // arguments, unconverted), so two steps' loads are in flight; on the last
  // step it loads that step again (clamped, cached) and drops it.
  const bool prefetch = steps > W;
  SmallVector<Value> init(R * M, f32(0.0));
  if (prefetch)
    llvm::append_range(init, loadStep(warp, /*opaque=*/true));
  auto loop = scf::ForOp::create(b, loc, warp, index(steps), index(W), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value step = loop.getInductionVar();
    ValueRange args = loop.getRegionIterArgs();
    SmallVector<Value> acc(args.take_front(R * M));
    SmallVector<Value> loaded, next;
    if (prefetch) {
      loaded.assign(args.begin() + R * M, args.end());
      Value following = arith::MinUIOp::create(b, loc, add(step, index(W)),
                                                index(steps - 1));
      next = loadStep(following, /*opaque=*/false);
    } else {
      loaded = loadStep(step, /*opaque=*/false);
    }
    Value k0 = add(mul(step, index(shape.stepK())), laneK);

    // Each row's words, scale and zero point.
    SmallVector<Value> words(R), scale(R), zero(R);
    for (int64_t r = 0; r < R; ++r) {
      words[r] = loaded[r];
      scale[r] = toF32(loaded[R + r]);
      zero[r] = f32(double(int64_t(1) << (bits - 1)));
      if (zeroPoints) {
        Value wide =
            arith::ExtUIOp::create(b, loc, b.getI32Type(), loaded[2 * R + r]);
        zero[r] = arith::UIToFPOp::create(b, loc, b.getF32Type(), wide);
      }
    }

    // Where code t of a word sits for the float trick: 8-bit codes are
    // moved to byte 0 by a byte permute (prmt). 4-bit codes at one or two
    // rows of x stay in place (codes 5-7 after one shift of the word by 12
    // bits), so code t reads as c * 2^shift(t) once masked and x is
    // divided by 2^shift(t) instead: one instruction less per code. At more
    // rows that would keep a second copy of x live, so each code is
    // shifted to bit 0.
    const bool inPlace = bits == 4 && M <= 2;
    // 4-bit codes at more than two rows: the weight (c - zero) * scale is
    // made once per code and multiplied into every row's accumulator (the
    // sums below need as many extra registers as rows, and ptxas spills).
    const bool weightForm = bits == 4 && M > 2;
    auto nibbleShift = [&](int64_t t) {
      return inPlace ? 4 * (t < 5 ? t : t - 3) : 0;
    };
    Value magic = i32(0x4B000000), twoTo23 = f32(8388608.0);
    SmallVector<Value> negZero(R), offset(R);
    for (int64_t r = 0; r < R; ++r) {
      negZero[r] = arith::NegFOp::create(b, loc, zero[r]);
      offset[r] = arith::AddFOp::create(b, loc, zero[r], twoTo23);
    }
    // The sums of x * code are folded into the accumulators once per step
    // at one or two rows of x; at more rows once per word, which keeps
    // only one word's x values live (fewer registers, no spills).
    const int64_t wordsPerFold = M <= 2 ? 4 : 1;
    for (int64_t j0 = 0; j0 < 4; j0 += wordsPerFold) {
      // x of the codes of words j0.., each divided by 2^shift of its code
      // (exact), and their sums per row of x (for the zero points).
      SmallVector<SmallVector<Value, 32>, 4> xs(M);
      SmallVector<Value> xSum(M);
      for (int64_t m = 0; m < M; ++m)
        for (int64_t part = 0; part < wordsPerFold * perWord / 4; ++part) {
          int64_t offset = perWord * j0 + 4 * part;
          auto load = vector::LoadOp::create(
              b, loc, vecF32, x, ValueRange{index(m), add(k0, index(offset))});
          load.setAlignment(16);
          for (int64_t e = 0; e < 4; ++e) {
            Value v = vector::ExtractOp::create(b, loc, load, e);
            if (!weightForm)
              xSum[m] = xSum[m] ? arith::AddFOp::create(b, loc, xSum[m], v)
                                : v;
            int64_t shift = nibbleShift((offset + e) % perWord);
            if (shift)
              v = arith::MulFOp::create(b, loc, v,
                                        f32(std::ldexp(1.0, -shift)));
            xs[m].push_back(v);
          }
        }

      for (int64_t r = 0; r < R; ++r) {
        // sums[m] = the sum over these codes c of x[m, k] * c.
        SmallVector<Value> sums(M);
        for (int64_t j = j0; j < j0 + wordsPerFold; ++j) {
          Value word = vector::ExtractOp::create(b, loc, words[r], j);
          Value high = inPlace
                           ? arith::ShRUIOp::create(b, loc, word, i32(12))
                           : Value();
          for (int64_t t = 0; t < perWord; ++t) {
            // c * 2^shift in the mantissa of 2^23 (exact: below bit 23).
            Value biased;
            if (bits == 8) {
              // Bytes (code t, 0x00, 0x00, 0x4B) of word and 0x4B000000.
              biased = NVVM::PermuteOp::create(
                  b, loc, b.getI32Type(), word, magic, i32(0x7650 | t),
                  NVVM::PermuteModeAttr::get(b.getContext(),
                                             NVVM::PermuteMode::DEFAULT));
            } else {
              Value source = word;
              if (inPlace && t >= 5)
                source = high;
              else if (!inPlace && t > 0)
                source = arith::ShRUIOp::create(b, loc, word, i32(4 * t));
              biased = arith::AndIOp::create(
                  b, loc, source, i32(int64_t(15) << nibbleShift(t)));
              biased = arith::OrIOp::create(b, loc, biased, magic);
            }
            Value asFloat =
                arith::BitcastOp::create(b, loc, b.getF32Type(), biased);
            if (weightForm) {
              // The weight itself, (c - zero) * scale, shared by the rows.
              Value weight = arith::MulFOp::create(
                  b, loc, arith::SubFOp::create(b, loc, asFloat, offset[r]),
                  scale[r]);
              for (int64_t m = 0; m < M; ++m)
                acc[r * M + m] = LLVM::FMAOp::create(
                    b, loc, xs[m][perWord * (j - j0) + t], weight,
                    acc[r * M + m]);
              continue;
            }
            Value code = arith::SubFOp::create(b, loc, asFloat, twoTo23);
            for (int64_t m = 0; m < M; ++m) {
              Value xv = xs[m][perWord * (j - j0) + t];
              // The LLVM intrinsic, not math.fma: that one becomes a
              // libdevice call, and the kernel needs no libdevice.
              sums[m] = sums[m] ? Value(LLVM::FMAOp::create(b, loc, xv, code,
                                                            sums[m]))
                                : Value(arith::MulFOp::create(b, loc, xv, code));
            }
          }
        }
        // acc += scale * (s - zero * sum(x)): the weights are
        // scale * (c - zero), and all of the lane's codes are in one group.
        for (int64_t m = 0; m < M && sums[m]; ++m) {
          Value centered =
              LLVM::FMAOp::create(b, loc, negZero[r], xSum[m], sums[m]);
          acc[r * M + m] =
              LLVM::FMAOp::create(b, loc, scale[r], centered, acc[r * M + m]);
        }
      }
    }
    llvm::append_range(acc, next);
    scf::YieldOp::create(b, loc, acc);
  }

  reduceAndStore(loop.getResults().take_front(R * M), partials, bias, y, tid,
                 lane, warp, row0);
}

} // namespace

mlir::gpu::GPUFuncOp lowbit::gpu::getOrBuildGemvKernel(mlir::gpu::GPUModuleOp module,
                                                 const GemvShape &shape,
                                                 Location loc) {
  std::string name = shape.name();
  if (auto existing = module.lookupSymbol<mlir::gpu::GPUFuncOp>(name))
    return existing;
  MLIRContext *context = module.getContext();
  OpBuilder b(context);
  b.setInsertionPointToEnd(module.getBody());
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  int64_t groups = shape.floatWeights ? 0 : shape.k / shape.groupSize;
  SmallVector<Type> args = {MemRefType::get(
      {shape.m, shape.k}, shape.halfActivations() ? Type(b.getF16Type()) : f32)};
  if (shape.floatWeights) {
    args.push_back(MemRefType::get({shape.n, shape.k}, f32));
  } else {
    args.push_back(MemRefType::get({shape.n, shape.k * shape.bits / 8}, i8));
    args.push_back(MemRefType::get({shape.n, groups}, shape.scaleType));
  }
  if (shape.hasZeroPoints)
    args.push_back(MemRefType::get({shape.n, groups}, i8));
  if (shape.biasType)
    args.push_back(MemRefType::get({shape.n}, shape.biasType));
  if (shape.tensorCores && shape.kSplits > 1)
    args.push_back(MemRefType::get({shape.kSplits, shape.m, shape.n}, f32));
  else
    args.push_back(MemRefType::get({shape.m, shape.n}, f32));
  auto workgroup = mlir::gpu::AddressSpaceAttr::get(context,
                                              mlir::gpu::AddressSpace::Workgroup);
  SmallVector<Type> workgroups;
  if (shape.partialsPerWarp() > 0)
    workgroups.push_back(MemRefType::get(
        {GemvShape::kWarpsPerBlock, shape.partialsPerWarp()}, f32,
        MemRefLayoutAttrInterface(), workgroup));
  auto func = mlir::gpu::GPUFuncOp::create(b, loc, name,
                                     b.getFunctionType(args, {}), workgroups);
  func->setAttr(mlir::gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr(
      {int32_t(32 * GemvShape::kWarpsPerBlock), 1, 1}));
  KernelBuilder builder{b, loc, shape};
  builder.build(func);
  return func;
}

void lowbit::gpu::replaceWithGemvLaunch(ModuleOp module, Operation *op,
                                        const GemvShape &shape, Value input,
                                        ValueRange weights) {
  OpBuilder b(module.getContext());
  module->setAttr(mlir::gpu::GPUDialect::getContainerModuleAttrName(),
                  b.getUnitAttr());
  auto kernels = module.lookupSymbol<mlir::gpu::GPUModuleOp>(kKernelModuleName);
  if (!kernels) {
    b.setInsertionPointToEnd(module.getBody());
    kernels = mlir::gpu::GPUModuleOp::create(b, module.getLoc(),
                                             kKernelModuleName);
  }
  Location loc = op->getLoc();
  mlir::gpu::GPUFuncOp kernel = getOrBuildGemvKernel(kernels, shape, loc);
  b.setInsertionPoint(op);
  Value x = reshape(b, loc, input, {shape.m, shape.k});
  if (shape.halfActivations()) {
    // x rounded to f16 once (an elementwise kernel), not by every block.
    auto halfType = RankedTensorType::get({shape.m, shape.k}, b.getF16Type());
    Value empty = tensor::EmptyOp::create(b, loc, halfType.getShape(),
                                          b.getF16Type());
    AffineMap identity = b.getMultiDimIdentityMap(2);
    x = linalg::GenericOp::create(
            b, loc, halfType, ValueRange{x}, ValueRange{empty},
            ArrayRef<AffineMap>{identity, identity},
            ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                          utils::IteratorType::parallel},
            [](OpBuilder &nb, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  nb, l,
                  Value(arith::TruncFOp::create(nb, l, nb.getF16Type(),
                                                args[0])));
            })
            .getResult(0);
  }
  SmallVector<Value> args = {toBuffer(b, loc, x)};
  for (Value weight : weights)
    args.push_back(toBuffer(b, loc, weight));
  const int64_t splits = shape.tensorCores ? shape.kSplits : 1;
  SmallVector<int64_t> outShape = {shape.m, shape.n};
  if (splits > 1)
    outShape.insert(outShape.begin(), splits);
  auto outType = MemRefType::get(outShape, b.getF32Type());
  Value out = memref::AllocOp::create(b, loc, outType);
  args.push_back(out);
  auto one = arith::ConstantIndexOp::create(b, loc, 1);
  auto grid =
      arith::ConstantIndexOp::create(b, loc, shape.n / shape.channelsPerBlock());
  auto gridY = arith::ConstantIndexOp::create(b, loc, splits);
  auto gridZ = arith::ConstantIndexOp::create(b, loc, shape.mBlocks());
  auto block =
      arith::ConstantIndexOp::create(b, loc, 32 * GemvShape::kWarpsPerBlock);
  mlir::gpu::LaunchFuncOp::create(b, loc, kernel, {grid, gridY, gridZ},
                                  {block, one, one}, Value(), args);
  Value result = bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get(outShape, b.getF32Type()), out,
      /*restrict=*/true, /*writable=*/true);
  if (splits > 1) {
    // The splits' partial sums, added up (a short reduction over S).
    auto type = RankedTensorType::get({shape.m, shape.n}, b.getF32Type());
    Value empty = tensor::EmptyOp::create(b, loc, type.getShape(),
                                          type.getElementType());
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    Value init = linalg::FillOp::create(b, loc, ValueRange{zero},
                                        ValueRange{empty})
                     .getResult(0);
    result = linalg::ReduceOp::create(
                 b, loc, ValueRange{result}, ValueRange{init},
                 ArrayRef<int64_t>{0},
                 [](OpBuilder &nb, Location l, ValueRange args) {
                   linalg::YieldOp::create(
                       nb, l,
                       Value(arith::AddFOp::create(nb, l, args[0], args[1])));
                 })
                 .getResult(0);
  }
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  op->getResult(0).replaceAllUsesWith(
      reshape(b, loc, result, resultType.getShape()));
  op->erase();
}
