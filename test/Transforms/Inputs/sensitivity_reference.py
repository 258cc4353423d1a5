"""numpy reference of the sensitivity table and of the bit allocation, on
the model and samples of test/Analysis/Inputs/calibration_reference.py.

  sensitivity_reference.py table < remarks      (lowbit-test-sensitivity)
  sensitivity_reference.py allocate BPW [BITS] < remarks   (lowbit-allocate-bits;
                                   BITS: candidate widths, e.g. 0,2,4; 0 = pruned)
  sensitivity_reference.py compiled BPW REPORT.json INPUT.npy OUTPUT.npy
  sensitivity_reference.py measured REPORT.json      (--measure-layers)

table: every layer's output error tr(dW G dW^T), diagonal and trace proxies
(G = X^T X / rows of the layer's float input, dW = W - RTN(W), symmetric,
one scale per row since no group size divides K here) and sizes in bits,
recomputed in float64, must match the remarks. allocate: the widths the
pass chose must be those of a brute-force search over every combination
that minimizes the summed relative output error (per output channel n,
(dW G dW^T)_nn / (W G W^T)_nn, averaged) within BPW bits per weight.
compiled: the same for the widths in lowbit-compile's report, whose
figures must match the table; and the library's output (RTN weights at
those widths) must match numpy's forward pass.
"""
import itertools
import math
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "Analysis", "Inputs"))
from calibration_reference import activations, params  # noqa: E402

BITS = (2, 3, 4, 6, 8)


def rtn(w, bits):
    """Symmetric per-row RTN: s = max|w| / (2^(b-1) - 1), round half even;
    0 bits: pruned (all zero)."""
    if bits == 0:
        return np.zeros_like(w)
    qmax = 2 ** (bits - 1) - 1
    s = (np.abs(w).max(axis=1, keepdims=True) / np.float32(qmax)).astype(np.float32)
    s[s == 0] = 1
    q = np.clip(np.rint(w / s), -qmax - 1, qmax)
    return (s * q).astype(np.float32)


def table(bits=BITS):
    p, acts = params(), activations()
    out = {}
    for name, w in (("fc1", p["w1"]), ("fc2", p["w2"])):
        x = acts[name]
        g = x.T @ x / x.shape[0]
        n, k = w.shape
        for b in bits:
            dw = (w - rtn(w, b)).astype(np.float64)
            w64 = w.astype(np.float64)
            energy = np.diag(w64 @ g @ w64.T)
            out[(name, b)] = dict(
                output=np.trace(dw @ g @ dw.T),
                relative=float(np.mean(np.diag(dw @ g @ dw.T) / energy)),
                diag=float((np.diag(g) * (dw ** 2).sum(0)).sum()),
                trace=np.trace(g) / k * float((dw ** 2).sum()),
                size=8 * n * math.ceil(k * b / 8) + 32 * n if b else 0,
                params=n * k)
    return out


def brute_force(want, bpw, bits=BITS):
    total = want[("fc1", bits[0])]["params"] + want[("fc2", bits[0])]["params"]
    best = None
    for b1, b2 in itertools.product(bits, bits):
        size = want[("fc1", b1)]["size"] + want[("fc2", b2)]["size"]
        err = want[("fc1", b1)]["relative"] + want[("fc2", b2)]["relative"]
        if size <= math.floor(bpw * total) and (best is None or err < best[0]):
            best = (err, b1, b2)
    return best


def compiled(want, bpw, report_path, x_path, y_path):
    import json
    from calibration_reference import EPS
    report = json.load(open(report_path))
    best = brute_force(want, bpw)
    chosen = {l["name"]: l["chosen_bits"] for l in report["layers"]}
    if chosen != {"fc1": best[1], "fc2": best[2]}:
        sys.exit(f"report chose {chosen}, brute force fc1 {best[1]}, fc2 {best[2]}")
    for layer in report["layers"]:
        for c in layer["candidates"]:
            ref = want[(layer["name"], c["bits"])]
            if not np.isclose(c["output_error"], ref["output"], rtol=2e-3):
                sys.exit(f"{layer['name']} {c['bits']}: report {c['output_error']}, "
                         f"numpy {ref['output']}")
    p = params()
    x = np.load(x_path).astype(np.float64)
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    n = (x - mean) / np.sqrt(var + EPS) * p["gamma"] + p["beta"]
    h = np.maximum(n @ rtn(p["w1"], best[1]).T.astype(np.float64) + p["b1"], 0)
    y = h @ rtn(p["w2"], best[2]).T.astype(np.float64)
    got = np.load(y_path)
    err = np.abs(got - y).max() / np.abs(y).max()
    if err > 1e-4:
        sys.exit(f"library output differs from numpy by {err:.2e}")
    print(f"mixed library matches numpy: fc1 {best[1]} bits, fc2 {best[2]} bits, "
          f"achieved {report['achieved_bpw']:.3f} bpw")


def forward(x, w1, w2):
    from calibration_reference import EPS
    p = params()
    x = x.astype(np.float64)
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    n = (x - mean) / np.sqrt(var + EPS) * p["gamma"] + p["beta"]
    h = np.maximum(n @ w1.T.astype(np.float64) + p["b1"], 0)
    return h @ w2.T.astype(np.float64)


def measured(report_path):
    """Each measured layer: the model's relative output error on the
    calibration samples with only that layer RTN-quantized."""
    import json
    report = json.load(open(report_path))
    p, x = params(), params()["x"]
    ref = forward(x, p["w1"], p["w2"])
    count = 0
    for layer in report["layers"]:
        if "measured_model_error" not in layer:
            continue
        w1, w2 = p["w1"], p["w2"]
        if layer["name"] == "fc1":
            w1 = rtn(w1, layer["chosen_bits"])
        else:
            w2 = rtn(w2, layer["chosen_bits"])
        err = np.linalg.norm(forward(x, w1, w2) - ref) / np.linalg.norm(ref)
        if not np.isclose(layer["measured_model_error"], err, rtol=1e-3):
            sys.exit(f"{layer['name']}: measured {layer['measured_model_error']}, numpy {err}")
        count += 1
    print(f"measured single-layer errors match numpy ({count} layers)")


def main():
    if sys.argv[1] == "measured":
        measured(sys.argv[2])
        return
    want = table()
    if sys.argv[1] == "compiled":
        compiled(want, float(sys.argv[2]), *sys.argv[3:6])
        return
    text = sys.stdin.read()
    if sys.argv[1] == "table":
        found = 0
        for m in re.finditer(r"'(\w+)' bits=(\d+) output_error=(\S+) diag=(\S+) "
                             r"trace=(\S+) relative=(\S+) size_bits=(\d+)", text):
            name, b = m.group(1), int(m.group(2))
            ref = want[(name, b)]
            got = dict(output=float(m.group(3)), diag=float(m.group(4)),
                       trace=float(m.group(5)), relative=float(m.group(6)))
            for key, value in got.items():
                if not np.isclose(value, ref[key], rtol=2e-3, atol=1e-9):
                    sys.exit(f"{name} {b} bits {key}: got {value}, numpy {ref[key]}")
            if int(m.group(7)) != ref["size"]:
                sys.exit(f"{name} {b} bits size: got {m.group(7)}, want {ref['size']}")
            found += 1
        if found != 2 * len(BITS):
            sys.exit(f"expected {2 * len(BITS)} entries, found {found}")
        print("sensitivity table matches numpy")
        return
    bpw = float(sys.argv[2])
    bits = tuple(int(b) for b in sys.argv[3].split(",")) if len(sys.argv) > 3 else BITS
    want = table(bits)
    chosen = {m.group(1): int(m.group(2))
              for m in re.finditer(r"'(\w+)': (\d+) bits, output error", text)}
    best = brute_force(want, bpw, bits)
    expected = {"fc1": best[1], "fc2": best[2]}
    if chosen != expected:
        sys.exit(f"allocation {chosen}, brute force {expected}")
    print(f"allocation matches brute force: fc1 {best[1]} bits, fc2 {best[2]} bits")


if __name__ == "__main__":
    main()
