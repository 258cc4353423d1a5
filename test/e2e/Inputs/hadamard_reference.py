"""Inputs for, and an independent numpy reference of, Inputs/hadamard.mlir.

    hadamard_reference.py inputs DIR          writes DIR/{a,b,c,d,e}.npy
    hadamard_reference.py check IN_DIR OUT_DIR

The reference builds each block matrix H D / sqrt(n) densely: Sylvester
doubling from a Paley type-I matrix (quadratic residues mod q) and random
signs from the splitmix64 stream of the seed, then y = x M^T per block of
the last axis. Prints "NAME: ok" or "NAME: MISMATCH" per output.
"""
import os
import sys

import numpy as np

# (input, block size, seed, dtype, shape), in the order of hadamard.mlir.
CASES = [
    ("a", 8, 0, np.float32, (2, 8)),
    ("b", 12, 7, np.float32, (3, 24)),
    ("c", 16, 5, np.float32, (2, 2, 32)),
    ("d", 64, 1, np.float16, (4, 64)),
    ("e", 20, 3, np.float32, (2, 40)),
    ("f", 48, 2, np.float32, (2, 96)),
]
MASK = (1 << 64) - 1


def signs(n, seed):
    if seed == 0:
        return np.ones(n)
    state, out = seed, []
    for _ in range(n):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        out.append(-1.0 if z & 1 else 1.0)
    return np.array(out)


def paley(q1):
    """Paley type-I Hadamard matrix of order q1 = q + 1."""
    q = q1 - 1
    residues = {(i * i) % q for i in range(1, q)}
    chi = lambda a: 0 if a % q == 0 else (1 if a % q in residues else -1)
    jacobsthal = np.array([[chi(j - i) for j in range(q)] for i in range(q)])
    h = np.ones((q1, q1))
    h[1:, 0] = -1
    h[1:, 1:] = jacobsthal + np.eye(q)
    return h


def is_prime(q):
    return q >= 2 and all(q % d for d in range(2, int(q ** 0.5) + 1))


def hadamard(n):
    """Sylvester (x) Paley: the Paley order is the smallest m = odd * 2^i
    dividing n with m - 1 a prime = 3 mod 4 (none for powers of two), as
    Hadamard.h says."""
    m = n
    while m % 2 == 0:
        m //= 2
    if m > 1:
        while not (is_prime(m - 1) and (m - 1) % 4 == 3):
            m *= 2
    h = np.ones((1, 1)) if m == 1 else paley(m)
    sylvester = np.ones((1, 1))
    while sylvester.shape[0] * h.shape[0] < n:
        sylvester = np.block([[sylvester, sylvester], [sylvester, -sylvester]])
    return np.kron(sylvester, h)


def reference(x, n, seed):
    h = hadamard(n)
    assert np.allclose(h @ h.T, n * np.eye(n)), n
    m = h * signs(n, seed)[None, :] / np.sqrt(n)
    blocks = x.astype(np.float64).reshape(-1, n)
    return (blocks @ m.T).reshape(x.shape)


def main():
    if sys.argv[1] == "inputs":
        os.makedirs(sys.argv[2], exist_ok=True)
        rng = np.random.default_rng(11)
        for name, _, _, dtype, shape in CASES:
            x = rng.standard_normal(shape)
            x[..., 1] *= 25  # an outlier channel the rotation spreads
            np.save(os.path.join(sys.argv[2], name + ".npy"), x.astype(dtype))
        return 0
    failed = False
    for name, n, seed, dtype, _ in CASES:
        x = np.load(os.path.join(sys.argv[2], name + ".npy"))
        y = np.load(os.path.join(sys.argv[3], name + "_rot.npy"))
        expected = reference(x, n, seed)
        tol = 2e-3 if dtype == np.float16 else 1e-5
        scale = np.abs(expected).max()
        error = np.abs(y.astype(np.float64) - expected).max() / scale
        good = y.dtype == dtype and y.shape == expected.shape and error <= tol
        failed |= not good
        print(f"{name}_rot: {'ok' if good else 'MISMATCH'} n={n} seed={seed}"
              + ("" if good else f" error={error:.3g}"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
