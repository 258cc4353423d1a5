//===- Passes.td - GPU code generation passes --------------*- tablegen -*-===//

#ifndef LOWBIT_TARGET_GPU_PASSES_TD
#define LOWBIT_TARGET_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def MapToBlocksPass : Pass<"lowbit-gpu-map-to-blocks", "mlir::func::FuncOp"> {
  let summary = "Turn each outermost scf.parallel into a 1-D grid of thread blocks";
  let description = [{
    Every `scf.parallel` that is not nested in another one has its
    dimensions collapsed into one and is then tiled by `threads-per-block`
    (a bounds check instead of `min` bounds), and the two loops are mapped to
    block x and thread x; loops nested inside stay sequential in each thread.
    One index per thread makes any rank and extent fit the grid (CUDA's y and
    z extents are limited to 65535), and consecutive threads touch
    consecutive elements of the innermost axis. After this pass
    `convert-parallel-loops-to-gpu` builds the `gpu.launch`es.

    Sequential work at the top of a function that reads or writes memrefs
    and whose results (if any) are unused (`scf.for`, `scf.if`, `scf.while`,
    `memref.store`: e.g. a reduction of a whole tensor to a scalar) is first
    put in a one-iteration `scf.parallel`, so that it runs as a kernel of one
    thread: correct but slow, where host code may not touch GPU memory.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t",
           /*default=*/"256", "Threads in one block">
  ];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def DeviceBuffersPass : Pass<"lowbit-gpu-device-buffers", "mlir::ModuleOp"> {
  let summary = "Give the model's host buffers device copies, allocate in GPU memory";
  let description = [{
    In the entry function recorded by `lowbit-cpu-record-model-abi`, after
    the computation has been put into `gpu.launch`es:

    * each input buffer (the caller's host memory) is copied into a fresh
      device buffer at entry, and each output is computed in a device buffer
      that is copied back into the caller's buffer before returning;
    * `memref.alloc` / `memref.alloca` become `gpu.alloc`s, freed when the
      function returns (the pipeline runs no deallocation pass, so buffers
      allocated in regions of host code are an error; `memref.dealloc`s are
      dropped);
    * constants (`memref.get_global`, the weights) become calls of the CUDA
      runtime's `__lowbit_cuda_constant_<type>`, which uploads each constant
      at its first use and returns the same device copy in every later run
      (kept until the process ends).

    Any other memory access left in host code (a load, a store, a linalg op
    that was not mapped to the GPU) would read device memory from the host:
    it is reported as an error naming the op.
  }];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::LLVM::LLVMDialect"
  ];
}

def SplitReductionsPass : Pass<"lowbit-gpu-split-reductions"> {
  let summary = "Split long reductions over few outputs into parallel partials";
  let description = [{
    The GPU mapping runs each output element of a linalg op on one thread,
    its reduction loop inside. A reduction with at most `max-outputs`
    outputs and one reduced axis of at least `min-length` terms (an
    RMSNorm's mean of squares at one token) is split with
    `linalg::splitReduction` into r partial results computed in parallel
    (r the power of two nearest sqrt(length) that divides it) and a short
    reduction of the partials. Reductions whose combiner linalg does not
    recognize are left alone. On tensors, before bufferization.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect"
  ];
  let options = [
    Option<"minLength", "min-length", "int64_t", /*default=*/"256",
           "Shortest reduced axis that is split">,
    Option<"maxOutputs", "max-outputs", "int64_t", /*default=*/"4096",
           "Most outputs (parallel iterations) of a reduction that is split">
  ];
}

def RMSNormToKernelPass : Pass<"lowbit-gpu-rms-norm", "mlir::ModuleOp"> {
  let summary = "Run lowbit.rms_norm as one generated GPU kernel";
  let description = [{
    Replaces each f32 `lowbit.rms_norm` with static shapes, at least one
    leading axis and at least `min-width` normalized values per row by a
    `gpu.launch_func` of a kernel generated into `@lowbit_gemv_kernels`:
    one block of 128 threads per row; each thread sums the squares of the
    elements tid, tid + 128, ..., the sums meet through warp shuffles and
    shared memory (one barrier), and each thread writes its elements times
    1 / sqrt(mean + epsilon) times gamma, the same operations as the CPU
    lowering. The generic lowering needs a fill, the partial sums, their
    total and the scaling as kernels of their own. Other norms are left
    alone.
  }];
  let options = [
    Option<"minWidth", "min-width", "int64_t", /*default=*/"32",
           "Fewest normalized values per row the kernel takes">
  ];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def QuantizePerTokenToKernelPass
    : Pass<"lowbit-gpu-quantize-per-token", "mlir::ModuleOp"> {
  let summary = "Run symmetric lowbit.quantize_per_token as one GPU kernel";
  let description = [{
    Replaces each `lowbit.quantize_per_token` with a symmetric integer
    config, an f32 input with static shape and i8 codes by a
    `gpu.launch_func` of a kernel generated into `@lowbit_gemv_kernels`:
    one block per row (about 16 values per thread, 128 to 1024 threads,
    16-byte loads when the row length is a multiple of 4); each thread
    takes the largest magnitude of its strided values, the maxima meet through
    warp shuffles and shared memory (one barrier), the row's scale is that
    maximum / qmax (1 where it is 0) and each thread writes its elements'
    codes, clamp(roundeven(x / scale), qmin, qmax): the operations of the
    CPU lowering, so the codes and scales are the same bits. The W8A8
    kernel of `lowbit-gpu-qlinear-gemv` reads them; the generic lowering
    needs six kernels for the same work. Other configs are left alone.
  }];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def LinearToGemvPass : Pass<"lowbit-gpu-linear-gemv", "mlir::ModuleOp"> {
  let summary = "Run small-batch float lowbit.linear as a generated GEMV kernel";
  let description = [{
    Replaces each `lowbit.linear` with f32 input, weight ([N, K]) and output,
    an optional f32 or f16 bias and a batch M (the product of the input's
    leading dimensions) of 1 to 16 by a `gpu.launch_func` of a kernel
    generated for exactly that shape into `@lowbit_gemv_kernels` (the same
    kernel family as `lowbit-gpu-qlinear-gemv`). K must be a multiple of 256
    and N of the rows a block computes (8 at M <= 4, 4 at M <= 8, else 2).
    Each lane reads two float4 of each of its rows per step, 512 bytes apart,
    so a warp's loads are fully coalesced; the 4 warps of a block split K and
    meet through warp shuffles and shared memory. Other linears are left to
    the generic lowering.

    Elementwise ops that follow the linear (a residual add, an activation)
    are computed by its kernel before the store, as in
    `lowbit-gpu-qlinear-gemv`.
  }];
  let options = [
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "Compute the elementwise ops that follow a replaced linear in "
           "its kernel, before the store">
  ];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::math::MathDialect"
  ];
}

def QLinearToGemvPass : Pass<"lowbit-gpu-qlinear-gemv", "mlir::ModuleOp"> {
  let summary = "Run 4- and 8-bit lowbit.qlinear as a generated GEMV/GEMM kernel";
  let description = [{
    Replaces each `lowbit.qlinear` with 4-bit integer weights (`k_major`
    codes, f32 or f16 scales per group or channel, optional zero points and
    bias), f32 activations and outputs and a batch M (the product of the
    input's leading dimensions) of 1 to 16 (any M on the tensor cores) by a `gpu.launch_func` of a kernel
    generated for exactly that shape into the `gpu.module`
    `@lowbit_gemv_kernels`. The launch works on buffers that
    `bufferization.to_buffer` / `to_tensor` connect to the surrounding
    tensor program, so bufferization then handles it like any other op.

    The kernel needs K to be a multiple of 1024, the group size a multiple of
    32 and N a multiple of the rows one warp computes (8, or 4 when M > 8);
    other `qlinear`s are left alone. One block of 4 warps computes those
    output channels for every row of x: each lane loads 16 bytes of packed
    codes per row with one 128-bit load, dequantizes them in registers and
    accumulates in f32; the warps split K and their partial sums meet
    through warp shuffles and shared memory.

    From `tensor-core-min-rows` rows of x on (K and the group size multiples
    of 128) the kernel runs on the tensor cores instead: `nvgpu.mma.sync`
    m16n8k16 with the M <= 16 rows of x as one 16-row tile (rounded to f16),
    codes minus their zero point exact in f16, f32 accumulation and the
    group scales applied in f32 per 128 values of K. K enters the products
    in an order chosen so that each lane loads its own codes (one 16-byte
    load per row and step) and the matching activations (one float4 per
    row of x and mma); `tensor-core-tiles` n-tiles of 8 channels share each
    activation fragment. For K >= 8192 with fewer than 264 blocks, K is split
    across 2 or 4 blocks whose partial results a `linalg.reduce` adds up.

    With more than 16 rows of x (a GEMM; any M, tensor cores only) a block
    takes up to `tensor-core-m-tiles` 16-row tiles of x (grid z covers the
    rest) and its four warps split N instead of K: each warp computes its
    own `tensor-core-tiles` n-tiles for every row tile, so one weight
    fragment serves up to four mma; the warps read the same activations
    (through L1) and store their results directly. K is split across blocks
    whenever there are fewer than 264 of them.

    W8A8 (`act_qconfig` of symmetric 8-bit codes per token or with a
    calibrated `act_scale`, symmetric 8-bit weights with one scale per
    channel): x is quantized by a `lowbit.quantize_per_token` (or a
    `lowbit.quantize` by that scale) before the launch and the kernel runs the
    GEMM form at any M on the integer tensor cores (`mma.sync` m16n8k32 on
    signed bytes, i32 accumulation over the block's K); each output is
    `(x_scale[m] * scale[n]) * float(acc) + bias`, the CPU lowering's
    expression. Other activation configs are left alone.

    The elementwise TOSA ops that follow the product (`fuse-epilogues`):
    add, sub, mul, maximum, minimum, sigmoid, tanh, exp, abs and clamp whose
    result has the product's type and whose operands are the product, an
    earlier such op, any tensor of the product's type (a residual, the up
    projection of a SwiGLU) or a one-valued constant are computed by the
    kernel on each output before it is stored, as long as only the last
    op's result is read by other ops; the tensors they read become kernel
    arguments. Not when K is split across blocks (the partial sums are
    added after the kernel).
  }];
  let options = [
    Option<"tensorCores", "tensor-cores", "bool", /*default=*/"true",
           "Use the tensor-core kernels at all (false: weight-only layers "
           "on the CUDA-core kernel where it applies, W8A8 generic)">,
    Option<"tensorCoreMinRows", "tensor-core-min-rows", "int64_t",
           /*default=*/"0",
           "Rows of x (M) from which the tensor-core kernel is used (0: 2 "
           "for 4-bit weight-only codes, else 3)">,
    Option<"tensorCoreTiles", "tensor-core-tiles", "int64_t",
           /*default=*/"0",
           "n-tiles of 8 output channels per warp in the tensor-core kernel "
           "up to 64 rows of x (1 to 8 where the warps split K, at most 16 "
           "rows; 1 to 4 in the GEMM form; 0: 4 at 9 to 16 rows of "
           "weight-only codes, else 2)">,
    Option<"tensorCoreSwapAB", "tensor-core-swap-ab", "int64_t",
           /*default=*/"0",
           "Up to 8 rows of x with the warps splitting K: the codes of 16 "
           "channels as mma's A operand and x's rows as B, one mma per 16 "
           "channels instead of two, x interleaved by the rounding kernel "
           "(1: wherever the tensor-core-tiles are even; -1: never; 0: for "
           "4-bit weight-only codes with x in f16 and 2 n-tiles)">,
    Option<"tensorCoreWideTiles", "tensor-core-wide-tiles", "int64_t",
           /*default=*/"4",
           "n-tiles of 8 output channels per warp in the tensor-core GEMM "
           "beyond 64 rows of x (1 to 4)">,
    Option<"tensorCoreMTiles", "tensor-core-m-tiles", "int64_t",
           /*default=*/"4",
           "At most this many 16-row tiles of x per block when M > 16 "
           "(1 to 4)">,
    Option<"tensorCoreStages", "tensor-core-stages", "int64_t",
           /*default=*/"4",
           "W8A8 on the tensor cores: stage the block's tiles of x and "
           "weight codes in shared memory by cp.async, this many stages of "
           "tensor-core-stage-k values of K (2 to 8, fewer where they do "
           "not fit 48 KiB of shared memory; 0: fragments loaded from global "
           "memory)">,
    Option<"tensorCoreStageK", "tensor-core-stage-k", "int64_t",
           /*default=*/"0",
           "W8A8 staged: values of K per stage, 64 or 128 (128 halves the "
           "barriers and doubles each stage's shared memory; 0: 128 up to "
           "64 rows of x, else 64)">,
    Option<"tensorCoreHalfStages", "tensor-core-f16-stages", "int64_t",
           /*default=*/"2",
           "W4A16 and W8A16 on the tensor cores beyond 16 rows: stage the "
           "block's tiles of x (f16) and weight codes in shared memory by "
           "cp.async, this many stages of 128 values of K (fewer where they "
           "do not fit 48 KiB of shared memory; 0: off)">,
    Option<"tensorCoreWarpRows", "tensor-core-warp-rows", "int64_t",
           /*default=*/"0",
           "Warps along M in the tensor-core GEMM (M > 16), the others "
           "along N; a divisor of warps-per-block (0: for staged W8A8 2 "
           "beyond 64 rows, and up to 64 rows where fewer than 128 blocks "
           "of 64 channels and K < 8192, else 1)">,
    Option<"tensorCoreMaxKSplits", "tensor-core-max-k-splits", "int64_t",
           /*default=*/"4",
           "At most this many blocks split K in the tensor-core kernels "
           "(1: no split)">,
    Option<"rowsPerWarp", "rows-per-warp", "int64_t", /*default=*/"0",
           "Output channels per warp of the CUDA-core kernel (1-2 rows of "
           "x, or tensor cores off); 0 picks 16 for 4-bit codes at one row "
           "and at least 2^25 weights, else 8 up to 8 rows of x, else 4">,
    Option<"warpsPerBlock", "warps-per-block", "int64_t", /*default=*/"0",
           "Warps per block of the integer-code kernels (1 to 16): they "
           "split K (N in the tensor-core GEMM); 0: 4, but for 4-bit codes "
           "at one row of x one warp per 1024 values of K where that is 5 "
           "to 16 warps, and 8 in the tensor-core kernel at up to 16 rows "
           "where K has 16 steps of 128 per block or more and the grid "
           "stays resident (up to 8 rows: at most 132 x 32 warps; 9 to 16 "
           "rows: fewer than 264 blocks)">,
    Option<"tensorCoreF16XMinRows", "tensor-core-f16-x-min-rows", "int64_t",
           /*default=*/"2",
           "From this many rows of x on, round x to f16 once before the "
           "tensor-core kernel (an elementwise kernel) instead of in every "
           "block (the GEMM for more than 16 rows always does)">,
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "Compute the elementwise ops that follow a replaced qlinear "
           "(add, sub, mul, maximum, minimum, sigmoid, tanh, exp, abs, "
           "clamp) in its kernel, before the store">
  ];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect"
  ];
}

#endif // LOWBIT_TARGET_GPU_PASSES_TD
