"""Times lowbit's generated W4A16, W8A16, W8A8 and f32 GEMV kernels against
cuBLAS.

    bench_gemv.py ARTIFACT_DIR [BEFORE_DIR]

Loads each cubin that prepare.sh extracted from lowbit's output, launches
the kernel on GPU buffers (cupy), checks its result against a float64
product of the dequantized weights, and times it the way BENCHMARKING.md
asks: weights cycled through > 256 MiB of copies so every call reads HBM,
calls captured in a CUDA graph, median over replays. The reference is
torch.nn.functional.linear in fp16 (cuBLAS) on the same shapes, timed the
same way in the same run. Prints one markdown table row per shape. With
BEFORE_DIR (the kernels of another build, e.g. of an earlier commit:
`bench/gpu/kernels.sh OTHER_BUILD BEFORE_DIR`, or a whole prepare.sh output),
each kernel whose cubin is also there is timed in both versions, same
buffers.
"""

import glob
import os
import re
import statistics
import sys

import cupy as cp
import numpy as np
import torch

ROTATE_BYTES = 320 << 20
REPLAYS = 15


def descriptor(array):
    """A memref descriptor's kernel arguments: pointers, offset, sizes,
    strides (in elements)."""
    strides = [s // array.itemsize for s in array.strides]
    return [array, array, np.int64(0)] + [np.int64(d) for d in array.shape] + \
        [np.int64(s) for s in strides]


def time_graph(launch_all, calls, stream_kind):
    """Median microseconds per call of a graph that makes `calls` calls."""
    if stream_kind == "cupy":
        stream = cp.cuda.Stream(non_blocking=True)
        with stream:
            launch_all()  # warm-up, outside the graph
            stream.begin_capture()
            launch_all()
            graph = stream.end_capture()
        times = []
        for _ in range(REPLAYS + 2):
            start, end = cp.cuda.Event(), cp.cuda.Event()
            start.record(stream)
            graph.launch(stream)
            end.record(stream)
            end.synchronize()
            times.append(cp.cuda.get_elapsed_time(start, end))
    else:
        launch_all()
        torch.cuda.synchronize()
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            launch_all()
        times = []
        for _ in range(REPLAYS + 2):
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            start.record()
            graph.replay()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
    return statistics.median(times[2:]) * 1e3 / calls


def torch_int4_time(m, n, k, g):
    """torch's own W4A16 kernel (tinygemm, bf16 activations) on the same
    shape, microseconds per call; None where this torch has none."""
    try:
        def make():
            w = torch.randint(0, 256, (n, k // 2), dtype=torch.uint8,
                              device="cuda")
            return torch.ops.aten._convert_weight_to_int4pack(w, 8)
        scales = torch.rand(k // g, n, 2, dtype=torch.bfloat16, device="cuda")
        xt = torch.randn(m, k, dtype=torch.bfloat16, device="cuda")
        ws = [make() for _ in range(max(2, -(-ROTATE_BYTES // (n * k // 2))))]
        torch.ops.aten._weight_int4pack_mm(xt, ws[0], g, scales)
    except Exception:  # noqa: BLE001 - absent or unsupported here
        return None
    calls = len(ws) * 4
    t = time_graph(lambda: [torch.ops.aten._weight_int4pack_mm(
        xt, ws[i % len(ws)], g, scales) for i in range(calls)], calls, "torch")
    del ws
    torch.cuda.empty_cache()
    return t


def torch_int8_time(m, n, k):
    """torch's int8 GEMM (torch._int_mm, cuBLASLt, int32 out) on the same
    shape, microseconds per call; None where it does not take it (it wants
    more than 16 rows)."""
    try:
        xt = torch.randint(-127, 128, (m, k), dtype=torch.int8, device="cuda")
        ws = [torch.randint(-127, 128, (n, k), dtype=torch.int8,
                            device="cuda").t()
              for _ in range(max(2, -(-ROTATE_BYTES // (n * k))))]
        torch._int_mm(xt, ws[0])
    except Exception:  # noqa: BLE001 - absent or unsupported here
        return None
    calls = len(ws) * 4
    t = time_graph(lambda: [torch._int_mm(xt, ws[i % len(ws)])
                            for i in range(calls)], calls, "torch")
    del ws
    torch.cuda.empty_cache()
    return t


def kernel_x_layout(x, name, bits):
    """x [M, K] as lowbit's rounding kernel stores it (GemvShape::xLayout):
    "_xl" kernels take each step's 16 chunks of 8 values in the order the
    lanes load them, "_sw" kernels each block of 2g values interleaved."""
    m, k = x.shape
    if "_xl" in name:  # (4-bit codes) stored chunk 4h + q is x's 4q + h
        x = x.reshape(m, k // 128, 4, 4, 8).transpose(0, 1, 3, 2, 4).reshape(m, k)
    if "_sw" in name:  # value a + g b of a block at 2a + b
        g = 4 if bits == 4 else 2
        x = x.reshape(m, k // (2 * g), 2, g).transpose(0, 1, 3, 2).reshape(m, k)
    return x


def bench_gemv(path, before_dir=None):
    name = os.path.basename(path)[:-len(".cubin")]
    bits, tiles, m, n, k, g = re.match(
        r"gemv_w(\d)(?:tc(\d))?_m(\d+)_n(\d+)_k(\d+)_g(\d+)", name).groups()
    bits, m, n, k, g = map(int, (bits, m, n, k, g))
    kernel = cp.RawModule(path=path).get_function(name)
    # Output channels per block and blocks along M (GemvKernel.h).
    mtiles = re.search(r"_mt(\d)", name)
    rows = re.search(r"_r(\d+)", name)  # rows per warp, CUDA-core kernel
    warps_named = re.search(r"_w(\d+)(?:_|$)", name[len("gemv_w4"):])
    warps = int(warps_named.group(1)) if warps_named else 4
    # W8A8: x as signed 8-bit codes with a scale per row; the warps always
    # split N.
    int8_x = "_a8" in name
    # Warps along M in the GEMM form (the others along N).
    warp_rows = re.search(r"_wm(\d+)", name)
    warp_rows = int(warp_rows.group(1)) if warp_rows else 1
    stages = re.search(r"_st(\d+)", name)
    # The warps split N in the GEMM form ("_mt" in the name: beyond 16 rows,
    # and W8A8 on the tensor cores), else K.
    if tiles:
        per_block = 8 * int(tiles) * (warps // warp_rows if mtiles else 1)
    elif rows:
        per_block = int(rows.group(1))
    elif bits == 4 and m == 1 and n * k >= 1 << 25 and n % 16 == 0:
        per_block = 16  # GemvShape::rowsPerWarp: large 4-bit matrices, one row
    else:
        per_block = 8 if m <= 8 else 4
    m_blocks = (-(-m // (16 * int(mtiles.group(1)) * warp_rows))
                if mtiles else 1)
    # K split across blocks: partial sums [S, M, N], added up after.
    split = re.search(r"_ks(\d+)", name)
    splits = int(split.group(1)) if split else 1
    row_bytes = k * bits // 8
    weight_bytes = n * row_bytes + n * (k // g) * 4
    copies = max(2, -(-ROTATE_BYTES // weight_bytes))
    rng = cp.random.default_rng(0)
    packed = [rng.integers(0, 256, (n, row_bytes), dtype=cp.uint8).view(cp.int8)
              for _ in range(copies)]
    scales = [rng.uniform(0.005, 0.02, (n, k // g), dtype=cp.float64)
              .astype(cp.float32) for _ in range(copies)]
    x = rng.standard_normal((m, k), dtype=cp.float32)
    # The GEMM form ("_mt"), and "_xl" kernels ("_xh" before x was stored in
    # load order), take x in f16, rounded before the launch in the order
    # they read it.
    half_x = (bool(tiles) and bool(mtiles or re.search(r"_x[hl](_|$)", name))
              and not int8_x)
    x_arg = x.astype(cp.float16) if half_x else x
    x_src = kernel_x_layout(x, name, bits) if half_x else x
    x_scale, quantize = None, None
    if int8_x:
        # Per-token codes of x by lowbit's quantization kernel (same cubin),
        # which runs first and is timed with the product.
        x_arg = cp.zeros((m, k), cp.int8)
        x_scale = cp.zeros((m,), cp.float32)
        quantize = cp.RawModule(path=path).get_function(
            f"quantize_per_token_r{m}_w{k}_b8")
        # The block size the kernel was built for (threadsFor in
        # QuantizePerTokenToKernel.cpp: about 16 values per thread).
        quantize_threads = min(max((k // 16 + 31) // 32 * 32, 128), 1024)
    y = cp.zeros((splits, m, n) if splits > 1 else (m, n), cp.float32)

    def launch(i, kernel=kernel):
        if half_x:  # the rounding kernel lowbit runs first, timed with it
            cp.copyto(x_arg, x_src)
        if quantize is not None:
            quantize((m,), (quantize_threads,), descriptor(x) +
                     descriptor(x_arg) + descriptor(x_scale))
        args = descriptor(x_arg) + descriptor(packed[i]) + descriptor(scales[i])
        if x_scale is not None:
            args += descriptor(x_scale)
        args += descriptor(y)
        kernel((n // per_block, splits, m_blocks), (32 * warps,), args)
        if splits > 1:
            return y.sum(axis=0)
        return y

    result = launch(0)
    cp.cuda.runtime.deviceSynchronize()
    # Check against float64: 4-bit codes low nibble first; the symmetric
    # zero point is 2^(bits-1).
    p = packed[0].view(cp.uint8)
    if bits == 4:
        p = cp.stack([p & 15, p >> 4], axis=-1).reshape(n, k)
    codes = p.astype(cp.float64)
    w = cp.repeat(scales[0].astype(cp.float64), g, axis=1) * \
        (codes - (1 << (bits - 1)))
    x64 = x.astype(cp.float64)
    codes_ok = True
    if int8_x:
        # The codes and scales must be the CPU lowering's, bit for bit:
        # max|x| / 127, then round half to even of x / scale, clamped.
        scale = cp.max(cp.abs(x), axis=1) / cp.float32(127)
        scale = cp.where(scale == 0, cp.float32(1), scale)
        codes_x = cp.clip(cp.rint(x / scale[:, None]), -128, 127).astype(cp.int8)
        codes_ok = bool(cp.array_equal(scale, x_scale) and
                        cp.array_equal(codes_x, x_arg))
        if not codes_ok:
            print(f"  {name}: per-token codes differ from numpy's",
                  file=sys.stderr)
        x64 = x_scale.astype(cp.float64)[:, None] * x_arg.astype(cp.float64)
    want = x64 @ w.T
    bound = cp.abs(x64) @ cp.abs(w).T
    rel = float(cp.max(cp.abs(result - want) / bound))
    if not codes_ok:
        rel = float("inf")
    del codes, w, want, bound, p

    calls = copies * 4
    ours = time_graph(lambda: [launch(i % copies) for i in range(calls)],
                      calls, "cupy")
    before = None
    # The same kernel built by an earlier lowbit, also under its name from
    # before x was stored in load order (timed only: the layout of x changes
    # no address it reads).
    old_names = [n for n in (name, re.sub(r"_xl(?=_|$)", "_xh", name))
                 if before_dir and os.path.exists(
                     os.path.join(before_dir, "cubin", n + ".cubin"))]
    if old_names:
        old = cp.RawModule(path=os.path.join(
            before_dir, "cubin", old_names[0] + ".cubin")).get_function(old_names[0])
        before = time_graph(
            lambda: [launch(i % copies, old) for i in range(calls)], calls, "cupy")
    del packed, scales
    cp.get_default_memory_pool().free_all_blocks()

    # cuBLAS fp16 on the same shape.
    wt = [torch.randn(n, k, device="cuda", dtype=torch.float16)
          for _ in range(max(2, -(-ROTATE_BYTES // (n * k * 2))))]
    xt = torch.randn(m, k, device="cuda", dtype=torch.float16)
    tcalls = len(wt) * 4
    theirs = time_graph(
        lambda: [torch.nn.functional.linear(xt, wt[i % len(wt)])
                 for i in range(tcalls)], tcalls, "torch")
    del wt
    torch.cuda.empty_cache()
    int4 = torch_int4_time(m, n, k, g) if bits == 4 else None
    if int8_x:
        int4 = torch_int8_time(m, n, k)
    moved = weight_bytes + m * k * (5 if int8_x else 4) + m * n * 4
    kind = f"W{bits}A{8 if int8_x else 16}"
    if tiles:
        kind += f", tensor cores {tiles}x8" + (
            f", {mtiles.group(1)}x16 rows" if mtiles else "")
    if warp_rows > 1:
        kind += f", {warp_rows} warps along M"
    if stages:
        kind += f", {stages.group(1)} cp.async stages"
    stage_k = re.search(r"_sk(\d+)", name)
    if stage_k:
        kind += f" of {stage_k.group(1)} K"
    if splits > 1:
        kind += f", K split {splits}"
    if half_x and not mtiles:
        kind += ", x in f16"
    if "_sw" in name:
        kind += ", codes as A"
    if rows and not tiles:
        kind += f", {rows.group(1)} rows per warp"
    if warps != 4:
        kind += f", {warps} warps per block"
    tflops = 2 * m * n * k / ours / 1e6
    return (kind, m, n, k, ours, theirs, int4, moved / ours / 1e3, tflops, rel,
            before)


def bench_float_gemv(path):
    """The f32-weight GEMV (lowbit.linear's float path at small batch)
    against cuBLAS f32 (TF32 off) and fp16 on the same shape."""
    name = os.path.basename(path)[:-len(".cubin")]
    m, n, k = map(int, re.match(r"gemv_f32_m(\d+)_n(\d+)_k(\d+)", name).groups())
    kernel = cp.RawModule(path=path).get_function(name)
    rows = 8 if m <= 4 else 4 if m <= 8 else 2
    copies = max(2, -(-ROTATE_BYTES // (n * k * 4)))
    rng = cp.random.default_rng(2)
    ws = [rng.standard_normal((n, k), dtype=cp.float32) for _ in range(copies)]
    x = rng.standard_normal((m, k), dtype=cp.float32)
    y = cp.zeros((m, n), cp.float32)

    def launch(i):
        kernel((n // rows,), (128,), descriptor(x) + descriptor(ws[i]) + descriptor(y))

    launch(0)
    cp.cuda.runtime.deviceSynchronize()
    w64 = ws[0].astype(cp.float64)
    want = x.astype(cp.float64) @ w64.T
    rel = float(cp.max(cp.abs(y - want) / (cp.abs(x.astype(cp.float64)) @ cp.abs(w64).T)))
    del w64, want
    calls = copies * 4
    ours = time_graph(lambda: [launch(i % copies) for i in range(calls)], calls, "cupy")
    del ws
    cp.get_default_memory_pool().free_all_blocks()
    torch.backends.cuda.matmul.allow_tf32 = False
    results = []
    for dtype, size in ((torch.float32, 4), (torch.float16, 2)):
        wt = [torch.randn(n, k, device="cuda", dtype=dtype)
              for _ in range(max(2, -(-ROTATE_BYTES // (n * k * size))))]
        xt = torch.randn(m, k, device="cuda", dtype=dtype)
        tcalls = len(wt) * 4
        results.append(time_graph(
            lambda: [torch.nn.functional.linear(xt, wt[i % len(wt)])
                     for i in range(tcalls)], tcalls, "torch"))
        del wt
        torch.cuda.empty_cache()
    moved = n * k * 4 + m * k * 4 + m * n * 4
    return m, n, k, ours, results[0], results[1], moved / ours / 1e3, rel


def main():
    root = sys.argv[1]
    print(f"GPU: {torch.cuda.get_device_name()}, torch {torch.__version__}, "
          f"cupy {cp.__version__}")
    print()
    before_dir = sys.argv[2] if len(sys.argv) > 2 else None
    print("| kernel | M | N x K | lowbit us | cuBLAS fp16 us | speedup | "
          "torch int4 (tinygemm, bf16) / int8 (_int_mm) us | lowbit GB/s | lowbit TFLOP/s | "
          "max err / sum|x*w| |" + (" before us |" if before_dir else ""))
    print("|---|---|---|---|---|---|---|---|---|---|" + ("---|" if before_dir else ""))
    def order(path):
        bits, m, n, k = map(int, re.search(
            r"gemv_w(\d)(?:tc\d)?_m(\d+)_n(\d+)_k(\d+)", path).groups())
        return (bits, n, k, m, path)
    paths = sorted(glob.glob(os.path.join(root, "cubin", "gemv_w[48]*_*.cubin")),
                   key=order)
    for path in paths:
        kind, m, n, k, ours, theirs, int4, gbs, tflops, rel, before = \
            bench_gemv(path, before_dir)
        int4_text = f"{int4:.1f}" if int4 is not None else "-"
        before_text = ""
        if before_dir:
            before_text = f" {before:.1f} |" if before is not None else " - |"
        print(f"| {kind} | {m} | {n} x {k} | {ours:.1f} | {theirs:.1f} | "
              f"{theirs / ours:.2f}x | {int4_text} | {gbs:.0f} | {tflops:.1f} | "
              f"{rel:.2g} |{before_text}", flush=True)
        cp.get_default_memory_pool().free_all_blocks()
    print()
    print("| M | N x K | lowbit f32 GEMV us | cuBLAS f32 us | cuBLAS fp16 us | "
          "vs f32 | lowbit GB/s | max err / sum|x*w| |")
    print("|---|---|---|---|---|---|---|---|")
    paths = sorted(glob.glob(os.path.join(root, "cubin", "gemv_f32_*.cubin")),
                   key=lambda p: tuple(map(int, re.findall(r"\d+", p)[-3:])))
    for path in paths:
        m, n, k, ours, f32, f16, gbs, rel = bench_float_gemv(path)
        print(f"| {m} | {n} x {k} | {ours:.1f} | {f32:.1f} | {f16:.1f} | "
              f"{f32 / ours:.2f}x | {gbs:.0f} | {rel:.2g} |", flush=True)
    print()


if __name__ == "__main__":
    main()
