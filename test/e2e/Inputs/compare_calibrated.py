"""Output error of quantized model libraries against the float one.

compare_calibrated.py DIR NAME...: runs DIR/float.so and DIR/NAME.so on every
calibration sample of DIR/data.npz (made by
test/Analysis/Inputs/calibration_reference.py) through python/lowbit and
prints, for each NAME, the relative error ||y - y_float|| / ||y_float|| over
all samples, then whether each NAME after the first is below the first's.
"""
import os
import sys

import numpy as np

import lowbit


def outputs(library, samples):
    model = lowbit.Model(library)
    return np.stack([model.run(x)["y"] for x in samples])


def main():
    work, names = sys.argv[1], sys.argv[2:]
    samples = np.load(os.path.join(work, "data.npz"))["x"]
    want = outputs(os.path.join(work, "float.so"), samples).astype(np.float64)
    errors = {}
    for name in names:
        got = outputs(os.path.join(work, name + ".so"), samples)
        errors[name] = float(np.linalg.norm(got - want) / np.linalg.norm(want))
        print(f"{name}: relative error {errors[name]:.4f}")
    base = names[0]
    for name in names[1:]:
        print(f"{name} below {base}: {errors[name] < errors[base]}")


if __name__ == "__main__":
    main()
