"""Runs a lowbit tool over every ONNX backend node test and classifies each.

  node_test_sweep.py --tool build/bin/lowbit-import [--data DIR] [--jobs N]
                     [--min-imported FRACTION] [--json OUT.json] [--list]

For each DIR/test_*/model.onnx: "imported" (exit 0), "rejected" (exit 1 with
an "error:" line: a clean, explained refusal), or "crashed" (a signal, another
exit status, no "error:" line, or no exit within the timeout). Prints the
counts, the rejections grouped by message, and every crash. Exits 1 when
anything crashed or the imported fraction is below --min-imported.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys

DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"


def classify(tool, model, timeout):
    try:
        proc = subprocess.run([tool, model, "-o", os.devnull],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "crashed", "timeout"
    stderr = proc.stderr.strip()
    if proc.returncode == 0:
        return "imported", ""
    errors = [l for l in stderr.splitlines() if l.startswith("error: ")]
    if proc.returncode == 1 and errors:
        return "rejected", errors[0]
    return "crashed", f"exit {proc.returncode}: {stderr[-300:]}"


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
            lambda t: classify(args.tool, os.path.join(args.data, t, "model.onnx"),
                               args.timeout), tests)))

    counts = collections.Counter(kind for kind, _ in outcomes.values())
    total = len(tests)
    imported = counts["imported"]
    print(f"node tests: {total}; imported {imported} ({100.0 * imported / total:.1f}%), "
          f"rejected cleanly {counts['rejected']}, crashed {counts['crashed']}")
    reasons = collections.Counter(reason_key(m) for k, m in outcomes.values() if k == "rejected")
    print("rejections by reason:")
    for reason, n in reasons.most_common():
        print(f"  {n:4d}  {reason}")
    for test, (kind, message) in outcomes.items():
        if kind == "crashed":
            print(f"CRASHED: {test}: {message}")
        elif args.list:
            print(f"{kind}: {test}{': ' + message if message else ''}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({t: {"outcome": k, "message": m} for t, (k, m) in outcomes.items()},
                      f, indent=1, sort_keys=True)
    ok = counts["crashed"] == 0 and imported >= args.min_imported * total
    if not ok:
        print(f"error: {counts['crashed']} crashed; imported fraction "
              f"{imported / total:.3f} (minimum {args.min_imported})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
