"""Writes one of the end-to-end test models, with seeded random weights, too
large to spell out in ONNX text.

    make_model.py KIND OUT.onnx

KIND: linear3d (MatMul [3, 7, 100] x [100, 72] + Add), gemm (Gemm with
transB, alpha, beta and a bias C), mlp (two linear layers with a Mul between
them), batched (MatMul of two activations).
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(7)


def weight(name, *shape):
    values = (RNG.standard_normal(shape) / np.sqrt(shape[0])).astype(np.float32)
    return numpy_helper.from_array(values, name)


def tensor(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def linear3d():
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"], name="matmul"),
             helper.make_node("Add", ["h", "b"], ["y"], name="bias")]
    return helper.make_graph(nodes, "linear3d", [tensor("x", [3, 7, 100])],
                             [tensor("y", [3, 7, 72])],
                             [weight("w", 100, 72), weight("b", 72)])


def gemm():
    node = helper.make_node("Gemm", ["x", "w", "c"], ["y"], name="gemm",
                            transB=1, alpha=0.5, beta=2.0)
    return helper.make_graph([node], "gemm", [tensor("x", [5, 48])],
                             [tensor("y", [5, 40])],
                             [weight("w", 40, 48), weight("c", 40)])


def mlp():
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h1"], name="fc1"),
             helper.make_node("Add", ["h1", "b1"], ["h2"], name="fc1_bias"),
             helper.make_node("Mul", ["h2", "h2"], ["h3"], name="square"),
             helper.make_node("MatMul", ["h3", "w2"], ["h4"], name="fc2"),
             helper.make_node("Add", ["h4", "b2"], ["y"], name="fc2_bias")]
    return helper.make_graph(nodes, "mlp", [tensor("x", [16, 64])],
                             [tensor("y", [16, 10])],
                             [weight("w1", 64, 128), weight("b1", 128),
                              weight("w2", 128, 10), weight("b2", 10)])


def batched():
    node = helper.make_node("MatMul", ["a", "b"], ["y"], name="bmm")
    return helper.make_graph([node], "batched",
                             [tensor("a", [2, 6, 20]), tensor("b", [2, 20, 9])],
                             [tensor("y", [2, 6, 9])])


def main():
    kinds = {"linear3d": linear3d, "gemm": gemm, "mlp": mlp,
             "batched": batched}
    if len(sys.argv) != 3 or sys.argv[1] not in kinds:
        sys.exit(__doc__)
    model = helper.make_model(kinds[sys.argv[1]](),
                              opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="lowbit-test")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[2])


if __name__ == "__main__":
    main()
