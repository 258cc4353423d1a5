"""Runs a lowbit tool over every ONNX backend node test and classifies each.

  node_test_sweep.py --tool build/bin/lowbit-import [--data DIR] [--jobs N]
                     [--min-imported FRACTION] [--json OUT.json] [--list]

For each DIR/test_*/model.onnx: "imported" (exit 0), "rejected" (exit 1 with
an "error:" line: a clean, explained refusal), or "crashed" (a signal, another
exit status, no "error:" line, or no exit within the timeout). Prints the
counts, the rejections grouped by message, and every crash. Exits 1 when
anything crashed or the imported fraction is below --min-imported.

lowbit compiles static shapes. When the importer rejects a test because a
value that decides a shape comes from a graph input and names that input
("--freeze-input NAME=FILE"), and the input is an integer or bool tensor, the
test is imported again with that input frozen to the test's own value
(test_data_set_0/input_N.pb); such tests count as "imported-frozen", which
is part of the imported share, and the frozen inputs are recorded.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys

import onnx

DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"


FREEZE_HINT = re.compile(r"--freeze-input (\S+?)=FILE")
FREEZABLE_TYPES = {onnx.TensorProto.BOOL, onnx.TensorProto.INT8, onnx.TensorProto.INT16,
                   onnx.TensorProto.INT32, onnx.TensorProto.INT64, onnx.TensorProto.UINT8,
                   onnx.TensorProto.UINT16, onnx.TensorProto.UINT32, onnx.TensorProto.UINT64}
MAX_FROZEN = 8


def test_input_file(test_dir, name):
    """The test's own value of graph input `name` when it is an integer or
    bool tensor, else None."""
    model = onnx.load(os.path.join(test_dir, "model.onnx"), load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    if name not in inputs:
        return None
    path = os.path.join(test_dir, "test_data_set_0", f"input_{inputs.index(name)}.pb")
    if not os.path.isfile(path):
        return None
    tensor = onnx.TensorProto()
    try:
        with open(path, "rb") as f:
            tensor.ParseFromString(f.read())
    except Exception:
        return None
    return path if tensor.data_type in FREEZABLE_TYPES else None


def run_tool(tool, model, frozen, timeout):
    command = [tool, model, "-o", os.devnull]
    for name, path in frozen.items():
        command += ["--freeze-input", f"{name}={path}"]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "crashed", "timeout"
    stderr = proc.stderr.strip()
    if proc.returncode == 0:
        return "imported", ""
    errors = [l for l in stderr.splitlines() if l.startswith("error: ")]
    if proc.returncode == 1 and errors:
        return "rejected", errors[0]
    return "crashed", f"exit {proc.returncode}: {stderr[-300:]}"


def classify(tool, test_dir, timeout):
    """(outcome, message, frozen input names)."""
    model = os.path.join(test_dir, "model.onnx")
    frozen = {}
    while True:
        kind, message = run_tool(tool, model, frozen, timeout)
        if kind == "imported" and frozen:
            return "imported-frozen", "", sorted(frozen)
        if kind != "rejected" or len(frozen) >= MAX_FROZEN:
            return kind, message, sorted(frozen)
        hint = FREEZE_HINT.search(message)
        name = hint.group(1) if hint else None
        path = test_input_file(test_dir, name) if name and name not in frozen else None
        if not path:
            return kind, message, sorted(frozen)
        frozen[name] = path


def reason_key(message):
    # Group rejections by their problem, without file and node names.
    text = re.sub(r"^error: \S+: (node '[^']*' \(([^)]*)\): )?", r"\2: ", message)
    return re.sub(r"'[^']*'", "'…'", text)[:140]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True)
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--min-imported", type=float, default=0.0)
    parser.add_argument("--json")
    parser.add_argument("--list", action="store_true",
                        help="print every test's outcome")
    args = parser.parse_args()

    tests = sorted(d for d in os.listdir(args.data)
                   if os.path.isfile(os.path.join(args.data, d, "model.onnx")))
    if not tests:
        print(f"error: no node tests under {args.data}")
        return 1
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        outcomes = dict(zip(tests, pool.map(
            lambda t: classify(args.tool, os.path.join(args.data, t), args.timeout), tests)))

    counts = collections.Counter(kind for kind, _, _ in outcomes.values())
    total = len(tests)
    imported = counts["imported"] + counts["imported-frozen"]
    print(f"node tests: {total}; imported {imported} ({100.0 * imported / total:.1f}%), "
          f"of them {counts['imported-frozen']} with frozen shape inputs; "
          f"rejected cleanly {counts['rejected']}, crashed {counts['crashed']}")
    reasons = collections.Counter(reason_key(m) for k, m, _ in outcomes.values()
                                  if k == "rejected")
    print("rejections by reason:")
    for reason, n in reasons.most_common():
        print(f"  {n:4d}  {reason}")
    for test, (kind, message, _) in outcomes.items():
        if kind == "crashed":
            print(f"CRASHED: {test}: {message}")
        elif args.list:
            print(f"{kind}: {test}{': ' + message if message else ''}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({t: {"outcome": k, "message": m, "frozen_inputs": fr}
                       for t, (k, m, fr) in outcomes.items()},
                      f, indent=1, sort_keys=True)
    ok = counts["crashed"] == 0 and imported >= args.min_imported * total
    if not ok:
        print(f"error: {counts['crashed']} crashed; imported fraction "
              f"{imported / total:.3f} (minimum {args.min_imported})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
