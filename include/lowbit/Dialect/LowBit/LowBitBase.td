//===- LowBitBase.td - lowbit dialect definition and enums -*- tablegen -*-===//
//
// The `lowbit` dialect carries what quantization reasons about: the compute
// ops that own weights, measurement probes, quantization numerics, and the
// quantized result that the code generators consume.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_LOWBITBASE_TD
#define LOWBIT_DIALECT_LOWBIT_LOWBITBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def LowBit_Dialect : Dialect {
  let name = "lowbit";
  let cppNamespace = "::lowbit";
  let summary = "Quantization-aware compute ops, numerics and quantized results";
  let description = [{
    The `lowbit` dialect is the common language of lowbit's passes. The ONNX
    importer turns every weight-carrying operation into one of the compute ops
    (`lowbit.linear`, `lowbit.conv`) and every normalization into
    `lowbit.layer_norm` / `lowbit.rms_norm`, so that calibration, sensitivity,
    bit allocation, outlier migration, rotation and weight quantization each
    have one kind of op to look at. Everything else in a model stays in
    upstream dialects (TOSA, linalg, tensor, arith, math).

    Decision passes attach a `#lowbit.qconfig` to each compute op; the weight
    quantizer then replaces `lowbit.linear` by `lowbit.qlinear`, which holds
    packed integer codes, per-channel or per-group scales and zero points.

    ## Numeric conventions

    *Rounding* is round-half-to-even everywhere; results saturate to the
    representable range.

    *Quantization axis.* Statistics are always taken along the last
    (innermost, contiguous) axis: per-tensor, per-row ("channel": one scale
    for each index of all leading axes), per-group (groups of `group_size`
    consecutive elements of a row) or per-token (per-row, computed at run
    time). A weight `[N, K]` therefore has per-output-channel scales `[N, 1]`
    and group scales `[N, K / group_size]`; a convolution weight is viewed as
    `[O, C * kh * kw]`.

    *Signed domain* (`fake_quant`, `quantize`, `dequantize`): integers `q` in
    `[-2^(b-1), 2^(b-1) - 1]`, real value `s * (q - z)`; symmetric means
    `z = 0` and no zero-point operand.

    *Unsigned code domain* (packed weights of `qlinear`): codes `c` in
    `[0, 2^b - 1]`, real value `s * (c - z)`; symmetric means
    `z = 2^(b-1)` implicitly and no zero-point operand. The two domains hold
    the same values: `c = q + 2^(b-1)`.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let extraClassDeclaration = [{
    /// Defined beside the attribute storage classes, in LowBitAttrs.cpp.
    void registerAttributes();
  }];
}

def LowBit_NumberFormat : I32EnumAttr<"NumberFormat",
    "element number format of quantized values", [
      I32EnumAttrCase<"Int", 0, "int">,
      I32EnumAttrCase<"FP8E4M3", 1, "fp8_e4m3">,
      I32EnumAttrCase<"NF4", 2, "nf4">,
      I32EnumAttrCase<"FP4E2M1", 3, "fp4_e2m1">
    ]> {
  let cppNamespace = "::lowbit";
  let genSpecializedAttr = 0;
}

def LowBit_Granularity : I32EnumAttr<"Granularity",
    "what one scale (and zero point) covers", [
      I32EnumAttrCase<"Tensor", 0, "tensor">,
      I32EnumAttrCase<"Channel", 1, "channel">,
      I32EnumAttrCase<"Group", 2, "group">,
      I32EnumAttrCase<"Token", 3, "token">
    ]> {
  let cppNamespace = "::lowbit";
  let genSpecializedAttr = 0;
}

def LowBit_PackingLayout : I32EnumAttr<"PackingLayout",
    "how quantized weight codes are laid out in memory", [
      I32EnumAttrCase<"KMajor", 0, "k_major">
    ]> {
  let cppNamespace = "::lowbit";
  let genSpecializedAttr = 0;
}

#endif // LOWBIT_DIALECT_LOWBIT_LOWBITBASE_TD
