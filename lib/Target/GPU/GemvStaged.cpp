//===- GemvStaged.cpp - K loops through shared-memory stages --------------===//
//
// The cp.async pipeline of the tensor-core kernels with GemvShape::stages:
// a block's tiles of each stage of K are copied into one of `stages` slots
// of shared memory, stages - 1 ahead of the step that reads them.
//
// Thread i copies the 16-byte chunks i, i + threads, ... of each tile
// (modulo the tile's chunks: in a last round with fewer chunks than
// threads, some chunks are copied twice, the same bytes), part by part
// when a stage's K is kept in several parts. Before working on
// a stage a thread waits for its own copies of it (cp.async.wait_group
// stages - 2), and one barrier then makes everyone's copies visible and
// frees the slot read in the step before, which the copies of the stage
// stages - 1 ahead fill next.
//
//===----------------------------------------------------------------------===//

#include "GemvKernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using lowbit::gpu::detail::KernelBuilder;
using lowbit::gpu::detail::StagedTile;

Value KernelBuilder::swizzledChunk(Value chunk, Value row) {
  // For one 16-byte read of chunk 4 q + h by lanes (r, q) of rows r and
  // r + 1 (8 lanes, one shared-memory wavefront), the 8 chunks land in 8
  // different 16-byte bank groups.
  Value quarter = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, chunk, index(2)), index(3));
  Value parity = arith::AndIOp::create(b, loc, row, index(1));
  Value mask = add(mul(quarter, index(2)), parity);
  return arith::XOrIOp::create(b, loc, chunk, mask);
}

Value KernelBuilder::issueStage(ArrayRef<StagedTile> tiles, Value stage,
                                Value stageEnd, Value slot, Value tid) {
  const int64_t threads = 32 * shape.warpsPerBlock;
  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                        stage, stageEnd);
  Value lastStage = arith::SubIOp::create(b, loc, stageEnd, index(1));
  Value clamped = arith::MinUIOp::create(b, loc, stage, lastStage);
  Value empty = index(0);
  SmallVector<Value> tokens;
  for (const StagedTile &tile : tiles) {
    auto element = cast<MemRefType>(tile.tile.getType()).getElementType();
    const int64_t perChunk = 128 / element.getIntOrFloatBitWidth();
    const int64_t rowElements = tile.chunks * perChunk;
    // The source size counts elements: a full chunk, or none (zero-filled).
    Value full = index(perChunk);
    Value k0 = mul(clamped, index(tile.parts * rowElements));
    const int64_t partChunks = tile.rows * tile.chunks;
    const int64_t total = tile.parts * partChunks;
    for (int64_t c0 = 0; c0 < total; c0 += threads) {
      Value c = add(tid, index(c0));
      Value valid = inRange;
      if (c0 + threads > total) {
        // The last round, where the tile has fewer chunks than threads: the
        // threads past them copy chunk c mod total again, the same bytes to
        // the same place (a copy of source size 0 would zero-fill a chunk
        // that another thread fills).
        c = arith::RemUIOp::create(b, loc, c, index(total));
      }
      // Chunk c is part c / partChunks, row and chunk of the rest.
      Value part = index(0), inPart = c;
      if (tile.parts > 1) {
        part = arith::DivUIOp::create(b, loc, c, index(partChunks));
        inPart = arith::RemUIOp::create(b, loc, c, index(partChunks));
      }
      Value row = arith::DivUIOp::create(b, loc, inPart, index(tile.chunks));
      Value chunk = arith::RemUIOp::create(b, loc, inPart, index(tile.chunks));
      Value source = add(tile.row0, row);
      if (tile.validRows >= 0) {
        Value rowValid = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::ult, source, index(tile.validRows));
        valid = arith::AndIOp::create(b, loc, valid, rowValid);
        source = arith::SelectOp::create(b, loc, rowValid, source, index(0));
      }
      Value size = arith::SelectOp::create(b, loc, valid, full, empty);
      Value place = tile.swizzle ? swizzledChunk(chunk, row) : chunk;
      auto copy = nvgpu::DeviceAsyncCopyOp::create(
          b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), tile.tile,
          ValueRange{slot, add(mul(part, index(tile.rows)), row),
                     mul(place, index(perChunk))},
          tile.matrix,
          ValueRange{source,
                     add(add(k0, mul(part, index(rowElements))),
                         mul(chunk, index(perChunk)))},
          b.getIndexAttr(perChunk), size, b.getUnitAttr());
      tokens.push_back(copy.getAsyncToken());
    }
  }
  return nvgpu::DeviceAsyncCreateGroupOp::create(
             b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), tokens)
      .getAsyncToken();
}

scf::ForOp KernelBuilder::stagedLoop(
    Value first, Value last, ValueRange init,
    llvm::function_ref<Value(Value, Value)> issue,
    llvm::function_ref<SmallVector<Value>(Value, Value, ValueRange)> body) {
  const int64_t S = shape.stages;
  Value issued;
  for (int64_t s = 0; s + 1 < S; ++s)
    issued = issue(add(first, index(s)), index(s));
  auto loop = scf::ForOp::create(b, loc, first, last, index(1), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value stage = loop.getInductionVar();
    Value i = arith::SubIOp::create(b, loc, stage, first);
    // This thread's copies of this stage are done (at most S - 2 younger
    // groups pending; the wait's token only orders it), then everyone's,
    // and the slot read in the step before is free for stage + S - 1.
    nvgpu::DeviceAsyncWaitOp::create(b, loc, issued,
                                     b.getI32IntegerAttr(S - 2));
    mlir::gpu::BarrierOp::create(b, loc);
    issue(add(stage, index(S - 1)),
          arith::RemUIOp::create(b, loc, add(i, index(S - 1)), index(S)));
    Value slot = arith::RemUIOp::create(b, loc, i, index(S));
    scf::YieldOp::create(b, loc, body(stage, slot, loop.getRegionIterArgs()));
  }
  // The copies past the last stage (zero-filled) end before the block does.
  nvgpu::DeviceAsyncWaitOp::create(b, loc, issued, b.getI32IntegerAttr(0));
  return loop;
}
