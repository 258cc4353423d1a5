"""Writes a random input for every input of an ONNX model as DIR/<name>.npy.

    make_inputs.py MODEL DIR [--seed N] [--shape NAME=D0xD1...]

Values are reproducible (the seed and the input's position fix them). Floats
are drawn from a normal distribution, integers from [-8, 8), booleans
uniformly. --shape fixes symbolic dimensions.
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import helper

from onnx_models import graph_inputs, load_model


def parse_shapes(texts):
    shapes = {}
    for text in texts:
        name, _, dims = text.rpartition("=")
        shapes[name] = [int(d) for d in dims.split("x")] if dims else []
    return shapes


def random_tensor(rng, dtype, shape):
    if np.issubdtype(dtype, np.floating):
        return rng.standard_normal(shape).astype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, shape).astype(np.bool_)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -8), min(info.max, 8), shape).astype(dtype)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("directory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shape", action="append", default=[])
    args = parser.parse_args()

    model = load_model(args.model)
    shapes = parse_shapes(args.shape)
    os.makedirs(args.directory, exist_ok=True)
    for position, value in enumerate(graph_inputs(model)):
        tensor_type = value.type.tensor_type
        dtype = helper.tensor_dtype_to_np_dtype(tensor_type.elem_type)
        if value.name in shapes:
            shape = shapes[value.name]
        else:
            shape = []
            for dim in tensor_type.shape.dim:
                if not dim.HasField("dim_value"):
                    sys.exit(f"error: input '{value.name}' has a symbolic "
                             f"dimension; give --shape {value.name}=...")
                shape.append(dim.dim_value)
        rng = np.random.default_rng([args.seed, position])
        path = os.path.join(args.directory, value.name + ".npy")
        np.save(path, random_tensor(rng, dtype, shape))


if __name__ == "__main__":
    main()
