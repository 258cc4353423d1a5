"""Quantized linear layers on the CPU: lowbit against ONNX Runtime, one run.

    bench_quant.py [--sizes 1024,2048,4096] [--rows 1,16,128] [--repeat 20]
                   [--trials 5] [--lowbit-bin build/bin] [--work DIR]

For each y = x W (x [M, K], W [K, N], N = K) it times, at one thread:
  lowbit float (--quant none), W4A16 (group 128), W8A16, W8A8 (per-token
  int8 activations), each compiled by lowbit-compile and run by lowbit-run
  (--repeat R in one process, which reports the mean; median and minimum
  over --trials processes);
  ONNX Runtime float MatMul, MatMulNBits (4 bits, block 128, symmetric) and
  DynamicQuantizeLinear + MatMulInteger (int8, per-channel weight scales),
  median and minimum over trials x repeat calls of session.run.
It prints a Markdown table of milliseconds per call, GFLOP/s (2 M N K / t)
and the ratios against lowbit float, plus the library size of the W4A16
layer against the ideal size (4 bits per weight + one f32 scale per group),
and a correctness check of lowbit W4A16 against MatMulNBits on the same codes.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

f32 = np.float32
GROUP = 128


def float_model(w, m):
    k, n = w.shape
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "mm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(w, "w")])
    return finish(graph, [])


def finish(graph, extra_domains):
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)] + extra_domains,
        producer_name="lowbit-bench")
    model.ir_version = 8
    return model


def symmetric_codes(w_nk, bits, group):
    """Unsigned codes [N, K] and scales [N, K / group] (lowbit's RTN rule)."""
    n, k = w_nk.shape
    cells = w_nk.reshape(n, k // group, group)
    s = (np.abs(cells).max(axis=2) / f32(2 ** (bits - 1) - 1)).astype(f32)
    s[s == 0] = 1
    c = np.clip(np.rint(cells / s[:, :, None]) + 2 ** (bits - 1), 0,
                2 ** bits - 1).astype(np.uint8)
    return c.reshape(n, k), s


def nbits_model(w, m):
    """com.microsoft MatMulNBits, 4 bits, symmetric (zero point 8 implied)."""
    k, n = w.shape
    codes, scales = symmetric_codes(np.ascontiguousarray(w.T), 4, GROUP)
    packed = (codes[:, 0::2] | (codes[:, 1::2] << 4)).astype(np.uint8)
    packed = packed.reshape(n, k // GROUP, GROUP // 2)
    node = helper.make_node(
        "MatMulNBits", ["x", "b", "scales"], ["y"], name="mm",
        domain="com.microsoft", K=k, N=n, bits=4, block_size=GROUP)
    graph = helper.make_graph(
        [node], "nbits",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(packed, "b"),
         numpy_helper.from_array(scales.reshape(-1), "scales")])
    return finish(graph, [helper.make_opsetid("com.microsoft", 1)])


def integer_model(w, m):
    """ONNX Runtime's dynamic int8 pattern: uint8 activations with a zero
    point, int8 weights with per-channel scales."""
    k, n = w.shape
    codes, scales = symmetric_codes(np.ascontiguousarray(w.T), 8, k)
    wq = (codes.astype(np.int16) - 128).astype(np.int8).T.copy()  # [K, N]
    nodes = [
        helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
        helper.make_node("MatMulInteger", ["xq", "wq", "xz", "wz"], ["acc"]),
        helper.make_node("Cast", ["acc"], ["accf"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["xs", "ws"], ["s"]),
        helper.make_node("Mul", ["accf", "s"], ["y"])]
    graph = helper.make_graph(
        nodes, "int8",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(wq, "wq"),
         numpy_helper.from_array(np.zeros(n, np.int8), "wz"),
         numpy_helper.from_array(scales.reshape(-1), "ws")])
    return finish(graph, [])


def time_ort(model, x, trials, repeat):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    feed = {"x": x}
    for _ in range(3):
        y = session.run(None, feed)[0]
    times = []
    for _ in range(trials * repeat):
        start = time.perf_counter()
        session.run(None, feed)
        times.append((time.perf_counter() - start) * 1e3)
    return (statistics.median(times), min(times)), y


def time_lowbit(binary, library, x_path, out_dir, trials, repeat):
    per_trial = []
    for _ in range(trials):
        text = subprocess.run(
            [os.path.join(binary, "lowbit-run"), library, "--input",
             f"x={x_path}", "--output-dir", out_dir, "--repeat", str(repeat)],
            check=True, capture_output=True, text=True)
        found = re.search(r"([0-9.]+) ms per run", text.stdout + text.stderr)
        per_trial.append(float(found.group(1)))
    return ((statistics.median(per_trial), min(per_trial)),
            np.load(os.path.join(out_dir, "y.npy")))


def compile_lowbit(binary, onnx_path, library, quant):
    subprocess.run(
        [os.path.join(binary, "lowbit-compile"), onnx_path, "-o", library,
         "--quant", quant, "--group-size", str(GROUP), "--quiet"],
        check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1024,2048,4096")
    parser.add_argument("--rows", default="1,16,128")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--lowbit-bin", default="build/bin")
    parser.add_argument("--work", default=None)
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="lowbit-bench-quant-")
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(0)
    presets = ["none", "w4a16", "w8a16", "w8a8"]
    ort_kinds = ["ort float", "ort nbits4", "ort int8"]
    print("| M | N=K | " + " | ".join(
        f"lowbit {p}" for p in presets) + " | " + " | ".join(ort_kinds) +
        " | w4a16 / float | w8a8 / float | w4a16 / ort nbits4 | "
        "w8a8 / ort int8 |")
    print("|" + "---|" * (2 + len(presets) + len(ort_kinds) + 4))
    sizes_note = []
    for size in [int(s) for s in args.sizes.split(",")]:
        w = (rng.standard_normal((size, size)) / np.sqrt(size)).astype(f32)
        for m in [int(r) for r in args.rows.split(",")]:
            x = rng.standard_normal((m, size)).astype(f32)
            tag = f"{m}x{size}"
            onnx_path = os.path.join(work, f"{tag}.onnx")
            onnx.save(float_model(w, m), onnx_path)
            x_path = os.path.join(work, f"{tag}-x.npy")
            np.save(x_path, x)
            times, outputs = {}, {}
            for preset in presets:
                library = os.path.join(work, f"{tag}-{preset}.so")
                compile_lowbit(args.lowbit_bin, onnx_path, library, preset)
                times[preset], outputs[preset] = time_lowbit(
                    args.lowbit_bin, library, x_path,
                    os.path.join(work, f"{tag}-{preset}-out"), args.trials,
                    args.repeat)
                if preset == "w4a16" and m == 1:
                    ideal = size * size // 2 + size * (size // GROUP) * 4
                    sizes_note.append(
                        f"N=K={size}: W4A16 g{GROUP} library "
                        f"{os.path.getsize(library)} bytes, ideal {ideal} "
                        f"(+{100 * (os.path.getsize(library) / ideal - 1):.1f}%)")
            for kind, build in [("ort float", float_model),
                                ("ort nbits4", nbits_model),
                                ("ort int8", integer_model)]:
                times[kind], outputs[kind] = time_ort(
                    build(w, m), x, args.trials, args.repeat)
            diff = float(np.abs(outputs["w4a16"] - outputs["ort nbits4"]).max()
                         / np.abs(outputs["ort nbits4"]).max())
            if diff > 1e-4:
                print(f"warning: {tag}: lowbit w4a16 differs from MatMulNBits "
                      f"by {diff:.2e}", file=sys.stderr)
            flops = 2.0 * m * size * size
            cells = [f"{times[k][0]:.3f} / {times[k][1]:.3f} "
                     f"({flops / times[k][1] / 1e6:.1f})"
                     for k in presets + ort_kinds]
            times = {k: v[0] for k, v in times.items()}
            ratios = [times["none"] / times["w4a16"],
                      times["none"] / times["w8a8"],
                      times["ort nbits4"] / times["w4a16"],
                      times["ort int8"] / times["w8a8"]]
            print(f"| {m} | {size} | " + " | ".join(cells) + " | " +
                  " | ".join(f"{r:.2f}x" for r in ratios) + " |", flush=True)
    print()
    print("Cells: median / minimum ms per call (GFLOP/s at the minimum). "
          "Ratios of medians; > 1: the first is faster.")
    for line in sizes_note:
        print(f"- {line}")


if __name__ == "__main__":
    main()
