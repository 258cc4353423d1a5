"""Compares lowbit's all-MiniLM-L6-v2 embeddings with ONNX Runtime's.

  compare_with_ort.py MODEL.onnx INPUT_DIR LOWBIT_OUTPUT_DIR [--lowbit-ms MS]

Runs the same ONNX model with ONNX Runtime (CPU, one thread) on the inputs in
INPUT_DIR, prints the cosine similarity of each sentence's embedding between
the two, the largest absolute difference, the median ONNX Runtime latency
beside lowbit's, and which sentences lowbit finds most alike.
"""
import argparse
import os
import time

import numpy as np
import onnxruntime as ort


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model")
    p.add_argument("inputs")
    p.add_argument("outputs")
    p.add_argument("--lowbit-ms", type=float)
    p.add_argument("--repeat", type=int, default=20)
    a = p.parse_args()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    feeds = {n: np.load(os.path.join(a.inputs, n + ".npy")) for n in names}
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(a.model, options, providers=["CPUExecutionProvider"])
    want = session.run(None, feeds)[0]
    times = []
    for _ in range(a.repeat):
        start = time.perf_counter()
        session.run(None, feeds)
        times.append((time.perf_counter() - start) * 1e3)
    got = np.load(os.path.join(a.outputs, "sentence_embedding.npy"))
    sentences = open(os.path.join(a.inputs, "sentences.txt")).read().splitlines()

    cos = (got * want).sum(1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(want, axis=1))
    print(f"embeddings: {got.shape[0]} sentences x {got.shape[1]}")
    print(f"cosine similarity lowbit vs ONNX Runtime: min {cos.min():.6f}, mean {cos.mean():.6f}")
    print(f"largest absolute difference: {np.abs(got - want).max():.2e}")
    ort_ms = float(np.median(times))
    if a.lowbit_ms:
        print(f"latency (batch {got.shape[0]}, 1 thread): lowbit {a.lowbit_ms:.2f} ms, "
              f"ONNX Runtime {ort_ms:.2f} ms (median of {a.repeat}); "
              f"ratio {a.lowbit_ms / ort_ms:.2f}x")
    sim = got @ got.T
    np.fill_diagonal(sim, -1)
    i, j = np.unravel_index(np.argmax(sim), sim.shape)
    print(f"most alike (lowbit, cosine {sim[i, j]:.3f}):\n  {sentences[i]}\n  {sentences[j]}")
    return 0 if cos.min() > 0.9999 else 1


if __name__ == "__main__":
    raise SystemExit(main())
