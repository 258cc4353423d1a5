"""A LLaMA-style decoder block for the end-to-end GPU benchmark: its
weights, its ONNX graph, and the same model in torch.

    decoder.py onnx SEQ OUT.onnx        (development machine: needs onnx)
    (imported by bench_decoder.py on the GPU machine: numpy and torch only)

One pre-norm block (RMSNorm, causal 16-head attention, SwiGLU MLP), hidden
1024, MLP 2048, then a final RMSNorm and a 1024-way output projection,
[1, SEQ, 1024] in, logits out. The weights come from a seeded numpy
generator and are rounded to multiples of 1/512, so that the libraries that
carry them compress well for the trip to the GPU machine; every side (ONNX,
lowbit, torch) uses exactly these values.
"""
import sys

import numpy as np

HIDDEN, HEADS, MLP, VOCAB, EPS = 1024, 16, 2048, 1024, 1e-6
LINEARS = [("q_proj", HIDDEN, HIDDEN), ("k_proj", HIDDEN, HIDDEN),
           ("v_proj", HIDDEN, HIDDEN), ("o_proj", HIDDEN, HIDDEN),
           ("gate_proj", HIDDEN, MLP), ("up_proj", HIDDEN, MLP),
           ("down_proj", MLP, HIDDEN), ("lm_head", HIDDEN, VOCAB)]


def weights():
    """name -> float32 array; linears as [in, out] (ONNX MatMul layout)."""
    rng = np.random.default_rng(2024)
    out = {}
    for name, k, n in LINEARS:
        w = rng.standard_normal((k, n)) / np.sqrt(k)
        out[name] = (np.round(w * 512) / 512).astype(np.float32)
    for name in ("input_norm", "post_norm", "norm"):
        out[name] = (np.round((1 + 0.1 * rng.standard_normal(HIDDEN)) * 512) / 512).astype(np.float32)
    return out


def inputs(seq, count, seed=7):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((count, 1, seq, HIDDEN)).astype(np.float32)


def torch_forward(x, w, torch):
    """The block in torch; x [1, SEQ, HIDDEN], w: name -> tensor (same dtype)."""
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


def build_onnx(seq, path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    w = weights()
    nodes, inits = [], []

    def const(value, name):
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(kind, ins, out, **attrs):
        nodes.append(helper.make_node(kind, ins, [out], name=out, **attrs))
        return out

    for name, _, _ in LINEARS:
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
        build_onnx(int(sys.argv[2]), sys.argv[3])
