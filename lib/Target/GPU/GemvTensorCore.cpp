//===- GemvTensorCore.cpp - the tensor-core GEMV/GEMM kernel --------------===//
//
// Integer codes on the tensor cores (nvgpu.mma.sync m16n8k16): the layout of
// K in the fragments, the dequantization to f16 pairs and the GEMM form for
// more than 16 rows are described below and in docs/gpu.md.
//
//===----------------------------------------------------------------------===//

#include "GemvKernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using lowbit::gpu::GemvShape;
using lowbit::gpu::detail::KernelBuilder;

// The tensor-core kernel. A warp step covers 128 values of K with 8
// mma.sync m16n8k16 per n-tile of 8 output channels (tensorCoreTiles of
// them share each activation fragment). The order in which K enters the products is free, so
// each lane is given K positions it can load itself: lane (r, q) (r = lane /
// 4, q = lane % 4) holds, for the weight row n0 + r, the 32 codes at K
// offsets 32 q + 8 h + i (h, i < 4, 8) of the step, the four 32-bit words of
// one 16-byte load of the packed row (a warp's load covers 64 contiguous
// bytes of each of 8 rows); the i-th group of four codes of word h feeds
// mma 2 h + i / 4 in the fragment slots (2q, 2q + 1, 2q + 8, 2q + 9), and
// since A's fragment uses the same slots for the same lane, the lane reads
// exactly those K positions of x rows r and r + 8.
void KernelBuilder::buildTensorCore(Value x, Value packed, Value scales,
                                    Value zeroPoints, Value bias,
                                    Value xScales, Value y, Value partials,
                                    Value tid, Value lane, Value warp,
                                    Value bid) {
  const int64_t M = shape.m, W = shape.warpsPerBlock,
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
  // With warpRows > 1 the warps form a grid: warp w takes the channels of
  // w % (W / warpRows) and the rows of w / (W / warpRows).
  const int64_t columnWarps = W / shape.warpRows;
  Value blockColumn0 = mul(bid, index(shape.channelsPerBlock()));
  Value warpColumn0 = index(0), warpRow0 = index(0);
  if (splitN) {
    warpColumn0 = mul(arith::RemUIOp::create(b, loc, warp, index(columnWarps)),
                      index(R));
    warpRow0 = mul(arith::DivUIOp::create(b, loc, warp, index(columnWarps)),
                   index(16 * P));
  }
  Value n0 = add(blockColumn0, warpColumn0);
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
  Value blockRow0 = index(0);
  if (splitN)
    blockRow0 =
        mul(mlir::gpu::BlockIdOp::create(b, loc, mlir::gpu::Dimension::z),
            index(shape.rowsPerBlock()));
  Value mBase = add(blockRow0, warpRow0);
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
  // Whether any row of row tile p's half is below M: the warps splitting K
  // all start at row 0, so at most 8 rows leave every second half empty.
  auto liveHalf = [&](int64_t p, int64_t half) {
    return splitN || 16 * p + 8 * half < M;
  };
  // A = codes, B = x (GemvShape::swapAB): the accumulators of 16-channel
  // tile u are (channel 16 u + r (+8), rows 2q and 2q + 1).
  const bool swapped = shape.swapAB;
  int64_t steps = shape.k / 128;
  const int64_t S = shape.kSplits;
  // This block's share of the steps: [split * steps / S, (split+1) * steps / S).
  Value split = index(0), first = index(0), last = index(steps);
  if (S > 1) {
    split = mlir::gpu::BlockIdOp::create(b, loc, mlir::gpu::Dimension::y);
    first = arith::DivUIOp::create(b, loc, mul(split, index(steps)), index(S));
    last = arith::DivUIOp::create(b, loc, mul(add(split, index(1)), index(steps)),
                                  index(S));
  }
  SmallVector<Value> results;
  if (shape.int8Activations && shape.stages) {
    results = buildInt8StagedLoop(x, packed, scales, xScales, tid, r, q,
                                  blockRow0, blockColumn0, warpRow0,
                                  warpColumn0, columns, xRows, first, last);
  } else if (shape.int8Activations) {
    results = buildInt8Loop(x, packed, scales, xScales, q, weightRows, columns,
                            xRows, first, last);
  } else {
    const int64_t loads = bits == 4 ? 1 : 2;
    // The loads of one step, as loaded: per n-tile its code words (16 bytes
    // per load at 64 l + 16 q: one load of four words for 4-bit codes, two
    // for 8-bit ones), then per n-tile its zero point, then per n-tile the
    // scales of its two accumulator columns.
    auto loadStep = [&](Value step, bool opaque, Value slot = Value()) {
      Value byte0 = mul(step, index(16 * bits));
      Value group = arith::DivUIOp::create(b, loc, mul(step, index(128)),
                                           index(shape.groupSize));
      SmallVector<Value> loaded;
      for (int64_t t = 0; t < T; ++t)
        for (int64_t l = 0; l < loads; ++l) {
          Value offset = add(index(64 * l), mul(q, index(16)));
          // Staged: row r of the warp's n-tile t in the slot's weight tile.
          Value words =
              slot ? loadWordVector(
                         stagedW, ValueRange{slot,
                                             add(warpColumn0,
                                                 add(r, index(8 * t))),
                                             offset})
                   : loadWordVector(packed, weightRows[t], add(byte0, offset));
          loaded.push_back(opaque ? opaqueWords(words) : words);
        }
      if (zeroPoints)
        for (int64_t t = 0; t < T; ++t)
          loaded.push_back(memref::LoadOp::create(
              b, loc, zeroPoints, ValueRange{weightRows[t], group}));
      // Swapped, a lane's accumulators are its weight rows' channels.
      for (int64_t t = 0; t < T; ++t)
        for (int64_t c = 0; c < (swapped ? 1 : 2); ++c)
          loaded.push_back(memref::LoadOp::create(
              b, loc, scales,
              ValueRange{swapped ? weightRows[t] : columns[2 * t + c], group}));
      return loaded;
    };
    // Warps splitting K take every W-th step; splitting N, every step.
    Value start = splitN ? first : add(first, warp);
    Value stride = index(splitN ? 1 : W);
    // With more steps than warps (M <= 16), a warp loads its next step before
    // it works on the current one, the loads carried by the loop, so that two
    // steps' loads are in flight; its last step loads the block's last step
    // again (cached) and drops it. Not in the GEMM form, whose registers are
    // taken by its tiles.
    const bool prefetch = !splitN && steps / S > W;
    // Accumulators: (p, t, half, c) at 4 (p T + t) + 2 half + c; swapped,
    // (channel 8 t + r, row 2 q + c) at 2 t + c.
    SmallVector<Value> init(swapped ? 2 * T : 4 * T * P, f32(0.0));
    const int64_t accumulators = init.size();
    if (prefetch)
      llvm::append_range(init, loadStep(start, /*opaque=*/true));
    // One step's products: `slot` is the shared-memory stage holding it
    // (staged), else null.
    auto body = [&](Value step, Value slot,
                    ValueRange args) -> SmallVector<Value> {
      SmallVector<Value> loaded, next;
      if (prefetch) {
        loaded.assign(args.begin() + accumulators, args.end());
        Value lastStep = arith::SubIOp::create(b, loc, last, index(1));
        Value following =
            arith::MinUIOp::create(b, loc, add(step, stride), lastStep);
        next = loadStep(following, /*opaque=*/false);
      } else {
        loaded = loadStep(step, /*opaque=*/false, slot);
      }
      Value k0 = mul(step, index(128));
      SmallVector<SmallVector<Value>> words(T);
      for (int64_t t = 0; t < T; ++t)
        for (int64_t l = 0; l < loads; ++l)
          for (int64_t w = 0; w < 4; ++w)
            words[t].push_back(
                vector::ExtractOp::create(b, loc, loaded[t * loads + l], w));
      // Per n-tile, as f16 pairs: 1024 + zero point, subtracted from
      // 1024 + code, and -(64 + zero point) for the 4-bit codes that sit 4
      // bits up (below). All exact in f16.
      SmallVector<Value> offsets, highOffsets;
      auto halfPair = [&](Value value) {
        return vector::BroadcastOp::create(
            b, loc, half2, arith::TruncFOp::create(b, loc, f16, value));
      };
      for (int64_t t = 0; t < T; ++t) {
        Value zero = f32(double(int64_t(1) << (bits - 1)));
        if (zeroPoints) {
          Value code = loaded[T * loads + t];
          Value wide = arith::ExtUIOp::create(b, loc, i32t, code);
          zero = arith::UIToFPOp::create(b, loc, f32t, wide);
        }
        offsets.push_back(
            halfPair(arith::AddFOp::create(b, loc, zero, f32(1024.0))));
        if (bits == 4)
          highOffsets.push_back(
              halfPair(arith::SubFOp::create(b, loc, f32(-64.0), zero)));
      }
      const int64_t scalesAt = T * loads + (zeroPoints ? T : 0);
      // Two codes of a word as f16x2 minus the zero point. 4-bit codes (code
      // s paired with s + 4 of the word's eight) need no shift for the pairs
      // (0, 4) and (1, 5): word & 0x000F000F | 0x64006400 puts codes 0 and 4
      // in the low bits of each 16-bit half under the exponent of 1024 (1024
      // + c), word & 0x00F000F0 | 0x64006400 puts codes 1 and 5 4 bits up
      // (1024 + 16 c), which one fma by 1/16 takes to c - zero; the pairs (2,
      // 6) and (3, 7) do the same on word >> 8. 8-bit codes: bytes (0, 2)
      // and (1, 3) of the word under a 0x64 byte each, by one byte permute.
      auto codePair = [&](Value word, int64_t shift, int64_t t) {
        Value v;
        if (bits == 8) {
          v = NVVM::PermuteOp::create(
              b, loc, i32t, word, i32(0x64646464),
              i32(shift ? 0x4341 : 0x4240),
              NVVM::PermuteModeAttr::get(b.getContext(),
                                         NVVM::PermuteMode::DEFAULT));
        } else {
          // (v & mask) | 0x64006400 as one lop3 (function 0xEA): written
          // as and + or, ptxas keeps both immediates and emits two.
          v = shift >= 8 ? arith::ShRUIOp::create(b, loc, word, i32(8)) : word;
          v = ptxOnWord(
              llvm::formatv("lop3.b32 $0, $1, {0:x}, 0x64006400, 0xEA;",
                            shift % 8 ? 0x00F000F0 : 0x000F000F)
                  .str(),
              v);
        }
        Value asVector = vector::BroadcastOp::create(b, loc, vecI32, v);
        Value pair = vector::BitCastOp::create(b, loc, half2, asVector);
        if (bits == 8 || shift % 8 == 0)
          return Value(arith::SubFOp::create(b, loc, pair, offsets[t]));
        Value sixteenth = arith::ConstantOp::create(
            b, loc, DenseElementsAttr::get(half2, b.getFloatAttr(f16, 0.0625)));
        return Value(LLVM::FMAOp::create(b, loc, pair, sixteenth,
                                         highOffsets[t]));
      };
      SmallVector<Value> acc(T * P, zeroC);
      for (int64_t h = 0; h < 4; ++h) {
        // The eight K offsets of this lane in mma 2h and 2h+1: for 4-bit codes
        // those of word h (32 q + 8 h + i), for 8-bit ones those of words
        // 2 (h % 2) and +1 of load h / 2 (64 (h/2) + 16 q + 8 (h%2) + i).
        // x stored in load order (GemvShape::xInLoadOrder) has these eight
        // as chunk 4 h + q of the step.
        Value kx;
        if (shape.xInLoadOrder())
          kx = add(k0, add(index(32 * h), mul(q, index(8))));
        else if (bits == 4)
          kx = add(k0, add(index(8 * h), mul(q, index(32))));
        else
          kx = add(k0, add(index(64 * (h / 2) + 8 * (h % 2)),
                           mul(q, index(16))));
        // x at those offsets, per row tile and half, as four f16 pairs:
        // pair 2 sub (+1) feeds the low (high) slots of mma 2h + sub. None
        // for a half whose rows are all past M.
        // Pair i holds the offsets 2 g (i / g) + i % g and g more of the
        // eight (codes 2j and 2j + 4 of a 4-bit word, bytes 0 and 2 of an
        // 8-bit one).
        const int64_t g = bits == 4 ? 4 : 2;
        auto pairsOf = [&](ArrayRef<Value> values, SmallVector<Value> &pairs) {
          for (int64_t i = 0; i < 4; ++i) {
            int64_t low = 2 * g * (i / g) + i % g;
            pairs.push_back(vector::FromElementsOp::create(
                b, loc, half2, ValueRange{values[low], values[low + g]}));
          }
        };
        // Eight f16 as loaded: interleaved x (GemvShape::xInterleave) has
        // pair i as word i of the 16 bytes.
        auto asPairs = [&](Value eight, SmallVector<Value> &pairs) {
          if (!shape.xInterleave()) {
            SmallVector<Value> values;
            for (int64_t e = 0; e < 8; ++e)
              values.push_back(vector::ExtractOp::create(b, loc, eight, e));
            return pairsOf(values, pairs);
          }
          Value words = vector::BitCastOp::create(
              b, loc, VectorType::get({4}, i32t), eight);
          for (int64_t i = 0; i < 4; ++i) {
            Value word = vector::ExtractOp::create(b, loc, words, i);
            pairs.push_back(vector::BitCastOp::create(
                b, loc, half2,
                vector::BroadcastOp::create(b, loc, vecI32, word)));
          }
        };
        SmallVector<SmallVector<Value>> xs(2 * P);
        for (int64_t p = 0; p < P; ++p)
          for (int64_t half = 0; half < 2; ++half) {
            SmallVector<Value> &pairs = xs[2 * p + half];
            if (!liveHalf(p, half))
              continue;
            if (slot) {
              // Chunk (kx - k0) / 8 of the tile row, where the swizzle put
              // it; rows past M were zero-filled.
              Value tileRow =
                  add(warpRow0, add(r, index(16 * p + 8 * half)));
              Value chunk =
                  bits == 4 ? add(index(h), mul(q, index(4)))
                            : add(index(8 * (h / 2) + h % 2), mul(q, index(2)));
              Value at = mul(swizzledChunk(chunk, tileRow), index(8));
              auto load = vector::LoadOp::create(
                  b, loc, VectorType::get({8}, f16), stagedX,
                  ValueRange{slot, tileRow, at});
              load.setAlignment(16);
              asPairs(load, pairs);
              continue;
            }
            // A row past M reads row 0: its products land only in that
            // row's accumulators, which are never stored.
            if (halfX) {
              auto load = vector::LoadOp::create(
                  b, loc, VectorType::get({8}, f16), x,
                  ValueRange{xRows[2 * p + half], kx});
              load.setAlignment(16);
              asPairs(load, pairs);
              continue;
            }
            // f32 x, rounded here.
            SmallVector<Value> values;
            for (int64_t part = 0; part < 2; ++part) {
              auto load = vector::LoadOp::create(
                  b, loc, vecF32, x,
                  ValueRange{xRows[2 * p + half], add(kx, index(4 * part))});
              load.setAlignment(16);
              Value rounded = arith::TruncFOp::create(
                  b, loc, VectorType::get({4}, f16), load);
              for (int64_t e = 0; e < 4; ++e)
                values.push_back(vector::ExtractOp::create(b, loc, rounded, e));
            }
            pairsOf(values, pairs);
          }
        for (int64_t sub = 0; sub < 2; ++sub) {
          // The weight fragments of mma 2h + sub, shared by every row tile:
          // slots (2q, 2q+1) and (2q+8, 2q+9) hold the codes that x's pairs
          // 2 sub and 2 sub + 1 pair with.
          SmallVector<Value> bMatrices, lows, highs;
          for (int64_t t = 0; t < T; ++t) {
            Value low, high;
            if (bits == 4) {
              // Codes (2 sub, 2 sub + 4) and (2 sub + 1, 2 sub + 5).
              low = codePair(words[t][h], 8 * sub, t);
              high = codePair(words[t][h], 8 * sub + 4, t);
            } else {
              // Bytes (0, 2) and (1, 3) of word 4 (h/2) + 2 (h%2) + sub.
              Value word = words[t][4 * (h / 2) + 2 * (h % 2) + sub];
              low = codePair(word, 0, t);
              high = codePair(word, 8, t);
            }
            if (swapped) {
              lows.push_back(low);
              highs.push_back(high);
              continue;
            }
            Value bMatrix = arith::ConstantOp::create(
                b, loc, DenseElementsAttr::get(vecB, b.getFloatAttr(f16, 0.0)));
            bMatrix = vector::InsertOp::create(b, loc, low, bMatrix, 0);
            bMatrix = vector::InsertOp::create(b, loc, high, bMatrix, 1);
            bMatrices.push_back(bMatrix);
          }
          if (swapped) {
            // A: the codes of channels r and r + 8 of 16-channel tile u
            // (n-tiles 2u and 2u + 1) in the low and high slots; B: x's
            // row r, pairs 2 sub and 2 sub + 1, shared by every tile.
            Value bMatrix = arith::ConstantOp::create(
                b, loc, DenseElementsAttr::get(vecB, b.getFloatAttr(f16, 0.0)));
            bMatrix = vector::InsertOp::create(b, loc, xs[0][2 * sub], bMatrix, 0);
            bMatrix =
                vector::InsertOp::create(b, loc, xs[0][2 * sub + 1], bMatrix, 1);
            for (int64_t u = 0; u < T / 2; ++u) {
              Value aMatrix = arith::ConstantOp::create(
                  b, loc, DenseElementsAttr::get(vecA, b.getFloatAttr(f16, 0.0)));
              Value parts[4] = {lows[2 * u], lows[2 * u + 1], highs[2 * u],
                                highs[2 * u + 1]};
              for (int64_t reg = 0; reg < 4; ++reg)
                aMatrix =
                    vector::InsertOp::create(b, loc, parts[reg], aMatrix, reg);
              acc[u] = nvgpu::MmaSyncOp::create(b, loc, aMatrix, bMatrix,
                                                acc[u],
                                                ArrayRef<int64_t>{16, 8, 16});
            }
            continue;
          }
          for (int64_t p = 0; p < P; ++p) {
            // A's registers: (row r, low slots), (row r+8, low), (row r, high
            // slots), (row r+8, high).
            Value aMatrix = arith::ConstantOp::create(
                b, loc, DenseElementsAttr::get(vecA, b.getFloatAttr(f16, 0.0)));
            for (int64_t reg = 0; reg < 4; ++reg) {
              ArrayRef<Value> pairs = xs[2 * p + reg % 2];
              if (!pairs.empty())
                aMatrix = vector::InsertOp::create(
                    b, loc, pairs[2 * sub + reg / 2], aMatrix, reg);
            }
            for (int64_t t = 0; t < T; ++t)
              acc[p * T + t] = nvgpu::MmaSyncOp::create(
                  b, loc, aMatrix, bMatrices[t], acc[p * T + t],
                  ArrayRef<int64_t>{16, 8, 16});
          }
        }
      }
      // Scales of the accumulators' columns (output channels 2q, 2q+1);
      // swapped, of their rows (channels 8t + r, n-tile t being half t % 2
      // of tile t / 2).
      SmallVector<Value> totals(accumulators);
      auto scaled = [&](Value tile, int64_t half, int64_t c, Value scale,
                        int64_t at) {
        Value v = vector::ExtractOp::create(b, loc, tile,
                                            ArrayRef<int64_t>{half, c});
        totals[at] = LLVM::FMAOp::create(b, loc, v, scale, args[at]);
      };
      for (int64_t t = 0; t < T; ++t) {
        if (swapped) {
          Value scale = toF32(loaded[scalesAt + t]);
          for (int64_t c = 0; c < 2; ++c)
            scaled(acc[t / 2], t % 2, c, scale, 2 * t + c);
          continue;
        }
        Value s0 = toF32(loaded[scalesAt + 2 * t]);
        Value s1 = toF32(loaded[scalesAt + 2 * t + 1]);
        for (int64_t p = 0; p < P; ++p)
          for (int64_t half = 0; half < 2; ++half)
            for (int64_t c = 0; c < 2; ++c)
              scaled(acc[p * T + t], half, c, c ? s1 : s0,
                     4 * (p * T + t) + 2 * half + c);
      }
      llvm::append_range(totals, next);
      return totals;
    };
    scf::ForOp loop;
    if (shape.stages) {
      // x (f16, 16 chunks of 16 bytes per step and row, swizzled) and the
      // codes (16 * bits bytes per step and row) through shared memory.
      SmallVector<StagedTile> tiles = {
          {x, stagedX, shape.rowsPerBlock(), blockRow0, M, 16, true},
          {packed, stagedW, shape.channelsPerBlock(), blockColumn0, -1, bits}};
      loop = stagedLoop(
          first, last, init,
          [&](Value stage, Value slot) {
            return issueStage(tiles, stage, last, slot, tid);
          },
          body);
    } else {
      loop = scf::ForOp::create(b, loc, start, last, stride, init);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      scf::YieldOp::create(b, loc,
                           body(loop.getInductionVar(), Value(),
                                loop.getRegionIterArgs()));
    }
    results.assign(loop.getResults().begin(),
                   loop.getResults().begin() + accumulators);
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
      memref::StoreOp::create(b, loc, finish(total, m, column), y,
                              ValueRange{m, column});
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
            Value v = results[4 * (p * T + t) + 2 * half + c];
            Value column = columns[2 * t + c];
            store(withBias(v, column), outRows[2 * p + half], column);
          }
      }
    mlir::gpu::ReturnOp::create(b, loc);
    return;
  }
  // Each lane's outputs: (row r (+8), channel 8t + 2q + c) into this
  // warp's partials [16, R] (rows partialsRowStride() apart); swapped, (row
  // 2q + c, channel 8t + r).
  const int64_t stride = shape.partialsRowStride();
  for (int64_t t = 0; t < T; ++t)
    for (int64_t half = 0; half < (swapped ? 1 : 2); ++half)
      for (int64_t c = 0; c < 2; ++c) {
        Value row = swapped ? add(mul(q, index(2)), index(c))
                            : add(r, index(8 * half));
        Value channel = swapped ? add(index(8 * t), r)
                                : add(index(8 * t + c), mul(q, index(2)));
        Value v = results[swapped ? 2 * t + c : 4 * t + 2 * half + c];
        memref::StoreOp::create(
            b, loc, v, partials,
            ValueRange{warp, add(mul(row, index(stride)), channel)});
      }
  mlir::gpu::BarrierOp::create(b, loc);
  // The block's 16 x R sums, 128 threads at a time; rows past M are skipped.
  for (int64_t base = 0; base < 16 * R; base += 32 * W) {
    Value slot = add(tid, index(base));
    Value m = arith::DivUIOp::create(b, loc, slot, index(R));
    Value isWriter =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, m, index(M));
    auto writeOut = scf::IfOp::create(b, loc, isWriter);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(writeOut.thenBlock());
    Value channel = arith::RemUIOp::create(b, loc, slot, index(R));
    Value total =
        sumOverWarps(partials, add(mul(m, index(stride)), channel));
    Value column = add(n0, channel);
    store(withBias(total, column), m, column);
  }
  mlir::gpu::ReturnOp::create(b, loc);
}
