"""SmoothQuant's effect on W8A8 and W4A4, through the packed kernels, on
all-MiniLM-L6-v2 and the outlier decoder.

  smooth_accuracy.py [--build BUILD] [--work DIR] [--results FILE.md]
                     [--models minilm,llama]

Every row is `lowbit-compile --quant PRESET --quant-method rtn --calib DATA
[--act-scale M] [--smooth-quant ALPHA]` and lowbit-run on the evaluation
set of minilm_accuracy.py / llama_accuracy.py (same sentences, inputs and
metrics: cosine of MiniLM's embeddings, relative error of the decoder's
logits, against ONNX Runtime's float model). RTN weights, so that the rows
differ by the smoothing only.
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
# (preset, activation scales, SmoothQuant alpha, "+shift" for OS+ shifts)
ROWS = [("w8a8", "dynamic", None), ("w8a8", "dynamic", 0.5), ("w8a8", "dynamic", 0.8),
        ("w8a8", "dynamic", "0.5+shift"), ("w8a8", "dynamic", "auto"),
        ("w8a8", "percentile", None), ("w8a8", "percentile", 0.5),
        ("w8a8", "percentile", "0.5+shift"),
        ("w4a4", "dynamic", None), ("w4a4", "dynamic", 0.5), ("w4a4", "dynamic", 0.8),
        ("w4a4", "dynamic", "0.5+shift"), ("w4a4", "dynamic", "auto")]


def compile_row(bin_dir, model, so, calib, preset, act, alpha, extra):
    args = [os.path.join(bin_dir, "lowbit-compile"), model, "-o", so, "--quant", preset,
            "--quant-method", "rtn", "--calib", calib] + extra
    if act != "dynamic":
        args += ["--act-scale", act]
    if alpha:
        value, _, shift = str(alpha).partition("+")
        args += ["--smooth-quant", value] + (["--smooth-shift"] if shift else [])
    start = time.time()
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    folded = len(re.findall(r"SmoothQuant: alpha", proc.stderr))
    kept = len(re.findall(r"not smoothed", proc.stderr))
    return time.time() - start, f"{folded} inputs smoothed, {kept} not" if alpha else ""


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--work", default=os.path.join(ROOT, "build", "accuracy"))
    p.add_argument("--results", default=None)
    p.add_argument("--models", default="minilm,llama")
    p.add_argument("--only-alpha", default=None,
                   help="run only the rows with this alpha (e.g. auto)")
    a = p.parse_args()
    rows = [r for r in ROWS if a.only_alpha is None or str(r[2]) == a.only_alpha]
    os.makedirs(a.work, exist_ok=True)
    w = lambda name: os.path.join(a.work, name)  # noqa: E731
    bin_dir = os.path.join(a.build, "bin")
    lines = []

    if "minilm" in a.models:
        mm = MA.MiniLMSetup(a.build, a.work)
        lines += ["all-MiniLM-L6-v2 (mean cosine to float):", "",
                  "| preset | activation scales | SmoothQuant alpha | mean cos | 1 - mean cos | "
                  "note | compile s |", "|---|---|---|---|---|---|---|"]
        for preset, act, alpha in rows:
            so = w(f"minilm-sq-{preset}-{act}-{alpha}.so")
            secs, note = compile_row(bin_dir, mm.model, so, mm.calib, preset, act, alpha,
                                     mm.lowbit.shapes)
            c = mm.cosine_of(so)
            MA.log(f"minilm {preset} {act} alpha {alpha}: cos {c:.6f} {note}")
            lines.append(f"| {preset} | {act} | {alpha or '-'} | {c:.6f} | {1 - c:.2e} | "
                         f"{note} | {secs:.0f} |")
        lines.append("")

    if "llama" in a.models:
        model = w("llama_outliers.onnx")
        L.build(model)
        calib, evals = L.sample_inputs(32, 1), L.sample_inputs(32, 2)
        np.savez(w("llama_calib.npz"), x=calib)
        ref = LA.ort_outputs(model, evals)
        lines += ["LLaMA-style decoder with outlier channels (relative error of the logits):",
                  "", "| preset | activation scales | SmoothQuant alpha | relative error | "
                  "note | compile s |", "|---|---|---|---|---|---|"]
        for preset, act, alpha in rows:
            so = w(f"llama-sq-{preset}-{act}-{alpha}.so")
            secs, note = compile_row(bin_dir, model, so, w("llama_calib.npz"), preset, act,
                                     alpha, [])
            y = LA.lowbit_outputs(bin_dir, so, evals)
            rel = np.linalg.norm(y - ref) / np.linalg.norm(ref)
            MA.log(f"llama {preset} {act} alpha {alpha}: relative error {rel:.4e} {note}")
            lines.append(f"| {preset} | {act} | {alpha or '-'} | {rel:.4e} | {note} | "
                         f"{secs:.0f} |")

    MA.write_results(f"{platform.machine()}, {os.cpu_count()} cores, {datetime.date.today()}.",
                     lines, a.results)

if __name__ == "__main__":
    main()
