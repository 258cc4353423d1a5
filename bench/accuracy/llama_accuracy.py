"""Where each weight quantizer helps: a LLaMA-style decoder stack whose
residual stream has outlier channels (make_llama_outliers.py), quantized by
lowbit (RTN, MSE, GPTQ, AWQ through the fake-quant path) and by ONNX
Runtime's MatMulNBits quantizers.

  llama_accuracy.py [--build BUILD] [--work DIR] [--results FILE.md] [--kernels]

--kernels: instead of the fake-quantized weight-only rows, lowbit's rows come
from `lowbit-compile --quant ... --calib` and the packed kernels: W8A8 and
W4A4 with dynamic or static activation scales, asymmetric 4-bit weights.

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
    p.add_argument("--kernels", action="store_true")
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

    kernel_rows = [
        ("W8 per-channel", "int8 dynamic", ["--quant", "w8a8", "--quant-method", "rtn"]),
        ("W8 per-channel", "int8 static minmax", ["--quant", "w8a8", "--quant-method", "rtn", "--act-scale", "minmax"]),
        ("W8 per-channel", "int8 static percentile", ["--quant", "w8a8", "--quant-method", "rtn", "--act-scale", "percentile"]),
        ("W8 per-channel", "int8 static entropy", ["--quant", "w8a8", "--quant-method", "rtn", "--act-scale", "entropy"]),
        ("W8 per-channel", "int8 static mse", ["--quant", "w8a8", "--quant-method", "rtn", "--act-scale", "mse"]),
        ("W8 per-channel GPTQ", "int8 dynamic", ["--quant", "w8a8", "--quant-method", "gptq"]),
        ("W4 g128", "int4 dynamic", ["--quant", "w4a4", "--quant-method", "rtn"]),
        ("W4 g128 GPTQ", "int4 dynamic", ["--quant", "w4a4", "--quant-method", "gptq"]),
        ("W4 g128", "f32", ["--quant", "w4a16", "--quant-method", "rtn"]),
        ("W4 g128 asym", "f32", ["--quant", "w4a16", "--quant-method", "rtn", "--asymmetric-weights"]),
        ("W4 g128 asym GPTQ", "f32", ["--quant", "w4a16", "--quant-method", "gptq", "--asymmetric-weights"]),
        ("W4 g128 GPTQ", "f32", ["--quant", "w4a16", "--quant-method", "gptq"]),
    ]
    if a.kernels:
        for weights, acts, args in kernel_rows:
            so = w("llama-k-" + "-".join(x.strip("-") for x in args) + ".so")
            run([os.path.join(bin_dir, "lowbit-compile"), model, "-o", so, "--quiet", "--calib",
                 w("llama_calib.npz")] + args)
            method = args[args.index("--quant-method") + 1].upper()
            record("lowbit (kernels)", f"{method}, activations {acts}", weights,
                   lowbit_outputs(bin_dir, so, evals))
    run([os.path.join(bin_dir, "lowbit-calibrate"), model, "--calib", w("llama_calib.npz"),
         "-o", w("llama_calibrated.mlir"), "--quiet"])
    for weights, preset in (() if a.kernels else
                            (("W4 g128", "preset=w4a16 group-size=128"),
                             ("W4 per-channel", "preset=w4a16 group-size=0"))):
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

    if a.kernels:
        from onnxruntime.quantization import (CalibrationMethod, QuantFormat, QuantType,
                                              quantize_dynamic, quantize_static)
        from onnxruntime.quantization.shape_inference import quant_pre_process
        pre = w("llama-pre.onnx")
        quant_pre_process(model, pre)
        try:
            out = w("llama-ort-dynamic.onnx")
            quantize_dynamic(pre, out, weight_type=QuantType.QInt8, per_channel=True)
            record("ONNX Runtime", "quantize_dynamic, activations int8 dynamic",
                   "W8 per-channel", ort_outputs(out, evals))
        except Exception as e:  # report and go on
            rows.append(("ONNX Runtime", "quantize_dynamic", "W8 per-channel", float("nan"),
                         float("nan"), f"failed: {type(e).__name__}: {str(e)[:80]}"))
        for method in (CalibrationMethod.MinMax, CalibrationMethod.Percentile,
                       CalibrationMethod.Entropy):
            try:
                out = w(f"llama-ort-static-{method.name}.onnx")
                quantize_static(pre, out, CalibReader(batches), quant_format=QuantFormat.QDQ,
                                per_channel=True, activation_type=QuantType.QInt8,
                                weight_type=QuantType.QInt8, calibrate_method=method,
                                op_types_to_quantize=["MatMul"])
                record("ONNX Runtime", f"quantize_static QDQ {method.name}, activations int8 "
                       "static", "W8 per-channel", ort_outputs(out, evals))
            except Exception as e:  # report and go on
                rows.append(("ONNX Runtime", f"quantize_static {method.name}", "W8 per-channel",
                             float("nan"), float("nan"),
                             f"failed: {type(e).__name__}: {str(e)[:80]}"))

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
