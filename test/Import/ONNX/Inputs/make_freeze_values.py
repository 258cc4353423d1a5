"""Writes the values test/Import/ONNX/freeze-input.test freezes, as .npy and
TensorProto .pb files, into the directory given."""
import os
import sys

import numpy as np
from onnx import numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
np.save(os.path.join(out, "shape.npy"), np.array([1, 3, 4], dtype=np.int64))
np.save(os.path.join(out, "shape_i32.npy"), np.array([1, 3, 4], dtype=np.int32))
np.save(os.path.join(out, "shape_long.npy"), np.array([1, 3, 4, 1], dtype=np.int64))
np.save(os.path.join(out, "fortran.npy"), np.asfortranarray(np.ones((2, 2), np.int64)))
with open(os.path.join(out, "axes.pb"), "wb") as f:
    # The name inside the file does not matter; the input it freezes does.
    f.write(numpy_helper.from_array(np.array([0], dtype=np.int64), "other").SerializeToString())
with open(os.path.join(out, "truncated.npy"), "wb") as f:
    f.write(open(os.path.join(out, "shape.npy"), "rb").read()[:-4])
# A header whose shape multiplies past 2^64: refused, not wrapped around.
header = b"{'descr': '<i8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }"
header += b" " * (63 - len(header) % 64) + b"\n"
with open(os.path.join(out, "huge.npy"), "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\0" * 8)
