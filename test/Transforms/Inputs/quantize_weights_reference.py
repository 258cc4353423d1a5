"""Expected results of test/Transforms/quantize-weights.mlir and
fake-quantize-weights.mlir, computed independently of lib/Numerics from the
rules written in include/lowbit/Numerics/{UniformQuantizer,Packing,
MSEClipping}.h: binary32 arithmetic, round-half-to-even, unsigned weight codes
c in [0, 2^b - 1] with the implicit symmetric zero point 2^(b-1), k_major
little-endian bit streams.

Run with the project's venv; the printed lines are pasted into the tests.
"""

import numpy as np

f32 = np.float32


def round_half_to_even(x):
    # numpy's rint rounds half to even in the default FP environment.
    return f32(np.rint(f32(x)))


def scale_zero(lo, hi, bits, symmetric, clip=f32(1.0)):
    """Scale and zero point of one cell whose values span [lo, hi]."""
    lo, hi, clip = f32(lo), f32(hi), f32(clip)
    if symmetric:
        max_abs = f32(max(abs(lo), abs(hi)) * clip)
        s = f32(max_abs / f32(2 ** (bits - 1) - 1))
        return (s if s != 0 else f32(1.0)), 2 ** (bits - 1)
    lo = min(f32(lo * clip), f32(0.0))
    hi = max(f32(hi * clip), f32(0.0))
    s = f32((hi - lo) / f32(2 ** bits - 1))
    if s == 0:
        s = f32(1.0)
    z = int(min(max(round_half_to_even(f32(-lo / s)), 0), 2 ** bits - 1))
    return s, z


def code(x, s, z, bits):
    q = int(round_half_to_even(f32(f32(x) / s)))
    return min(max(q + z, 0), 2 ** bits - 1)


def dequant(c, s, z):
    return f32(s * f32(c - z))


def cells(w, group):
    """(row, first column, column count) of every grid cell, row-major."""
    n, k = w.shape
    size = k if group == 0 else group
    return [(r, c0, size) for r in range(n) for c0 in range(0, k, size)]


def mse_scale_zero(values, bits, symmetric, candidates=100, min_ratio=0.5):
    lo, hi = f32(values.min()), f32(values.max())

    def error(sz):
        err = 0.0
        for x in values:
            d = float(x) - float(dequant(code(x, *sz, bits), *sz))
            err += d * d
        return err

    best = scale_zero(lo, hi, bits, symmetric)
    best_err = error(best)
    step = (1.0 - float(f32(min_ratio))) / (candidates - 1)
    for i in range(1, candidates):
        ratio = f32(1.0 - step * i)
        sz = scale_zero(lo, hi, bits, symmetric, ratio)
        err = error(sz)
        if err < best_err:
            best, best_err = sz, err
    return best


def quantize(w, bits, group=0, symmetric=True, method="rtn", per_tensor=False):
    w = np.asarray(w, dtype=f32)
    n, k = w.shape
    if per_tensor:
        grid = [scale_zero(w.min(), w.max(), bits, symmetric)] * n
        size = k
    else:
        grid = []
        for r, c0, size in cells(w, group):
            part = w[r, c0:c0 + size]
            if method == "mse":
                grid.append(mse_scale_zero(part, bits, symmetric))
            else:
                grid.append(scale_zero(part.min(), part.max(), bits, symmetric))
    cols = 1 if per_tensor else k // size
    codes = [[code(w[r, j], *grid[r * cols + j // size], bits) for j in range(k)]
             for r in range(n)]
    fake = [[dequant(codes[r][j], *grid[r * cols + j // size])
             for j in range(k)] for r in range(n)]
    return grid, cols, codes, fake


def pack_row(codes, bits):
    out = bytearray((len(codes) * bits + 7) // 8)
    for i, c in enumerate(codes):
        for b in range(bits):
            if c >> b & 1:
                pos = i * bits + b
                out[pos // 8] |= 1 << (pos % 8)
    return [int(np.int8(np.uint8(v))) for v in out]  # printed as MLIR i8


def to_bfloat16(values):
    """Rounds binary32 values to bfloat16 (nearest, ties to even), as f32."""
    bits = np.asarray(values, dtype=f32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16 << 16
    return bits.astype(np.uint32).view(f32)


def to_type(values, dtype):
    values = np.asarray(values, dtype=f32)
    if dtype == "f16":
        return values.astype(np.float16).astype(f32)
    if dtype == "bf16":
        return to_bfloat16(values)
    return values


def show(name, w, bits, dtype="f32", **kw):
    grid, cols, codes, fake = quantize(to_type(w, dtype), bits, **kw)
    fake = to_type(fake, dtype)
    n = len(codes)
    scales = [[grid[r * cols + c][0] for c in range(cols)] for r in range(n)]
    zeros = [[grid[r * cols + c][1] for c in range(cols)] for r in range(n)]
    print(f"== {name}")
    print("codes      ", codes)
    print("packed i8  ", [pack_row(row, bits) for row in codes])
    print("scales     ", [[f"{float(s):.9e}" for s in row] for row in scales])
    print("zero codes ", zeros, "as i8",
          [[int(np.int8(np.uint8(z))) for z in row] for row in zeros])
    print("fake quant ", [[f"{float(v):.9e}" for v in row] for row in fake])


if __name__ == "__main__":
    show("sym_group4_4bit", [[1.75, -0.875, 0.25, 0.0, 0.5, -1.0, 0.3, 0.0625],
                             [-2.0, 1.0, 0.5, -0.25, 0.1, 0.2, 0.3, 0.4]],
         4, group=4)
    show("asym_channel_4bit", [[-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5],
                               [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]],
         4, symmetric=False)
    show("sym_channel_3bit", [[0.3, -0.3, 0.2, -0.1, 0.0, 0.15, -0.25, 0.05],
                              [3.0, 2.0, 1.0, 0.0, -1.0, -2.0, -3.0, 1.5]], 3)
    show("asym_channel_8bit_negative_row", [[-1.0, -2.0, -0.5, -4.0]], 8,
         symmetric=False)
    show("per_tensor_4bit", [[0.5, -0.25, 0.125, 0.0], [1.75, 0.875, -1.0, 0.25]],
         4, per_tensor=True)
    clipped = [[0.5, 0.25, -0.5, 0.75, -0.25, 0.125, -0.625, 1.5]]
    show("clip_rtn_3bit", clipped, 3)
    show("clip_mse_3bit", clipped, 3, method="mse")
    show("on_grid_4bit", [[0.875, -0.5, 0.25, 0.0, -0.125, 0.375, -0.875, 0.625]],
         4)
    show("f16_channel_8bit", [[1.0, -0.5, 0.25, 0.75], [0.1, 0.2, 0.3, -0.4]],
         8, dtype="f16")
    show("two_bit_group8", [[0.25, -0.5, 0.75, 1.0, -1.0, 0.5, 0.0, -0.25]], 2,
         group=8)
    show("bf16_group8_4bit", [[0.3, -0.7, 0.1, 0.45, -0.2, 0.05, 0.6, -0.35]],
         4, dtype="bf16", group=8)
