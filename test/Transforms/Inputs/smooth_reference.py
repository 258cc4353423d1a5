"""numpy reference of lowbit-smooth-quant on the model and samples of
test/Analysis/Inputs/calibration_reference.py.

  smooth_reference.py ALPHA [shift] < smoothed.mlir

s_j = max|X_j|^alpha / max|W_j|^(1 - alpha) for fc1's input (the layer
norm's output; max over the calibration samples), then the smoothed norm's
gamma and beta must be gamma / s and beta / s, and fc1's weight W diag(s).
With `shift` (OS+): z = (min + max) / 2 per channel, s from max|X_j - z_j|,
beta' = (beta - z) / s and fc1's bias b + W z.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "Analysis", "Inputs"))
from calibration_reference import HIDDEN, K, activations, blob, params  # noqa: E402


def main():
    alpha = float(sys.argv[1])
    shift = len(sys.argv) > 2 and sys.argv[2] == "shift"
    text = sys.stdin.read()
    p = params()
    a = activations()["fc1"]
    z = (a.min(axis=0) + a.max(axis=0)) / 2 if shift else np.zeros(K)
    xmax = np.abs(a - z).max(axis=0)
    wmax = np.abs(p["w1"]).max(axis=0).astype(np.float64)
    s = np.clip(xmax ** alpha / wmax ** (1 - alpha), 1e-5, 1e5)
    checks = {"norm.smooth_gamma": (p["gamma"] / s, (K,)),
              "norm.smooth_beta": ((p["beta"] - z) / s, (K,)),
              "fc1.smooth": (p["w1"] * s, (HIDDEN, K))}
    if shift:
        checks["fc1.shift_bias"] = (p["b1"] + p["w1"].astype(np.float64) @ z, (HIDDEN,))
    for name, (want, shape) in checks.items():
        got = blob(text, name, shape)
        # z comes from float32 ranges on the compiler's side.
        if not np.allclose(got, want, rtol=1e-5, atol=1e-5 if "shift" in name else 1e-7):
            sys.exit(f"{name}: max difference {np.abs(got - want).max():.3g}")
    print(f"smoothing matches numpy: scales in [{s.min():.3g}, {s.max():.3g}]")


if __name__ == "__main__":
    main()
