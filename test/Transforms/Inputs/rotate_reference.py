"""numpy reference of lowbit-rotate on a small pre-norm block.

  rotate_reference.py make DIR      DIR/model.mlir and DIR/data.npz
  rotate_reference.py check < rotated.mlir

The model: x -> rms_norm(g1) -> up (bias) -> ReLU -> down (bias), added
back into x; rms_norm(g2) -> head. Width 24 = 2 x Paley 12, up width 48.
The residual stream (x and x + down) is rotated by Q24 = (H24 D / sqrt(24))^T
with the signs of seed 1, so: up and head take W diag(gamma) Q24, their
norms' gammas become ones, down (which writes into the stream) takes
Q24^T W and b Q24, and, as its input comes after a ReLU, an online rotation
Q48 on the right as well: Q24^T W Q48. The dense matrices come from
test/e2e/Inputs/hadamard_reference.py, not from the compiler's numerics.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "Analysis", "Inputs"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "e2e", "Inputs"))
from calibration_reference import blob, dense  # noqa: E402
from hadamard_reference import hadamard, signs  # noqa: E402

ROWS, K, UP, OUT, SAMPLES, SEED = 6, 24, 48, 10, 8, 1


def params():
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1, (SAMPLES, ROWS, K))
    x[..., 5] *= 20  # an outlier channel
    return dict(
        g1=rng.uniform(0.5, 1.5, K).astype(np.float32),
        g2=rng.uniform(0.5, 1.5, K).astype(np.float32),
        wu=rng.normal(0, 0.3, (UP, K)).astype(np.float32),
        bu=rng.normal(0, 0.1, UP).astype(np.float32),
        wd=rng.normal(0, 0.3, (K, UP)).astype(np.float32),
        bd=rng.normal(0, 0.1, K).astype(np.float32),
        wh=rng.normal(0, 0.3, (OUT, K)).astype(np.float32),
        x=x.astype(np.float32))


def make(out):
    p = params()
    os.makedirs(out, exist_ok=True)
    t = lambda *d: "tensor<" + "x".join(map(str, d)) + "xf32>"  # noqa: E731
    model = f"""func.func @main(%x: {t(ROWS, K)} {{lowbit.name = "x"}}) -> ({t(ROWS, OUT)} {{lowbit.name = "y"}}) {{
  %g1 = arith.constant {dense(p['g1'])}
  %g2 = arith.constant {dense(p['g2'])}
  %wu = arith.constant {dense(p['wu'])}
  %bu = arith.constant {dense(p['bu'])}
  %wd = arith.constant {dense(p['wd'])}
  %bd = arith.constant {dense(p['bd'])}
  %wh = arith.constant {dense(p['wh'])}
  %n1 = lowbit.rms_norm %x, %g1 {{epsilon = 1.0e-05 : f32}} : ({t(ROWS, K)}, {t(K)}) -> {t(ROWS, K)} loc("norm1")
  %u = lowbit.linear %n1, %wu, %bu : ({t(ROWS, K)}, {t(UP, K)}, {t(UP)}) -> {t(ROWS, UP)} loc("up")
  %r = tosa.clamp %u {{min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32}} : ({t(ROWS, UP)}) -> {t(ROWS, UP)}
  %d = lowbit.linear %r, %wd, %bd : ({t(ROWS, UP)}, {t(K, UP)}, {t(K)}) -> {t(ROWS, K)} loc("down")
  %s = tosa.add %x, %d : ({t(ROWS, K)}, {t(ROWS, K)}) -> {t(ROWS, K)}
  %n2 = lowbit.rms_norm %s, %g2 {{epsilon = 1.0e-05 : f32}} : ({t(ROWS, K)}, {t(K)}) -> {t(ROWS, K)} loc("norm2")
  %y = lowbit.linear %n2, %wh : ({t(ROWS, K)}, {t(OUT, K)}) -> {t(ROWS, OUT)} loc("head")
  return %y : {t(ROWS, OUT)}
}}
"""
    with open(os.path.join(out, "model.mlir"), "w") as f:
        f.write(model)
    np.savez(os.path.join(out, "data.npz"), x=p["x"])


def rotation(n):
    """Q with rotate(x) = x Q for row vectors x."""
    return (hadamard(n) * signs(n, SEED)[None, :] / np.sqrt(n)).T


def check():
    text = sys.stdin.read()
    p = {k: v.astype(np.float64) for k, v in params().items()}
    q24, q48 = rotation(K), rotation(UP)
    checks = {
        "up.rotated": (p["wu"] * p["g1"] @ q24, (UP, K)),
        "head.rotated": (p["wh"] * p["g2"] @ q24, (OUT, K)),
        "down.rotated": (q24.T @ p["wd"] @ q48, (K, UP)),
        "down.rotated_bias": (p["bd"] @ q24, (K,)),
        "norm1.fused": (np.ones(K), (K,)),
        "norm2.fused": (np.ones(K), (K,)),
    }
    for name, (want, shape) in checks.items():
        got = blob(text, name, shape)
        if not np.allclose(got, want, rtol=1e-5, atol=1e-6):
            sys.exit(f"{name}: max difference {np.abs(got - want).max():.3g}")
    print("rotated weights match numpy")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        check()
