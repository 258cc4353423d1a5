"""Runs an ONNX model with onnxruntime on saved inputs; saves the outputs.

    reference_outputs.py MODEL INPUT_DIR OUT_DIR

Inputs are INPUT_DIR/<input name>.npy; outputs go to OUT_DIR/<i>.npy in the
model's output order.
"""

import os
import sys

import numpy as np
import onnxruntime

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "test", "e2e", "Inputs"))
from onnx_models import graph_inputs, load_model  # noqa: E402


def main():
    model = load_model(sys.argv[1])
    feeds = {v.name: np.load(os.path.join(sys.argv[2], v.name + ".npy"))
             for v in graph_inputs(model)}
    session = onnxruntime.InferenceSession(model.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    os.makedirs(sys.argv[3], exist_ok=True)
    for i, value in enumerate(session.run(None, feeds)):
        np.save(os.path.join(sys.argv[3], f"{i}.npy"), value)
    with open(os.path.join(sys.argv[3], "inputs.txt"), "w") as f:
        f.write("\n".join(v.name for v in graph_inputs(model)) + "\n")


if __name__ == "__main__":
    main()
