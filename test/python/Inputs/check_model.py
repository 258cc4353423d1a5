"""Exercises the lowbit Python package on a compiled model: description,
every way of passing inputs, results against onnxruntime, every error, and
concurrent runs from several threads.

    check_model.py MODEL.onnxtext MODEL.so SCRATCH_DIR

Prints one line per check; FileCheck compares them with what is expected.
"""

import os
import shutil
import sys
import threading

import numpy as np
import onnx
import onnxruntime

import lowbit


def reference(model_text):
    with open(model_text) as f:
        model = onnx.parser.parse_model(f.read())
    session = onnxruntime.InferenceSession(model.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return lambda feeds: dict(zip(names, session.run(names, feeds)))


def matches(got, want):
    if list(got) != list(want):
        return False
    for name in want:
        g, w = got[name], want[name]
        if g.dtype != w.dtype or g.shape != w.shape:
            return False
        if not np.allclose(g, w, rtol=1e-5, atol=1e-6):
            return False
    return True


def error_line(call):
    try:
        call()
    except lowbit.Error as error:
        return f"{type(error).__name__} (status {error.status}): {error}"
    return "no error"


def main():
    model_text, library, scratch = sys.argv[1:4]
    expect = reference(model_text)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4)).astype(np.float32)
    n = rng.integers(-100, 100, 3).astype(np.int64)
    want = expect({"x": x, "n": n})

    model = lowbit.Model(library)
    for spec in model.inputs:
        print(f"input {spec.name} {spec.dtype} {spec.shape}")
    for spec in model.outputs:
        print(f"output {spec.name} {spec.dtype} {spec.shape}")

    print("positional:", matches(model.run(x, n), want))
    print("keywords:", matches(model.run(n=n, x=x), want))
    print("dict:", matches(model.run({"x": x, "n": n}), want))
    print("list:", matches(model.run([x, n]), want))
    print("mixed:", matches(model.run(x, n=n), want))
    y, m = model(x, n)
    print("call:", np.array_equal(y, want["y"]) and np.array_equal(m, want["m"]))
    # A transposed view is copied to C order; Python lists take the model's dtype.
    print("strided:", matches(model.run(np.asfortranarray(x), n), want))
    print("lists:", matches(model.run(x.tolist(), n.tolist()), want))
    print("outputs are fresh:", model.run(x, n)["y"] is not model.run(x, n)["y"])

    print(error_line(lambda: model.run(np.zeros((3, 4), np.float32), n)))
    print(error_line(lambda: model.run(x.astype(np.float64), n)))
    print(error_line(lambda: model.run(x, n.astype(np.int32))))
    print(error_line(lambda: model.run(x.astype(np.complex64), n)))
    print(error_line(lambda: model.run(x.astype(">f4"), n)))
    print(error_line(lambda: model.run(x)))
    print(error_line(lambda: model.run(x, n, n)))
    print(error_line(lambda: model.run(x, n, x=x)))
    print(error_line(lambda: model.run(x, z=n)))
    print("after errors:", matches(model.run(x, n), want))

    # Threads: each run checks its own inputs' result.
    failures = []

    def worker(seed):
        r = np.random.default_rng(seed)
        for _ in range(25):
            xs = r.standard_normal((2, 4)).astype(np.float32)
            ns = r.integers(-100, 100, 3).astype(np.int64)
            if not matches(model.run(x=xs, n=ns), expect({"x": xs, "n": ns})):
                failures.append(seed)

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"threads: 100 runs, {len(failures)} wrong")

    with lowbit.Model(library) as scoped:
        print("scoped:", matches(scoped.run(x, n), want))
    print(error_line(lambda: scoped.run(x, n)))

    # Files that are not lowbit model libraries.
    print(error_line(lambda: lowbit.Model(os.path.join(scratch, "missing.so"))))
    text = os.path.join(scratch, "text.so")
    with open(text, "w") as f:
        f.write("not a library\n")
    print(error_line(lambda: lowbit.Model(text)))
    truncated = os.path.join(scratch, "truncated.so")
    with open(library, "rb") as f:
        head = f.read(4096)
    with open(truncated, "wb") as f:
        f.write(head)
    print(error_line(lambda: lowbit.Model(truncated)))
    print(error_line(lambda: lowbit.Model(os.path.join(scratch, "other.so"))))


if __name__ == "__main__":
    main()
