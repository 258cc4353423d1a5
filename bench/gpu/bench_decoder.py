"""End to end on the GPU: the decoder block of decoder.py at 1 and 16 tokens,
in each size whose libraries prepare.sh built (hidden 1024, hidden 4096),
lowbit float and lowbit W4A16 (`lowbit-compile --target cuda`) against torch
on the same weights.

    bench_decoder.py ARTIFACT_DIR

Every row is a whole forward pass from host numpy x to host numpy logits:
lowbit through its C ABI (which copies x in and the logits out and
synchronizes), torch eager in fp16 and in fp32 (TF32 off) with the same copies
(`torch.from_numpy(x).cuda()` ... `.cpu()`), and torch fp16 on GPU-resident
tensors without the copies, eager and replayed as one CUDA graph (the
device-time floor of torch's kernels). Median of 50 runs after 5 warm-up runs,
microseconds. Accuracy: relative error of the logits against torch fp32 on
the GPU, over 3 inputs.
"""
import os
import statistics
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import decoder as D  # noqa: E402
from lowbit_model import LowbitModel  # noqa: E402

RUNS, WARMUP = 50, 5


def median_us(fn):
    for _ in range(WARMUP):
        fn()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main():
    root = sys.argv[1]
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    for config, cfg in D.CONFIGS.items():
        prefix = "" if config == "h1024" else config + "_"
        if os.path.exists(os.path.join(root, "decoder", f"{prefix}f32_s1.so")):
            bench_config(root, prefix, cfg)


def bench_config(root, prefix, cfg):
    w32 = {k: torch.from_numpy(v).cuda() for k, v in D.weights(cfg).items()}
    w16 = {k: v.half() for k, v in w32.items()}
    print(f"GPU: {torch.cuda.get_device_name()}, torch {torch.__version__}; decoder block "
          f"hidden {cfg['hidden']}, {cfg['heads']} heads, MLP {cfg['mlp']}, "
          f"vocab {cfg['vocab']}")
    print()
    print("| tokens | implementation | us per forward | vs torch fp16 (with copies) | "
          "relative error vs torch fp32 |")
    print("|---|---|---|---|---|")
    for seq in (1, 16):
        xs = D.inputs(seq, 3, cfg)
        with torch.no_grad():
            ref = [D.torch_forward(torch.from_numpy(x).cuda(), w32, torch, cfg).cpu().numpy()
                   for x in xs]

            def torch_run(weights, dtype):
                def run():
                    x = torch.from_numpy(xs[0]).cuda().to(dtype)
                    return D.torch_forward(x, weights, torch, cfg).float().cpu().numpy()
                return run

            x16 = torch.from_numpy(xs[0]).cuda().half()

            def torch_resident():
                D.torch_forward(x16, w16, torch, cfg)
                torch.cuda.synchronize()

            rows = []
            for label, fn, outs in (
                    ("torch fp16 eager", torch_run(w16, torch.float16),
                     [D.torch_forward(torch.from_numpy(x).cuda().half(), w16, torch, cfg)
                      .float().cpu().numpy() for x in xs]),
                    ("torch fp32 eager", torch_run(w32, torch.float32), ref)):
                rows.append((label, median_us(fn), outs))
            resident = median_us(torch_resident)
            # The same forward captured in a CUDA graph: the device-time
            # floor of torch's kernels, without Python's launch overhead.
            graph = torch.cuda.CUDAGraph()
            stream = torch.cuda.Stream()
            stream.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(stream):
                D.torch_forward(x16, w16, torch, cfg)
            torch.cuda.current_stream().wait_stream(stream)
            with torch.cuda.graph(graph):
                D.torch_forward(x16, w16, torch, cfg)

            def torch_graph():
                graph.replay()
                torch.cuda.synchronize()

            graphed = median_us(torch_graph)
        lowbit_outs = {}
        for kind, label in (("f32", "lowbit float (f32)"), ("w4a16", "lowbit W4A16 g128 RTN"),
                            ("w4a16_unfused", "lowbit W4A16 g128 RTN, epilogues not fused")):
            path = os.path.join(root, "decoder", f"{prefix}{kind}_s{seq}.so")
            if not os.path.exists(path):
                continue
            model = LowbitModel(path)
            outs = [model.run([x])[0] for x in xs]
            lowbit_outs[kind] = outs
            rows.append((label, median_us(lambda: model.run([xs[0]])), outs))
        base = rows[0][1]
        for label, us, outs in rows:
            rel = max(float(np.linalg.norm(o - r) / np.linalg.norm(r)) for o, r in zip(outs, ref))
            print(f"| {seq} | {label} | {us:.0f} | {base / us:.2f}x | {rel:.2e} |", flush=True)
        print(f"| {seq} | torch fp16 eager, GPU-resident x, no copies | {resident:.0f} | "
              f"{base / resident:.2f}x | - |", flush=True)
        print(f"| {seq} | torch fp16, one CUDA graph replay, GPU-resident x | {graphed:.0f} | "
              f"{base / graphed:.2f}x | - |", flush=True)
        if "w4a16_unfused" in lowbit_outs:
            # The same kernels with the elementwise ops after them as
            # kernels of their own: the fusion must not change the result.
            diff = max(float(np.max(np.abs(a - b)) / np.max(np.abs(b)))
                       for a, b in zip(lowbit_outs["w4a16"], lowbit_outs["w4a16_unfused"]))
            print(f"<!-- {seq} tokens: W4A16 fused vs not fused, max|diff| / max|y| = "
                  f"{diff:.2e} -->", flush=True)


if __name__ == "__main__":
    main()
