"""Compiles and runs every ONNX backend node test end to end and classifies each.

  node_test_e2e.py [--bin build/bin | --compile TOOL --run TOOL] [--data DIR]
                   [--jobs N] [--timeout S]
                   [--sample K] [--json OUT.json] [--known FILE]
                   [--min-passed FRACTION] [--list]
                   [--compile-arg ARG ...] [--pack DIR]

For each DIR/test_*/model.onnx: `lowbit-compile` makes a library, `lowbit-run`
runs it on every test_data_set_*/input_*.pb (bound by graph input name) and the
outputs are compared with output_*.pb: floats within
|got - want| <= 1e-4 + 1e-3 |want| (NaN where NaN is expected), bfloat16
within one unit in the last place, integers and booleans exactly, dtype and
shape exactly. Like scripts/node_test_sweep.py, a test whose import names a
graph input that decides a shape ("--freeze-input NAME=FILE") is compiled
again with that input frozen to the test's value, when it is an integer or
bool tensor; it is then not an input of the library. Outcomes:

  passed    every data set matches
  rejected  lowbit-compile exits 1 with an "error:" line (stage import or
            compile: a clean refusal of something unsupported)
  wrong     compiled, but an output differs or lowbit-run refuses the test's
            data (a bug)
  crashed   a signal, another exit status, no "error:" line, or a timeout

Prints the counts, the rejections grouped by message, and every wrong or
crashed test. With --known, a file of "TEST OUTCOME  # why" lines, the listed
tests may be wrong/crashed as stated; the exit status is 1 when any other test
is wrong or crashed, or the passed fraction is below --min-passed. --sample K
runs every K-th test only (deterministic), for a quicker check.

--compile-arg passes an argument on to lowbit-compile (`--compile-arg=--target=cuda`).
--pack DIR compiles without running: each compiled test's libraries, inputs and
expected outputs (.npy) and a manifest.json go to DIR/TEST, and the compile
outcomes to DIR/compile.json; scripts/node_test_run_packed.py then runs them
on another machine (the GPU sweep, bench/gpu/run.sh).
"""
import argparse
import collections
import concurrent.futures
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

from node_test_compare import compare, exit_status, read_known, report_outcomes

DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"
PHASES = {"import": "import", "quantize": "import", "lower to linalg": "compile",
          "lower to LLVM": "compile", "emit object code": "compile", "link": "compile"}


def output_file_name(name, index):
    """The file lowbit-run writes an output to (the tool's rule)."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    if safe in ("", ".", ".."):
        safe = f"output{index}"
    return safe + ".npy"


def graph_inputs(model):
    initializers = {t.name for t in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in initializers]


def load_tensor(path):
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def run_tool(command, timeout):
    """(returncode or None on timeout, stderr)."""
    try:
        proc = subprocess.run(command, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, ""
    except OSError as error:
        return -1, f"cannot run {command[0]}: {error}"
    return proc.returncode, proc.stderr


def first_error(stderr):
    for line in stderr.splitlines():
        if line.startswith("error: "):
            return line
    return None


def abnormal(code, stderr, timeout):
    if code is None:
        return f"no exit within {timeout:g} s"
    tail = stderr.strip()[-300:].replace("\n", " | ")
    return f"exit {code}: {tail}"


FREEZE_HINT = re.compile(r"--freeze-input (\S+?)=FILE")
FREEZABLE_TYPES = {onnx.TensorProto.BOOL, onnx.TensorProto.INT8, onnx.TensorProto.INT16,
                   onnx.TensorProto.INT32, onnx.TensorProto.INT64, onnx.TensorProto.UINT8,
                   onnx.TensorProto.UINT16, onnx.TensorProto.UINT32, onnx.TensorProto.UINT64}
MAX_FROZEN = 8


def input_files(data_set, inputs):
    """Graph input name -> that input's file in a data set."""
    files = sorted(glob.glob(os.path.join(data_set, "input_*.pb")),
                   key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0]))
    return {inputs[i] if i < len(inputs) else f"#{i}": path
            for i, path in enumerate(files)}


def freezable(path):
    """Whether a test's input file is an integer or bool tensor."""
    tensor = onnx.TensorProto()
    try:
        with open(path, "rb") as f:
            tensor.ParseFromString(f.read())
    except Exception:
        return False
    return tensor.data_type in FREEZABLE_TYPES


def compile_model(tools, model_path, library, files, timeout):
    """Compiles, freezing graph inputs whose values decide shapes: when the
    importer names such an input ("--freeze-input NAME=FILE") and the test's
    value of it is an integer or bool tensor, compiles again with that value.
    Returns (code, stderr, stage, frozen input names)."""
    frozen = []
    while True:
        command = [tools["lowbit-compile"], model_path, "-o", library] + tools["extra"]
        for name in frozen:
            command += ["--freeze-input", f"{name}={files[name]}"]
        code, stderr = run_tool(command, timeout)
        stage = "import"
        for line in stderr.splitlines():
            for step, phase in PHASES.items():
                if line.startswith("lowbit-compile: " + step):
                    stage = phase
        hint = FREEZE_HINT.search(first_error(stderr) or "") if code == 1 else None
        name = hint.group(1) if hint else None
        if (not name or name in frozen or name not in files or len(frozen) >= MAX_FROZEN
                or not freezable(files[name])):
            return code, stderr, stage, frozen
        frozen.append(name)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def pack_data_set(pack, data_set, library, files, frozen, outputs, inputs):
    """Copies a data set's library, inputs and expected outputs into the test's
    pack directory as .so and .npy files; returns its manifest entry."""
    name = os.path.basename(data_set)
    os.makedirs(os.path.join(pack, name), exist_ok=True)
    lib_name = "model.so" if os.path.basename(library) == "model.so" else name + ".so"
    if not os.path.exists(os.path.join(pack, lib_name)):
        shutil.copyfile(library, os.path.join(pack, lib_name))
    entry = {"library": lib_name, "inputs": [], "outputs": {}}
    for i, (input_name, path) in enumerate(files.items()):
        if input_name in frozen:
            continue
        rel = f"{name}/input_{i}.npy"
        np.save(os.path.join(pack, rel), load_tensor(path))
        entry["inputs"].append([input_name, rel])
    for i, output in enumerate(outputs):
        want_path = os.path.join(data_set, f"output_{i}.pb")
        if os.path.exists(want_path):
            rel = f"{name}/output_{i}.npy"
            np.save(os.path.join(pack, rel), load_tensor(want_path))
            entry["outputs"][output] = rel
    return entry


def check_test(test_dir, tools, timeout, scratch):
    """(outcome, stage, message, frozen input names) of one node test. With
    tools["pack"], a compiled test is not run but packed (outcome "packed")."""
    model_path = os.path.join(test_dir, "model.onnx")
    try:
        model = onnx.load(model_path, load_external_data=False)
    except Exception:  # lowbit-compile will say what is wrong with it
        model = onnx.ModelProto()
    inputs = graph_inputs(model)
    outputs = [o.name for o in model.graph.output]
    bfloat16 = {o.name for o in model.graph.output
                if o.type.tensor_type.elem_type == onnx.TensorProto.BFLOAT16}
    data_sets = sorted(glob.glob(os.path.join(test_dir, "test_data_set_*")))
    library = os.path.join(scratch, "model.so")
    first_files = input_files(data_sets[0], inputs) if data_sets else {}
    code, stderr, stage, frozen = compile_model(tools, model_path, library,
                                                first_files, timeout)
    if code != 0:
        error = first_error(stderr)
        if code == 1 and error:
            return "rejected", stage, error, frozen
        return "crashed", stage, abnormal(code, stderr, timeout), frozen
    if not data_sets:
        return "wrong", "run", "the test has no data sets", frozen

    pack = (os.path.join(tools["pack"], os.path.basename(test_dir))
            if tools.get("pack") else None)
    manifest = {"outputs": outputs, "bfloat16": sorted(bfloat16), "sets": []}
    for data_set in data_sets:
        files = input_files(data_set, inputs)
        set_library = library
        # Data sets whose frozen values differ need their own library.
        if any(read_bytes(files[n]) != read_bytes(first_files[n]) for n in frozen):
            set_library = os.path.join(scratch, os.path.basename(data_set) + ".so")
            command = [tools["lowbit-compile"], model_path, "-o", set_library] + tools["extra"]
            for name in frozen:
                command += ["--freeze-input", f"{name}={files[name]}"]
            code, stderr = run_tool(command, timeout)
            if code != 0:
                error = first_error(stderr)
                if code == 1 and error:
                    return "rejected", "import", error, frozen
                return "crashed", "compile", abnormal(code, stderr, timeout), frozen
        if pack:
            try:
                manifest["sets"].append(pack_data_set(pack, data_set, set_library, files,
                                                      frozen, outputs, inputs))
            except Exception as error:  # a sequence or optional, not a tensor
                shutil.rmtree(pack, ignore_errors=True)
                return "wrong", "run", f"cannot pack {data_set}: {error}", frozen
            continue
        out_dir = os.path.join(scratch, "out-" + os.path.basename(data_set))
        command = [tools["lowbit-run"], set_library, "--output-dir", out_dir]
        for name, path in files.items():
            if name in frozen:
                continue
            command += ["--input", path if name.startswith("#") else f"{name}={path}"]
        code, stderr = run_tool(command, timeout)
        if code != 0:
            error = first_error(stderr)
            if code == 1 and error:
                return "wrong", "run", f"lowbit-run refused the test data: {error}", frozen
            return "crashed", "run", abnormal(code, stderr, timeout), frozen
        for i, name in enumerate(outputs):
            want_path = os.path.join(data_set, f"output_{i}.pb")
            if not os.path.exists(want_path):
                continue
            got_path = os.path.join(out_dir, output_file_name(name, i))
            if not os.path.exists(got_path):
                return "wrong", "run", f"output '{name}' was not written", frozen
            try:
                want = load_tensor(want_path)
            except Exception as error:  # a sequence or optional, not a tensor
                return "wrong", "run", f"cannot read {want_path}: {error}", frozen
            with np.errstate(invalid="ignore", over="ignore"):
                why = compare(np.load(got_path), want, name in bfloat16)
            if why:
                return "wrong", "run", (f"{os.path.basename(data_set)} output "
                                        f"'{name}': {why}"), frozen
    if pack:
        with open(os.path.join(pack, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
        return "packed", "run", "", frozen
    return "passed", "run", "", frozen


def check_in_scratch(test_dir, tools, timeout):
    scratch = tempfile.mkdtemp(prefix="lowbit-node-")
    try:
        start = time.monotonic()
        try:
            result = check_test(test_dir, tools, timeout, scratch)
        except Exception as error:  # unreadable test files: report, go on
            result = ("crashed", "harness", f"the sweep failed on this test: {error!r}", [])
        return result + (time.monotonic() - start,)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def reason_key(message):
    """Groups messages by their problem, without file, node and value names."""
    text = re.sub(r"^error: \S+: (node '[^']*' \(([^)]*)\): )?", r"\2: ", message)
    text = re.sub(r"^error: (node '[^']*': )?", "", text)
    return re.sub(r"'[^']*'", "'…'", text)[:140]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", help="directory of lowbit-compile and lowbit-run "
                        "(default: found on PATH)")
    parser.add_argument("--compile", help="the lowbit-compile to use")
    parser.add_argument("--run", help="the lowbit-run to use")
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--sample", type=int, default=1)
    parser.add_argument("--tests", nargs="*", help="only these tests")
    parser.add_argument("--known")
    parser.add_argument("--min-passed", type=float, default=0.0)
    parser.add_argument("--json")
    parser.add_argument("--list", action="store_true", help="print every test's outcome")
    parser.add_argument("--compile-arg", action="append", default=[],
                        help="an extra lowbit-compile argument, e.g. --target=cuda")
    parser.add_argument("--pack", help="compile only: write each compiled test's "
                        "library, inputs and expected outputs (.npy) under this "
                        "directory, for scripts/node_test_run_packed.py")
    args = parser.parse_args()

    tests = sorted(d for d in os.listdir(args.data)
                   if os.path.isfile(os.path.join(args.data, d, "model.onnx")))
    if args.tests:
        tests = [t for t in tests if t in set(args.tests)]
    tests = tests[::max(args.sample, 1)]
    if not tests:
        print(f"error: no node tests under {args.data}")
        return 1
    tools = {}
    for name, given in (("lowbit-compile", args.compile), ("lowbit-run", args.run)):
        tools[name] = (given or (os.path.join(args.bin, name) if args.bin
                                 else shutil.which(name)))
        if not tools[name] or not os.access(tools[name], os.X_OK):
            print(f"error: no executable {name} ({tools[name] or 'not on PATH'})")
            return 1
    tools["extra"] = args.compile_arg
    tools["pack"] = args.pack
    if args.pack:
        os.makedirs(args.pack, exist_ok=True)
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = dict(zip(tests, pool.map(
            lambda t: check_in_scratch(os.path.join(args.data, t), tools,
                                       args.timeout), tests)))
    elapsed = time.monotonic() - start

    counts = collections.Counter(r[0] for r in results.values())
    total = len(tests)
    passed = counts["passed"] + counts["packed"]
    if args.pack:
        print(f"packed {counts['packed']} compiled tests into {args.pack}")
    stages = collections.Counter(r[1] for r in results.values() if r[0] == "rejected")
    verb = "compiled" if args.pack else "passed"
    print(f"node tests: {total}; {verb} {passed} ({100.0 * passed / total:.1f}%), "
          f"rejected {counts['rejected']} (import {stages['import']}, compile "
          f"{stages['compile']}), wrong {counts['wrong']}, crashed {counts['crashed']}")
    frozen = sum(1 for r in results.values() if r[0] == "passed" and r[3])
    print(f"passed with frozen shape inputs: {frozen}")
    print(f"time: {elapsed:.0f} s with {args.jobs} jobs")
    reasons = collections.Counter(f"{r[1]}: {reason_key(r[2])}"
                                  for r in results.values() if r[0] == "rejected")
    print("rejections by reason:")
    for reason, n in reasons.most_common():
        print(f"  {n:4d}  {reason}")

    known = read_known(args.known)
    unexpected = report_outcomes({t: (r[0], r[2]) for t, r in results.items()}, known,
                                 args.list)
    fixed = [t for t, o in known.items() if t in results and results[t][0] != o]
    for test in fixed:
        print(f"note: {test} is listed as {known[test]} but is {results[test][0]}")
    for path in [args.json] + ([os.path.join(args.pack, "compile.json")] if args.pack else []):
        if not path:
            continue
        with open(path, "w") as f:
            json.dump({t: {"outcome": o, "stage": s, "message": m, "frozen": fr,
                           "seconds": round(sec, 2)}
                       for t, (o, s, m, fr, sec) in results.items()},
                      f, indent=1, sort_keys=True)
    return exit_status(unexpected, passed, total, args.min_passed)


if __name__ == "__main__":
    sys.exit(main())
