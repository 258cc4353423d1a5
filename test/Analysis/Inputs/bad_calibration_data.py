"""Writes malformed calibration data sets into DIR for calibrate-errors.test."""
import os
import sys

import numpy as np

out = sys.argv[1]
x = np.zeros((12, 5, 32), np.float32)
np.savez(os.path.join(out, "wrong-name.npz"), x=x, z=x)
np.savez(os.path.join(out, "wrong-dtype.npz"), x=x.astype(np.float64))
np.savez(os.path.join(out, "wrong-shape.npz"), x=x[:, :, :31])
np.savez_compressed(os.path.join(out, "compressed.npz"), x=x)
with open(os.path.join(out, "not-a-zip.npz"), "wb") as f:
    f.write(b"this is not a zip archive at all")
os.makedirs(os.path.join(out, "emptydir"), exist_ok=True)
os.makedirs(os.path.join(out, "baddir", "sample_00"), exist_ok=True)
