"""lowbit float code against ONNX Runtime (CPU provider) on the same inputs,
in the same process, at the same thread counts; prints markdown tables.

    bench.py models  --work DIR --compile LOWBIT_COMPILE [--threads 1,2] ...
    bench.py matmul  --work DIR --compile LOWBIT_COMPILE [--threads 1,2] ...

`models` times whole models (median of --repeat runs after --warmup runs),
each at the shapes given with --model NAME=PATH[:INPUT=DIMS,...]. `matmul`
builds one-MatMul ONNX models with a constant [K, N] weight and reports
GFLOP/s (2 M N K per run). Both check that lowbit's outputs match ORT's.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lowbit_ctypes import Model  # noqa: E402


def median_seconds(fn, warmup, repeat, min_seconds=0.0):
    """Median wall time and median process CPU time of `fn`: `repeat` runs at
    least, more while the total is under `min_seconds` (short runs are noisy
    on a shared machine). At one thread the CPU time is the latency the run
    would have on an idle core; at more threads it sums all threads."""
    for _ in range(warmup):
        fn()
    times, cpu_times = [], []
    start = time.perf_counter()
    while len(times) < repeat or (time.perf_counter() - start < min_seconds
                                  and len(times) < 50 * repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        cpu_times.append(time.process_time() - c0)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), statistics.median(cpu_times)


def ort_session(path, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, options,
                                providers=["CPUExecutionProvider"])


def compile_model(compiler, onnx_path, so_path, shapes):
    """Compiles unless an up-to-date library exists (or, with no compiler
    on this machine, any library: libraries compiled elsewhere)."""
    if os.path.exists(so_path) and (not os.path.exists(compiler) or
                                    os.path.getmtime(so_path) > max(
            os.path.getmtime(onnx_path), os.path.getmtime(compiler))):
        return
    cmd = [compiler, onnx_path, "-o", so_path, "--quiet"]
    for name, dims in shapes.items():
        cmd += ["--input-shape", f"{name}=" + "x".join(map(str, dims))]
    subprocess.run(cmd, check=True)


def vocabulary_size(model, input_name):
    """Rows of the embedding table that a Gather reads with `input_name`."""
    inits = {i.name: i for i in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Gather" and len(node.input) > 1 and \
                node.input[1] == input_name and node.input[0] in inits:
            return inits[node.input[0]].dims[0]
    return None


def make_feeds(model, shapes, seed=0):
    """Reproducible inputs: token ids inside the vocabulary, a full attention
    mask, token types 0, normal floats elsewhere."""
    rng = np.random.default_rng(seed)
    inits = {i.name for i in model.graph.initializer}
    feeds = {}
    for value in model.graph.input:
        if value.name in inits:
            continue
        tensor_type = value.type.tensor_type
        dtype = helper.tensor_dtype_to_np_dtype(tensor_type.elem_type)
        shape = shapes.get(value.name) or [d.dim_value
                                           for d in tensor_type.shape.dim]
        if np.issubdtype(dtype, np.floating):
            feeds[value.name] = rng.standard_normal(shape).astype(dtype)
        elif "mask" in value.name:
            feeds[value.name] = np.ones(shape, dtype)
        elif "type" in value.name:
            feeds[value.name] = np.zeros(shape, dtype)
        else:
            vocab = vocabulary_size(model, value.name) or 8
            feeds[value.name] = rng.integers(0, vocab, shape).astype(dtype)
    return feeds


def check_close(name, lowbit_outs, ort_outs, rtol=1e-3, atol=1e-3):
    for got, want in zip(lowbit_outs, ort_outs):
        if not np.allclose(got, want, rtol=rtol, atol=atol):
            err = float(np.max(np.abs(got.astype(np.float64) - want)))
            sys.exit(f"error: {name}: lowbit output differs from ONNX Runtime "
                     f"(max abs error {err:g})")


def time_pair(name, onnx_path, so_path, feeds, threads, args):
    """((wall, cpu) of lowbit, (wall, cpu) of ORT, whether lowbit took the
    thread count) at `threads` threads, outputs checked."""
    lowbit = Model(so_path)
    threaded = lowbit.set_num_threads(threads)
    prepared = lowbit.prepare(feeds)
    session = ort_session(onnx_path, threads)
    ort_outs = session.run(None, feeds)
    check_close(name, lowbit.run_prepared(prepared), ort_outs)
    lowbit_s = median_seconds(lambda: lowbit.run_prepared(prepared),
                              args.warmup, args.repeat, args.min_seconds)
    ort_s = median_seconds(lambda: session.run(None, feeds), args.warmup,
                           args.repeat, args.min_seconds)
    return lowbit_s, ort_s, threaded


def parse_model_spec(text):
    """NAME=PATH[:INPUT=D0xD1,INPUT=...]"""
    name, _, rest = text.partition("=")
    path, _, shape_text = rest.partition(":")
    shapes = {}
    for item in filter(None, shape_text.split(",")):
        input_name, _, dims = item.partition("=")
        shapes[input_name] = [int(d) for d in dims.split("x")]
    return name, path, shapes


def bench_models(args):
    print("| model | threads | lowbit ms | ORT ms | lowbit / ORT | lowbit CPU ms | ORT CPU ms | CPU ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for spec in args.model:
        name, path, shapes = parse_model_spec(spec)
        so_path = os.path.join(args.work, name + ".so")
        compile_model(args.compile, path, so_path, shapes)
        feeds = make_feeds(onnx.load(path), shapes)
        for threads in args.threads:
            (lowbit_s, lowbit_cpu), (ort_s, ort_cpu), threaded = time_pair(
                name, path, so_path, feeds, threads, args)
            note = "" if threaded or threads == 1 else " (lowbit: 1 thread)"
            print(f"| {name} | {threads}{note} | {lowbit_s * 1e3:.3f} | "
                  f"{ort_s * 1e3:.3f} | {lowbit_s / ort_s:.2f} | "
                  f"{lowbit_cpu * 1e3:.3f} | {ort_cpu * 1e3:.3f} | "
                  f"{lowbit_cpu / max(ort_cpu, 1e-9):.2f} |", flush=True)


def matmul_model(path, m, n, k):
    rng = np.random.default_rng([m, n, k])
    weight = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "w"], ["y"], name="matmul")],
        f"matmul_{m}x{n}x{k}",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(weight, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


def bench_matmul(args):
    print("| M | N = K | threads | lowbit GFLOP/s | ORT GFLOP/s | lowbit / ORT time | lowbit GFLOP/s per CPU s | ORT GFLOP/s per CPU s |")
    print("|---|---|---|---|---|---|---|---|")
    for nk in args.sizes:
        for m in args.rows:
            name = f"matmul_{m}x{nk}x{nk}"
            path = os.path.join(args.work, name + ".onnx")
            so_path = os.path.join(args.work, name + ".so")
            if not os.path.exists(path):
                matmul_model(path, m, nk, nk)
            compile_model(args.compile, path, so_path, {})
            feeds = {"a": np.random.default_rng(1).standard_normal(
                (m, nk)).astype(np.float32)}
            flops = 2.0 * m * nk * nk
            for threads in args.threads:
                (lowbit_s, lowbit_cpu), (ort_s, ort_cpu), threaded = \
                    time_pair(name, path, so_path, feeds, threads, args)
                note = "" if threaded or threads == 1 else " (lowbit: 1 thread)"
                print(f"| {m} | {nk} | {threads}{note} | "
                      f"{flops / lowbit_s / 1e9:.1f} | "
                      f"{flops / ort_s / 1e9:.1f} | {lowbit_s / ort_s:.2f} | "
                      f"{flops / max(lowbit_cpu, 1e-9) / 1e9:.1f} | "
                      f"{flops / max(ort_cpu, 1e-9) / 1e9:.1f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["models", "matmul"])
    parser.add_argument("--work", required=True)
    parser.add_argument("--compile", required=True, help="lowbit-compile")
    parser.add_argument("--threads", default="1,2",
                        type=lambda s: [int(t) for t in s.split(",")])
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--min-seconds", type=float, default=0.5)
    parser.add_argument("--model", action="append", default=[])
    parser.add_argument("--rows", default="1,16,128",
                        type=lambda s: [int(t) for t in s.split(",")])
    parser.add_argument("--sizes", default="1024,2048,4096",
                        type=lambda s: [int(t) for t in s.split(",")])
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    if args.what == "models":
        bench_models(args)
    else:
        bench_matmul(args)


if __name__ == "__main__":
    main()
