"""Writes malformed and unsupported ONNX models for the importer's error tests.

Usage: make_bad_models.py OUT_DIR
Each file name says what is wrong with it; bad-input.test checks the message
lowbit-import gives for each.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inputs, outputs, initializers=(), opset=17, domains=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    m = helper.make_model(graph, opset_imports=opsets)
    m.ir_version = 8
    return m


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def relu_model():
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                 [f32("x", [2, 3])], [f32("y", [2, 3])])


def save(m, out, name):
    with open(os.path.join(out, name), "wb") as f:
        f.write(m.SerializeToString())


def main(out):
    os.makedirs(out, exist_ok=True)
    good = relu_model().SerializeToString()
    with open(os.path.join(out, "random_bytes.onnx"), "wb") as f:
        f.write(bytes(np.random.default_rng(0).integers(0, 256, 300, dtype=np.uint8)))
    with open(os.path.join(out, "truncated.onnx"), "wb") as f:
        f.write(good[: len(good) // 2])
    open(os.path.join(out, "empty.onnx"), "wb").close()

    save(model([helper.make_node("Relu", ["nope"], ["y"], name="relu")],
               [f32("x", [2])], [f32("y", [2])]), out, "undefined_input.onnx")
    save(model([helper.make_node("Relu", ["b"], ["a"], name="first"),
                helper.make_node("Relu", ["a"], ["b"], name="second"),
                helper.make_node("Add", ["a", "x"], ["y"], name="out")],
               [f32("x", [2])], [f32("y", [2])]), out, "cycle.onnx")
    save(model([helper.make_node("FooBar", ["x"], ["y"], name="mystery")],
               [f32("x", [2])], [f32("y", [2])]), out, "unknown_op.onnx")
    save(model([helper.make_node("Relu", ["x"], ["y"], name="custom", domain="com.example")],
               [f32("x", [2])], [f32("y", [2])]), out, "unknown_domain.onnx")
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [f32("x", [2])], [f32("y", [2])], opset=30), out, "opset_too_new.onnx")

    short = numpy_helper.from_array(np.zeros(4, np.float32), "w")
    short.raw_data = short.raw_data[:8]
    save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
               [f32("x", [4])], [f32("y", [4])], [short]), out, "short_raw_data.onnx")

    huge = helper.make_tensor("w", TensorProto.FLOAT, [1 << 30, 1 << 30], vals=[], raw=False)
    save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
               [f32("x", [4])], [f32("y", [4])], [huge]), out, "absurd_dims.onnx")

    negative = helper.make_tensor("w", TensorProto.FLOAT, [-3], vals=[], raw=False)
    save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
               [f32("x", [4])], [f32("y", [4])], [negative]), out, "negative_dim.onnx")

    strings = helper.make_tensor("w", TensorProto.STRING, [1], vals=[b"hello"])
    save(model([helper.make_node("Identity", ["w"], ["y"], name="ident")],
               [f32("x", [4])], [helper.make_tensor_value_info("y", TensorProto.STRING, [1])],
               [strings]), out, "string_initializer.onnx")
    save(model([helper.make_node("Identity", ["x"], ["y"], name="ident")],
               [helper.make_tensor_value_info("x", TensorProto.STRING, [1])],
               [helper.make_tensor_value_info("y", TensorProto.STRING, [1])]),
         out, "string_input.onnx")

    save(model([helper.make_node("Relu", ["x"], ["y"], name="a"),
                helper.make_node("Neg", ["x"], ["y"], name="b")],
               [f32("x", [2])], [f32("y", [2])]), out, "duplicate_output.onnx")
    w = numpy_helper.from_array(np.ones(2, np.float32), "w")
    save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
               [f32("x", [2])], [f32("y", [2])], [w, w]), out, "duplicate_initializer.onnx")
    save(model([helper.make_node("Identity", ["x"], ["y"], name="ident")],
               [f32("x", [2])], [f32("y", [2]), f32("z", [2])]), out, "missing_output.onnx")
    save(model([helper.make_node("Identity", ["x"], ["y"], name="ident")],
               [f32("x", ["batch", 3])], [f32("y", ["batch", 3])]), out, "symbolic_dim.onnx")
    save(model([helper.make_node("Gemm", ["x", "x"], ["y"], name="gemm", alpha="fast")],
               [f32("x", [2, 2])], [f32("y", [2, 2])]), out, "attribute_type.onnx")
    seq = helper.make_tensor_sequence_value_info("s", TensorProto.FLOAT, [2])
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [f32("x", [2]), seq], [f32("y", [2])]), out, "sequence_input.onnx")
    no_type = helper.make_node("Relu", ["x"], ["y"], name="blank")
    no_type.op_type = ""
    save(model([no_type], [f32("x", [2])], [f32("y", [2])]), out, "no_op_type.onnx")
    save(model([helper.make_node("Identity", ["x"], ["y"], name="ident")],
               [f32("x", [2, 3])], [f32("y", [3, 2])]), out, "declared_shape_mismatch.onnx")
    save(model([helper.make_node("Identity", ["x"], ["y"], name="ident")],
               [f32("x", [2, 3])], [helper.make_tensor_value_info("y", TensorProto.INT64, [2, 3])]),
         out, "declared_type_mismatch.onnx")

    # External data: the model and a data file side by side, and escapes.
    ext_dir = os.path.join(out, "external")
    os.makedirs(ext_dir, exist_ok=True)
    data = np.arange(4, dtype=np.float32)
    with open(os.path.join(ext_dir, "weights.bin"), "wb") as f:
        f.write(b"\0" * 16 + data.tobytes())
    with open(os.path.join(out, "outside.bin"), "wb") as f:
        f.write(data.tobytes())

    def external(name, location, offset=16, length=16):
        t = helper.make_tensor("w", TensorProto.FLOAT, [4], vals=[], raw=False)
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", location), ("offset", str(offset)), ("length", str(length))):
            e = t.external_data.add()
            e.key, e.value = k, v
        save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                   [f32("x", [4])], [f32("y", [4])], [t]), ext_dir, name)

    external("good.onnx", "weights.bin")
    # Weights past the 2 GiB and 4 GiB marks of a (sparse) data file: offsets
    # must be 64-bit all the way to the mapping.
    big_offset = 5 << 30
    with open(os.path.join(ext_dir, "big.bin"), "wb") as f:
        f.seek(big_offset)
        f.write(data.tobytes())
    external("beyond_4gib.onnx", "big.bin", offset=big_offset)
    external("dotdot.onnx", "../outside.bin", offset=0)
    external("absolute.onnx", os.path.abspath(os.path.join(out, "outside.bin")), offset=0)
    link = os.path.join(ext_dir, "escape.bin")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.path.join("..", "outside.bin"), link)
    external("symlink.onnx", "escape.bin", offset=0)
    external("past_end.onnx", "weights.bin", offset=24)
    external("wrong_length.onnx", "weights.bin", length=12)
    external("missing_file.onnx", "nothere.bin")


if __name__ == "__main__":
    main(sys.argv[1])
