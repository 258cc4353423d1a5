"""Compiles ONNX backend node tests with lowbit and checks their outputs.

    run_node_tests.py --work DIR [--bin BUILD/bin] [--data DIR] TEST...

The tools are taken from --bin, else from PATH. For each TEST (a directory name under --data), imports model.onnx through
lowbit-compile, freezing the integer/bool inputs the importer names as
shape-determining to the test's own values (as scripts/node_test_sweep.py
does), runs the library with lowbit-run on test_data_set_0's other inputs
and compares every output with the test's expected output_N.pb: same dtype
and shape; floats within 1e-4 + 1e-3 * |expected|, integers within
--int-atol. Prints "TEST: ok" or "TEST: MISMATCH ..." per test; exits 1 on
any mismatch.
"""
import argparse
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "scripts"))
from node_test_sweep import FREEZE_HINT, test_input_file  # noqa: E402

DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"


def check(args, test):
    test_dir = os.path.join(args.data, test)
    work = os.path.join(args.work, test)
    os.makedirs(work, exist_ok=True)
    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    frozen = {}
    library = os.path.join(work, "model.so")
    while True:
        command = [os.path.join(args.bin, "lowbit-compile"),
                   os.path.join(test_dir, "model.onnx"), "-o", library, "--quiet"]
        for name, path in frozen.items():
            command += ["--freeze-input", f"{name}={path}"]
        proc = subprocess.run(command, capture_output=True, text=True)
        if proc.returncode == 0:
            break
        hint = FREEZE_HINT.search(proc.stderr)
        path = test_input_file(test_dir, hint.group(1)) if hint else None
        if not path or hint.group(1) in frozen:
            return f"MISMATCH: does not compile: {proc.stderr.strip()[:300]}"
        frozen[hint.group(1)] = path
    data = os.path.join(test_dir, "test_data_set_0")
    out_dir = os.path.join(work, "out")
    command = [os.path.join(args.bin, "lowbit-run"), library, "--output-dir", out_dir]
    for k, name in enumerate(inputs):
        if name not in frozen:
            command += ["--input", f"{name}={os.path.join(data, f'input_{k}.pb')}"]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        return f"MISMATCH: lowbit-run failed: {proc.stderr.strip()[:300]}"
    for k, output in enumerate(model.graph.output):
        expected_path = os.path.join(data, f"output_{k}.pb")
        tensor = onnx.TensorProto()
        with open(expected_path, "rb") as f:
            tensor.ParseFromString(f.read())
        want = numpy_helper.to_array(tensor)
        got_path = os.path.join(out_dir, re.sub(r"[^A-Za-z0-9_.-]", "_", output.name) + ".npy")
        if not os.path.exists(got_path):
            return f"MISMATCH: output '{output.name}' was not written"
        got = np.load(got_path)
        if got.dtype != want.dtype or got.shape != want.shape:
            return (f"MISMATCH: output '{output.name}' is {got.dtype}{list(got.shape)}, "
                    f"expected {want.dtype}{list(want.shape)}")
        if np.issubdtype(want.dtype, np.floating):
            bad = ~np.isclose(got, want, rtol=1e-3, atol=1e-4, equal_nan=True)
        else:
            bad = np.abs(got.astype(np.int64) - want.astype(np.int64)) > args.int_atol
        if bad.any():
            i = tuple(np.argwhere(bad)[0])
            return (f"MISMATCH: output '{output.name}' differs at {list(i)}: "
                    f"{got[i]} vs {want[i]} ({int(bad.sum())} elements)")
    return "ok" + (f" (frozen: {', '.join(sorted(frozen))})" if frozen else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default="")
    parser.add_argument("--work", required=True)
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--int-atol", type=int, default=0)
    parser.add_argument("tests", nargs="+")
    args = parser.parse_args()
    failed = False
    for test in args.tests:
        result = check(args, test)
        failed |= not result.startswith("ok")
        print(f"{test}: {result}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
