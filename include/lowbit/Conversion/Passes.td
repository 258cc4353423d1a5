//===- Passes.td - lowbit dialect conversions --------------*- tablegen -*-===//

#ifndef LOWBIT_CONVERSION_PASSES_TD
#define LOWBIT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowerToLinalgPass : Pass<"lowbit-lower-to-linalg"> {
  let summary = "Lower the float lowbit compute ops to linalg on tensors";
  let description = [{
    Rewrites the ops that code generation consumes in floating point:

    * `lowbit.linear`: the input is flattened to `[M, K]` and multiplied by
      the `[N, K]` weight with a `linalg.matmul` whose second indexing map
      reads the weight transposed; the bias initializes the accumulator.
    * `lowbit.conv`: explicit padding with `tensor.pad`, then
      `linalg.conv_{1d_ncw_fcw,2d_nchw_fchw,3d_ncdhw_fcdhw}` for `group = 1`,
      `linalg.conv_2d_ngchw_gfchw` for grouped 2-D convolutions and a
      `linalg.generic` for grouped 1-D and 3-D ones; the bias initializes the
      accumulator.
    * `lowbit.layer_norm` and `lowbit.rms_norm`: `linalg.generic` reductions
      (mean, then the variance around it) and one elementwise `linalg.generic`
      for the normalization.
    * `lowbit.observe`: replaced by its input.
    * `lowbit.qlinear`: one `linalg.generic` that reads the packed bytes,
      extracts and dequantizes each code and accumulates its product with
      the activation into 16 lanes per output (no float weight matrix is
      materialized), then a reduction over the lanes with the bias as initial
      value. With an `act_qconfig` the activation is quantized first (per
      token, or with the static `act_scale`) and the products are integers:
      i32 sums for per-channel weights, scaled once at the end. See
      docs/quantization.md.
    * `lowbit.quantize`, `lowbit.dequantize`, `lowbit.quantize_per_token`,
      `lowbit.fake_quant`: elementwise `linalg.generic`s on the rows of the
      input viewed as `[rows, groups, group size]`; per-token scales come
      from one reduction per row.

    Products, convolutions and norms of f16 and bf16 tensors accumulate in f32
    and round once at the end. Every shape must be static; any other lowbit op
    (Hadamard rotations) is an error, since the CPU code generator has no
    lowering for it yet, as are codebook formats and packed rows whose codes
    do not fill whole units of bytes per scale group (e.g. 4-bit codes with
    an odd K per channel).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // LOWBIT_CONVERSION_PASSES_TD
