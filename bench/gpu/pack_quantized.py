"""Packs quantized models compiled for `--target cuda`, with the outputs of
the same models compiled for the CPU, in the layout of
scripts/node_test_run_packed.py, so that a GPU machine checks the GPU
libraries against the CPU kernels (the same quantization numerics).

  pack_quantized.py BUILD OUT_DIR

Models: the MLP of test/e2e/Inputs/quant_model.py (x [M, 256] -> 128 -> 64)
at M = 1 and 16, and a 64 x 64 layer pair at M = 64 (as many rows as output
features); presets w4a16, w8a16, w8a8 (per-token activation scales, and
static ones calibrated by min/max: "w8a8-static"), w4a4 (w4: groups of 32
and 128).
Then, on the GPU machine: scripts/node_test_run_packed.py OUT_DIR. Models
whose layers run on the tensor cores (4-bit g128 and 8-bit weights from 3
rows on) round activations to f16 and are compared within 1e-3 of the
largest output magnitude (the manifest's "tolerance"); the others within
the sweep's 1e-4 + 1e-3 |want|.
"""
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
import lowbit  # noqa: E402

CASES = [(rows, preset, group) for rows in (1, 16, 64)
         for preset, group in (("w4a16", 128), ("w4a16", 32), ("w8a16", 0),
                               ("w8a8", 0), ("w8a8-static", 0), ("w4a4", 32))]


def main():
    build, out = sys.argv[1], sys.argv[2]
    tool = os.path.join(build, "bin", "lowbit-compile")
    os.makedirs(out, exist_ok=True)
    for rows, preset, group in CASES:
        name = f"quant_{preset}_g{group}_m{rows}"
        case = os.path.join(out, name)
        os.makedirs(os.path.join(case, "set0"), exist_ok=True)
        model = os.path.join(case, "model.onnx")
        subprocess.run([sys.executable, os.path.join(ROOT, "test/e2e/Inputs/quant_model.py"),
                        "make", model, "--rows", str(rows)], check=True)
        common = ["--quant", preset, "--group-size", str(group), "--quiet"]
        if preset == "w8a8-static":
            # One calibrated activation scale per layer (min/max of a
            # calibration set) instead of per-token scales.
            calib = os.path.join(case, "calib.npz")
            subprocess.run([sys.executable,
                            os.path.join(ROOT, "test/e2e/Inputs/quant_model.py"),
                            "make-calib", model, calib], check=True)
            common = ["--quant", "w8a8", "--calib", calib, "--act-scale",
                      "minmax", "--quiet"]
        subprocess.run([tool, model, "-o", os.path.join(case, "model.so"), "--target", "cuda"]
                       + common, check=True)
        cpu = os.path.join(case, "cpu.so")
        subprocess.run([tool, model, "-o", cpu] + common, check=True)
        x = np.random.default_rng(rows).standard_normal((rows, 256)).astype(np.float32)
        y = lowbit.load(cpu)(x)
        np.save(os.path.join(case, "set0", "input_0.npy"), x)
        np.save(os.path.join(case, "set0", "output_0.npy"), y)
        os.remove(cpu)
        os.remove(model)
        if preset == "w8a8-static":
            os.remove(calib)
        manifest = {"outputs": ["y"], "bfloat16": [],
                    "sets": [{"library": "model.so",
                              "inputs": [["x", "set0/input_0.npy"]],
                              "outputs": {"y": "set0/output_0.npy"}}]}
        if rows >= 3 and preset in ("w4a16", "w8a16") and group % 128 == 0:
            # Both layers (K = 256, 128) take the tensor-core kernel, which
            # rounds its input to f16 (2^-11 relative per value) where the
            # CPU kernels keep f32: 1e-3 of the output's largest magnitude.
            manifest["tolerance"] = {"rtol": 1e-3, "atol_of_max": 1e-3}
        with open(os.path.join(case, "manifest.json"), "w") as f:
            json.dump(manifest, f)
        print("packed", name)


if __name__ == "__main__":
    main()
