"""Writes the tensor files the lowbit-run tests feed it, good and bad:

    make_tensor_files.py DIR

DIR/x.npy float32 [2, 4] and DIR/x.pb (the same values as a TensorProto),
then files lowbit-run must reject: wrong shape, wrong dtype, Fortran order,
an object array, truncated data, big-endian data, and text that is neither
.npy nor TensorProto.
"""

import os
import sys

import numpy as np
from onnx import numpy_helper

directory = sys.argv[1]
os.makedirs(directory, exist_ok=True)


def path(name):
    return os.path.join(directory, name)


x = np.arange(8, dtype=np.float32).reshape(2, 4) / 4
np.save(path("x.npy"), x)
with open(path("x.pb"), "wb") as f:
    f.write(numpy_helper.from_array(x, "x").SerializeToString())
np.save(path("wrong-shape.npy"), np.zeros((3, 4), np.float32))
np.save(path("wrong-dtype.npy"), x.astype(np.float64))
np.save(path("fortran.npy"), np.asfortranarray(np.zeros((2, 4), np.float32)))
np.save(path("object.npy"), np.array([{"a": 1}, None], dtype=object),
        allow_pickle=True)
np.save(path("big-endian.npy"), x.astype(">f4"))
with open(path("x.npy"), "rb") as f:
    data = f.read()
with open(path("truncated.npy"), "wb") as f:
    f.write(data[:-4])
with open(path("text.txt"), "w") as f:
    f.write("these are not the tensors you are looking for\n")
