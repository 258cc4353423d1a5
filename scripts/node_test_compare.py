"""How the node-test sweeps compare an output with the test's expected value,
read their lists of known failures and report their outcomes (numpy only, so that the packed sweep
can run where onnx is not installed).

Floats within |got - want| <= ATOL + RTOL |want| (NaN where NaN is expected,
infinities exactly), bfloat16 within one unit in the last place, integers
and booleans exactly, dtype and shape exactly.
"""
import numpy as np

RTOL, ATOL = 1e-3, 1e-4


def bfloat16_to_float32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def compare(got, want, bfloat16=False, rtol=RTOL, atol=ATOL):
    """None when `got` matches `want`, else why not. bfloat16 tensors are
    uint16 bit patterns on both sides (numpy has no bfloat16) and may differ
    by one unit in the last place: ONNX 1.12's test data truncate float32 to
    bfloat16 where the operator specification rounds to nearest even.
    `rtol` and `atol` replace the sweep's float tolerances where a test
    states its own."""
    if got.dtype != want.dtype or got.shape != want.shape:
        return (f"got {got.dtype}{list(got.shape)}, expected "
                f"{want.dtype}{list(want.shape)}")
    if bfloat16 and want.dtype == np.uint16:
        g, w = bfloat16_to_float32(got), bfloat16_to_float32(want)
        same_sign = (got >> 15) == (want >> 15)
        near = same_sign & (np.abs(got.astype(np.int32) - want.astype(np.int32)) <= 1)
        bad = ~(near | (np.isnan(g) & np.isnan(w)))
    elif np.issubdtype(want.dtype, np.floating):
        g, w = got.astype(np.float64), want.astype(np.float64)
        same_nan = np.isnan(g) & np.isnan(w)
        same_inf = np.isinf(w) & (g == w)
        bad = ~((np.abs(g - w) <= atol + rtol * np.abs(w)) | same_nan | same_inf)
    else:
        bad = got != want
    if not bad.any():
        return None
    bad = np.asarray(bad)
    index = np.unravel_index(np.argmax(bad), want.shape) if want.ndim else ()
    return (f"{int(bad.sum())} of {want.size} values differ, e.g. at "
            f"{list(index)}: got {got[index]}, expected {want[index]}")


def read_known(path):
    known = {}
    if not path:
        return known
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                test, outcome = line.split()[:2]
                known[test] = outcome
    return known


def report_outcomes(outcomes, known, listing):
    """Prints every wrong or crashed test (those listed in `known` with that
    outcome as "known"), and with `listing` every other test's outcome.
    `outcomes`: test -> (outcome, message). Returns the unexpected tests."""
    unexpected = []
    for test, (outcome, message) in outcomes.items():
        if outcome in ("wrong", "crashed"):
            expected = known.get(test) == outcome
            print(f"{'known ' if expected else ''}{outcome.upper()}: {test}: {message}")
            if not expected:
                unexpected.append(test)
        elif listing:
            print(f"{outcome}: {test}{': ' + message if message else ''}")
    return unexpected


def exit_status(unexpected, passed, total, min_passed):
    """0 when no test is unexpectedly wrong or crashed and enough passed;
    else 1, after an error line."""
    if not unexpected and passed >= min_passed * total:
        return 0
    print(f"error: {len(unexpected)} unexpected wrong or crashed tests; passed "
          f"fraction {passed / total:.3f} (minimum {min_passed})")
    return 1
