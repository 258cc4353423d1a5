"""Compares a quantized all-MiniLM-L6-v2 library's embeddings with float's.

  compare_quantized.py PRESET FLOAT_OUTPUT_DIR QUANT_OUTPUT_DIR
                       --float-ms MS --quant-ms MS --library-bytes FLOAT,QUANT

Prints one line: cosine similarity of each sentence's embedding to the float
library's (minimum and mean), the time per run of both and the size of both
libraries.
"""
import argparse
import os

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("preset")
    p.add_argument("float_outputs")
    p.add_argument("quant_outputs")
    p.add_argument("--float-ms", type=float, required=True)
    p.add_argument("--quant-ms", type=float, required=True)
    p.add_argument("--library-bytes", required=True)
    a = p.parse_args()
    want = np.load(os.path.join(a.float_outputs, "sentence_embedding.npy")).astype(np.float64)
    got = np.load(os.path.join(a.quant_outputs, "sentence_embedding.npy")).astype(np.float64)
    cos = (got * want).sum(1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(want, axis=1))
    float_bytes, quant_bytes = (int(v) for v in a.library_bytes.split(","))
    print(f"{a.preset:6s} cosine to float: min {cos.min():.4f}, mean {cos.mean():.4f}; "
          f"{a.quant_ms:.2f} ms per run (float {a.float_ms:.2f} ms, "
          f"{a.float_ms / a.quant_ms:.2f}x); library {quant_bytes / 2**20:.1f} MiB "
          f"(float {float_bytes / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
