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

def AssignQConfigPass : Pass<"lowbit-assign-qconfig", "mlir::ModuleOp"> {
  let summary = "Attach the #lowbit.qconfig of a quantization preset to every "
                "weighted op";
  let description = [{
    Sets `weight_qconfig` (and `act_qconfig` where the preset quantizes
    activations) on every `lowbit.linear`, from one of four presets. All
    configs are symmetric integers:

    | preset  | `lowbit.linear` weights        | activations                 | `lowbit.conv` weights |
    |---------|--------------------------------|-----------------------------|-----------------------|
    | `w4a16` | 4 bits, groups of `group-size` | float                       | float                 |
    | `w8a16` | 8 bits, per channel            | float                       | float                 |
    | `w8a8`  | 8 bits, per channel            | 8 bits, per token (dynamic) | 8 bits, per channel   |
    | `w4a4`  | 4 bits, groups of `group-size` | 4 bits, per token (dynamic) | float                 |

    Weights are symmetric by default because the zero point then needs no
    storage and no correction term in the integer dot product, and because
    weights are roughly centered at 0. With `symmetric-weights=false` every
    weight config is asymmetric: each scale covers its cell's [min, max] and
    gets a zero point (one more byte per scale, no wasted grid level at 4
    bits and below, where a symmetric grid never uses code -2^(b-1)). `group-size` only affects the 4-bit presets;
    `group-size=0` makes them per channel. When the group size does not
    divide a layer's input features (K), that layer falls back to per-channel
    scales and a remark says so.

    Layers named in `keep-float` (the model's op names, as
    `lowbit-insert-observers` uses them) get no config, nor, with `skip-last`,
    does the last `lowbit.linear` of each function (usually the classifier or
    LM head, which is sensitive to quantization); a `keep-float` name that
    matches no weighted op is reported by a warning.

    A config already present (set by an earlier decision pass) is kept,
    attribute by attribute, unless `overwrite=true`; with `overwrite=true`
    each op the preset covers ends up with exactly the preset's configs (a
    config the preset does not set is removed), and the layers kept in float
    lose theirs. Presets other than `w8a8` leave `lowbit.conv` alone.
  }];
  let dependentDialects = ["::lowbit::LowBitDialect"];
  let options = [
    Option<"preset", "preset", "std::string", /*default=*/"\"\"",
           "Quantization preset: w8a8, w4a16, w4a4 or w8a16 (required)">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"128",
           "Weights per scale for the 4-bit presets: a power of two >= 8, "
           "or 0 for per-channel scales">,
    ListOption<"keepFloat", "keep-float", "std::string",
               "Names of layers to leave in floating point">,
    Option<"skipLast", "skip-last", "bool", /*default=*/"false",
           "Leave the last lowbit.linear of each function in floating point">,
    Option<"overwrite", "overwrite", "bool", /*default=*/"false",
           "Replace configs that are already present">,
    Option<"symmetricWeights", "symmetric-weights", "bool",
           /*default=*/"true",
           "Symmetric weight grids (no zero point); false: [min, max] with "
           "a zero point per scale">
  ];
}

def QuantizeWeightsPass : Pass<"lowbit-quantize-weights", "mlir::ModuleOp"> {
  let summary = "Quantize and pack the constant weights of lowbit.linear into "
                "lowbit.qlinear";
  let description = [{
    For every `lowbit.linear` whose `weight_qconfig` asks for 2 to 8 bit
    integers and whose weight is a constant (`DenseElementsAttr` or
    `DenseResourceElementsAttr` of f32, f16 or bf16), computes the scales of
    the config's granularity with `lib/Numerics` (round-to-nearest over the
    full range with `method=rtn`; with `method=mse` each scale's clip ratio
    is searched, among `clip-candidates` ratios evenly spaced from 1 down to
    `min-clip-ratio`, to minimize the squared error of its cell), quantizes
    the weight to unsigned codes `c = clamp(round_half_even(w / s) + z, 0,
    2^bits - 1)` and packs them in the `k_major` bit stream.

    Two methods use the statistics that `lowbit-calibrate` records in the
    module attribute `lowbit.calibration` (docs/calibration.md), under the
    tag `<op name>/input`:

    * `method=gptq` quantizes each weight with GPTQ (lib/Numerics/GPTQ.h)
      on H = 2 X^T X / rows of the layer's float input, dampened by
      `percdamp` times its mean diagonal, in lazy blocks of `block-size`
      columns, with `act-order` (static groups: the group scales come from
      the weight before any update, so the packed layout, scales and kernels
      are exactly those of RTN). A module without the table is an error; a
      linear without X^T X (or whose Hessian does not factorize) is quantized
      with RTN and a remark. The statistics are those of the float model:
      the layers are solved independently, not sequentially.
    * `method=awq` first scales, for each set of linears that read one
      tensor, the input channels by the AWQ scales s (lib/Numerics/AWQ.h:
      `awq-grid` exponents alpha, each scored by the output error on X^T X)
      and folds 1/s into the op that produces the tensor: the gamma (and
      beta) of a `lowbit.layer_norm` or `lowbit.rms_norm` (cloned first when
      the norm has other readers, such as a residual connection), the rows
      and bias of a previous `lowbit.linear` that nothing else reads, or
      those of the linear factor of a gated product (`tosa.mul`, as in
      SwiGLU's `silu(gate) * up`) that only the product reads. The
      scaled weights are then quantized with RTN. Where nothing can absorb
      the scales (the input comes from another op or a function argument),
      the weights are quantized with plain RTN and a remark says so.

    The op becomes a `lowbit.qlinear` with:

    * `packed`: `[N, ceil(K * bits / 8)] x i8`;
    * `scales`: `[N, G] x f32` (`G = 1` per channel, `K / group_size` per
      group);
    * `zero_points`: `[N, G] x i8`, only for asymmetric configs, holding the
      unsigned zero-point codes `0 .. 2^bits - 1` (bit pattern: 255 prints
      as -1);
    * the bias, `act_qconfig` and `weight_qconfig` of the linear, and
      `in_features = K`.

    A per-tensor weight config is quantized with one scale for the whole
    tensor, stored repeated in `[N, 1]` scales with the config rewritten to
    per-channel granularity (what `lowbit.qlinear` accepts; the numerics are
    unchanged). As in the importer, new constants of more than 4096 integer
    or 16 float elements are `dense_resource` blobs, named after the op
    (`<name>.packed`, `<name>.scales`, `<name>.zero_points`).

    Left unchanged: linears without a weight config or with a 16-bit one;
    with a remark, linears whose weight is not a constant of a supported type
    and those whose config has a codebook format (`nf4`, `fp4_e2m1`,
    `fp8_e4m3`: not supported yet). A 0-bit (pruned) config replaces the
    linear by its bias broadcast over the result, or by zeros without a bias.
    `lowbit.conv` weights are not quantized by this pass (there is no packed
    convolution op yet). Errors: a weight holding NaN or infinity, one whose
    range overflows binary32 (no finite scale), a `dense_resource` whose data
    is shorter or longer than its type.

    Layers are quantized in parallel when the context has threads, a few at
    a time so that memory stays bounded by a few layers' copies.
  }];
  let dependentDialects = [
    "::lowbit::LowBitDialect", "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"method", "method", "std::string", /*default=*/"\"rtn\"",
           "How weights are quantized: rtn (full range), mse (clip ratio "
           "minimizing the squared error), gptq or awq (both need the "
           "lowbit.calibration statistics)">,
    Option<"clipCandidates", "clip-candidates", "int", /*default=*/"100",
           "method=mse: number of clip ratios tried per scale, 1 to 1000">,
    Option<"minClipRatio", "min-clip-ratio", "float", /*default=*/"0.5f",
           "method=mse: smallest clip ratio tried, in (0, 1]">,
    Option<"percdamp", "percdamp", "float", /*default=*/"0.01f",
           "method=gptq: dampening added to the Hessian's diagonal, as a "
           "fraction of its mean">,
    Option<"blockSize", "block-size", "int64_t", /*default=*/"128",
           "method=gptq: columns per lazy-update block">,
    Option<"actOrder", "act-order", "bool", /*default=*/"true",
           "method=gptq: quantize columns in order of decreasing Hessian "
           "diagonal (group scales then come from the original weights)">,
    Option<"awqGrid", "awq-grid", "int", /*default=*/"20",
           "method=awq: number of exponents alpha tried in [0, 1]">
  ];
}

def FakeQuantizeWeightsPass
    : Pass<"lowbit-fake-quantize-weights", "mlir::ModuleOp"> {
  let summary = "Replace the constant weights of lowbit.linear by their "
                "quantize-dequantize values";
  let description = [{
    For accuracy studies: each `lowbit.linear` that `lowbit-quantize-weights`
    would quantize instead gets a new float constant weight holding
    `s * (c - z)`, the values the quantized kernels compute with (same
    scales, same codes, same `method` and options, including the AWQ
    rescaling of the producing ops), so that running the float model gives
    the numerics of the quantized one. For f16 and bf16
    weights the dequantized binary32 values are rounded (to nearest even) to
    the weight's element type. A 0-bit config makes the weight zeros.

    The `weight_qconfig` of a rewritten linear is removed, since its decision
    has been applied (running the pass twice, or `lowbit-quantize-weights`
    afterwards, does not quantize again); `act_qconfig` is kept. The same
    ops are left unchanged, with the same remarks, as by
    `lowbit-quantize-weights`.
  }];
  let dependentDialects = [
    "::lowbit::LowBitDialect", "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"method", "method", "std::string", /*default=*/"\"rtn\"",
           "How weights are quantized: rtn (full range), mse (clip ratio "
           "minimizing the squared error), gptq or awq (both need the "
           "lowbit.calibration statistics)">,
    Option<"clipCandidates", "clip-candidates", "int", /*default=*/"100",
           "method=mse: number of clip ratios tried per scale, 1 to 1000">,
    Option<"minClipRatio", "min-clip-ratio", "float", /*default=*/"0.5f",
           "method=mse: smallest clip ratio tried, in (0, 1]">,
    Option<"percdamp", "percdamp", "float", /*default=*/"0.01f",
           "method=gptq: dampening added to the Hessian's diagonal, as a "
           "fraction of its mean">,
    Option<"blockSize", "block-size", "int64_t", /*default=*/"128",
           "method=gptq: columns per lazy-update block">,
    Option<"actOrder", "act-order", "bool", /*default=*/"true",
           "method=gptq: quantize columns in order of decreasing Hessian "
           "diagonal (group scales then come from the original weights)">,
    Option<"awqGrid", "awq-grid", "int", /*default=*/"20",
           "method=awq: number of exponents alpha tried in [0, 1]">
  ];
}

def CalibrateActivationScalesPass
    : Pass<"lowbit-calibrate-activation-scales", "mlir::ModuleOp"> {
  let summary = "Static per-tensor activation scales from the calibration "
                "statistics";
  let description = [{
    For every `lowbit.linear` whose `act_qconfig` quantizes activations per
    token (dynamic scales, as the `w8a8` and `w4a4` presets assign), looks
    up the statistics that `lowbit-calibrate` recorded for its input
    (`<op name>/input` in the module's `lowbit.calibration`) and replaces
    the config by a static, symmetric, per-tensor one of the same width
    with the scale `act_scale = T / (2^(bits-1) - 1)`. The clip threshold T
    comes from the recorded |x| histogram (lib/Numerics/ActivationRange.h):

    * `minmax`: the largest |x| seen;
    * `percentile`: the `percentile`-th percentile of |x| (default 99.99);
    * `entropy`: TensorRT's KL-divergence calibration;
    * `mse`: the threshold minimizing the expected squared error (clipping
      plus rounding noise).

    Static scales spare the kernels the per-row range pass over the input
    at run time; the integer kernels then quantize with one scale. A module
    without the table is an error; a linear without statistics (or whose
    input was all zeros) keeps its dynamic scales, with a remark.
  }];
  let dependentDialects = ["::lowbit::LowBitDialect"];
  let options = [
    Option<"method", "method", "std::string", /*default=*/"\"minmax\"",
           "How the clip threshold is chosen: minmax, percentile, entropy "
           "or mse">,
    Option<"percentile", "percentile", "double", /*default=*/"99.99",
           "The percentile of |x| that method=percentile keeps in range">
  ];
}

def AllocateBitsPass : Pass<"lowbit-allocate-bits", "mlir::ModuleOp"> {
  let summary = "Choose a weight width per lowbit.linear under a "
                "bits-per-weight budget";
  let description = [{
    Mixed precision: measures, for every `lowbit.linear` with a constant
    weight and every candidate width, the squared output error that
    round-to-nearest quantization at that width introduces on the
    calibration data, tr(dW G dW^T) with G = X^T X / rows of the layer's
    input from the module's `lowbit.calibration` table (see
    docs/mixed-precision.md and `lowbit-test-sensitivity`), then chooses
    one width per layer minimizing the summed error (by default each
    layer's relative error: the mean over its output channels n of
    (dW G dW^T)_nn / (W G W^T)_nn, since absolute errors of differently
    scaled layers are not comparable and a layer-wide ratio is dominated by
    outlier channels; `objective=absolute` sums the absolute ones) with at
    most
    `target-bpw` bits per weight on average over those layers. Sizes count
    what the packed format stores: the codes (rows padded to whole bytes)
    and an f32 scale per group of `group-size` weights (per row where the
    group size does not divide K).

    `solver=exact` solves the multiple-choice knapsack by dynamic
    programming (optimal; see lib/Numerics/BitAllocation.h); `greedy` and
    `equal-loss` (BAQ's closed form with e(b) ~ s 2^(-2b)) are the
    baselines. Each chosen width becomes the layer's `weight_qconfig`
    (symmetric integers), which `lowbit-quantize-weights` then applies with
    any method; activations stay float. Layers named in `keep-float` are
    left out and not counted. A remark gives each layer's width and the
    achieved bits per weight; a budget below the smallest widths is an
    error.
  }];
  let dependentDialects = ["::lowbit::LowBitDialect"];
  let options = [
    Option<"targetBpw", "target-bpw", "double", /*default=*/"4.5",
           "Average bits per weight, scales included">,
    Option<"solver", "solver", "std::string", /*default=*/"\"exact\"",
           "exact, greedy or equal-loss">,
    Option<"objective", "objective", "std::string",
           /*default=*/"\"relative\"",
           "What is summed: relative (per output channel, error over "
           "energy, averaged) or absolute output errors">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"128",
           "Weights per scale (0: one scale per row)">,
    ListOption<"bits", "bits", "int", "Candidate widths (default 2,3,4,6,8; 0 lets the allocator prune a layer)">,
    ListOption<"keepFloat", "keep-float", "std::string",
               "Names of layers to leave in floating point">
  ];
}

def TestSensitivityPass : Pass<"lowbit-test-sensitivity", "mlir::ModuleOp"> {
  let summary = "Print the sensitivity table as remarks (for tests)";
  let description = [{
    One remark per `lowbit.linear` and candidate width with the output
    error, the diagonal and trace proxies, the size in bits and the bits
    per weight that `lowbit-allocate-bits` would use.
  }];
  let options = [
    Option<"groupSize", "group-size", "int64_t", /*default=*/"128",
           "Weights per scale (0: one scale per row)">,
    ListOption<"bits", "bits", "int", "Candidate widths (default 2,3,4,6,8; 0 lets the allocator prune a layer)">
  ];
}

def SmoothQuantPass : Pass<"lowbit-smooth-quant", "mlir::ModuleOp"> {
  let summary = "Migrate activation outliers into the weights (SmoothQuant)";
  let description = [{
    For every tensor x that `lowbit.linear`s read, with calibrated
    per-channel ranges (the module's `lowbit.calibration`), computes the
    SmoothQuant scales

      s_j = max|X_j|^alpha / max|W_j|^(1 - alpha)

    (max |W_j| over the rows of every reader; s_j = 1 where either is 0,
    clamped to [1e-5, 1e5]), gives each reader W diag(s) and folds 1/s into
    the op that produces x: the gamma and beta of a `lowbit.layer_norm` or
    `lowbit.rms_norm` (cloned when it has other readers, such as a residual
    connection), the rows and bias of a previous linear that nothing else
    reads, or the linear factor of a gated product (SwiGLU's up
    projection). The float function is unchanged up to rounding; x's
    channels become flatter, so per-token or per-tensor activation
    quantization loses less. With `shift=true` (Outlier Suppression+) each
    channel is first centred, z_j = (min_j + max_j) / 2, the producer
    computing (x - z) diag(1/s) (a layer norm's beta, a previous linear's
    bias) and every reader's bias taking W z; the scales then use
    max|X_j - z_j|. Where the producer has no beta or bias (an RMS norm, a
    gated product) or a reader has no bias, the shift is skipped with a
    remark. Where nothing can absorb the scales (an input
    after a ReLU or GELU, a reshape, a function argument) a remark says so
    and nothing changes.

    With `search-alpha=true` alpha is chosen per input tensor from the grid
    0.05, 0.10, ..., 0.95 as the one whose scales minimize a closed-form
    estimate of the quantized product's error (lowbit/Numerics/
    SmoothingSearch.h): rounding noise of variance step^2/12 on the weights
    (per row and group, `weight-bits`) weighted by E[x_j^2] / s_j^2 from the
    calibrated Gram diagonal, plus noise on the inputs (`act-bits`, their
    range max_j xmax_j / s_j) weighted by ||W diag(s)||_F^2.

    The calibration statistics describe the model before smoothing, so the
    pass removes the `lowbit.calibration` attribute when it changed
    anything (with a remark): calibrate again before methods that read it
    (GPTQ, AWQ, static activation scales). `lowbit-compile --smooth-quant`
    does so.
  }];
  let dependentDialects = [
    "::lowbit::LowBitDialect", "::mlir::arith::ArithDialect"
  ];
  let options = [
    Option<"alpha", "alpha", "double", /*default=*/"0.5",
           "Migration strength in [0, 1]: 0 leaves activations, 1 moves "
           "all of their range into the weights">,
    Option<"shift", "shift", "bool", /*default=*/"false",
           "Also centre each channel (OS+): subtract z_j, the middle of its "
           "calibrated range, in the producer and add W z to the readers' "
           "biases">,
    Option<"searchAlpha", "search-alpha", "bool", /*default=*/"false",
           "Choose alpha per input from 0.05, 0.10, ..., 0.95 by the "
           "estimated error of the quantized product (alpha is then "
           "ignored)">,
    Option<"weightBits", "weight-bits", "int", /*default=*/"8",
           "With search-alpha: the weight width the estimate assumes">,
    Option<"actBits", "act-bits", "int", /*default=*/"8",
           "With search-alpha: the activation width the estimate assumes">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"0",
           "With search-alpha: the weight group size (0: per row)">
  ];
}

def FakeQuantizeActivationsPass
    : Pass<"lowbit-fake-quantize-activations", "mlir::ModuleOp"> {
  let summary = "Put a lowbit.fake_quant on the input of every lowbit.linear "
                "whose act_qconfig quantizes activations";
  let description = [{
    The activation half of the fake-quantized model (the weight half is
    `lowbit-fake-quantize-weights`): each `lowbit.linear` with a 2 to 8 bit
    integer `act_qconfig` reads its input through a `lowbit.fake_quant` with
    that config, per token (scales from each row's range at run time) or,
    for granularity `tensor`, with the linear's calibrated `act_scale` and
    `act_zero_point`. The float model then computes what the integer
    kernels of `lowbit.qlinear` compute, up to the rounding of the float
    sums. The applied `act_qconfig` (with its static scale) is removed.
    A per-tensor config without `act_scale` is an error.
  }];
  let dependentDialects = [
    "::lowbit::LowBitDialect", "::mlir::arith::ArithDialect"
  ];
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

def RotatePass : Pass<"lowbit-rotate", "mlir::ModuleOp"> {
  let summary = "Hadamard rotations folded into the weights (QuaRot)";
  let description = [{
    Rotates the inputs of `lowbit.linear`s by a randomized Hadamard matrix
    Q = (I (x) H_n D_n / sqrt(n))^T and gives each reader W Q, so that
    y = (x Q) (W Q)^T is unchanged up to rounding while an outlier channel
    of x is spread over all of them: per-token activation quantization
    (W4A4, W8A8) and weight quantization lose much less. H_n is the
    Hadamard matrix of the whole width when one exists (a power of two, or
    2^k times a Paley order such as 12 or 20), else of its largest
    supported divisor; D_n are the random signs of `seed`.

    With `fold-residual`, the residual stream of a pre-norm decoder is
    rotated at no run-time cost (QuaRot): starting from each `lowbit.rms_norm`
    it collects the same-shape `tosa.add`s of the stream, the RMS norms
    that read it (whose constant gamma is first fused into the linears
    reading them, W diag(gamma), so that the norm commutes with Q) and the
    linears that write into it (which take Q^T W and b Q). Where the stream
    starts (a model input, an embedding) one `lowbit.hadamard` enters it.
    When anything else reads the stream (a LayerNorm, a returned hidden
    state) a remark names it and the stream is left alone.

    With `online`, every other linear input (after SwiGLU or attention, a
    LayerNorm model's linears) gets a `lowbit.hadamard` of its own, shared
    by the linears reading the same tensor, and its readers take W Q. The
    online transform costs O(n (m + log2 n)) per row (m the Paley factor).

    Rotation changes the activations, so it runs before calibration; it
    removes stale `lowbit.calibration` statistics with a remark.
  }];
  let dependentDialects = ["::lowbit::LowBitDialect",
                           "::mlir::arith::ArithDialect"];
  let options = [
    Option<"seed", "seed", "int64_t", /*default=*/"1",
           "Random signs of the rotations (0: plain Hadamard, no signs)">,
    Option<"foldResidual", "fold-residual", "bool", /*default=*/"true",
           "Rotate the residual stream of RMSNorm decoders inside the "
           "weights">,
    Option<"online", "online", "bool", /*default=*/"true",
           "Rotate every other linear input online (lowbit.hadamard)">
  ];
}

#endif // LOWBIT_TRANSFORMS_PASSES_TD
