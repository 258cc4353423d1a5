"""Independent reference for the calibration tests.

make DIR: writes DIR/model.mlir (layer norm -> fc1 -> ReLU -> fc2, random
weights), DIR/data.npz (12 samples of x [5, 16]) and DIR/dirdata/ (the same
samples as ONNX TensorProto sample directories).
check DIR: reads the remarks of --test-lowbit-calibration-stats from stdin
and compares every figure with numpy's, computed from the same model and
samples in float64.
layers DIR: reads DIR/fq-{rtn,gptq,awq}.mlir (the model after
--lowbit-fake-quantize-weights with each method) and checks, on the
calibration samples, that each layer's output error ||X W^T - X' Wq^T||^2
is smaller with GPTQ than with RTN, and with AWQ where it could fold its
scales (fc1, into the norm), while fc2 (after a ReLU) stays RTN.
"""
import os
import re
import sys

import numpy as np

ROWS, K, HIDDEN, OUT, SAMPLES = 5, 32, 24, 8, 12
EPS = 1e-5
EPS_TEXT = "1.0e-05"


def params():
    rng = np.random.default_rng(7)
    return dict(
        gamma=rng.uniform(0.5, 1.5, K).astype(np.float32),
        beta=rng.normal(0, 0.1, K).astype(np.float32),
        w1=rng.normal(0, 0.3, (HIDDEN, K)).astype(np.float32),
        b1=rng.normal(0, 0.1, HIDDEN).astype(np.float32),
        w2=rng.normal(0, 0.3, (OUT, HIDDEN)).astype(np.float32),
        x=(rng.normal(0, 1, (SAMPLES, ROWS, K)) *
           np.linspace(0.2, 4.0, K)).astype(np.float32))


def dense(array):
    def fmt(a):
        if a.ndim == 1:
            return "[" + ", ".join(repr(float(v)) for v in a) + "]"
        return "[" + ", ".join(fmt(r) for r in a) + "]"
    shape = "x".join(str(d) for d in array.shape)
    return f"dense<{fmt(array)}> : tensor<{shape}xf32>"


def make(out):
    p = params()
    os.makedirs(out, exist_ok=True)
    model = f"""func.func @main(%x: tensor<{ROWS}x{K}xf32> {{lowbit.name = "x"}}) -> (tensor<{ROWS}x{OUT}xf32> {{lowbit.name = "y"}}) {{
  %gamma = arith.constant {dense(p['gamma'])}
  %beta = arith.constant {dense(p['beta'])}
  %w1 = arith.constant {dense(p['w1'])}
  %b1 = arith.constant {dense(p['b1'])}
  %w2 = arith.constant {dense(p['w2'])}
  %n = lowbit.layer_norm %x, %gamma, %beta {{epsilon = {EPS_TEXT} : f32}} : (tensor<{ROWS}x{K}xf32>, tensor<{K}xf32>, tensor<{K}xf32>) -> tensor<{ROWS}x{K}xf32> loc("norm")
  %h = lowbit.linear %n, %w1, %b1 : (tensor<{ROWS}x{K}xf32>, tensor<{HIDDEN}x{K}xf32>, tensor<{HIDDEN}xf32>) -> tensor<{ROWS}x{HIDDEN}xf32> loc("fc1")
  %r = tosa.clamp %h {{min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32}} : (tensor<{ROWS}x{HIDDEN}xf32>) -> tensor<{ROWS}x{HIDDEN}xf32>
  %y = lowbit.linear %r, %w2 : (tensor<{ROWS}x{HIDDEN}xf32>, tensor<{OUT}x{HIDDEN}xf32>) -> tensor<{ROWS}x{OUT}xf32> loc("fc2")
  return %y : tensor<{ROWS}x{OUT}xf32>
}}
"""
    with open(os.path.join(out, "model.mlir"), "w") as f:
        f.write(model)
    np.savez(os.path.join(out, "data.npz"), x=p["x"])
    from onnx import numpy_helper
    for i in range(SAMPLES):
        d = os.path.join(out, "dirdata", f"sample_{i:02d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "input_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(p["x"][i]).SerializeToString())


def activations():
    p = params()
    x = p["x"].astype(np.float64)
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    n = (x - mean) / np.sqrt(var + EPS) * p["gamma"] + p["beta"]
    h = n @ p["w1"].T.astype(np.float64) + p["b1"]
    return {"fc1": n.reshape(-1, K), "fc2": np.maximum(h, 0).reshape(-1, HIDDEN)}


def check():
    acts = activations()
    text = sys.stdin.read()
    found = 0
    for line in text.splitlines():
        m = re.search(r"'(\w+)/input': (.*)", line)
        if not m:
            continue
        name, body = m.group(1), m.group(2)
        a = acts[name]
        fields = dict(re.findall(r"(\S+?)=(\[[^\]]*\]|\S+)", body))
        lists = {k: np.array([float(v) for v in fields[k].strip("[] .").split()])
                 for k in ("channel_min", "channel_max", "mean_abs", "gram_row0")}

        def close(what, got, want, tol):
            if not np.allclose(got, want, rtol=tol, atol=tol):
                sys.exit(f"{name} {what}: got {got}, numpy says {want}")

        assert int(fields["samples"]) == SAMPLES, fields["samples"]
        assert int(fields["values/channel"]) == a.shape[0], fields["values/channel"]
        close("min", float(fields["min"]), a.min(), 1e-4)
        close("max", float(fields["max"]), a.max(), 1e-4)
        n = len(lists["mean_abs"])
        close("channel_min", lists["channel_min"], a.min(0)[:n], 1e-4)
        close("channel_max", lists["channel_max"], a.max(0)[:n], 1e-4)
        close("mean_abs", lists["mean_abs"], np.abs(a).mean(0)[:n], 1e-4)
        gram = a.T @ a / a.shape[0]
        close("gram_trace", float(fields["gram_trace"]), np.trace(gram), 1e-4)
        close("gram_row0", lists["gram_row0"], gram[0, :n], 1e-4)
        # The histogram percentile is within one bin of the exact one.
        exact = np.quantile(np.abs(a), 0.9999, method="inverted_cdf")
        got, width = float(fields["p99.99"]), float(fields["bin"])
        if not (exact - 1e-6 <= got <= exact + width + 1e-6):
            sys.exit(f"{name} p99.99: got {got}, exact {exact}, bin {width}")
        found += 1
    if found != 2:
        sys.exit(f"expected statistics for fc1 and fc2, found {found}")
    print("calibration statistics match numpy")


def blob(text, name, shape):
    # Keys are printed bare when they are identifiers, else quoted.
    m = re.search(r'\n\s*"?' + re.escape(name) + r'"?: "0x([0-9A-F]+)"', text)
    if not m:
        sys.exit(f"no resource {name}")
    raw = bytes.fromhex(m.group(1))[4:]  # after the alignment word
    return np.frombuffer(raw, dtype=np.float32).reshape(shape).astype(np.float64)


def layers(out):
    p = params()
    acts = activations()
    ref = {"fc1": p["w1"].astype(np.float64), "fc2": p["w2"].astype(np.float64)}
    shapes = {"fc1": (HIDDEN, K), "fc2": (OUT, HIDDEN)}
    errors = {}
    for method in ("rtn", "gptq", "awq"):
        text = open(os.path.join(out, f"fq-{method}.mlir")).read()
        for layer in ("fc1", "fc2"):
            x = acts[layer]
            wq = blob(text, f"{layer}.fake_quant", shapes[layer])
            xq = x
            if method == "awq" and layer == "fc1":
                # The norm's gamma became gamma / s: its readers see x / s.
                s = p["gamma"].astype(np.float64) / blob(text, "norm.awq_gamma", (K,))
                xq = x / s
            errors[method, layer] = float(((x @ ref[layer].T - xq @ wq.T) ** 2).sum())
    for layer in ("fc1", "fc2"):
        print(layer, " ".join(f"{m}={errors[m, layer]:.6g}" for m in ("rtn", "gptq", "awq")))
        if not errors["gptq", layer] < errors["rtn", layer]:
            sys.exit(f"{layer}: GPTQ error is not below RTN's")
    if not errors["awq", "fc1"] < errors["rtn", "fc1"]:
        sys.exit("fc1: AWQ error is not below RTN's")
    if errors["awq", "fc2"] != errors["rtn", "fc2"]:
        sys.exit("fc2: AWQ had nothing to fold into and must equal RTN")
    print("GPTQ and AWQ layer errors are below RTN's")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "layers":
        layers(sys.argv[2])
    else:
        check()
