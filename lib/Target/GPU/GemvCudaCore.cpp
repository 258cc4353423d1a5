//===- GemvCudaCore.cpp - the CUDA-core GEMV kernel -----------------------===//
//
// One block computes rowsPerWarp() output channels for all M rows of x; its
// four warps split K (split-K) and meet in shared memory at the end. In one
// step a warp covers 1024 values of K: each lane loads 16 bytes (32 codes)
// of each of its rows with one 128-bit load, so a warp reads 512 contiguous
// bytes of a row. Codes are turned into floats in registers without a
// conversion instruction. 4-bit codes at one or two rows of x are left in
// the low bits of a word with a zero exponent field, masked where they lie
// (c * 16^i), which reads as the subnormal float c * 16^i * 2^-149; the fma
// multiplies that by x * 2^(85 - 4 i), prepared once per value of x, and so
// adds x * c * 2^-64, rounded as x * c would be: two instructions per code
// (fma.rn.f32 keeps subnormal operands; no .ftz). Otherwise a code c in the
// low mantissa bits of 2^23 (| 0x4B000000) reads as 2^23 + c, and one
// subtraction of 2^23 leaves c: 8-bit codes are moved next to 0x4B by one
// byte permute (prmt), three instructions per code. (8-bit codes as
// subnormals too measured up to 1.1x slower on an H100: more registers,
// and those kernels stream near the memory's rate already.) The zero point
// and scale are applied once per lane, row and group: acc += scale *
// (sum x c - zero * sum x), with the 2^-64 of the subnormal form taken
// back by the scale (lowbit/Numerics/CodeAsFloat.h states both forms and
// their exactness; unittests/Numerics/CodeAsFloatTest.cpp checks them). The
// activations of the lane's values are read once per step and reused for
// every row; partial sums are reduced with warp shuffles.
//
// The f32-weight variant (lowbit.linear's float path at small batch) has the
// same block structure; a warp step covers 256 values of K, each lane
// loading two float4 of each of its rows 512 bytes apart, so every load
// instruction of a warp reads 512 contiguous bytes.
//
//===----------------------------------------------------------------------===//

#include "GemvKernelBuilder.h"

#include "lowbit/Numerics/CodeAsFloat.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using lowbit::gpu::GemvShape;
using lowbit::gpu::detail::KernelBuilder;
using lowbit::numerics::kSubnormalSumExponent;
using lowbit::numerics::kSubnormalXExponent;

scf::ForOp KernelBuilder::buildFloatLoop(Value x, Value weight, Value warp,
                                         Value lane, ArrayRef<Value> rows) {
  const int64_t M = shape.m, R = shape.rowsPerWarp(),
                W = shape.warpsPerBlock;
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

void KernelBuilder::reduceAndStore(
    ValueRange partialSums, Value partials, Value bias, Value y, Value tid,
    Value lane, Value warp, Value row0,
    llvm::function_ref<Value(Value, Value, Value)> toValue) {
  const int64_t M = shape.m, R = shape.rowsPerWarp();
  const bool integer = isa<IntegerType>(partialSums.front().getType());
  SmallVector<Value> sums(partialSums.begin(), partialSums.end());
  for (Value &sum : sums) {
    sum = warpSum(b, loc, sum);
    if (integer)
      sum = arith::BitcastOp::create(b, loc, b.getF32Type(), sum);
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
  mlir::gpu::BarrierOp::create(b, loc);
  Value isWriter = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         tid, index(R * M));
  auto writeOut = scf::IfOp::create(b, loc, isWriter);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(writeOut.thenBlock());
    Value total = sumOverWarps(partials, tid, integer);
    Value row = add(row0, arith::DivUIOp::create(b, loc, tid, index(M)));
    Value m = arith::RemUIOp::create(b, loc, tid, index(M));
    if (toValue)
      total = toValue(total, m, row);
    if (bias)
      total = arith::AddFOp::create(
          b, loc, total,
          toF32(memref::LoadOp::create(b, loc, bias, ValueRange{row})));
    memref::StoreOp::create(b, loc, finish(total, m, row), y,
                            ValueRange{m, row});
  }
  mlir::gpu::ReturnOp::create(b, loc);
}

void KernelBuilder::build(mlir::gpu::GPUFuncOp func) {
  const int64_t M = shape.m, R = shape.rowsPerWarp(),
                W = shape.warpsPerBlock;
  Block &entry = func.front();
  unsigned arg = 0;
  Value x = entry.getArgument(arg++);
  Value packed = entry.getArgument(arg++);
  Value scales = shape.floatWeights ? Value() : entry.getArgument(arg++);
  Value zeroPoints = shape.hasZeroPoints ? entry.getArgument(arg++) : Value();
  Value bias = shape.biasType ? entry.getArgument(arg++) : Value();
  Value xScales = shape.int8Activations ? entry.getArgument(arg++) : Value();
  for (size_t i = 0; epilogue && i < epilogue->operands.size(); ++i)
    epilogueArgs.push_back(entry.getArgument(arg++));
  Value y = entry.getArgument(arg++);
  auto workgroups = func.getWorkgroupAttributions();
  Value partials =
      shape.partialsPerWarp() > 0 ? Value(workgroups.front()) : Value();
  if (shape.stages) {
    stagedX = workgroups[workgroups.size() - 2];
    stagedW = workgroups.back();
  }
  b.setInsertionPointToStart(&entry);

  Value tid = mlir::gpu::ThreadIdOp::create(b, loc, mlir::gpu::Dimension::x);
  Value bid = mlir::gpu::BlockIdOp::create(b, loc, mlir::gpu::Dimension::x);
  Value lane = arith::RemUIOp::create(b, loc, tid, index(32));
  Value warp = arith::DivUIOp::create(b, loc, tid, index(32));
  Value row0 = mul(bid, index(R));
  SmallVector<Value> rows;
  for (int64_t r = 0; r < R; ++r)
    rows.push_back(add(row0, index(r)));
  if (shape.tensorCores) {
    buildTensorCore(x, packed, scales, zeroPoints, bias, xScales, y, partials,
                    tid, lane, warp, bid);
    return;
  }
  if (shape.int8Activations) {
    buildInt8CudaCore(x, packed, scales, bias, xScales, y, partials, tid, lane,
                      warp, rows, row0);
    return;
  }
  if (shape.floatWeights) {
    scf::ForOp loop = buildFloatLoop(x, packed, warp, lane, rows);
    reduceAndStore(loop.getResults(), partials, bias, y, tid, lane, warp, row0);
    return;
  }

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
      Value words = loadWordVector(packed, rows[r], byte0);
      loaded.push_back(opaque ? opaqueWords(words) : words);
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
    // bits, so that all stay below bit 20), so code t reads as
    // c * 2^shift(t) * 2^-149 once masked and x is taken times
    // 2^(85 - shift(t)): no shift per code. At more rows that would keep a
    // second copy of x live, so each code is shifted to bit 0.
    const bool fewRows = M <= 2;
    const bool inPlace = bits == 4 && fewRows;
    // 4-bit codes at more than two rows: the weight (c - zero) * scale is
    // made once per code and multiplied into every row's accumulator (the
    // sums below need as many extra registers as rows, and ptxas spills).
    const bool weightForm = bits == 4 && !fewRows;
    auto nibbleShift = [&](int64_t t) {
      return inPlace ? 4 * (t < 5 ? t : t - 3) : 0;
    };
    Value magic = i32(0x4B000000), twoTo23 = f32(8388608.0);
    // With inPlace a code is the subnormal c * 2^s * 2^-149 and x is
    // taken times 2^(85 - s) (exact below |x| = 2^43): their product is
    // x * c * 2^-64 (normal from |x * c| = 2^-62 on). Per row: 2^23 + zero
    // (subtracted from each code in the weight form), or -zero (applied
    // once to the sums of x), both times 2^-64 with inPlace, and the scale,
    // times 2^64 with inPlace. Powers of two: the results are rounded as
    // those of x * c would be.
    const double unit = inPlace ? std::ldexp(1.0, kSubnormalSumExponent) : 1.0;
    SmallVector<Value> zeroTerm(R), sumScale(scale);
    for (int64_t r = 0; r < R; ++r) {
      if (weightForm) {
        zeroTerm[r] = arith::AddFOp::create(b, loc, zero[r], twoTo23);
        continue;
      }
      zeroTerm[r] = arith::MulFOp::create(b, loc, zero[r], f32(-unit));
      if (inPlace)
        sumScale[r] =
            arith::MulFOp::create(b, loc, scale[r],
                                  f32(std::ldexp(1.0, -kSubnormalSumExponent)));
    }
    // The sums of x * code are folded into the accumulators once per step
    // at one or two rows of x; at more rows once per word, which keeps
    // only one word's x values live (fewer registers, no spills).
    const int64_t wordsPerFold = fewRows ? 4 : 1;
    for (int64_t j0 = 0; j0 < 4; j0 += wordsPerFold) {
      // x of the codes of words j0.., each divided by 2^shift of its code
      // (exact), and their sums per row of x (for the zero points).
      SmallVector<SmallVector<Value, 32>, 4> xs(M);
      SmallVector<Value> xSum(M);
      for (int64_t m = 0; m < M; ++m)
        for (int64_t part = 0; part < wordsPerFold * perWord / 4; ++part) {
          int64_t kOffset = perWord * j0 + 4 * part;
          auto load = vector::LoadOp::create(
              b, loc, vecF32, x, ValueRange{index(m), add(k0, index(kOffset))});
          load.setAlignment(16);
          for (int64_t e = 0; e < 4; ++e) {
            Value v = vector::ExtractOp::create(b, loc, load, e);
            if (!weightForm)
              xSum[m] = xSum[m] ? arith::AddFOp::create(b, loc, xSum[m], v)
                                : v;
            int64_t shift = nibbleShift((kOffset + e) % perWord);
            if (inPlace)
              v = arith::MulFOp::create(b, loc, v,
                                        f32(std::ldexp(1.0, kSubnormalXExponent -
                                                                 shift)));
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
              if (!inPlace)
                biased = arith::OrIOp::create(b, loc, biased, magic);
            }
            Value asFloat =
                arith::BitcastOp::create(b, loc, b.getF32Type(), biased);
            if (weightForm) {
              // The weight itself, (c - zero) * scale, shared by the rows.
              Value weight = arith::MulFOp::create(
                  b, loc, arith::SubFOp::create(b, loc, asFloat, zeroTerm[r]),
                  scale[r]);
              for (int64_t m = 0; m < M; ++m)
                acc[r * M + m] = LLVM::FMAOp::create(
                    b, loc, xs[m][perWord * (j - j0) + t], weight,
                    acc[r * M + m]);
              continue;
            }
            Value code = inPlace ? asFloat
                                 : arith::SubFOp::create(b, loc, asFloat,
                                                         twoTo23);
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
        if (weightForm)
          continue;
        // acc += scale 2^64 * (s - zero 2^-64 * sum(x)), s being the sum of
        // x * c 2^-64: the weights are scale * (c - zero), and all of the
        // lane's codes are in one group.
        for (int64_t m = 0; m < M; ++m) {
          Value centered =
              LLVM::FMAOp::create(b, loc, zeroTerm[r], xSum[m], sums[m]);
          acc[r * M + m] =
              LLVM::FMAOp::create(b, loc, sumScale[r], centered, acc[r * M + m]);
        }
      }
    }
    llvm::append_range(acc, next);
    scf::YieldOp::create(b, loc, acc);
  }

  reduceAndStore(loop.getResults().take_front(R * M), partials, bias, y, tid,
                 lane, warp, row0);
}

Value KernelBuilder::loadWordVector(Value memref, ValueRange indices) {
  Type element = cast<MemRefType>(memref.getType()).getElementType();
  int64_t count = 128 / element.getIntOrFloatBitWidth();
  auto load = vector::LoadOp::create(b, loc, VectorType::get({count}, element),
                                     memref, indices);
  load.setAlignment(16);
  return vector::BitCastOp::create(
      b, loc, VectorType::get({4}, b.getI32Type()), load);
}

SmallVector<Value> KernelBuilder::loadWords(Value matrix, Value row,
                                            Value column) {
  Value words = loadWordVector(matrix, row, column);
  SmallVector<Value> out;
  for (int64_t w = 0; w < 4; ++w)
    out.push_back(vector::ExtractOp::create(b, loc, words, w));
  return out;
}

// Each word through an empty move that LLVM cannot look into: else
// InstCombine merges a loop's phi of a load before the loop and the same
// load in the loop into one load at the phi'd address, undoing a prefetch.
Value KernelBuilder::opaqueWords(Value words) {
  for (int64_t w = 0; w < 4; ++w) {
    Value word = vector::ExtractOp::create(b, loc, words, w);
    Value moved = ptxOnWord("mov.b32 $0, $1;", word);
    words = vector::InsertOp::create(b, loc, moved, words, w);
  }
  return words;
}

Value KernelBuilder::ptxOnWord(llvm::StringRef instruction, Value word) {
  return LLVM::InlineAsmOp::create(
             b, loc, b.getI32Type(), ValueRange{word}, instruction, "=r,r",
             /*has_side_effects=*/false, /*is_align_stack=*/false,
             LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
             mlir::ArrayAttr())
      .getRes();
}
