"""Writes a LLaMA-style decoder stack with outlier channels as ONNX.

  make_llama_outliers.py OUT.onnx

Two pre-norm blocks (RMSNorm, causal multi-head attention, SwiGLU MLP),
hidden 256, 4 heads, MLP 512, a final RMSNorm and a 512-way output
projection; random weights (seeded). The model takes the residual stream
x [1, 32, 256] directly. sample_inputs() makes inputs whose channels
7, 91 and 200 are about 30 times larger than the rest, the "massive
activation" channels of trained LLMs, so the inputs of q/k/v and gate/up
(after RMSNorm) have the outlier channels that AWQ and GPTQ target.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HIDDEN, HEADS, MLP, VOCAB, SEQ, LAYERS = 256, 4, 512, 512, 32, 2
OUTLIERS = (7, 91, 200)


def sample_inputs(count, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (count, 1, SEQ, HIDDEN))
    for c in OUTLIERS:
        x[..., c] *= 30 * (1 + 0.2 * rng.standard_normal((count, 1, SEQ)))
    return x.astype(np.float32)


class Graph:
    def __init__(self):
        self.nodes, self.inits, self.n = [], [], 0
        self.rng = np.random.default_rng(1234)

    def name(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    def const(self, value, base):
        name = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, kind, inputs, base, **attrs):
        out = self.name(base)
        self.nodes.append(helper.make_node(kind, inputs, [out], name=out, **attrs))
        return out

    def linear(self, x, k, n, base):
        w = (self.rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
        return self.op("MatMul", [x, self.const(w, base + ".weight")], base)

    def rms_norm(self, x, base):
        gamma = (1 + 0.1 * self.rng.standard_normal(HIDDEN)).astype(np.float32)
        sq = self.op("Mul", [x, x], base + ".sq")
        mean = self.op("ReduceMean", [sq], base + ".mean", axes=[-1], keepdims=1)
        eps = self.op("Add", [mean, self.const(np.float32(1e-6), base + ".eps")], base + ".add")
        root = self.op("Sqrt", [eps], base + ".sqrt")
        normed = self.op("Div", [x, root], base + ".div")
        return self.op("Mul", [normed, self.const(gamma, base + ".gamma")], base)

    def heads(self, x, base):
        r = self.op("Reshape", [x, self.const(np.array([1, SEQ, HEADS, HIDDEN // HEADS], np.int64), "shape")], base + ".split")
        return self.op("Transpose", [r], base + ".heads", perm=[0, 2, 1, 3])

    def block(self, x, i):
        p = f"layers.{i}"
        h = self.rms_norm(x, p + ".input_norm")
        q = self.heads(self.linear(h, HIDDEN, HIDDEN, p + ".q_proj"), p + ".q")
        k = self.heads(self.linear(h, HIDDEN, HIDDEN, p + ".k_proj"), p + ".k")
        v = self.heads(self.linear(h, HIDDEN, HIDDEN, p + ".v_proj"), p + ".v")
        kt = self.op("Transpose", [k], p + ".kt", perm=[0, 1, 3, 2])
        scores = self.op("MatMul", [q, kt], p + ".scores")
        scaled = self.op("Mul", [scores, self.const(np.float32(1 / np.sqrt(HIDDEN // HEADS)), "scale")], p + ".scaled")
        mask = np.triu(np.full((SEQ, SEQ), -1e9, np.float32), 1)
        masked = self.op("Add", [scaled, self.const(mask, "mask")], p + ".masked")
        probs = self.op("Softmax", [masked], p + ".probs", axis=-1)
        ctx = self.op("MatMul", [probs, v], p + ".ctx")
        merged = self.op("Transpose", [ctx], p + ".merge", perm=[0, 2, 1, 3])
        flat = self.op("Reshape", [merged, self.const(np.array([1, SEQ, HIDDEN], np.int64), "shape")], p + ".flat")
        x = self.op("Add", [x, self.linear(flat, HIDDEN, HIDDEN, p + ".o_proj")], p + ".res1")
        h = self.rms_norm(x, p + ".post_norm")
        gate = self.linear(h, HIDDEN, MLP, p + ".gate_proj")
        up = self.linear(h, HIDDEN, MLP, p + ".up_proj")
        silu = self.op("Mul", [gate, self.op("Sigmoid", [gate], p + ".sigmoid")], p + ".silu")
        act = self.op("Mul", [silu, up], p + ".act")
        return self.op("Add", [x, self.linear(act, MLP, HIDDEN, p + ".down_proj")], p + ".res2")


def build(path):
    g = Graph()
    x = "x"
    for i in range(LAYERS):
        x = g.block(x, i)
    logits = g.linear(g.rms_norm(x, "norm"), HIDDEN, VOCAB, "lm_head")
    nodes = g.nodes
    nodes[-1].output[0] = "logits"
    graph = helper.make_graph(
        nodes, "llama_outliers",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, SEQ, HIDDEN])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, SEQ, VOCAB])],
        g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


if __name__ == "__main__":
    build(sys.argv[1])
