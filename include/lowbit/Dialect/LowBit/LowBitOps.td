//===- LowBitOps.td - lowbit operations --------------------*- tablegen -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_LOWBITOPS_TD
#define LOWBIT_DIALECT_LOWBIT_LOWBITOPS_TD

include "lowbit/Dialect/LowBit/LowBitAttrs.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"

class LowBit_Op<string mnemonic, list<Trait> traits = []>
    : Op<LowBit_Dialect, mnemonic, traits>;

def LowBit_FloatTensor : RankedTensorOf<[AnyFloat]>;
def LowBit_IntTensor : RankedTensorOf<[AnySignlessInteger]>;

//===----------------------------------------------------------------------===//
// Compute ops that own weights or normalization parameters
//===----------------------------------------------------------------------===//

def LowBit_LinearOp : LowBit_Op<"linear", [Pure]> {
  let summary = "y = x * W^T + b, the op every quantization pass looks at";
  let description = [{
    A matrix product with a weight, in PyTorch's `nn.Linear` layout: the
    weight is `[N, K]` (output features by input features), the input is
    `[..., K]` with any number of leading (batch, token) axes and the result
    is `[..., N]`. The optional bias is `[N]`.

    The importer produces this op for ONNX MatMul and Gemm whose second
    operand is a constant (transposing it as needed), so that weight layout is
    the same whatever the exporter wrote.

    `weight_qconfig` and `act_qconfig` record the decision of the bit
    allocation or of a `--quant` preset; the weight quantizer reads them.
    A calibrated static activation quantization (`act_qconfig` with
    granularity `tensor`) carries its scale in `act_scale` and, when
    asymmetric, its signed zero point in `act_zero_point`; the weight
    quantizer copies both to the `lowbit.qlinear`.

    ```mlir
    %y = lowbit.linear %x, %w, %b : (tensor<1x16x64xf32>, tensor<256x64xf32>,
                                      tensor<256xf32>) -> tensor<1x16x256xf32>
    ```
  }];
  let arguments = (ins
    LowBit_FloatTensor:$input,
    LowBit_FloatTensor:$weight,
    Optional<LowBit_FloatTensor>:$bias,
    OptionalAttr<LowBit_QConfigAttr>:$weight_qconfig,
    OptionalAttr<LowBit_QConfigAttr>:$act_qconfig,
    OptionalAttr<F32Attr>:$act_scale,
    OptionalAttr<I64Attr>:$act_zero_point
  );
  let results = (outs LowBit_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let builders = [
    // Without a static activation scale.
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$input,
                   "::mlir::Value":$weight, "::mlir::Value":$bias,
                   "QConfigAttr":$weight_qconfig, "QConfigAttr":$act_qconfig),
    [{
      build($_builder, $_state, result, input, weight, bias, weight_qconfig,
            act_qconfig, /*act_scale=*/nullptr, /*act_zero_point=*/nullptr);
    }]>
  ];
  let extraClassDeclaration = [{
    int64_t getInFeatures() { return getWeight().getType().getDimSize(1); }
    int64_t getOutFeatures() { return getWeight().getType().getDimSize(0); }
  }];
}

def LowBit_ConvOp : LowBit_Op<"conv", [Pure]> {
  let summary = "N-d grouped convolution with a weight, channels first";
  let description = [{
    ONNX Conv semantics: input `[B, C, D1, ..., Dn]`, weight
    `[O, C / group, k1, ..., kn]`, optional bias `[O]`, result
    `[B, O, E1, ..., En]` with
    `Ei = floor((Di + pad_begin_i + pad_end_i - dilation_i * (ki - 1) - 1) / stride_i) + 1`.
    `pads` holds the n begin paddings followed by the n end paddings.
    For quantization the weight is viewed as `[O, C / group * k1 * ... * kn]`.
  }];
  let arguments = (ins
    LowBit_FloatTensor:$input,
    LowBit_FloatTensor:$weight,
    Optional<LowBit_FloatTensor>:$bias,
    DenseI64ArrayAttr:$strides,
    DenseI64ArrayAttr:$dilations,
    DenseI64ArrayAttr:$pads,
    DefaultValuedAttr<I64Attr, "1">:$group,
    OptionalAttr<LowBit_QConfigAttr>:$weight_qconfig,
    OptionalAttr<LowBit_QConfigAttr>:$act_qconfig
  );
  let results = (outs LowBit_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def LowBit_LayerNormOp : LowBit_Op<"layer_norm",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Layer normalization over the trailing axes from `axis`";
  let description = [{
    `y = (x - mean) / sqrt(var + epsilon) * gamma + beta`, mean and (biased)
    variance taken over axes `[axis, rank)`. `gamma` and the optional `beta`
    have exactly the shape of those axes. The outlier-migration and rotation
    passes fold scales into `gamma` and `beta`.
  }];
  let arguments = (ins
    LowBit_FloatTensor:$input,
    LowBit_FloatTensor:$gamma,
    Optional<LowBit_FloatTensor>:$beta,
    DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon,
    DefaultValuedAttr<I64Attr, "-1">:$axis
  );
  let results = (outs LowBit_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma (`,` $beta^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def LowBit_RMSNormOp : LowBit_Op<"rms_norm",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Root-mean-square normalization over the trailing axes";
  let description = [{
    `y = x / sqrt(mean(x^2) + epsilon) * gamma`, the mean taken over axes
    `[axis, rank)`; `gamma` has exactly the shape of those axes (LLaMA-style
    decoders).
  }];
  let arguments = (ins
    LowBit_FloatTensor:$input,
    LowBit_FloatTensor:$gamma,
    DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon,
    DefaultValuedAttr<I64Attr, "-1">:$axis
  );
  let results = (outs LowBit_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Measurement and numerics
//===----------------------------------------------------------------------===//

def LowBit_ObserveOp : LowBit_Op<"observe",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Calibration probe: the identity, recording its input";
  let description = [{
    Returns its input unchanged. Calibration compiles the module with these
    probes and collects statistics of each probed tensor under `tag`, a name
    unique in the module (derived from the ONNX node and tensor names).
  }];
  let arguments = (ins LowBit_FloatTensor:$input, StrAttr:$tag);
  let results = (outs LowBit_FloatTensor:$result);
  let assemblyFormat = "$input $tag attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def LowBit_FakeQuantOp : LowBit_Op<"fake_quant",
    [Pure, AllTypesMatch<["input", "result"]>, AttrSizedOperandSegments]> {
  let summary = "Quantize then dequantize, in floating point";
  let description = [{
    Gives the numerics of the real quantized kernels without integer
    arithmetic, for accuracy studies. In the signed domain (see the dialect
    description): `y = s * (clamp(round(x / s) + z, -2^(b-1), 2^(b-1) - 1) - z)`
    with round-half-to-even, for `format = int`; codebook formats return the
    nearest scaled codebook value.

    `scale` (and `zero_point`, present exactly when the config is asymmetric)
    follow the granularity: rank 0 for `tensor`, the input shape with its last
    axis replaced by 1 for `channel` and by `K / group_size` for `group`.
    With `token` granularity the scales are computed per row at run time and
    no scale operand is given.

    A 16-bit config keeps the value in floating point and folds away; a
    0-bit (pruned) config folds to zeros.
  }];
  let arguments = (ins
    LowBit_FloatTensor:$input,
    Optional<LowBit_FloatTensor>:$scale,
    Optional<LowBit_IntTensor>:$zero_point,
    LowBit_QConfigAttr:$qconfig
  );
  let results = (outs LowBit_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`scale` $scale^ `:` type($scale))?
    (`zero_point` $zero_point^ `:` type($zero_point))? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def LowBit_QuantizeOp : LowBit_Op<"quantize", [Pure]> {
  let summary = "Float to integers with static (calibrated) scales";
  let description = [{
    `q = clamp(round(x / s) + z, -2^(b-1), 2^(b-1) - 1)` in the signed domain,
    round-half-to-even. Scale and zero-point shapes follow the granularity as
    for `lowbit.fake_quant`; `token` granularity is `quantize_per_token`'s.
    The result element type is a signless integer of at least `bits` bits.
  }];
  let arguments = (ins
    LowBit_FloatTensor:$input,
    LowBit_FloatTensor:$scale,
    Optional<LowBit_IntTensor>:$zero_point,
    LowBit_QConfigAttr:$qconfig
  );
  let results = (outs LowBit_IntTensor:$result);
  let assemblyFormat = [{
    $input `scale` $scale `:` type($scale)
    (`zero_point` $zero_point^ `:` type($zero_point))? attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def LowBit_QuantizePerTokenOp : LowBit_Op<"quantize_per_token", [Pure]> {
  let summary = "Float to integers with scales computed per row at run time";
  let description = [{
    Dynamic per-token activation quantization: each row (all indices of the
    leading axes) gets its own scale (and zero point when asymmetric) from its
    own min/max, returned beside the codes with shape `[..., 1]`.
  }];
  let arguments = (ins LowBit_FloatTensor:$input, LowBit_QConfigAttr:$qconfig);
  let results = (outs
    LowBit_IntTensor:$result,
    LowBit_FloatTensor:$scale,
    Optional<LowBit_IntTensor>:$zero_point
  );
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type(results)
  }];
  let hasVerifier = 1;
}

def LowBit_DequantizeOp : LowBit_Op<"dequantize", [Pure]> {
  let summary = "Integers back to float: s * (q - z)";
  let description = [{
    The inverse mapping of `lowbit.quantize` and `lowbit.quantize_per_token`
    (for the latter, with `channel`-shaped scales of the token rows).
  }];
  let arguments = (ins
    LowBit_IntTensor:$input,
    LowBit_FloatTensor:$scale,
    Optional<LowBit_IntTensor>:$zero_point,
    LowBit_QConfigAttr:$qconfig
  );
  let results = (outs LowBit_FloatTensor:$result);
  let assemblyFormat = [{
    $input `scale` $scale `:` type($scale)
    (`zero_point` $zero_point^ `:` type($zero_point))? attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def LowBit_HadamardOp : LowBit_Op<"hadamard",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Online randomized Hadamard rotation along the last axis";
  let description = [{
    Splits the last axis into blocks of `size` elements and maps each block
    `v` to `H * D * v / sqrt(size)`, where `H` is a Hadamard matrix of order
    `size` and `D` a diagonal of random signs drawn from `seed` (`seed = 0`:
    no signs, `D = I`). The map is orthogonal. Supported orders are powers of
    two (Sylvester) and, times a power of two, Paley orders `q + 1` for a
    prime `q = 3 mod 4` (12, 20, 44, 60, ...); `H` is the Sylvester matrix
    times the smallest such Paley factor (384 = 32 x 12), which the
    lowering applies as a dense product per chunk followed by log2 butterfly
    stages.

    Two successive unsigned power-of-two rotations of the same size cancel
    (Sylvester matrices are symmetric) and fold away.
  }];
  let arguments = (ins
    LowBit_FloatTensor:$input,
    I64Attr:$size,
    DefaultValuedAttr<I64Attr, "0">:$seed
  );
  let results = (outs LowBit_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Quantized result
//===----------------------------------------------------------------------===//

def LowBit_QLinearOp : LowBit_Op<"qlinear",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "lowbit.linear with a packed low-bit weight";
  let description = [{
    `y = x * dequant(W)^T + b` with `W` `[N, K]` stored as unsigned codes (see
    the dialect description) in `packed`, laid out by `layout`:

    * `k_major`: `packed` is `[N, ceil(K * bits / 8)] x i8`; row `n` holds the
      K codes of output channel `n` as a little-endian bit stream, code `k` at
      bit offset `k * bits` from the start of the row (bit 0 is the least
      significant bit of the row's first byte); each row is padded to whole
      bytes. 4-bit codes `[1, 2, 3]` are the bytes `0x21, 0x03`.

    `scales` is `[N, G]` (`G = 1` per channel, `K / group_size` per group),
    f32 or f16; `zero_points`, present exactly when the weight config is
    asymmetric, is `[N, G] x i8` holding unsigned codes `0 .. 2^bits - 1`.
    `act_qconfig`, when present, asks for the activations to be quantized too
    (W8A8, W4A4), with integer dot products: per token (`granularity =
    token`, scales computed at run time from each row's range) or with one
    calibrated scale (`granularity = tensor`), which `act_scale` holds (and
    `act_zero_point`, the signed-domain zero point, when the config is
    asymmetric).
  }];
  let arguments = (ins
    LowBit_FloatTensor:$input,
    RankedTensorOf<[I8]>:$packed,
    LowBit_FloatTensor:$scales,
    Optional<RankedTensorOf<[I8]>>:$zero_points,
    Optional<LowBit_FloatTensor>:$bias,
    I64Attr:$in_features,
    LowBit_QConfigAttr:$weight_qconfig,
    OptionalAttr<LowBit_QConfigAttr>:$act_qconfig,
    DefaultValuedAttr<LowBit_PackingLayoutAttr,
                      "::lowbit::PackingLayout::KMajor">:$layout,
    OptionalAttr<F32Attr>:$act_scale,
    OptionalAttr<I64Attr>:$act_zero_point
  );
  let results = (outs LowBit_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $packed `scales` $scales (`zero_points` $zero_points^)?
    (`bias` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let builders = [
    // Without a static activation scale.
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$input,
                   "::mlir::Value":$packed, "::mlir::Value":$scales,
                   "::mlir::Value":$zero_points, "::mlir::Value":$bias,
                   "::mlir::IntegerAttr":$in_features,
                   "QConfigAttr":$weight_qconfig, "QConfigAttr":$act_qconfig,
                   CArg<"PackingLayoutAttr", "{}">:$layout),
    [{
      build($_builder, $_state, result, input, packed, scales, zero_points,
            bias, in_features, weight_qconfig, act_qconfig, layout,
            /*act_scale=*/nullptr, /*act_zero_point=*/nullptr);
    }]>
  ];
  let extraClassDeclaration = [{
    int64_t getOutFeatures() { return getPacked().getType().getDimSize(0); }
  }];
}

#endif // LOWBIT_DIALECT_LOWBIT_LOWBITOPS_TD
