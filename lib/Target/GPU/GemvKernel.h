//===- GemvKernel.h - the W4A16 GEMV kernel as a gpu.func -------*- C++ -*-===//

#ifndef LOWBIT_LIB_TARGET_GPU_GEMVKERNEL_H
#define LOWBIT_LIB_TARGET_GPU_GEMVKERNEL_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace lowbit::gpu {

/// What one generated kernel computes: y[M, N] = x[M, K] * W^T (+ bias),
/// x and y f32; W either 4- or 8-bit codes in qlinear's k_major layout with
/// scales (and zero points) per group, dequantized in registers, or, with
/// `floatWeights`, a plain f32 [N, K] matrix (lowbit.linear's float path).
struct GemvShape {
  int64_t m, n, k, groupSize = 0;
  /// Width of the integer codes: 4 or 8.
  int64_t bits = 4;
  mlir::Type scaleType;
  bool hasZeroPoints = false;
  /// The bias element type, or null.
  mlir::Type biasType;
  bool floatWeights = false;
  /// Integer weights on the tensor cores (nvgpu.mma.sync m16n8k16, f16 inputs,
  /// f32 accumulation): one block per 8 output channels, the M <= 16 rows
  /// of x as one 16-row tile. x is rounded to f16; codes minus their zero
  /// point are exact in f16 and the scale is applied in f32 per 128 values
  /// of K. Chosen from lowbit-gpu-qlinear-gemv's tensor-core-min-rows on.
  bool tensorCores = false;
  /// n-tiles of 8 output channels per warp (and block) on the tensor cores:
  /// each activation fragment loaded serves this many mma.
  int64_t tensorCoreTiles = 2;
  /// Tensor cores only: K split across this many blocks (grid y), each
  /// writing its partial sums to y[split] of a [splits, M, N] result that
  /// a reduction sums afterwards (deterministic, no atomics). For long K
  /// and few output channels, where N / 8 / tiles blocks are too few.
  int64_t kSplits = 1;
  /// Tensor cores with more than 16 rows of x (a GEMM): 16-row tiles of x
  /// per block (1 to 4, grid z covers the rest). The four warps then split
  /// N instead of K (each warp its own tensorCoreTiles n-tiles, for every
  /// row tile of the block), share x through L1 and store their results
  /// directly.
  int64_t mTiles = 1;

  /// Warps along M in the GEMM form (the others along N): the block covers
  /// 16 * mTiles * warpRows rows of x and (warpsPerBlock / warpRows) *
  /// rowsPerWarp() channels, each warp its own 16 * mTiles x rowsPerWarp()
  /// part of it.
  int64_t warpRows = 1;
  /// The tensor-core GEMM form (W8A8: at any M): the block's tiles of x and
  /// of weight codes pass through shared memory in this many stages (64
  /// values of K for W8A8, else 128), filled by cp.async
  /// (nvgpu.device_async_copy) stages - 1 ahead of the mma (0: each lane
  /// loads its fragments from global memory).
  int64_t stages = 0;
  /// W8A8 staged: values of K per stage (64 or 128). A stage of 128 is kept
  /// as two 64-byte halves, [2 * rows, 64] per tile, so the fragment reads
  /// stay free of bank conflicts; it halves the barriers per K.
  int64_t int8StageK = 64;

  /// Tensor cores with at most 16 rows: x rounded to f16 once before the
  /// launch (as the GEMM always does) instead of by every block.
  bool halfX = false;

  /// W8A8: x arrives as signed 8-bit codes [M, K] with one f32 scale per
  /// row (lowbit.quantize_per_token before the launch); the weights are
  /// symmetric 8-bit codes with one scale per channel, code ^ 0x80 being
  /// the signed weight. On the tensor cores x enters as it is (mma.sync
  /// m16n8k32 s8, i32 accumulation over all of the block's K) and the
  /// warps always split N; on the CUDA cores (GemvCudaCoreInt8.cpp) four
  /// codes at a time go through dp4a into i32 sums, the warps splitting K
  /// and adding their sums as integers. Each output is bias + (x_scale[m] *
  /// scale[n]) * float(acc), as on the CPU.
  bool int8Activations = false;

  /// Whether the warps of a block split N (tensor cores, M > 16, or
  /// integer activations on the tensor cores at any M).
  bool warpsSplitN() const {
    return tensorCores && (m > 16 || int8Activations);
  }
  /// Whether x is passed in f16 (converted once before the launch): the
  /// GEMM, whose blocks would each round the same x again, and with halfX
  /// the tensor-core kernel at fewer rows.
  bool halfActivations() const {
    return !int8Activations && (warpsSplitN() || (tensorCores && halfX));
  }
  /// Tensor cores at up to 8 rows with the warps splitting K: the operands
  /// of mma.sync swapped, the dequantized codes of 16 channels (two n-tiles
  /// of 8) as A and x's rows as the 8 columns of B, so that no A row is
  /// spent on rows past M: one mma per 16 channels and 16 values of K
  /// instead of two, one scale per lane and channel. Needs an even
  /// tensorCoreTiles.
  bool swapAB = false;
  /// With swapAB, x's f16 values are interleaved within each block of 2 g
  /// values of K (g = xInterleave(): 4 for 4-bit codes, 2 for 8-bit ones;
  /// 0: not interleaved): value a + g b of a block lies at position 2 a + b,
  /// so that each 32-bit word of a 16-byte load is the pair of x that one
  /// register of the B fragment pairs with two codes of a word, and a
  /// load's words 2j and 2j + 1 are B as it is (GemvTensorCore.cpp).
  int64_t xInterleave() const {
    return swapAB && halfActivations() ? (bits == 4 ? 4 : 2) : 0;
  }
  /// 4-bit codes with x in f16 and the warps splitting K: x's 16 chunks of
  /// 8 values in each step of 128 values of K are stored in the order the
  /// lanes load them: chunk 4 h + q of a step is x's chunk 4 q + h, the one
  /// lane q of a row loads h-th (GemvTensorCore.cpp). So the four lanes of a
  /// row read 64 adjacent bytes per load instead of 16 bytes at a 64-byte
  /// stride (on an H100 1.0-1.1x faster at 2-16 rows; the same for 8-bit
  /// codes, whose lanes read 16 bytes at a 32-byte stride, was up to 1.08x
  /// slower). Kernel names mark it "_xl".
  bool xInLoadOrder() const {
    return bits == 4 && halfActivations() && !warpsSplitN();
  }
  /// x as the kernel reads it, an f16 tensor of `outShape` (a view of [M,
  /// K]) whose element at index i is x's, viewed as [M, K] expanded to the
  /// shape outShape[perm[j]] (j = 0, 1, ...), at the index i[perm[j]]: the
  /// chunk order of xInLoadOrder and the interleave of xInterleave (both
  /// identities if unused).
  void xLayout(llvm::SmallVectorImpl<int64_t> &outShape,
               llvm::SmallVectorImpl<unsigned> &perm) const;
  /// Output channels of one block.
  int64_t channelsPerBlock() const {
    return warpsSplitN() ? warpsPerBlock / warpRows * rowsPerWarp()
                         : rowsPerWarp();
  }
  /// Rows of x of one block when the warps split N.
  int64_t rowsPerBlock() const { return 16 * mTiles * warpRows; }
  /// Blocks along M (grid z): 1 unless the warps split N.
  int64_t mBlocks() const {
    return warpsSplitN() ? (m + rowsPerBlock() - 1) / rowsPerBlock() : 1;
  }
  /// Bytes of one stage's row of x and of weight codes: int8StageK values
  /// of K for W8A8, else one step of 128 (x in f16).
  int64_t stagedXRowBytes() const { return int8Activations ? int8StageK : 256; }
  int64_t stagedWeightRowBytes() const {
    return int8Activations ? int8StageK : 16 * bits;
  }
  /// Parts a stage's rows are kept in (W8A8: one per 64 values of K).
  int64_t stageParts() const { return int8Activations ? int8StageK / 64 : 1; }
  /// The static shared memory the stages may take.
  static constexpr int64_t kMaxStagedBytes = 48 * 1024;
  /// Bytes of shared memory the stages take (x and weight tiles).
  int64_t stagedBytes() const {
    return stages * (rowsPerBlock() * stagedXRowBytes() +
                     channelsPerBlock() * stagedWeightRowBytes());
  }

  /// Output rows per warp; x is reused from registers across them. Fewer
  /// rows at larger M avoid register spills (ptxas -v: 8 rows x M = 8 spill)
  /// but were slower on an H100 for 4-bit weights (x is then re-read from
  /// L1 for every 2-4 rows), see bench/results/gpu.md. f32 weights take 8
  /// registers per row and step, so their row count falls with M.
  int64_t rowsPerWarp() const {
    if (tensorCores)
      return 8 * tensorCoreTiles;
    if (floatWeights)
      return m <= 4 ? 8 : m <= 8 ? 4 : 2;
    if (codeRows)
      return codeRows;
    // 4-bit codes at one row of a large matrix (2^25 weights or more): 16
    // rows, which keeps twice the bytes in flight per warp; these kernels
    // wait on memory latency (ncu), and 16 rows were 1.06-1.14x faster than
    // 8 on 4096 x 14336 and 14336 x 4096 on an H100, 1.13x slower on
    // 4096 x 4096 (bench/results/gpu.md, 2026-12-07).
    if (bits == 4 && m == 1 && n * k >= (int64_t(1) << 25) && n % 16 == 0)
      return 16;
    return m <= 8 ? 8 : 4;
  }
  /// The CUDA-core kernel for integer codes: output rows per warp (and
  /// block) when not 0, instead of the default above.
  int64_t codeRows = 0;
  /// Warps of a block (1 to 16), splitting K between them (or N in the
  /// tensor-core GEMM).
  int64_t warpsPerBlock = 4;
  /// K covered by one warp-wide step: 32 lanes x 16 bytes of codes (1024
  /// 4-bit or 512 8-bit codes), or for f32 weights 32 lanes x two 16-byte
  /// loads (two 512-byte segments).
  int64_t stepK() const { return floatWeights ? 256 : 32 * codesPerLoad(); }
  /// Codes in one 16-byte load.
  int64_t codesPerLoad() const { return 128 / bits; }

  /// Partial sums a warp leaves in shared memory.
  int64_t partialsPerWarp() const {
    if (warpsSplitN())
      return 0;
    return tensorCores ? 16 * partialsRowStride() : rowsPerWarp() * m;
  }
  /// Tensor cores, warps splitting K: a warp's partials are 16 rows of
  /// rowsPerWarp() channels, each row 4 values longer, so that the lanes
  /// storing their accumulators hit other banks: with a stride of a
  /// multiple of 32 values the four lanes of a channel (unswapped: all
  /// eight rows of a column pair) wrote the same bank (4- to 8-way
  /// conflicts); padded, the swapped kernel's stores are conflict-free and
  /// the others' at most 2-way.
  int64_t partialsRowStride() const { return rowsPerWarp() + 4; }

  /// Whether the kernel handles this shape (else the op is left alone).
  bool supported() const {
    if (warpsPerBlock < 1 || warpsPerBlock > 16)
      return false;
    if (int8Activations && (bits != 8 || hasZeroPoints || groupSize != k))
      return false;
    if (warpRows < 1 || warpsPerBlock % warpRows != 0 ||
        (warpRows > 1 && !warpsSplitN()))
      return false;
    // Staging: the tensor-core GEMM form (and W8A8 at any M), the stages
    // within the 48 KiB of static shared memory.
    if (stages != 0 &&
        (!tensorCores || !warpsSplitN() || stages < 2 || stages > 8 ||
         stagedBytes() > kMaxStagedBytes ||
         (int8Activations && int8StageK != 64 && int8StageK != 128)))
      return false;
    if (tensorCores)
      return !floatWeights && (bits == 4 || bits == 8) && m >= 1 &&
             k % 128 == 0 && groupSize % 128 == 0 && k % groupSize == 0 &&
             tensorCoreTiles >= 1 &&
             tensorCoreTiles <= (warpsSplitN() ? 4 : 8) && mTiles >= 1 &&
             partialsPerWarp() * warpsPerBlock * 4 <= kMaxStagedBytes &&
             mTiles <= 4 && (m > 16 || mTiles == 1) &&
             n % channelsPerBlock() == 0;
    if (floatWeights)
      return m >= 1 && m <= 16 && k % stepK() == 0 && n % rowsPerWarp() == 0;
    // The CUDA-core kernel's final sums: one thread per output of the block.
    if (rowsPerWarp() * m > 32 * warpsPerBlock)
      return false;
    return (bits == 4 || bits == 8) && m >= 1 && m <= 16 && k % stepK() == 0 &&
           groupSize % codesPerLoad() == 0 && k % groupSize == 0 &&
           codeRows >= 0 && codeRows <= 16 && n % rowsPerWarp() == 0;
  }
  /// A symbol name that spells out the specialization.
  std::string name() const;
};

/// Elementwise TOSA ops that follow a product (a residual add, SiLU, a
/// SwiGLU's gate times up), computed by the product's kernel on each output
/// before it is stored (GemvEpilogue.cpp). The ops stay in the tensor
/// program until the launch replaces them.
struct GemvEpilogue {
  /// The product (the replaced op's result).
  mlir::Value root;
  /// add, sub, mul, maximum, minimum, sigmoid, tanh, exp, abs and clamp of
  /// the product's type, in program order; the last one's result is the
  /// only value read by other ops.
  llvm::SmallVector<mlir::Operation *> ops;
  /// Tensors of the product's type that the ops read, kernel arguments
  /// (viewed as [M, N]); the other operands are one-valued constants.
  llvm::SmallVector<mlir::Value> operands;

  bool empty() const { return ops.empty(); }
  /// A digest of the ops and their operands, for the kernel's name.
  std::string key() const;
  /// The ops on scalars: `product` for the root, `operandValues` for the
  /// operands; returns the last op's value.
  mlir::Value emit(mlir::OpBuilder &b, mlir::Location loc, mlir::Value product,
                   llvm::ArrayRef<mlir::Value> operandValues) const;
};

/// The longest run of elementwise ops after `product` (one f32 result)
/// that its kernel can compute: each reads the product, an earlier op of
/// the run, a tensor of the product's type or a one-valued constant, and
/// only the last op's result is read elsewhere.
GemvEpilogue collectGemvEpilogue(mlir::Operation *product);

/// Adds the kernel for `shape` (and `epilogue`) to `module` (or returns
/// the one there) with arguments (x, packed, scales[, zero_points][, bias]
/// [, x_scales], epilogue operands..., y), or for f32 weights (x, weight[,
/// bias], epilogue operands..., y), all memrefs.
mlir::gpu::GPUFuncOp getOrBuildGemvKernel(mlir::gpu::GPUModuleOp module,
                                          const GemvShape &shape,
                                          const GemvEpilogue &epilogue,
                                          mlir::Location loc);

/// Replaces `op` (one result, f32 [..., N]) by a launch of the kernel for
/// `shape` on `input` ([..., K], reshaped to [M, K]) and `weights` (the
/// tensors after x in the kernel's argument list), connected to the tensor
/// program by bufferization.to_buffer / to_tensor. Creates the gpu.module
/// of the kernels on first use and marks `module` as a container module.
/// With `fuseEpilogue`, the elementwise ops after `op` that the kernel can
/// compute (collectGemvEpilogue) are replaced too; not when K is split
/// across blocks, whose partial sums are added after the kernel.
void replaceWithGemvLaunch(mlir::ModuleOp module, mlir::Operation *op,
                           const GemvShape &shape, mlir::Value input,
                           mlir::ValueRange weights, bool fuseEpilogue);

/// The gpu.module of lowbit's generated kernels (GEMVs, norms), created on
/// first use; marks `module` as a container module.
mlir::gpu::GPUModuleOp getOrCreateKernelModule(mlir::ModuleOp module);

/// `value` ([..., K], or a matrix [M, K]) as `shape`, one of the two being
/// the [M, K] matrix of the other: a collapse or an expansion of the leading
/// axes, which bufferizes to a view.
mlir::Value reshape(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                    llvm::ArrayRef<int64_t> shape);

/// A read-only buffer of `tensor` (bufferization.to_buffer), for a launch.
mlir::Value toBuffer(mlir::OpBuilder &b, mlir::Location loc,
                     mlir::Value tensor);

/// Launches `kernel` on `grid` blocks of `threads` threads with `args`
/// followed by a fresh f32 buffer of `resultShape`, and returns that buffer
/// as a tensor (bufferization.to_tensor, restrict writable).
mlir::Value launchWithResult(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::gpu::GPUFuncOp kernel,
                             llvm::ArrayRef<int64_t> grid, int64_t threads,
                             llvm::ArrayRef<mlir::Value> args,
                             llvm::ArrayRef<int64_t> resultShape);

/// Launches `kernel` like launchWithResult, with a fresh buffer per type of
/// `results` after `args`; returns them as tensors.
llvm::SmallVector<mlir::Value>
launchWithResults(mlir::OpBuilder &b, mlir::Location loc,
                  mlir::gpu::GPUFuncOp kernel, llvm::ArrayRef<int64_t> grid,
                  int64_t threads, llvm::ArrayRef<mlir::Value> args,
                  llvm::ArrayRef<mlir::RankedTensorType> results);

/// Inside a kernel: the sum of `value` (f32, or i32: exact) over the 32
/// lanes of the warp, in every lane (5 xor shuffles).
mlir::Value warpSum(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value);
/// Inside a kernel: the maximum (maxnumf) of `value` over the warp's lanes.
mlir::Value warpMax(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value);

/// Inside a kernel: stores `value` to `memref[indices]` where `condition`
/// holds (the one thread that writes a shared result).
void storeIf(mlir::OpBuilder &b, mlir::Location loc, mlir::Value condition,
             mlir::Value value, mlir::Value memref, mlir::ValueRange indices);

/// How blockReduce combines values.
enum class ReduceKind { Sum, Max };

/// Inside a kernel of `warps` warps: `value` combined over the whole block,
/// in every thread. Each warp combines its lanes with xor shuffles, lane 0
/// stores the result in `partials` (workgroup memory [warps] f32), and after
/// one barrier every thread combines the warps' results in order, starting
/// from 0.
mlir::Value blockReduce(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, mlir::Value partials,
                        mlir::Value tid, int64_t warps, ReduceKind kind);

/// An empty kernel `name` in `module` taking `args`, for blocks of
/// `threads` threads, with one workgroup buffer [warps] f32 for
/// blockReduce; the builder is left at the start of its body.
mlir::gpu::GPUFuncOp createRowKernel(mlir::OpBuilder &b,
                                     mlir::gpu::GPUModuleOp module,
                                     llvm::StringRef name, mlir::TypeRange args,
                                     int64_t threads, mlir::Location loc);

} // namespace lowbit::gpu

#endif // LOWBIT_LIB_TARGET_GPU_GEMVKERNEL_H
