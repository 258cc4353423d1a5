//===- Passes.td - CPU code generation passes --------------*- tablegen -*-===//

#ifndef LOWBIT_TARGET_CPU_PASSES_TD
#define LOWBIT_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def RecordModelABIPass
    : Pass<"lowbit-cpu-record-model-abi", "mlir::ModuleOp"> {
  let summary = "Describe the entry function's tensors for the model runtime";
  let description = [{
    Records the name, numpy dtype and static shape of every argument and
    result of the entry function as the module attribute
    `lowbit.model_abi`, before bufferization rewrites the signature. Names
    and dtypes come from the `lowbit.name` / `lowbit.dtype` attributes the
    importer sets (`input<i>` / `output<i>` and the element type's dtype
    otherwise). The entry function also gets `llvm.emit_c_interface`, and its
    arguments are marked read-only (`bufferization.writable = false`) since
    they are the caller's input buffers.
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"main\"",
           "Name of the function the model library runs">
  ];
}

def EmitModelABIPass : Pass<"lowbit-cpu-emit-model-abi", "mlir::ModuleOp"> {
  let summary = "Emit the model description and invoke function for the runtime";
  let description = [{
    On a module lowered to the LLVM dialect, reads `lowbit.model_abi` and
    adds what the runtime archive links against (see
    `lowbit/Runtime/ModelFormat.h`): `__lowbit_model_invoke(void **)`, which
    calls the entry function with a memref descriptor built from each data
    pointer and the static shape, and the constant byte array
    `__lowbit_model_metadata` describing the tensors.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def TransposeConstantWeightsPass
    : Pass<"lowbit-cpu-transpose-constant-weights", "mlir::func::FuncOp"> {
  let summary = "Store constant [N, K] weights of contractions as [K, N]";
  let description = [{
    A contraction (`linalg.matmul` or a contraction `linalg.generic`) that
    reads a 2-D constant as `(n, k)`, with `k` reduced and `n` the loop of
    the output's innermost axis (the `[N, K]` weight of `lowbit.linear`),
    gets a constant holding the transposed data and the map `(k, n)`
    instead, at compile time. Each step of the vectorized product then loads
    a contiguous row of N weights rather than gathering a strided column.
  }];
}

def TileAndVectorizePass
    : Pass<"lowbit-cpu-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops on tensors into vector-sized pieces and vectorize them";
  let description = [{
    Every linalg op with static shapes is tiled with `scf.for` loops so that
    one tile is a few vector registers, then vectorized:

    * the output's innermost parallel loop gets one vector of lanes, and for
      contractions the next output loop a block of up to 8 rows (a register
      tile of accumulators, updated by outer products); reduction loops step
      by one;
    * when an input's contiguous axis is reduced instead (row sums of
      normalizations, products with a transposed operand), that reduction
      loop gets the lanes;
    * 2-D channels-first convolutions become an im2col copy and a product
      (`linalg::rewriteInIm2Col`), tiled like any contraction; 1-D ones are
      tiled to a block of output channels by a vector of positions, one input
      channel and the whole kernel per step, and vectorized as they are
      (as are 2-D ones left over, once tiled to one output row and one kernel
      row and rewritten as 1-D convolutions).

    Tile sizes divide the loop extents, so every tile has a static shape and
    needs no masks. Products vectorized as a multiply and a reduction become
    `vector.contract`s. Ops that cannot be vectorized stay scalar and become
    loops later, as do ops that read or write boolean (`i1`) tensors: a
    boolean is a byte in memory, but a vector of `i1` is stored as packed
    bits.

    A contraction's register tile holds 8 vectors of accumulators: 8 rows
    by 1 vector, or fewer rows by more vectors (1 row by 8 vectors for a
    matrix-vector product), so that enough independent FMA chains hide the
    FMA latency. The accumulator tile is then hoisted out of the
    reduction loop on tensors (loop-invariant subset hoisting) and is carried
    in registers. When a contraction has more columns than rows (its
    weights are the larger operand), the column strips are the outermost
    loop, so each strip of weights stays in cache while all row blocks pass
    over it.

    With `parallel`, ops with enough work (at least 2^20 points in their
    iteration space) are first tiled with an `scf.forall` along one parallel
    loop (the column strips of such a contraction when there are at least 4,
    else the outermost loop with at least 4 register tiles, else the one with
    the most), one register tile per iteration; the pipeline turns these
    loops into OpenMP regions that the model runtime's thread pool runs.
  }];
  let options = [
    Option<"vectorBytes", "vector-bytes", "unsigned", /*default=*/"64",
           "Bytes in one vector register of the target">,
    Option<"parallel", "parallel", "bool", /*default=*/"true",
           "Tile the outer parallel loop of large ops with scf.forall">
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def ApproximateMathPass
    : Pass<"lowbit-cpu-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Replace f32 exp, erf, tanh and log by polynomial approximations";
  let description = [{
    LLVM has no vector code for `erf` and `tanh` and calls libm once per
    lane for `exp` and `log`. This pass rewrites these `math` ops on f32
    (scalars and vectors) into MLIR's polynomial approximations (range
    reduction and a polynomial, all in arith and vector ops), which stay
    vectorized. Measured against float64 references on [-10, 10] and
    (0, 80]: within 1 ulp for `exp` and `log`, within 4 ulp (2.5e-7
    absolute) for `erf` and `tanh`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def HoistVectorTransfersPass
    : Pass<"lowbit-cpu-hoist-vector-transfers", "mlir::func::FuncOp"> {
  let summary = "Keep loop-carried vector tiles in registers";
  let description = [{
    After bufferization, hoists loop-invariant code and then the
    `vector.transfer_read` / `transfer_write` pairs of an accumulator tile out
    of the loops that update it, so the tile lives in registers across the
    reduction loop.
  }];
}

def CopiesToLinalgPass
    : Pass<"lowbit-cpu-copies-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Turn memref.copy into linalg.copy";
  let description = [{
    Copies between strided memrefs (from padding, or results written into
    caller buffers) would otherwise lower to calls of `memrefCopy` from MLIR's
    runner utilities, which a model library does not link. As `linalg.copy`
    they become loops like every other linalg op.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def FuseElementwisePass
    : Pass<"lowbit-cpu-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg ops, never into a reduction";
  let description = [{
    Upstream's elementwise fusion also fuses an elementwise producer into a
    consumer that reduces (a matmul written as linalg.generic, a norm): the
    producer is then recomputed once per reduction step, e.g. a GELU before
    a down projection K = 1536 times per output column. This pass fuses only
    into consumers whose loops are all parallel, and only producers whose
    own loops are all parallel, so every value is computed once.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // LOWBIT_TARGET_CPU_PASSES_TD
