//===- GemvKernelBuilder.h - builds the GEMV kernels' bodies ----*- C++ -*-===//
//
// Shared by the kernel files: GemvCudaCore.cpp (the CUDA-core kernel and the
// common prologue), GemvTensorCore.cpp (the tensor-core kernel) and
// GemvKernel.cpp (kernel creation and launch).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_TARGET_GPU_GEMVKERNELBUILDER_H
#define LOWBIT_LIB_TARGET_GPU_GEMVKERNELBUILDER_H

#include "GemvKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace lowbit::gpu::detail {

using mlir::APFloat;
using mlir::ArrayRef;
using mlir::Location;
using mlir::OpBuilder;
using mlir::Value;
using mlir::ValueRange;
namespace arith = mlir::arith;
namespace memref = mlir::memref;
namespace scf = mlir::scf;

/// One tile of a block's shared-memory stages (GemvStaged.cpp): rows
/// `row0 + i` (i < rows) of `matrix`, each `chunks` 16-byte chunks of one
/// stage's K, into `tile` [stages, rows, chunks * 16 bytes]. Rows at or
/// past `validRows` (when >= 0) are zero-filled. With `swizzle`, chunk c of
/// row i lands at chunk swizzledChunk(c, i) (16 chunks a row). With `parts`
/// > 1 the stage's K is `parts` times the chunks of a tile row, part j in
/// tile rows j * rows + i.
struct StagedTile {
  Value matrix, tile;
  int64_t rows;
  Value row0;
  int64_t validRows = -1;
  int64_t chunks = 4;
  bool swizzle = false;
  int64_t parts = 1;
};

/// Builds one kernel's body for `shape` (GemvShape::name() names it).

struct KernelBuilder {
  OpBuilder &b;
  Location loc;
  const GemvShape &shape;
  const GemvEpilogue *epilogue = nullptr;
  /// The epilogue's operands as kernel arguments ([M, N] memrefs).
  llvm::SmallVector<Value> epilogueArgs;
  /// With GemvShape::stages: the shared-memory stages of x codes [stages,
  /// rowsPerBlock, 64] and of weight codes [stages, channelsPerBlock, 64].
  Value stagedX, stagedW;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(double v) {
    return arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                          APFloat(float(v)));
  }
  Value i32(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  }
  /// The block's total of one output: the warps' partials at `slot` summed,
  /// as f32, or with `integer` as the i32 sums whose bits they hold.
  Value sumOverWarps(Value partials, Value slot, bool integer = false) {
    Value total = integer ? i32(0) : f32(0.0);
    for (int64_t w = 0; w < shape.warpsPerBlock; ++w) {
      Value partial =
          memref::LoadOp::create(b, loc, partials, ValueRange{index(w), slot});
      if (integer)
        total = arith::AddIOp::create(
            b, loc, total,
            arith::BitcastOp::create(b, loc, b.getI32Type(), partial));
      else
        total = arith::AddFOp::create(b, loc, total, partial);
    }
    return total;
  }
  /// The 16 bytes at matrix[row, column] (16-byte aligned) as vector<4xi32>.
  Value loadWordVector(Value matrix, Value row, Value column) {
    return loadWordVector(matrix, ValueRange{row, column});
  }
  /// The same at any indices of an i8 or f16 memref.
  Value loadWordVector(Value memref, ValueRange indices);
  /// The same as four i32 words.
  llvm::SmallVector<Value> loadWords(Value matrix, Value row, Value column);
  /// Output (m, column)'s final value: the epilogue applied to `total`.
  Value finish(Value total, Value m, Value column) {
    if (!epilogue || epilogue->empty())
      return total;
    llvm::SmallVector<Value> operands;
    for (Value arg : epilogueArgs)
      operands.push_back(
          memref::LoadOp::create(b, loc, arg, ValueRange{m, column}));
    return epilogue->emit(b, loc, total, operands);
  }
  Value toF32(Value v) {
    if (v.getType().isF32())
      return v;
    return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  }
  Value add(Value a, Value c) { return arith::AddIOp::create(b, loc, a, c); }
  Value mul(Value a, Value c) { return arith::MulIOp::create(b, loc, a, c); }

  /// `words` (vector<4xi32>) passed through empty inline-asm moves, so that
  /// LLVM keeps a prefetched load apart from the loop's own.
  Value opaqueWords(Value words);
  /// One PTX instruction on an i32 ($1) giving an i32 ($0), as pure inline
  /// asm.
  Value ptxOnWord(llvm::StringRef instruction, Value word);

  void build(mlir::gpu::GPUFuncOp func);
  /// The f32-weight loop: partial sums [R * M] of this lane.
  scf::ForOp buildFloatLoop(Value x, Value weight, Value warp, Value lane,
                            ArrayRef<Value> rows);
  /// The tensor-core kernel body (everything after the common prologue).
  void buildTensorCore(Value x, Value packed, Value scales, Value zeroPoints,
                       Value bias, Value xScales, Value y, Value partials,
                       Value tid, Value lane, Value warp, Value bid);
  /// The W8A8 main loop of the tensor-core kernel (GemvTensorCoreInt8.cpp):
  /// over steps [first, last) of 128, this lane's 4 T P outputs (row tile
  /// p, n-tile t, row half, column c at 4 (p T + t) + 2 half + c) scaled,
  /// without the bias. `weightRows` per n-tile, `columns` two per n-tile,
  /// `xRows` two per row tile (rows past M clamped to 0).
  llvm::SmallVector<Value> buildInt8Loop(Value x, Value packed, Value scales,
                                         Value xScales, Value q,
                                         ArrayRef<Value> weightRows,
                                         ArrayRef<Value> columns,
                                         ArrayRef<Value> xRows, Value first,
                                         Value last);
  /// The same products with the block's tiles staged in shared memory by
  /// cp.async (GemvShape::stages): the block's first row of x and channel
  /// `blockRow0` and `blockColumn0`, this warp's offsets into the tiles
  /// `warpRow0` and `warpColumn0`, its lane's r and q, the thread `tid`.
  llvm::SmallVector<Value>
  buildInt8StagedLoop(Value x, Value packed, Value scales, Value xScales,
                      Value tid, Value r, Value q, Value blockRow0,
                      Value blockColumn0, Value warpRow0, Value warpColumn0,
                      ArrayRef<Value> columns, ArrayRef<Value> xRows,
                      Value first, Value last);
  /// Where chunk `chunk` (of 16, 16 bytes each) of tile row `row` is kept in
  /// a swizzled stage: chunk ^ (2 ((chunk / 4) % 4) + row % 2).
  Value swizzledChunk(Value chunk, Value row);
  /// Starts the cp.async copies of stage `stage` of `tiles` into `slot` (a
  /// stage at or past `stageEnd` reads nothing) and commits them as one
  /// group, whose token it returns.
  Value issueStage(ArrayRef<StagedTile> tiles, Value stage, Value stageEnd,
                   Value slot, Value tid);
  /// The K loop over stages [first, last) through shared memory, with
  /// shape.stages slots: `issue(stage, slot)` starts a stage's copies
  /// (issueStage), `body(stage, slot, args)` computes on a stage that has
  /// arrived and returns the next iteration arguments.
  scf::ForOp stagedLoop(
      Value first, Value last, ValueRange init,
      llvm::function_ref<Value(Value, Value)> issue,
      llvm::function_ref<llvm::SmallVector<Value>(Value, Value, ValueRange)>
          body);
  /// The two m16n8k32 mma of 64 values of K on every (row tile, n-tile)
  /// pair: `xWords` four words per row tile half (rows r, r + 8 of each
  /// tile), `weightWords` four signed-weight words per n-tile, in
  /// lane (r, q)'s K order (GemvTensorCoreInt8.cpp).
  void int8Products(llvm::SmallVectorImpl<Value> &acc,
                    ArrayRef<llvm::SmallVector<Value>> xWords,
                    ArrayRef<llvm::SmallVector<Value>> weightWords);
  /// (x_scale[m] * scale[n]) * float(acc) for the W8A8 accumulators
  /// (row tile p, n-tile t at p T + t), in the order of buildInt8Loop.
  llvm::SmallVector<Value> scaleInt8(ValueRange acc, Value scales,
                                     Value xScales, ArrayRef<Value> columns,
                                     ArrayRef<Value> xRows);
  /// The W8A8 kernel on the CUDA cores (GemvCudaCoreInt8.cpp), after the
  /// common prologue: rows `rows` of the block, from row0.
  void buildInt8CudaCore(Value x, Value packed, Value scales, Value bias,
                         Value xScales, Value y, Value partials, Value tid,
                         Value lane, Value warp, ArrayRef<Value> rows,
                         Value row0);
  /// Sums the lanes' partials (f32, or i32: added exactly, as integers, and
  /// kept in the f32 workgroup buffer as bits) over the warp and the block,
  /// turns a block total into the output's value by `toValue(total, m, row)`
  /// when given (else it is one), adds the bias
  /// and stores y[m, row0 + r].
  void reduceAndStore(
      ValueRange partialSums, Value partials, Value bias, Value y, Value tid,
      Value lane, Value warp, Value row0,
      llvm::function_ref<Value(Value, Value, Value)> toValue = nullptr);
};

} // namespace lowbit::gpu::detail

#endif // LOWBIT_LIB_TARGET_GPU_GEMVKERNELBUILDER_H
