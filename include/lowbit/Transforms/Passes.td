//===- Passes.td - lowbit transformation passes ------------*- tablegen -*-===//

#ifndef LOWBIT_TRANSFORMS_PASSES_TD
#define LOWBIT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def InsertObserversPass : Pass<"lowbit-insert-observers", "mlir::ModuleOp"> {
  let summary = "Put a calibration probe on the input of every weighted op";
  let description = [{
    Inserts a `lowbit.observe` on the activation input of every
    `lowbit.linear` and `lowbit.conv` (and, with `outputs`, on their results),
    tagged `<op name>/input` or `<op name>/output`, where the op name is the
    ONNX node name carried in the op's location. Tags are unique in the
    module; an op with no name is called by its kind and position. A value
    that several ops read gets one probe per reader, so that each reader's
    statistics stay its own after outlier migration reshapes one of them.
    Already-probed inputs are left alone, so the pass is idempotent.
  }];
  let dependentDialects = ["::lowbit::LowBitDialect"];
  let options = [
    Option<"outputs", "outputs", "bool", /*default=*/"false",
           "Also probe the results of the weighted ops">
  ];
}

def StripObserversPass : Pass<"lowbit-strip-observers"> {
  let summary = "Remove every calibration probe";
  let description = [{
    Replaces each `lowbit.observe` by its input, leaving the float function
    as it was before `lowbit-insert-observers`.
  }];
}

def FuseImportedPatternsPass : Pass<"lowbit-fuse-imported-patterns"> {
  let summary = "Recognize linear biases and norms that exporters decompose";
  let description = [{
    Exporters often write a bias addition, a layer norm or an RMS norm as a
    chain of elementwise ops and reductions. This pass rewrites those chains
    (in any of the forms the importer produces for them: TOSA ops or
    single-op `linalg.generic`s) into the ops the quantization passes look
    at:

    * `lowbit.linear` without a bias followed by the addition of a constant
      holding one value per output feature (shape `[N]` or `[1, ..., N]`)
      becomes `lowbit.linear` with that bias.
    * `(x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps)` (or multiplied by
      `rsqrt`/`reciprocal(sqrt)`), the means taken over the last axis, becomes
      `lowbit.layer_norm` with a unit gamma; a following multiplication by a
      per-feature gamma and addition of a per-feature beta are absorbed.
    * `x * rsqrt(mean(x^2) + eps)` and its `x / sqrt(...)`,
      `x * reciprocal(sqrt(...))`, `x * (1 / sqrt(...))` variants become
      `lowbit.rms_norm`, absorbing a following per-feature gamma, also across
      a cast back to a narrower float type when gamma is a constant.

    The square may be `x * x` or a power with exponent 2, the mean a
    `tosa.reduce_sum` over the last axis divided by (or multiplied by the
    reciprocal of) its length, and `eps` a non-negative scalar constant.
    Anything else (another axis, exponent or constant) is left alone.
  }];
  let dependentDialects = ["::lowbit::LowBitDialect"];
}

#endif // LOWBIT_TRANSFORMS_PASSES_TD
