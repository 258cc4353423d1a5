"""Checks lowbit-run's outputs against onnxruntime on the same inputs.

    compare.py MODEL INPUT_DIR OUTPUT_DIR [--rtol R] [--atol A]

Runs MODEL with onnxruntime on INPUT_DIR/<input>.npy and compares every
output with OUTPUT_DIR/<output>.npy: same dtype and shape, values within
|actual - expected| <= atol + rtol * |expected|. Prints one line per output
("NAME: ok ..." or "NAME: MISMATCH ...") and exits 1 on any mismatch.
"""

import argparse
import os
import sys

import numpy as np
import onnxruntime

from onnx_models import graph_inputs, load_model, output_file_name


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("inputs")
    parser.add_argument("outputs")
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--atol", type=float, default=1e-4)
    args = parser.parse_args()

    model = load_model(args.model)
    feeds = {value.name: np.load(os.path.join(args.inputs, value.name + ".npy"))
             for value in graph_inputs(model)}
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = (
        onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL)
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), options,
        providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    expected = dict(zip(names, session.run(names, feeds)))

    failed = False
    for name in names:
        want = expected[name]
        path = os.path.join(args.outputs, output_file_name(name))
        if not os.path.exists(path):
            print(f"{name}: MISMATCH: {path} was not written")
            failed = True
            continue
        got = np.load(path)
        if got.dtype != want.dtype or got.shape != want.shape:
            print(f"{name}: MISMATCH: got {got.dtype}{list(got.shape)}, "
                  f"expected {want.dtype}{list(want.shape)}")
            failed = True
            continue
        if np.issubdtype(want.dtype, np.floating):
            error = np.abs(got.astype(np.float64) - want.astype(np.float64))
            bound = args.atol + args.rtol * np.abs(want.astype(np.float64))
            bad = ~(error <= bound)
            worst = float(error.max()) if error.size else 0.0
            if bad.any():
                index = np.unravel_index(np.argmax(bad), want.shape)
                print(f"{name}: MISMATCH: {int(bad.sum())} of {want.size} "
                      f"values off, e.g. at {list(index)}: got {got[index]}, "
                      f"expected {want[index]}; max abs err {worst:.3g}")
                failed = True
            else:
                print(f"{name}: ok {list(want.shape)} max abs err {worst:.3g}")
        elif not np.array_equal(got, want):
            print(f"{name}: MISMATCH: values differ")
            failed = True
        else:
            print(f"{name}: ok {list(want.shape)} exact")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
