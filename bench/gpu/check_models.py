"""Runs the model libraries that prepare.sh built, on this machine's GPU.

    check_models.py ARTIFACT_DIR

Float models are compared with onnxruntime's outputs (saved by prepare.sh),
the W4A16 linears with a float64 numpy product of the dequantized weights,
and a library compiled for another GPU must fail with a clear error. Each
line says ok or MISMATCH; exit status 1 on any mismatch.
"""

import glob
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lowbit_model import LowbitError, LowbitModel  # noqa: E402

failed = False


def report(name, ok, detail):
    global failed
    failed |= not ok
    print(f"{name}: {'ok' if ok else 'MISMATCH'} {detail}", flush=True)


def check_float_models(root):
    for lib in sorted(glob.glob(os.path.join(root, "models", "*.so"))):
        name = os.path.basename(lib)[:-3]
        want_dir = os.path.join(root, "models", name + ".want")
        if not os.path.isdir(want_dir):
            continue
        names = open(os.path.join(want_dir, "inputs.txt")).read().split()
        inputs = [np.load(os.path.join(root, "models", name + ".in", n + ".npy"))
                  for n in names]
        try:
            model = LowbitModel(lib)
            outputs = model.run(inputs)
            # The second run uses the weights uploaded by the first.
            again = model.run(inputs)
        except LowbitError as e:
            report(name, False, str(e))
            continue
        if not all(np.array_equal(a, b) for a, b in zip(outputs, again)):
            report(name, False, "a second run gave other outputs")
        for i, got in enumerate(outputs):
            want = np.load(os.path.join(want_dir, f"{i}.npy"))
            if got.shape != want.shape or got.dtype != want.dtype:
                report(f"{name}[{i}]", False, f"{got.dtype}{got.shape} vs "
                       f"{want.dtype}{want.shape}")
                continue
            err = np.abs(got.astype(np.float64) - want)
            bound = 1e-4 + 1e-3 * np.abs(want.astype(np.float64))
            report(f"{name}[{i}]", bool(np.all(err <= bound)),
                   f"{list(got.shape)} max abs err {err.max():.3g}")


def check_float_linear(root):
    lib = os.path.join(root, "models", "float-linear.so")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 4096), np.float32)
    w = rng.standard_normal((4096, 4096), np.float32)
    model = LowbitModel(lib)
    try:
        (y,) = model.run([x, w])
    except LowbitError as e:
        report("float-linear 1x4096x4096", False, str(e))
        return
    want = x.astype(np.float64) @ w
    scale = np.abs(x.astype(np.float64)) @ np.abs(w)
    report("float-linear 1x4096x4096", bool(np.all(np.abs(y - want) <= 1e-5 * scale)),
           f"max rel err {np.max(np.abs(y - want) / scale):.3g}")
    times = []
    for _ in range(10):
        start = time.perf_counter()
        model.run([x, w])
        times.append(time.perf_counter() - start)
    print(f"  end to end (C ABI, 64 MiB of weights copied in each run): "
          f"median {statistics.median(times) * 1e6:.0f} us")


def gemv_inputs(model, rng):
    """Random codes, scales, zero points, bias for a qlinear library, and
    the float64 reference weight [N, K] and bias."""
    (_, _, (m, k)), (_, _, (n, row_bytes)), (_, sdtype, (_, groups)) = \
        model.inputs[:3]
    rest = model.inputs[3:]
    bits = row_bytes * 8 // k
    codes = rng.integers(0, 1 << bits, (n, k), dtype=np.uint8)
    if bits == 4:
        packed = (codes[:, 0::2] | (codes[:, 1::2] << 4)).view(np.int8)
    else:
        packed = codes.view(np.int8)
    scales = rng.uniform(0.005, 0.02, (n, groups)).astype(sdtype)
    x = rng.standard_normal((m, k)).astype(np.float32)
    args = [x, packed, scales]
    zero = np.full((n, groups), float(1 << (bits - 1)))
    bias = np.zeros(n)
    for _, dtype, shape in rest:
        if dtype == np.int8:
            zp = rng.integers(0, 1 << bits, (n, groups), dtype=np.uint8)
            args.append(zp.view(np.int8))
            zero = zp.astype(np.float64)
        else:
            b = rng.standard_normal(n).astype(dtype)
            args.append(b)
            bias = b.astype(np.float64)
    group = k // groups
    s = np.repeat(scales.astype(np.float64), group, axis=1)
    z = np.repeat(zero, group, axis=1)
    weight = s * (codes.astype(np.float64) - z)
    return args, weight, bias


def check_gemv(root):
    rng = np.random.default_rng(0)
    for lib in sorted(glob.glob(os.path.join(root, "gemv", "*.so"))):
        name = os.path.basename(lib)[:-3]
        model = LowbitModel(lib)
        args, weight, bias = gemv_inputs(model, rng)
        try:
            (y,) = model.run(args)
        except LowbitError as e:
            report(name, False, str(e))
            continue
        x = args[0].astype(np.float64)
        want = x @ weight.T + bias
        scale = np.abs(x) @ np.abs(weight).T + np.abs(bias) + 1e-30
        rel = np.max(np.abs(y - want) / scale)
        if name.startswith("a8_"):
            # W8A8: x rounded to 8-bit codes per row (scale max|x| / 127),
            # so each output may move by up to half a step of its row times
            # sum|w|; anything beyond (a wrong pairing of K offsets, a lost
            # scale) is of the order of the output itself.
            step = np.max(np.abs(x), axis=1, keepdims=True) / 127
            bound = 0.5 * step * np.sum(np.abs(weight), axis=1) * 1.001 + \
                1e-5 * scale
            worst = np.max(np.abs(y - want) / bound)
            report(name, bool(worst <= 1),
                   f"max err / (half a code step x sum|w|) {worst:.3g}")
            continue
        # The tensor-core kernel (from 2 rows of x on for 4-bit codes, from
        # 3 for 8-bit ones) rounds x to f16 (relative 2^-11 per term); codes
        # and scales stay exact.
        cuda_cores = x.shape[0] < (3 if "bits_8" in name else 2)
        tol = 1e-5 if cuda_cores else 1e-3
        report(name, bool(rel <= tol), f"max err / sum|x*w| {rel:.3g}")


def check_float_gemv(root):
    """Float linears on the generated f32 GEMV: x [M, K], W [N, K], bias."""
    rng = np.random.default_rng(4)
    for lib in sorted(glob.glob(os.path.join(root, "flinear", "*.so"))):
        name = "f32-gemv " + os.path.basename(lib)[:-3]
        model = LowbitModel(lib)
        args = [rng.standard_normal(shape).astype(np.float32)
                for _, _, shape in model.inputs]
        try:
            (y,) = model.run(args)
        except LowbitError as e:
            report(name, False, str(e))
            continue
        x, w = (a.astype(np.float64) for a in args[:2])
        b = args[2].astype(np.float64) if len(args) > 2 else 0.0
        want = x @ w.T + b
        scale = np.abs(x) @ np.abs(w).T + np.abs(b)
        rel = float(np.max(np.abs(y - want) / scale))
        report(name, rel <= 1e-5, f"max err / sum|x*w| {rel:.3g}")


def check_hadamard(root):
    """lowbit.hadamard's lowering on the GPU against the dense reference."""
    lib = os.path.join(root, "models", "hadamard.so")
    if not os.path.exists(lib):
        return
    sys.path.insert(0, root)
    import hadamard_reference as H
    inputs = os.path.join(root, "models", "hadamard.in")
    args = [np.load(os.path.join(inputs, name + ".npy")) for name, *_ in H.CASES]
    try:
        outputs = LowbitModel(lib).run(args)
    except LowbitError as e:
        report("hadamard", False, str(e))
        return
    for (name, n, seed, dtype, _), x, y in zip(H.CASES, args, outputs):
        want = H.reference(x, n, seed)
        err = float(np.abs(y.astype(np.float64) - want).max() / np.abs(want).max())
        tol = 2e-3 if dtype == np.float16 else 1e-5
        report(f"hadamard {name} n={n} seed={seed}", err <= tol and y.dtype == dtype,
               f"max err / max|y| {err:.3g}")


def check_resident_weights(root):
    """A W4A16 linear with constant weights: right in every run, and timed
    end to end (weights uploaded once, x and y copied in each run)."""
    lib = os.path.join(root, "resident", "m1_n4096_k4096.so")
    weights = np.load(lib[:-3] + ".npz")
    codes = weights["packed"].view(np.uint8)
    codes = np.stack([codes & 15, codes >> 4], axis=-1).reshape(4096, 4096)
    w = np.repeat(weights["scales"].astype(np.float64), 128, axis=1) * \
        (codes.astype(np.float64) - 8)
    model = LowbitModel(lib)
    rng = np.random.default_rng(3)
    worst, times = 0.0, []
    for _ in range(20):
        x = rng.standard_normal((1, 4096)).astype(np.float32)
        start = time.perf_counter()
        try:
            (y,) = model.run([x])
        except LowbitError as e:
            report("resident W4A16 1x4096x4096", False, str(e))
            return
        times.append(time.perf_counter() - start)
        x64 = x.astype(np.float64)
        rel = np.max(np.abs(y - x64 @ w.T) / (np.abs(x64) @ np.abs(w).T))
        worst = max(worst, float(rel))
    report("resident W4A16 1x4096x4096 (20 runs)", worst <= 1e-5,
           f"max err / sum|x*w| {worst:.3g}; end to end (C ABI) median "
           f"{statistics.median(times[1:]) * 1e6:.0f} us, first run "
           f"{times[0] * 1e6:.0f} us")


def check_wrong_chip(root):
    lib = os.path.join(root, "models", "wrong-chip.so")
    try:
        LowbitModel(lib).run([np.zeros((2, 4), np.float32)])
        report("wrong-chip", False, "ran although compiled for sm_100a")
    except LowbitError as e:
        message = str(e)
        report("wrong-chip", message.startswith("device error:") and
               "cuModuleLoadData" in message, "-> " + message)


def main():
    root = sys.argv[1]
    check_float_models(root)
    check_float_linear(root)
    check_gemv(root)
    check_float_gemv(root)
    check_hadamard(root)
    check_resident_weights(root)
    check_wrong_chip(root)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
