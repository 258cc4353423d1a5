"""Hadamard rotation's effect (lowbit-rotate, QuaRot-style) on W4A4, W8A8
and weight-only W4, through the packed kernels, on all-MiniLM-L6-v2 and the
outlier decoder.

  rotate_accuracy.py [--build BUILD] [--work DIR] [--results FILE.md]
                     [--models minilm,llama]

Every row is `lowbit-compile --quant PRESET --quant-method M --calib DATA
[--rotate] [--smooth-quant 0.5]` and lowbit-run on the evaluation set of
minilm_accuracy.py / llama_accuracy.py (same sentences, inputs and metrics:
cosine of MiniLM's embeddings, relative error of the decoder's logits,
against ONNX Runtime's float model). Dynamic per-token activation scales.
The first rows compile without quantization: rotation alone must not change
the float function.
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
# (preset, weight method, extra lowbit-compile arguments)
ROWS = [("none", "-", []), ("none", "-", ["--rotate"]),
        ("w4a4", "rtn", []), ("w4a4", "rtn", ["--smooth-quant", "0.5"]),
        ("w4a4", "rtn", ["--rotate"]), ("w4a4", "gptq", []), ("w4a4", "gptq", ["--rotate"]),
        ("w8a8", "rtn", []), ("w8a8", "rtn", ["--rotate"]),
        ("w4a16", "rtn", []), ("w4a16", "rtn", ["--rotate"]),
        ("w4a16", "gptq", []), ("w4a16", "gptq", ["--rotate"])]


def compile_row(bin_dir, model, so, calib, preset, method, extra, shapes):
    args = [os.path.join(bin_dir, "lowbit-compile"), model, "-o", so] + shapes + extra
    if preset != "none":
        args += ["--quant", preset, "--quant-method", method, "--calib", calib]
    start = time.time()
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    note = ""
    if "--rotate" in extra:
        folded = re.findall(r"residual stream of width \d+ rotated", proc.stderr)
        online = re.search(r"rotate: (\d+) linear input\(s\) rotated online", proc.stderr)
        note = (f"residual stream folded ({len(folded)}), " if folded else "") + \
            f"{online.group(1) if online else 0} online rotations"
    return time.time() - start, note


def label(preset, method, extra):
    what = preset if preset == "none" else f"{preset} {method.upper()}"
    return what + ("".join(" " + x.lstrip("-") for x in extra) if extra else "")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--work", default=os.path.join(ROOT, "build", "accuracy"))
    p.add_argument("--results", default=None)
    p.add_argument("--models", default="minilm,llama")
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    w = lambda name: os.path.join(a.work, name)  # noqa: E731
    bin_dir = os.path.join(a.build, "bin")
    lines = []

    if "llama" in a.models:
        model = w("llama_outliers.onnx")
        L.build(model)
        calib, evals = L.sample_inputs(32, 1), L.sample_inputs(32, 2)
        np.savez(w("llama_calib.npz"), x=calib)
        ref = LA.ort_outputs(model, evals)
        lines += ["LLaMA-style decoder with outlier channels (relative error of the logits "
                  "against ONNX Runtime float):", "",
                  "| configuration | relative error | rotation | compile s |",
                  "|---|---|---|---|"]
        for preset, method, extra in ROWS:
            so = w("llama-rot-" + label(preset, method, extra).replace(" ", "-") + ".so")
            secs, note = compile_row(bin_dir, model, so, w("llama_calib.npz"), preset,
                                     method, extra, [])
            y = LA.lowbit_outputs(bin_dir, so, evals)
            rel = np.linalg.norm(y - ref) / np.linalg.norm(ref)
            MA.log(f"llama {label(preset, method, extra)}: relative error {rel:.4e} {note}")
            lines.append(f"| {label(preset, method, extra)} | {rel:.4e} | {note or '-'} | "
                         f"{secs:.1f} |")
        lines.append("")

    if "minilm" in a.models:
        mm = MA.MiniLMSetup(a.build, a.work)
        lines += ["all-MiniLM-L6-v2 (mean cosine of the sentence embeddings to ONNX Runtime "
                  "float):", "", "| configuration | mean cos | 1 - mean cos | rotation | "
                  "compile s |", "|---|---|---|---|---|"]
        for preset, method, extra in ROWS:
            so = w("minilm-rot-" + label(preset, method, extra).replace(" ", "-") + ".so")
            secs, note = compile_row(bin_dir, mm.model, so, mm.calib, preset, method, extra,
                                     mm.lowbit.shapes)
            c = mm.cosine_of(so)
            MA.log(f"minilm {label(preset, method, extra)}: cos {c:.6f} {note}")
            lines.append(f"| {label(preset, method, extra)} | {c:.6f} | {1 - c:.2e} | "
                         f"{note or '-'} | {secs:.1f} |")

    MA.write_results(f"{platform.machine()}, {os.cpu_count()} cores, {datetime.date.today()}.",
                     lines, a.results)


if __name__ == "__main__":
    main()
