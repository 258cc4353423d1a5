"""Writes the inputs of bfloat16-io.onnxtext, or checks its outputs.

    check_bfloat16.py write DIR        x.npy (float32), h.npy (uint16 bits)
    check_bfloat16.py check IN OUT     OUT/xh.npy, OUT/hf.npy against numpy

bfloat16 travels as uint16 bit patterns. The expected values are computed
here from the bits: float32 to bfloat16 rounds to nearest even, bfloat16 to
float32 is exact.
"""
import os
import sys

import numpy as np


def round_to_bfloat16(x):
    bits = x.view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def main():
    if sys.argv[1] == "write":
        out = sys.argv[2]
        os.makedirs(out, exist_ok=True)
        rng = np.random.default_rng(0)
        x = (rng.standard_normal((3, 40)) * 100).astype(np.float32)
        h = (rng.standard_normal((3, 40)).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
        np.save(os.path.join(out, "x.npy"), x)
        np.save(os.path.join(out, "h.npy"), h)
        return 0
    inputs, outputs = sys.argv[2], sys.argv[3]
    x = np.load(os.path.join(inputs, "x.npy"))
    h = np.load(os.path.join(inputs, "h.npy"))
    xh = np.load(os.path.join(outputs, "xh.npy"))
    hf = np.load(os.path.join(outputs, "hf.npy"))
    print("xh:", xh.dtype, xh.shape, "exact" if np.array_equal(xh, round_to_bfloat16(x)) else "MISMATCH")
    want = (h.astype(np.uint32) << 16).view(np.float32)
    print("hf:", hf.dtype, hf.shape, "exact" if np.array_equal(hf, want) else "MISMATCH")
    return 0


if __name__ == "__main__":
    sys.exit(main())
