"""numpy reference of lowbit-smooth-quant on the model and samples of
test/Analysis/Inputs/calibration_reference.py.

  smooth_reference.py ALPHA [shift] < smoothed.mlir
  smooth_reference.py search WBITS ABITS < smoothed.mlir

s_j = max|X_j|^alpha / max|W_j|^(1 - alpha) for fc1's input (the layer
norm's output; max over the calibration samples), then the smoothed norm's
gamma and beta must be gamma / s and beta / s, and fc1's weight W diag(s).
With `shift` (OS+): z = (min + max) / 2 per channel, s from max|X_j - z_j|,
beta' = (beta - z) / s and fc1's bias b + W z.
With `search`, alpha is the grid point (0.05, ..., 0.95) minimizing the
estimated error of the quantized product (SmoothingSearch.h), computed here
from the samples: sum_i dw_i^2/12 sum_j E[x_j^2]/s_j^2 + dx^2/12 ||W diag(s)||^2
with per-row weight steps dw_i = max_j |W_ij s_j| / qmax_w and the input step
dx = max_j (max|X_j| / s_j) / qmax_a.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "Analysis", "Inputs"))
from calibration_reference import HIDDEN, K, activations, blob, params  # noqa: E402


def estimate(s, xmax, msq, w, wbits, abits):
    qw, qa = 2 ** (wbits - 1) - 1, 2 ** (abits - 1) - 1
    ws = w * s
    dw = np.abs(ws).max(axis=1) / qw
    dx = (xmax / s).max() / qa
    return (dw ** 2 / 12).sum() * (msq / s ** 2).sum() + dx ** 2 / 12 * (ws ** 2).sum()


def main():
    search = sys.argv[1] == "search"
    shift = not search and len(sys.argv) > 2 and sys.argv[2] == "shift"
    text = sys.stdin.read()
    p = params()
    a = activations()["fc1"]
    z = (a.min(axis=0) + a.max(axis=0)) / 2 if shift else np.zeros(K)
    xmax = np.abs(a - z).max(axis=0)
    wmax = np.abs(p["w1"]).max(axis=0).astype(np.float64)
    scales = lambda alpha: np.clip(xmax ** alpha / wmax ** (1 - alpha), 1e-5, 1e5)  # noqa: E731
    if search:
        w = p["w1"].astype(np.float64)
        msq = (a ** 2).mean(axis=0)
        grid = [0.05 * i for i in range(1, 20)]
        errors = [estimate(scales(al), xmax, msq, w, int(sys.argv[2]), int(sys.argv[3]))
                  for al in grid]
        alpha = grid[int(np.argmin(errors))]
        print(f"numpy chooses alpha = {alpha:.2f}")
    else:
        alpha = float(sys.argv[1])
    s = scales(alpha)
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
