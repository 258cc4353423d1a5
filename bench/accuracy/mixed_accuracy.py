"""Mixed precision against uniform widths, and the exact allocator against
its baselines, on all-MiniLM-L6-v2 and the outlier decoder, through the
packed CPU kernels.

  mixed_accuracy.py [--build BUILD] [--work DIR] [--results FILE.md]
                    [--models minilm,llama] [--gptq]

Each model is calibrated once (lowbit-calibrate on the calibration set of
minilm_accuracy.py / llama_accuracy.py); each row then runs

  lowbit-opt --lowbit-allocate-bits="target-bpw=B solver=S bits=..."
             --lowbit-quantize-weights=method=M

(a uniform width is an allocation with a single candidate), compiles the
result with lowbit-compile and runs it with lowbit-run on the evaluation
set. Weights are quantized with RTN by default (the solvers' comparison),
with --gptq also with GPTQ (the headline rows). The bits per weight are
those the allocation remark reports (scales included); the predicted error
is the allocation's summed layer output error on the calibration data.
Metrics: MiniLM, mean cosine of the sentence embeddings to ONNX Runtime's
float model; decoder, relative error of the logits.
"""
import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import llama_accuracy as LA  # noqa: E402
import make_llama_outliers as L  # noqa: E402
import minilm_accuracy as MA  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
ALL_BITS = "2,3,4,6,8"


def configs(gptq):
    rows = []
    methods = ["rtn"] + (["gptq"] if gptq else [])
    for method in methods:
        rows += [(method, "uniform 4", 99, "exact", "4"),
                 (method, "uniform 3", 99, "exact", "3")]
        for bpw in (4.25, 3.25):
            rows.append((method, f"mixed exact {bpw}", bpw, "exact", ALL_BITS))
        if method == "rtn":
            for bpw in (4.5, 3.5):
                for solver in ("exact", "greedy", "equal-loss"):
                    rows.append((method, f"mixed {solver} {bpw}", bpw, solver, ALL_BITS))
    return rows


def quantize(bin_dir, calibrated, out, bpw, solver, bits, method):
    start = time.time()
    proc = subprocess.run(
        [os.path.join(bin_dir, "lowbit-opt"), calibrated,
         f"--lowbit-allocate-bits=target-bpw={bpw} solver={solver} bits={bits}",
         f"--lowbit-quantize-weights=method={method}",
         "-o", out, "-mlir-print-op-on-diagnostic=false"],
        capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    m = re.search(r"allocated (\d+) layers with \S+: ([0-9.]+) bits per weight "
                  r"\(target [0-9.]+\), predicted error (\S+)", proc.stderr)
    widths = re.findall(r"': (\d+) bits, output error", proc.stderr)
    hist = {}
    for b in widths:
        hist[int(b)] = hist.get(int(b), 0) + 1
    return (float(m.group(2)), float(m.group(3)), time.time() - start,
            ", ".join(f"{n}x{b}" for b, n in sorted(hist.items())))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--work", default=os.path.join(ROOT, "build", "accuracy"))
    p.add_argument("--results", default=None)
    p.add_argument("--models", default="minilm,llama")
    p.add_argument("--gptq", action="store_true")
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    w = lambda name: os.path.join(a.work, name)  # noqa: E731
    bin_dir = os.path.join(a.build, "bin")
    lines = []

    if "minilm" in a.models:
        mm = MA.MiniLMSetup(a.build, a.work)
        lb = mm.lowbit
        start = time.time()
        MA.run([lb.tool("lowbit-calibrate"), mm.model, "--calib", mm.calib, "-o",
                w("minilm-calibrated.mlir"), "--quiet"] + lb.shapes)
        lines.append(f"all-MiniLM-L6-v2: calibration {time.time() - start:.0f} s "
                     f"({mm.calib_sentences} sentences)")
        lines += ["", "| weights | allocation | bpw | widths | predicted error | mean cos | "
                  "1 - mean cos | allocate + quantize s |", "|---|---|---|---|---|---|---|---|"]
        for method, label, bpw, solver, bits in configs(a.gptq):
            out = w(f"minilm-mixed-{method}-{label.replace(' ', '_')}.mlir")
            got_bpw, pred, secs, hist = quantize(bin_dir, w("minilm-calibrated.mlir"), out,
                                                 bpw, solver, bits, method)
            lb.compile(out, out + ".so")
            c = mm.cosine_of(out + ".so")
            MA.log(f"minilm {method} {label}: {got_bpw:.3f} bpw, cos {c:.6f}")
            lines.append(f"| {method.upper()} | {label} | {got_bpw:.3f} | {hist} | {pred:.4g} | "
                         f"{c:.6f} | {1 - c:.2e} | {secs:.0f} |")
            os.remove(out)
        lines.append("")

    if "llama" in a.models:
        model = w("llama_outliers.onnx")
        L.build(model)
        calib, evals = L.sample_inputs(32, 1), L.sample_inputs(32, 2)
        np.savez(w("llama_calib.npz"), x=calib)
        ref = LA.ort_outputs(model, evals)
        MA.run([os.path.join(bin_dir, "lowbit-calibrate"), model, "--calib",
                w("llama_calib.npz"), "-o", w("llama-calibrated.mlir"), "--quiet"])
        lines += ["LLaMA-style decoder with outlier channels:", "",
                  "| weights | allocation | bpw | widths | predicted error | relative error | "
                  "allocate + quantize s |", "|---|---|---|---|---|---|---|"]
        for method, label, bpw, solver, bits in configs(a.gptq):
            out = w(f"llama-mixed-{method}-{label.replace(' ', '_')}.mlir")
            got_bpw, pred, secs, hist = quantize(bin_dir, w("llama-calibrated.mlir"), out,
                                                 bpw, solver, bits, method)
            MA.run([os.path.join(bin_dir, "lowbit-compile"), out, "-o", out + ".so", "--quiet"])
            y = LA.lowbit_outputs(bin_dir, out + ".so", evals)
            rel = np.linalg.norm(y - ref) / np.linalg.norm(ref)
            MA.log(f"llama {method} {label}: {got_bpw:.3f} bpw, relative error {rel:.4e}")
            lines.append(f"| {method.upper()} | {label} | {got_bpw:.3f} | {hist} | {pred:.4g} | "
                         f"{rel:.4e} | {secs:.0f} |")
            os.remove(out)

    MA.write_results(f"{platform.machine()}, {os.cpu_count()} cores, {datetime.date.today()}; "
                     f"packed CPU kernels (lowbit.qlinear), groups of 128.", lines, a.results)

if __name__ == "__main__":
    main()
