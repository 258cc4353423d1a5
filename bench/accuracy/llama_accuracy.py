"""Where each weight quantizer helps: a LLaMA-style decoder stack whose
residual stream has outlier channels (make_llama_outliers.py), quantized by
lowbit (RTN, MSE, GPTQ, AWQ through the fake-quant path) and by ONNX
Runtime's MatMulNBits quantizers.

  llama_accuracy.py [--build BUILD] [--work DIR] [--results FILE.md]

32 calibration inputs and 32 different evaluation inputs; the metric is the
relative error of the logits, ||y - y_float|| / ||y_float||, over all
evaluation inputs (float reference: ONNX Runtime), and the mean cosine
similarity of each token's logits to the reference.
"""
import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_llama_outliers as L  # noqa: E402
from minilm_accuracy import CalibReader, log, run  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))


def ort_outputs(path, xs):
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return np.stack([s.run(None, {"x": x})[0] for x in xs])


def lowbit_outputs(bin_dir, so, xs):
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for x in xs:
            np.save(os.path.join(tmp, "x.npy"), x)
            subprocess.run([os.path.join(bin_dir, "lowbit-run"), so, "--input",
                            "x=" + os.path.join(tmp, "x.npy"), "--output-dir", tmp],
                           check=True, stderr=subprocess.DEVNULL)
            out.append(np.load(os.path.join(tmp, "logits.npy")))
    return np.stack(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--work", default=os.path.join(ROOT, "build", "accuracy"))
    p.add_argument("--results", default=None)
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    w = lambda name: os.path.join(a.work, name)  # noqa: E731
    bin_dir = os.path.join(a.build, "bin")
    model = w("llama_outliers.onnx")
    L.build(model)
    calib, evals = L.sample_inputs(32, 1), L.sample_inputs(32, 2)
    np.savez(w("llama_calib.npz"), x=calib)
    ref = ort_outputs(model, evals)
    rows = []

    def record(tool, method, weights, y, note=""):
        rel = np.linalg.norm(y - ref) / np.linalg.norm(ref)
        a_, b_ = y.reshape(-1, L.VOCAB), ref.reshape(-1, L.VOCAB)
        cos = ((a_ * b_).sum(1) / (np.linalg.norm(a_, axis=1) * np.linalg.norm(b_, axis=1))).mean()
        rows.append((tool, method, weights, rel, cos, note))
        log(f"{tool} {method} {weights}: relative error {rel:.4e}, mean cos {cos:.6f} {note}")

    run([os.path.join(bin_dir, "lowbit-calibrate"), model, "--calib", w("llama_calib.npz"),
         "-o", w("llama_calibrated.mlir"), "--quiet"])
    for weights, preset in (("W4 g128", "preset=w4a16 group-size=128"),
                            ("W4 per-channel", "preset=w4a16 group-size=0")):
        for method in ("rtn", "mse", "gptq", "awq"):
            fq = w(f"llama-fq-{method}.mlir")
            run([os.path.join(bin_dir, "lowbit-opt"), w("llama_calibrated.mlir"),
                 f"--lowbit-assign-qconfig={preset}",
                 f"--lowbit-fake-quantize-weights=method={method}", "-o", fq],
                stderr=subprocess.DEVNULL)
            run([os.path.join(bin_dir, "lowbit-compile"), fq, "-o", fq + ".so", "--quiet"])
            record("lowbit", method.upper(), weights, lowbit_outputs(bin_dir, fq + ".so", evals))

    from onnxruntime.quantization import matmul_nbits_quantizer as nbits
    batches = [{"x": x} for x in calib]

    def matmul_nbits(label, config, **kw):
        try:
            out = w(f"llama-ort-{label.replace(' ', '_')}.onnx")
            q = nbits.MatMulNBitsQuantizer(onnx.load(model), algo_config=config, **kw)
            q.process()
            q.model.save_model_to_file(out, use_external_data_format=False)
            record("ONNX Runtime", f"MatMulNBits {label}", "W4 g128", ort_outputs(out, evals))
        except Exception as e:  # report a missing optional dependency and go on
            rows.append(("ONNX Runtime", f"MatMulNBits {label}", "W4 g128", float("nan"),
                         float("nan"), f"failed: {type(e).__name__}: {str(e)[:80]}"))

    matmul_nbits("default RTN sym", nbits.DefaultWeightOnlyQuantConfig(block_size=128, is_symmetric=True),
                 block_size=128, is_symmetric=True)
    matmul_nbits("default RTN asym", nbits.DefaultWeightOnlyQuantConfig(block_size=128, is_symmetric=False),
                 block_size=128, is_symmetric=False)
    matmul_nbits("GPTQ", nbits.GPTQWeightOnlyQuantConfig(CalibReader(batches), block_size=128),
                 block_size=128)
    matmul_nbits("GPTQ act-order", nbits.GPTQWeightOnlyQuantConfig(CalibReader(batches), block_size=128,
                                                                   actorder=True), block_size=128)
    matmul_nbits("HQQ", nbits.HQQWeightOnlyQuantConfig(block_size=128, bits=4), block_size=128)

    lines = ["| tool | method | weights | relative error | mean cos | note |", "|---|---|---|---|---|---|"]
    for tool, method, weights, rel, cos, note in rows:
        lines.append(f"| {tool} | {method} | {weights} | {rel:.4e} | {cos:.6f} | {note} |")
    header = (f"LLaMA-style decoder (2 blocks, hidden {L.HIDDEN}, MLP {L.MLP}, outlier channels "
              f"{list(L.OUTLIERS)}), 32 calibration and 32 evaluation inputs of {L.SEQ} tokens; "
              f"reference: ONNX Runtime {ort.__version__} float. {platform.machine()}, "
              f"{os.cpu_count()} cores, {datetime.date.today()}.")
    text = header + "\n\n" + "\n".join(lines) + "\n"
    print(text)
    if a.results:
        with open(a.results, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
