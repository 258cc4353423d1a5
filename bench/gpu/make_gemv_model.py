"""Writes a model (MLIR) that is one lowbit.qlinear with 4- or 8-bit weights.

    make_gemv_model.py M N K GROUP OUT.mlir [--bits 4|8] [--zero-points]
                       [--bias] [--f16-scales] [--constants WEIGHTS.npz]
                       [--act-bits 8]

The packed codes, scales, zero points and bias are inputs of the model
(x, packed, scales[, zero_points][, bias], in that order), so one small
library serves any weights of that shape (and stays small). With
--constants, random packed codes and f32 scales are written to WEIGHTS.npz
and put into the model as constants instead, as in a quantized model.
With --act-bits 8 the activations are quantized too, per token and
symmetric (W8A8: the preset's act_qconfig).
"""

import argparse

import numpy as np


def dense(array, mlir_type):
    return f'dense<"0x{array.tobytes().hex().upper()}"> : {mlir_type}'


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("m", "n", "k", "group"):
        p.add_argument(name, type=int)
    p.add_argument("out")
    p.add_argument("--bits", type=int, choices=(4, 8), default=4)
    p.add_argument("--zero-points", action="store_true")
    p.add_argument("--bias", action="store_true")
    p.add_argument("--f16-scales", action="store_true")
    p.add_argument("--constants")
    p.add_argument("--act-bits", type=int, choices=(8,))
    a = p.parse_args()
    m, n, k, g = a.m, a.n, a.k, a.k // a.group
    row = k * a.bits // 8
    st = "f16" if a.f16_scales else "f32"
    args = [f"%x: tensor<{m}x{k}xf32>", f"%p: tensor<{n}x{row}xi8>",
            f"%s: tensor<{n}x{g}x{st}>"]
    operands = f"%x, %p scales %s"
    types = [f"tensor<{m}x{k}xf32>", f"tensor<{n}x{row}xi8>",
             f"tensor<{n}x{g}x{st}>"]
    if a.zero_points:
        args.append(f"%z: tensor<{n}x{g}xi8>")
        operands += " zero_points %z"
        types.append(f"tensor<{n}x{g}xi8>")
    if a.bias:
        args.append(f"%b: tensor<{n}xf32>")
        operands += " bias %b"
        types.append(f"tensor<{n}xf32>")
    symmetric = "" if not a.zero_points else ", symmetric = false"
    qconfig = (f"#lowbit.qconfig<bits = {a.bits}, granularity = group, "
               f"group_size = {a.group}{symmetric}>")
    act = ""
    if a.act_bits:
        act = (f"act_qconfig = #lowbit.qconfig<bits = {a.act_bits}, "
               f"granularity = token>, ")
    body = ""
    if a.constants:
        rng = np.random.default_rng(7)
        packed = rng.integers(0, 256, (n, row), dtype=np.uint8).view(np.int8)
        scales = rng.uniform(0.005, 0.02, (n, g)).astype(np.float32)
        np.savez(a.constants, packed=packed, scales=scales)
        args = args[:1]
        body = (f"  %p = arith.constant {dense(packed, types[1])}\n"
                f"  %s = arith.constant {dense(scales, types[2])}\n")
    text = (
        f"func.func @main({', '.join(args)}) -> tensor<{m}x{n}xf32> {{\n"
        + body +
        f"  %y = lowbit.qlinear {operands} {{{act}in_features = {k} : i64, "
        f"weight_qconfig = {qconfig}}} : ({', '.join(types)}) -> "
        f"tensor<{m}x{n}xf32>\n"
        f"  return %y : tensor<{m}x{n}xf32>\n"
        f"}}\n")
    with open(a.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
