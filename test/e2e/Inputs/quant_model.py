"""End-to-end check of `lowbit-compile --quant`: a small MLP, and a numpy
reference of every preset written from the rules of docs/quantization.md
(independently of lib/Numerics and of the compiler).

    quant_model.py make OUT.onnx [--k K] [--rows M]
    quant_model.py make-nbits OUT.onnx BITS
    quant_model.py check MODEL.onnx PRESET GROUP_SIZE INPUT_DIR OUTPUT_DIR
                         [--asymmetric-weights] [--static-minmax CALIB.npz]
    quant_model.py make-calib MODEL.onnx OUT.npz
    quant_model.py same OUTPUT_DIR_A OUTPUT_DIR_B TOLERANCE

`make` writes y = fc2(relu(fc1(x))) with x [16, K], fc1 K -> 128 and fc2
128 -> 64 (MatMul + Add), seeded weights. `check` computes the quantized
model in numpy and prints, per output, the largest difference to lowbit's
output relative to the largest reference value (must be tight), and the
same against onnxruntime's float model (loose: the quantization error).
`same` compares two runs (fake quantization against the real kernels).
--asymmetric-weights: weights on [min, max] with a zero point per scale;
--static-minmax: one activation scale per layer, max |x| of that layer's
float input over the calibration samples / (2^(b-1) - 1). `make-calib`
writes 8 samples of x (a leading sample axis) for --calib.
`make-nbits` writes an ONNX Runtime MatMulNBits layer (x [3, 256], N = 48,
blocks of 32, random codes, scales and packed zero points), which lowbit
imports as a lowbit.qlinear: its output checked against onnxruntime's
kernel is an independent test of the packed-weight decoding.
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

f32 = np.float32

# Largest tolerated difference to the numpy reference of the same
# quantization, relative to max |reference|: only the order of float sums
# differs (exactly 0 for w8a8, whose sums are integers).
TIGHT = {"none": 1e-5, "w8a16": 1e-5, "w4a16": 1e-5, "w8a8": 1e-6,
         "w4a4": 1e-5}
# ... and to the float model (onnxruntime): the quantization error itself.
LOOSE = {"none": 1e-5, "w8a16": 0.02, "w4a16": 0.25, "w8a8": 0.03,
         "w4a4": 0.5}


def make(path, k, rows=16):
    rng = np.random.default_rng(11)

    def weight(name, *shape):
        values = rng.standard_normal(shape) / np.sqrt(shape[0])
        return numpy_helper.from_array(values.astype(f32), name)

    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h1"], name="fc1"),
             helper.make_node("Add", ["h1", "b1"], ["h2"], name="fc1_bias"),
             helper.make_node("Relu", ["h2"], ["h3"], name="relu"),
             helper.make_node("MatMul", ["h3", "w2"], ["h4"], name="fc2"),
             helper.make_node("Add", ["h4", "b2"], ["y"], name="fc2_bias")]
    graph = helper.make_graph(
        nodes, "quant_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [rows, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [rows, 64])],
        [weight("w1", k, 128), weight("b1", 128), weight("w2", 128, 64),
         weight("b2", 64)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="lowbit-test")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def make_nbits(path, bits):
    rng = np.random.default_rng(5)
    k, n, block = 256, 48, 32
    blocks = k // block
    codes = rng.integers(0, 2 ** bits, (n, k))
    per_byte = 8 // bits
    packed = np.zeros((n, k // per_byte), np.uint8)
    for j in range(per_byte):
        packed |= (codes[:, j::per_byte] << (bits * j)).astype(np.uint8)
    zero = rng.integers(0, 2 ** bits, (n, blocks))
    zbytes = -(-blocks * bits // 8)
    zpacked = np.zeros((n, zbytes * per_byte), np.int64)
    zpacked[:, :blocks] = zero
    zpacked = sum(zpacked[:, j::per_byte] << (bits * j)
                  for j in range(per_byte)).astype(np.uint8)
    scales = (rng.random((n, blocks)) * 0.1 + 0.01).astype(f32)
    node = helper.make_node(
        "MatMulNBits", ["x", "b", "scales", "zp"], ["y"], name="nbits",
        domain="com.microsoft", K=k, N=n, bits=bits, block_size=block)
    graph = helper.make_graph(
        [node], "nbits",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, n])],
        [numpy_helper.from_array(
            packed.reshape(n, blocks, block * bits // 8), "b"),
         numpy_helper.from_array(scales.reshape(-1), "scales"),
         numpy_helper.from_array(zpacked.reshape(-1), "zp")])
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17),
                              helper.make_opsetid("com.microsoft", 1)],
        producer_name="lowbit-test")
    model.ir_version = 8
    onnx.save(model, path)


def rne(x):
    return np.rint(x).astype(f32)  # half to even


def weight_codes(w, bits, group):
    """Symmetric unsigned codes c and scales s of W [N, K] (per channel when
    group is 0 or does not divide K): s = max|w| / (2^(b-1) - 1) per cell."""
    n, k = w.shape
    if group == 0 or k % group != 0:
        group = k
    cells = w.reshape(n, k // group, group)
    s = (np.abs(cells).max(axis=2) / f32(2 ** (bits - 1) - 1)).astype(f32)
    s[s == 0] = f32(1)
    half = 2 ** (bits - 1)
    q = rne(cells / s[:, :, None])
    c = np.clip(q + half, 0, 2 ** bits - 1).astype(np.int64)
    return c.reshape(n, k), s, group, half


def asymmetric_weight_codes(w, bits, group):
    """Asymmetric unsigned codes: lo = min(min w, 0), hi = max(max w, 0),
    s = (hi - lo) / (2^b - 1), z = clamp(round(-lo / s), 0, 2^b - 1)."""
    n, k = w.shape
    if group == 0 or k % group != 0:
        group = k
    cells = w.reshape(n, k // group, group)
    lo = np.minimum(cells.min(axis=2), f32(0)).astype(f32)
    hi = np.maximum(cells.max(axis=2), f32(0)).astype(f32)
    s = ((hi - lo) / f32(2 ** bits - 1)).astype(f32)
    s[s == 0] = f32(1)
    z = np.clip(rne(-lo / s), 0, 2 ** bits - 1).astype(np.int64)
    c = np.clip(rne(cells / s[:, :, None]) + z[:, :, None], 0, 2 ** bits - 1)
    return c.astype(np.int64).reshape(n, k), s, group, z


def tensor_codes(x, bits, scale):
    """Symmetric codes with one static scale for the whole tensor."""
    qmax = 2 ** (bits - 1) - 1
    s = np.full(x.shape[0], f32(scale), f32)
    q = np.clip(rne(x / s[:, None]), -qmax - 1, qmax).astype(np.int64)
    return q, s


def token_codes(x, bits):
    """Symmetric per-row activation codes: s = max|x| / (2^(b-1) - 1)."""
    qmax = 2 ** (bits - 1) - 1
    s = (np.abs(x).max(axis=1) / f32(qmax)).astype(f32)
    s[s == 0] = f32(1)
    q = np.clip(rne(x / s[:, None]), -qmax - 1, qmax).astype(np.int64)
    return q, s


def linear(x, w_kn, b, preset, group, asymmetric=False, act_scale=None):
    """One quantized linear layer; w_kn is the ONNX [K, N] weight."""
    w = np.ascontiguousarray(w_kn.T)  # [N, K]
    if preset == "none":
        return (x.astype(np.float64) @ w.T.astype(np.float64) + b).astype(f32)
    wbits = 8 if preset.startswith("w8") else 4
    wgroup = group if wbits == 4 else 0
    if asymmetric:
        c, s, gsize, z = asymmetric_weight_codes(w, wbits, wgroup)
        zero = np.repeat(z, gsize, axis=1)
    else:
        c, s, gsize, half = weight_codes(w, wbits, wgroup)
        zero = half
    n, k = w.shape
    signed = (c - zero).reshape(n, k // gsize, gsize)
    if preset in ("w8a16", "w4a16"):
        wq = (s[:, :, None] * signed.astype(f32)).astype(f32).reshape(n, k)
        return (x.astype(np.float64) @ wq.T.astype(np.float64) + b).astype(f32)
    abits = 8 if preset == "w8a8" else 4
    if act_scale is None:
        q, sx = token_codes(x, abits)
    else:
        q, sx = tensor_codes(x, abits, act_scale)
    qg = q.reshape(q.shape[0], k // gsize, gsize)
    # Integer sums per scale cell: [M, N, G].
    sums = np.einsum("mgk,ngk->mng", qg, signed)
    if k // gsize == 1:
        # Per channel: y = b + (sx * s) * float(sum), all in binary32.
        scale = (sx[:, None] * s[None, :, 0]).astype(f32)
        return (b + scale * sums[:, :, 0].astype(f32)).astype(f32)
    weighted = (sums.astype(np.float64) * s[None, :, :]).sum(axis=2)
    return (b + sx[:, None].astype(np.float64) * weighted).astype(f32)


def reference(model, x, preset, group, asymmetric=False, calib=None):
    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    scales = [None, None]
    if calib is not None:
        # Static scales: max |x| of each layer's float input over the samples.
        qmax = f32(2 ** ((8 if preset == "w8a8" else 4) - 1) - 1)
        samples = calib.reshape(-1, calib.shape[-1]).astype(np.float64)
        h1 = np.maximum(samples @ init["w1"].astype(np.float64) + init["b1"], 0)
        scales = [f32(np.abs(samples).max()) / qmax,
                  f32(np.abs(h1).max()) / qmax]
    h = linear(x, init["w1"], init["b1"], preset, group, asymmetric, scales[0])
    h = np.maximum(h, f32(0))
    return linear(h, init["w2"], init["b2"], preset, group, asymmetric, scales[1])


def make_calib(model_path, out):
    model = onnx.load(model_path)
    rows, k = (d.dim_value
               for d in model.graph.input[0].type.tensor_type.shape.dim)
    rng = np.random.default_rng(23)
    np.savez(out, x=rng.standard_normal((8, rows, k)).astype(f32))


def check(args):
    model = onnx.load(args.model)
    x = np.load(os.path.join(args.inputs, "x.npy"))
    got = np.load(os.path.join(args.outputs, "y.npy"))
    calib = np.load(args.static_minmax)["x"] if args.static_minmax else None
    want = reference(model, x, args.preset, args.group_size,
                     args.asymmetric_weights, calib)

    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(args.model, options,
                                   providers=["CPUExecutionProvider"])
    float_y = session.run(None, {"x": x})[0]

    tight = float(np.abs(got - want).max() / np.abs(want).max())
    loose = float(np.abs(got - float_y).max() / np.abs(float_y).max())
    ok = tight <= TIGHT[args.preset] and loose <= LOOSE[args.preset]
    print(f"y: {'ok' if ok else 'MISMATCH'} {list(got.shape)} "
          f"reference {tight:.2e} (<= {TIGHT[args.preset]:g}) "
          f"float {loose:.2e} (<= {LOOSE[args.preset]:g})")
    return 0 if ok else 1


def same(args):
    a = np.load(os.path.join(args.a, "y.npy"))
    b = np.load(os.path.join(args.b, "y.npy"))
    diff = float(np.abs(a - b).max() / np.abs(b).max())
    ok = diff <= args.tolerance
    print(f"y: {'same' if ok else 'DIFFERENT'} {diff:.2e} (<= {args.tolerance:g})")
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("make")
    p.add_argument("out")
    p.add_argument("--k", type=int, default=256)
    p.add_argument("--rows", type=int, default=16)
    p = sub.add_parser("check")
    p.add_argument("model")
    p.add_argument("preset", choices=sorted(TIGHT))
    p.add_argument("group_size", type=int)
    p.add_argument("inputs")
    p.add_argument("outputs")
    p.add_argument("--asymmetric-weights", action="store_true")
    p.add_argument("--static-minmax", metavar="CALIB.npz")
    p = sub.add_parser("make-calib")
    p.add_argument("model")
    p.add_argument("out")
    p = sub.add_parser("make-nbits")
    p.add_argument("out")
    p.add_argument("bits", type=int, choices=[4, 8])
    p = sub.add_parser("same")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("tolerance", type=float)
    args = parser.parse_args()
    if args.command == "same":
        return same(args)
    if args.command == "make-nbits":
        make_nbits(args.out, args.bits)
        return 0
    if args.command == "make-calib":
        make_calib(args.model, args.out)
        return 0
    if args.command == "make":
        make(args.out, args.k, args.rows)
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
