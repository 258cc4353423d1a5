"""Accuracy of lowbit's weight quantization on all-MiniLM-L6-v2, beside
ONNX Runtime's own quantizers, on the same model and sentences.

  minilm_accuracy.py [--build BUILD] [--work DIR] [--results FILE.md]
                     [--skip-ort | --only-ort] [--kernels]

The model is built from its PyPI package (examples/minilm). Sentences:
bench/accuracy/data/eval_sentences.txt (evaluation) and calib_sentences.txt
(calibration; disjoint), tokenized to 24 tokens (every sentence fits) and
run in batches of 16. The reference is ONNX Runtime's float model; each row
gives the cosine similarity of every sentence embedding to the reference
(mean and minimum over the evaluation sentences) and 1 - mean cosine.

--kernels: lowbit's rows are compiled by `lowbit-compile --quant ... --calib`
(calibration in-process, then the packed CPU kernels: W8A8 and W4A4 with
dynamic or static activation scales, asymmetric 4-bit weights).

lowbit rows otherwise: lowbit-calibrate on the calibration batches, then
lowbit-assign-qconfig + lowbit-fake-quantize-weights (the same numerics as
the packed kernels, see docs/calibration.md) and lowbit-compile/lowbit-run,
so the quantized weights run through lowbit's own compiled float kernels.
ONNX Runtime rows: quantize_dynamic, quantize_static (QDQ, MinMax /
Percentile / Entropy; weights and activations int8), and
MatMulNBitsQuantizer (default RTN, neural-compressor RTN, GPTQ, HQQ).
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
from onnxruntime.quantization import CalibrationDataReader

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples", "minilm"))
from build_minilm_onnx import checkpoint_dir  # noqa: E402

SEQ, BATCH = 24, 16
NAMES = ("input_ids", "attention_mask", "token_type_ids")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def tokenize(path):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(checkpoint_dir(None), "tokenizer.json"))
    tok.enable_truncation(SEQ)
    tok.enable_padding(length=SEQ, pad_id=0, pad_token="[PAD]")
    lines = [l.strip() for l in open(path) if l.strip()]
    enc = tok.encode_batch(lines)
    feeds = {n: np.array([getattr(e, k) for e in enc], dtype=np.int64)
             for n, k in zip(NAMES, ("ids", "attention_mask", "type_ids"))}
    return lines, feeds


def padded_batches(feeds):
    n = len(feeds[NAMES[0]])
    total = -(-n // BATCH) * BATCH
    idx = np.concatenate([np.arange(n), np.full(total - n, n - 1)])
    return [{k: v[idx[i:i + BATCH]] for k, v in feeds.items()}
            for i in range(0, total, BATCH)], n


def run(cmd, **kw):
    log(" ".join(cmd))
    subprocess.run(cmd, check=True, **kw)


class Lowbit:
    def __init__(self, build, work):
        self.bin = os.path.join(build, "bin")
        self.work = work
        self.shapes = []
        for n in NAMES:
            self.shapes += ["--input-shape", f"{n}={BATCH}x{SEQ}"]

    def tool(self, name):
        return os.path.join(self.bin, name)

    def compile(self, model, so):
        run([self.tool("lowbit-compile"), model, "-o", so, "--quiet"] + self.shapes)

    def embed(self, so, batches, n):
        out = []
        with tempfile.TemporaryDirectory() as tmp:
            for b in batches:
                args = []
                for name, value in b.items():
                    np.save(os.path.join(tmp, name + ".npy"), value)
                    args += ["--input", f"{name}={os.path.join(tmp, name + '.npy')}"]
                subprocess.run([self.tool("lowbit-run"), so, *args, "--output-dir", tmp],
                               check=True, stderr=subprocess.DEVNULL)
                out.append(np.load(os.path.join(tmp, "sentence_embedding.npy")))
        return np.concatenate(out)[:n]


def ort_session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def ort_embed(path, batches, n):
    s = ort_session(path)
    return np.concatenate([s.run(None, b)[0] for b in batches])[:n]


class CalibReader(CalibrationDataReader):
    """ONNX Runtime's CalibrationDataReader over the calibration batches."""

    def __init__(self, batches):
        self.batches = batches
        self.i = 0

    def get_next(self):
        if self.i >= len(self.batches):
            return None
        self.i += 1
        return self.batches[self.i - 1]

    def rewind(self):
        self.i = 0


def calibrate(lb, model, w):
    start = time.time()
    run([lb.tool("lowbit-calibrate"), model, "--calib", w("calib.npz"), "-o", w("calibrated.mlir"),
         "--quiet"] + lb.shapes)
    log(f"calibration took {time.time() - start:.1f} s")


class MiniLMSetup:
    """What every MiniLM accuracy script needs: the model (built from its
    PyPI package into WORK/minilm.onnx once), the tokenized evaluation and
    calibration sentences in batches, WORK/calib.npz for --calib, ONNX
    Runtime's float embeddings of the evaluation set, and a Lowbit helper."""

    def __init__(self, build, work):
        self.model = os.path.join(work, "minilm.onnx")
        if not os.path.exists(self.model):
            run([sys.executable, os.path.join(ROOT, "examples/minilm/build_minilm_onnx.py"),
                 self.model])
        data = os.path.join(ROOT, "bench", "accuracy", "data")
        _, eval_feeds = tokenize(os.path.join(data, "eval_sentences.txt"))
        _, calib_feeds = tokenize(os.path.join(data, "calib_sentences.txt"))
        self.eval_batches, self.n = padded_batches(eval_feeds)
        self.calib_batches, _ = padded_batches(calib_feeds)
        self.calib_sentences = len(calib_feeds[NAMES[0]])
        self.calib = os.path.join(work, "calib.npz")
        np.savez(self.calib, **{k: np.stack([b[k] for b in self.calib_batches])
                                for k in NAMES})
        self.ref = ort_embed(self.model, self.eval_batches, self.n)
        self.lowbit = Lowbit(build, work)

    def cosine_of(self, so):
        """Mean cosine of the library's embeddings to the reference."""
        return cosine(self.lowbit.embed(so, self.eval_batches, self.n), self.ref).mean()


def write_results(header, lines, path):
    text = header + "\n\n" + "\n".join(lines) + "\n"
    print(text)
    if path:
        with open(path, "w") as f:
            f.write(text)


def cosine(got, want):
    return (got * want).sum(1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(want, axis=1))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--work", default=os.path.join(ROOT, "build", "accuracy"))
    p.add_argument("--results", default=None)
    p.add_argument("--skip-ort", action="store_true", help="only lowbit's rows")
    p.add_argument("--only-ort", action="store_true",
                   help="only the float rows and ONNX Runtime's quantizers")
    p.add_argument("--kernels", action="store_true",
                   help="lowbit's rows through `lowbit-compile --quant ... --calib` and the "
                        "packed kernels (W8A8/W4A4 with dynamic or static activation scales, "
                        "asymmetric W4) instead of the fake-quantized weight-only rows")
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    w = lambda name: os.path.join(a.work, name)  # noqa: E731

    model = w("minilm.onnx")
    if not os.path.exists(model):
        run([sys.executable, os.path.join(ROOT, "examples/minilm/build_minilm_onnx.py"), model])
    data = os.path.join(ROOT, "bench", "accuracy", "data")
    _, eval_feeds = tokenize(os.path.join(data, "eval_sentences.txt"))
    _, calib_feeds = tokenize(os.path.join(data, "calib_sentences.txt"))
    eval_batches, n = padded_batches(eval_feeds)
    calib_batches, _ = padded_batches(calib_feeds)
    np.savez(w("calib.npz"), **{k: np.stack([b[k] for b in calib_batches]) for k in NAMES})

    ref = ort_embed(model, eval_batches, n)
    rows = []

    def record(tool, method, weights, acts, emb, note=""):
        c = cosine(emb, ref)
        rows.append((tool, method, weights, acts, c.mean(), c.min(), note))
        log(f"{tool} {method} {weights} {acts}: mean cos {c.mean():.6f}, min {c.min():.6f} {note}")

    lb = Lowbit(a.build, a.work)
    lb.compile(model, w("float.so"))
    record("lowbit", "float", "f32", "f32", lb.embed(w("float.so"), eval_batches, n))
    configs = [("W8 per-channel", "preset=w8a16"),
               ("W4 g128", "preset=w4a16 group-size=128"),
               ("W4 per-channel", "preset=w4a16 group-size=0")]
    if a.only_ort or a.kernels:
        configs = []
    else:
        calibrate(lb, model, w)
    kernel_rows = [
        # (weights, activations, lowbit-compile arguments)
        ("W8 per-channel", "int8 dynamic per token", ["--quant", "w8a8", "--quant-method", "rtn"]),
        ("W8 per-channel", "int8 static minmax", ["--quant", "w8a8", "--quant-method", "rtn", "--act-scale", "minmax"]),
        ("W8 per-channel", "int8 static percentile 99.99", ["--quant", "w8a8", "--quant-method", "rtn", "--act-scale", "percentile"]),
        ("W8 per-channel", "int8 static entropy", ["--quant", "w8a8", "--quant-method", "rtn", "--act-scale", "entropy"]),
        ("W8 per-channel", "int8 static mse", ["--quant", "w8a8", "--quant-method", "rtn", "--act-scale", "mse"]),
        ("W8 per-channel GPTQ", "int8 dynamic per token", ["--quant", "w8a8", "--quant-method", "gptq"]),
        ("W4 g128", "int4 dynamic per token", ["--quant", "w4a4", "--quant-method", "rtn"]),
        ("W4 g128 GPTQ", "int4 dynamic per token", ["--quant", "w4a4", "--quant-method", "gptq"]),
        ("W4 g128", "f32", ["--quant", "w4a16", "--quant-method", "rtn"]),
        ("W4 g128 asym", "f32", ["--quant", "w4a16", "--quant-method", "rtn", "--asymmetric-weights"]),
        ("W4 g128 asym MSE", "f32", ["--quant", "w4a16", "--quant-method", "mse", "--asymmetric-weights"]),
        ("W4 g128 asym GPTQ", "f32", ["--quant", "w4a16", "--quant-method", "gptq", "--asymmetric-weights"]),
        ("W4 g128 GPTQ", "f32", ["--quant", "w4a16", "--quant-method", "gptq"]),
    ]
    for weights, acts, args in (kernel_rows if a.kernels and not a.only_ort else []):
        so = w("k-" + "-".join(x.strip("-") for x in args) + ".so")
        start = time.time()
        run([lb.tool("lowbit-compile"), model, "-o", so, "--quiet", "--calib", w("calib.npz")]
            + args + lb.shapes)
        method = args[args.index("--quant-method") + 1].upper()
        record("lowbit (kernels)", method, weights, acts, lb.embed(so, eval_batches, n),
               f"calibrate + quantize + compile {time.time() - start:.0f} s")
    for weights, preset in configs:
        for method in ("rtn", "mse", "gptq", "awq"):
            fq = w(f"fq-{method}-{preset.split()[-1].replace('=', '')}.mlir")
            start = time.time()
            with open(w("remarks.log"), "a") as remarks:
                run([lb.tool("lowbit-opt"), w("calibrated.mlir"),
                     f"--lowbit-assign-qconfig={preset}",
                     f"--lowbit-fake-quantize-weights=method={method}",
                     "-o", fq], stderr=remarks)
            quant_s = time.time() - start
            lb.compile(fq, fq + ".so")
            record("lowbit", method.upper(), weights, "f32", lb.embed(fq + ".so", eval_batches, n),
                   f"quantization {quant_s:.0f} s")
            os.remove(fq)

    if not a.skip_ort:
        from onnxruntime.quantization import (CalibrationMethod, QuantFormat, QuantType,
                                              quantize_dynamic, quantize_static)
        from onnxruntime.quantization import matmul_nbits_quantizer as nbits
        pre = w("minilm-pre.onnx")
        if not os.path.exists(pre):
            from onnxruntime.quantization.shape_inference import quant_pre_process
            quant_pre_process(model, pre)

        def attempt(label, fn):
            try:
                fn()
            except Exception as e:  # report and go on: a missing optional dependency
                rows.append(("ONNX Runtime", label, "", "", float("nan"), float("nan"),
                             f"failed: {type(e).__name__}: {str(e)[:80]}"))
                log(f"{label} failed: {e}")

        for per_channel in (False, True):
            def dyn(per_channel=per_channel):
                out = w(f"ort-dynamic-{per_channel}.onnx")
                quantize_dynamic(pre, out, weight_type=QuantType.QInt8, per_channel=per_channel)
                record("ONNX Runtime", "quantize_dynamic", "W8 " + ("per-channel" if per_channel else "per-tensor"),
                       "int8 dynamic", ort_embed(out, eval_batches, n))
            attempt("quantize_dynamic", dyn)
        for method in (CalibrationMethod.MinMax, CalibrationMethod.Percentile, CalibrationMethod.Entropy):
            def static(method=method):
                out = w(f"ort-static-{method.name}.onnx")
                quantize_static(pre, out, CalibReader(calib_batches), quant_format=QuantFormat.QDQ,
                                per_channel=True, activation_type=QuantType.QInt8,
                                weight_type=QuantType.QInt8, calibrate_method=method,
                                op_types_to_quantize=["MatMul"])
                record("ONNX Runtime", f"quantize_static QDQ {method.name}", "W8 per-channel",
                       "int8 static (MatMul inputs)", ort_embed(out, eval_batches, n))
            attempt(f"quantize_static {method.name}", static)

        def matmul_nbits(label, weights, config, **kw):
            def go():
                out = w(f"ort-nbits-{label.replace(' ', '_')}-{weights.replace(' ', '_')}.onnx")
                q = nbits.MatMulNBitsQuantizer(onnx.load(model), algo_config=config, **kw)
                q.process()
                q.model.save_model_to_file(out, use_external_data_format=False)
                record("ONNX Runtime", f"MatMulNBits {label}", weights, "f32",
                       ort_embed(out, eval_batches, n))
            attempt(f"MatMulNBits {label}", go)

        for sym in (True, False):
            matmul_nbits("default RTN " + ("sym" if sym else "asym"), "W4 g128",
                         nbits.DefaultWeightOnlyQuantConfig(block_size=128, is_symmetric=sym),
                         block_size=128, is_symmetric=sym)
        matmul_nbits("default RTN sym", "W8 g128",
                     nbits.DefaultWeightOnlyQuantConfig(block_size=128, is_symmetric=True, bits=8),
                     block_size=128, is_symmetric=True)
        matmul_nbits("RTN (neural-compressor)", "W4 g128", nbits.RTNWeightOnlyQuantConfig(),
                     block_size=128)
        for actorder in (False, True):
            matmul_nbits(f"GPTQ{' act-order' if actorder else ''}", "W4 g128",
                         nbits.GPTQWeightOnlyQuantConfig(CalibReader(calib_batches), block_size=128,
                                                         actorder=actorder),
                         block_size=128)
        matmul_nbits("HQQ", "W4 g128", nbits.HQQWeightOnlyQuantConfig(block_size=128, bits=4),
                     block_size=128)

    lines = ["| tool | method | weights | activations | mean cos | min cos | 1 - mean cos | note |",
             "|---|---|---|---|---|---|---|---|"]
    for tool, method, weights, acts, mean, low, note in rows:
        lines.append(f"| {tool} | {method} | {weights} | {acts} | {mean:.6f} | {low:.6f} | "
                     f"{1 - mean:.2e} | {note} |")
    header = (f"{n} evaluation sentences, {len(calib_feeds[NAMES[0]])} calibration sentences, "
              f"{SEQ} tokens, batches of {BATCH}; reference: ONNX Runtime {ort.__version__} float. "
              f"{platform.machine()}, {os.cpu_count()} cores, {datetime.date.today()}.")
    text = header + "\n\n" + "\n".join(lines) + "\n"
    print(text)
    if a.results:
        with open(a.results, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
