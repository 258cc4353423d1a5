"""Checks the static activation scales that lowbit-calibrate-activation-scales
wrote (the IR on stdin) against numpy on the calibration samples of
test/Analysis/Inputs/calibration_reference.py.

  activation_scales_check.py BITS METHOD [PERCENTILE] < calibrated-and-scaled.mlir

minmax: s = max|x| / (2^(b-1) - 1) exactly (float32 rounding); percentile:
s (2^(b-1) - 1) is the exact percentile of |x| up to one histogram bin
(the histogram spans at most twice max|x| over 2048 bins); entropy and mse:
a threshold in (0, max|x|].
"""
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "Analysis", "Inputs"))
from calibration_reference import activations  # noqa: E402


def main():
    bits, method = int(sys.argv[1]), sys.argv[2]
    percentile = float(sys.argv[3]) if len(sys.argv) > 3 else 99.99
    qmax = 2 ** (bits - 1) - 1
    scales = [float(m) for m in re.findall(r"act_scale = ([-+0-9.eE]+) : f32",
                                           sys.stdin.read())]
    acts = activations()
    if len(scales) != 2:
        sys.exit(f"expected 2 act_scale attributes, found {len(scales)}")
    for name, scale in zip(("fc1", "fc2"), scales):
        a = np.abs(acts[name])
        top = a.max()
        t = scale * qmax
        if method == "minmax":
            ok = np.isclose(scale, np.float32(top) / np.float32(qmax), rtol=1e-5)
        elif method == "percentile":
            exact = np.quantile(a, percentile / 100, method="inverted_cdf")
            ok = exact - 1e-5 <= t <= exact + 2 * top / 2048 + 1e-5
        else:
            ok = 0 < t <= top * (1 + 1e-5)
        if not ok:
            sys.exit(f"{name}: {method} scale {scale} (threshold {t}) does not "
                     f"fit numpy (max |x| {top})")
    print(f"{method} scales match numpy")


if __name__ == "__main__":
    main()
