"""A LLaMA-style decoder block for the end-to-end GPU benchmark: its
weights, its ONNX graph, and the same model in torch.

    decoder.py onnx SEQ OUT.onnx [CONFIG]   (development machine: needs onnx)
    (imported by bench_decoder.py on the GPU machine: numpy and torch only)

One pre-norm block (RMSNorm, causal attention, SwiGLU MLP), then a final
RMSNorm and an output projection, [1, SEQ, HIDDEN] in, logits out, in one of
two sizes (CONFIG):

- h1024 (default): hidden 1024, 16 heads, MLP 2048, 1024 logits;
- h4096: hidden 4096, 32 heads, MLP 14336 (LLaMA-3-8B's layer), 4096 logits.

The weights come from a seeded numpy generator and are rounded to multiples
of 1/512, so that the libraries that carry them compress well for the trip
to the GPU machine. For h4096 each matrix's output channels repeat with a
period of 256 (a random [in, 256] block tiled along out): the libraries
(about 1 GB of f32 weights) then compress to what travels, and no kernel's
time depends on the values. Every side (ONNX, lowbit, torch) uses exactly
these values.
"""
import sys

import numpy as np

EPS = 1e-6
CONFIGS = {
    "h1024": dict(hidden=1024, heads=16, mlp=2048, vocab=1024, period=None),
    "h4096": dict(hidden=4096, heads=32, mlp=14336, vocab=4096, period=256),
}


def linears(cfg):
    """(name, in, out) of the block's matrices."""
    h, m = cfg["hidden"], cfg["mlp"]
    return [("q_proj", h, h), ("k_proj", h, h), ("v_proj", h, h), ("o_proj", h, h),
            ("gate_proj", h, m), ("up_proj", h, m), ("down_proj", m, h),
            ("lm_head", h, cfg["vocab"])]


def weights(cfg=CONFIGS["h1024"]):
    """name -> float32 array; linears as [in, out] (ONNX MatMul layout)."""
    rng = np.random.default_rng(2024)
    out = {}
    period = cfg["period"]
    for name, k, n in linears(cfg):
        w = rng.standard_normal((k, period or n)) / np.sqrt(k)
        if period:
            w = np.tile(w, (1, n // period))
        out[name] = (np.round(w * 512) / 512).astype(np.float32)
    for name in ("input_norm", "post_norm", "norm"):
        out[name] = (np.round((1 + 0.1 * rng.standard_normal(cfg["hidden"])) * 512)
                     / 512).astype(np.float32)
    return out


def inputs(seq, count, cfg=CONFIGS["h1024"], seed=7):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((count, 1, seq, cfg["hidden"])).astype(np.float32)


def torch_forward(x, w, torch, cfg=CONFIGS["h1024"]):
    """The block in torch; x [1, SEQ, HIDDEN], w: name -> tensor (same dtype)."""
    HIDDEN, HEADS = cfg["hidden"], cfg["heads"]
    seq, d = x.shape[1], HIDDEN // HEADS

    def rms(v, g):
        v32 = v.float()
        return (v32 / torch.sqrt((v32 * v32).mean(-1, keepdim=True) + EPS)).to(v.dtype) * g

    def heads(v):
        return v.reshape(1, seq, HEADS, d).transpose(1, 2)

    h = rms(x, w["input_norm"])
    q, k, v = (heads(h @ w[n]) for n in ("q_proj", "k_proj", "v_proj"))
    scores = (q @ k.transpose(2, 3)) * (1.0 / np.sqrt(d))
    mask = torch.triu(torch.full((seq, seq), -1e9, device=x.device), 1).to(x.dtype)
    probs = torch.softmax((scores + mask).float(), dim=-1).to(x.dtype)
    ctx = (probs @ v).transpose(1, 2).reshape(1, seq, HIDDEN)
    x = x + ctx @ w["o_proj"]
    h = rms(x, w["post_norm"])
    gate = h @ w["gate_proj"]
    x = x + (gate * torch.sigmoid(gate) * (h @ w["up_proj"])) @ w["down_proj"]
    return rms(x, w["norm"]) @ w["lm_head"]


def build_onnx(seq, path, cfg=CONFIGS["h1024"]):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    HIDDEN, HEADS, VOCAB = cfg["hidden"], cfg["heads"], cfg["vocab"]
    w = weights(cfg)
    nodes, inits = [], []

    def const(value, name):
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(kind, ins, out, **attrs):
        nodes.append(helper.make_node(kind, ins, [out], name=out, **attrs))
        return out

    for name, _, _ in linears(cfg):
        const(w[name], name + ".weight")
    for name in ("input_norm", "post_norm", "norm"):
        const(w[name], name + ".weight")
    const(np.float32(EPS), "eps")

    def rms(v, name):
        sq = op("Mul", [v, v], name + ".sq")
        mean = op("ReduceMean", [sq], name + ".mean", axes=[-1], keepdims=1)
        root = op("Sqrt", [op("Add", [mean, "eps"], name + ".add")], name + ".sqrt")
        return op("Mul", [op("Div", [v, root], name + ".div"), name + ".weight"], name)

    def linear(v, name):
        return op("MatMul", [v, name + ".weight"], name)

    d = HIDDEN // HEADS
    split = const(np.array([1, seq, HEADS, d], np.int64), "split_shape")
    merge = const(np.array([1, seq, HIDDEN], np.int64), "merge_shape")

    def heads(v, name):
        r = op("Reshape", [v, split], name + ".split")
        return op("Transpose", [r], name + ".heads", perm=[0, 2, 1, 3])

    h = rms("x", "input_norm")
    q, k, v = (heads(linear(h, n), n) for n in ("q_proj", "k_proj", "v_proj"))
    kt = op("Transpose", [k], "kt", perm=[0, 1, 3, 2])
    scores = op("Mul", [op("MatMul", [q, kt], "scores"), const(np.float32(1 / np.sqrt(d)), "scale")], "scaled")
    mask = const(np.triu(np.full((seq, seq), -1e9, np.float32), 1), "mask")
    probs = op("Softmax", [op("Add", [scores, mask], "masked")], "probs", axis=-1)
    ctx = op("Transpose", [op("MatMul", [probs, v], "ctx")], "merge", perm=[0, 2, 1, 3])
    x = op("Add", ["x", linear(op("Reshape", [ctx, merge], "flat"), "o_proj")], "res1")
    h = rms(x, "post_norm")
    gate = linear(h, "gate_proj")
    act = op("Mul", [op("Mul", [gate, op("Sigmoid", [gate], "sigmoid")], "silu"), linear(h, "up_proj")], "act")
    x = op("Add", [x, linear(act, "down_proj")], "res2")
    nodes.append(helper.make_node("MatMul", [rms(x, "norm"), "lm_head.weight"], ["logits"], name="lm_head"))
    graph = helper.make_graph(
        nodes, "decoder_block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, seq, HIDDEN])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, seq, VOCAB])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


if __name__ == "__main__":
    if sys.argv[1] == "onnx":
        build_onnx(int(sys.argv[2]), sys.argv[3],
                   CONFIGS[sys.argv[4] if len(sys.argv) > 4 else "h1024"])
