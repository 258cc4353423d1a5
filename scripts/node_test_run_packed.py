"""Runs the node tests that `node_test_e2e.py --pack DIR` compiled, on this
machine, and compares their outputs with the tests' expected values.

  node_test_run_packed.py DIR [--jobs N] [--known FILE] [--json OUT.json] [--list]
                              [--timeout S] [--min-passed FRACTION]

Needs only numpy and lowbit's Python package (python/, found next to this
script's directory or on PYTHONPATH): no onnx, no lowbit tools, so that a
sweep compiled with `--compile-arg=--target=cuda` on a development machine
runs on a GPU machine. Tests run in child processes, 20 in turn each and
--jobs at once; the tests of a child that crashes or hangs are run again
one per process, so one test's crash does not stop the sweep or hide which
test it was. Outputs are compared as in
node_test_e2e.py (scripts/node_test_compare.py), or with the tolerance a
test's manifest states ("tolerance": {"rtol": R, "atol_of_max": A}: atol is
A times the largest expected magnitude). The tests that did not
compile are counted from DIR/compile.json. Outcomes and exit status as in
node_test_e2e.py.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "python"))

from node_test_compare import exit_status, read_known, report_outcomes  # noqa: E402

CHILD = r"""
import json, sys
import numpy as np
sys.path[:0] = json.loads(sys.argv[1])
import lowbit
from node_test_compare import compare


def check(pack):
    with open(pack + "/manifest.json") as f:
        manifest = json.load(f)
    bfloat16 = set(manifest["bfloat16"])
    models = {}
    for index, data_set in enumerate(manifest["sets"]):
        library = data_set["library"]
        if library not in models:
            models[library] = lowbit.load(pack + "/" + library)
        model = models[library]
        inputs = {n: np.load(pack + "/" + rel) for n, rel in data_set["inputs"]}
        try:
            if any(n.startswith("#") for n in inputs):  # more files than graph inputs
                got = model.run(list(inputs.values()))
            else:
                got = model.run(**inputs)
        except lowbit.Error as error:
            return "wrong", f"set {index}: {type(error).__name__}: {error}"
        got = list(got.values())
        for i, name in enumerate(manifest["outputs"]):
            if name not in data_set["outputs"]:
                continue
            want = np.load(pack + "/" + data_set["outputs"][name])
            # A model may state its own float tolerance: rtol, and atol as a
            # fraction of the largest expected magnitude (atol_of_max).
            tolerance = {}
            if "tolerance" in manifest and want.size:
                stated = manifest["tolerance"]
                tolerance = {"rtol": stated["rtol"],
                             "atol": stated["atol_of_max"] * float(np.abs(want).max())}
            with np.errstate(invalid="ignore", over="ignore"):
                why = compare(np.asarray(got[i]), want, name in bfloat16, **tolerance)
            if why:
                return "wrong", f"set {index} output '{name}': {why}"
    for model in models.values():
        model.close()
    return "passed", ""


for pack in sys.argv[2:]:
    try:
        outcome, message = check(pack)
    except lowbit.Error as error:
        outcome, message = "wrong", f"{type(error).__name__}: {error}"
    print(json.dumps([pack, outcome, message]), flush=True)
"""


def run_chunk(packs, timeout):
    """Runs tests in one child process; {pack: (outcome, message)} of those
    it finished (a crash or a hang leaves the rest out)."""
    paths = [HERE, os.path.join(os.path.dirname(HERE), "python")]
    done, stderr = {}, ""
    try:
        proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(paths)] + packs,
                              capture_output=True, text=True,
                              timeout=timeout * len(packs))
        stdout, stderr, code = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as expired:
        stdout = expired.stdout.decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        code = None
    for line in stdout.splitlines():
        try:
            pack, outcome, message = json.loads(line)
        except ValueError:
            continue
        done[pack] = (outcome, message)
    return done, code, stderr


def run_tests(packs, timeout, jobs, chunk=20):
    """Chunks of tests in parallel child processes; the tests of a chunk
    that crashed or hung are run again one process each, to tell which."""
    results = {}
    chunks = [packs[i:i + chunk] for i in range(0, len(packs), chunk)]
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for done, _, _ in pool.map(lambda c: run_chunk(c, timeout), chunks):
            results.update(done)
    missing = [p for p in packs if p not in results]

    def alone(pack):
        done, code, stderr = run_chunk([pack], timeout)
        if pack in done:
            return done[pack]
        if code is None:
            return "crashed", f"no exit within {timeout:g} s"
        tail = stderr.strip()[-300:].replace("\n", " | ")
        return "crashed", f"exit {code}: {tail}"

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        results.update(zip(missing, pool.map(alone, missing)))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pack")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per test")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                        help="child processes at once (each runs tests in turn)")
    parser.add_argument("--known")
    parser.add_argument("--min-passed", type=float, default=0.0)
    parser.add_argument("--json")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()

    compiled = {}
    compile_json = os.path.join(args.pack, "compile.json")
    if os.path.exists(compile_json):
        with open(compile_json) as f:
            compiled = json.load(f)
    tests = sorted(d for d in os.listdir(args.pack)
                   if os.path.isfile(os.path.join(args.pack, d, "manifest.json")))
    results = {t: (r["outcome"], r["message"]) for t, r in compiled.items()
               if r["outcome"] != "packed"}
    start = time.monotonic()
    ran = run_tests([os.path.join(args.pack, t) for t in tests], args.timeout, args.jobs)
    results.update({os.path.basename(p): r for p, r in ran.items()})
    elapsed = time.monotonic() - start
    if not results:
        print(f"error: {args.pack}: no packed node tests")
        return 1

    counts = collections.Counter(o for o, _ in results.values())
    total = len(results)
    passed = counts["passed"]
    print(f"node tests: {total}; passed {passed} ({100.0 * passed / total:.1f}%), "
          f"rejected {counts['rejected']}, wrong {counts['wrong']}, "
          f"crashed {counts['crashed']}")
    print(f"time: {elapsed:.0f} s to run {len(tests)} compiled tests")
    unexpected = report_outcomes(dict(sorted(results.items())), read_known(args.known),
                                 args.list)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({t: {"outcome": o, "message": m} for t, (o, m) in results.items()},
                      f, indent=1, sort_keys=True)
    return exit_status(unexpected, passed, total, args.min_passed)


if __name__ == "__main__":
    sys.exit(main())
