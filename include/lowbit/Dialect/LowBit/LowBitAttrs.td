//===- LowBitAttrs.td - lowbit attributes ------------------*- tablegen -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_LOWBITATTRS_TD
#define LOWBIT_DIALECT_LOWBIT_LOWBITATTRS_TD

include "lowbit/Dialect/LowBit/LowBitBase.td"

class LowBit_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<LowBit_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def LowBit_QConfigAttr : LowBit_Attr<"QConfig", "qconfig"> {
  let summary = "How a tensor is quantized: bits, granularity, symmetry, format";
  let description = [{
    Written by the decision passes (bit allocation, `--quant` presets) and
    read by the weight quantizer and the activation quantization lowering.

    * `bits`: one of 0 (pruned: the tensor becomes zero), 2, 3, 4, 6, 8 or 16
      (kept in 16-bit floating point, i.e. not quantized to integers).
    * `granularity`: `tensor`, `channel` (one scale per row), `group`
      (`group_size` consecutive elements of a row share a scale) or `token`
      (per row, computed at run time; activations only).
    * `group_size`: only with `granularity = group`; a power of two >= 8.
    * `symmetric`: no zero point when true.
    * `format`: `int` (uniform integers), `fp8_e4m3` (8 bits), `nf4` or
      `fp4_e2m1` (4 bits; a scaled codebook).

    Parameters equal to their default are omitted when printed:

    ```mlir
    #lowbit.qconfig<bits = 4, granularity = group, group_size = 128>
    #lowbit.qconfig<bits = 8, granularity = token, symmetric = false>
    ```
  }];
  let parameters = (ins
    "unsigned":$bits,
    DefaultValuedParameter<"::lowbit::Granularity",
                           "::lowbit::Granularity::Channel">:$granularity,
    DefaultValuedParameter<"int64_t", "0">:$group_size,
    DefaultValuedParameter<"bool", "true">:$symmetric,
    DefaultValuedParameter<"::lowbit::NumberFormat",
                           "::lowbit::NumberFormat::Int">:$format
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// True when values are kept in floating point (16 bits).
    bool isFloat() const { return getBits() == 16; }
    /// True when the tensor is pruned to zero.
    bool isPruned() const { return getBits() == 0; }
    /// Number of elements along the last axis that share one scale, given the
    /// length of that axis.
    int64_t getElementsPerScale(int64_t rowLength) const;
  }];
}

def LowBit_PackingLayoutAttr
    : EnumAttr<LowBit_Dialect, LowBit_PackingLayout, "layout"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // LOWBIT_DIALECT_LOWBIT_LOWBITATTRS_TD
