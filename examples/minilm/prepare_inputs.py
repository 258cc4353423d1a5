"""Tokenizes sentences for all-MiniLM-L6-v2 and writes the model inputs.

  prepare_inputs.py SENTENCES.txt OUT_DIR [--batch N] [--seq S]

Uses the checkpoint's own tokenizer.json (WordPiece, lower case) through the
`tokenizers` package, pads or truncates every sentence to S tokens, and
writes input_ids.npy, attention_mask.npy and token_type_ids.npy of shape
[N, S] (the first N sentences). With --samples K it writes instead
OUT_DIR/calib.npz for `lowbit-compile --calib`: each input with a leading
sample axis, [K, N, S], from K consecutive batches of the sentences.
"""
import argparse
import os
import sys

import numpy as np
from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_minilm_onnx import checkpoint_dir  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sentences")
    p.add_argument("out_dir")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq", type=int, default=32)
    p.add_argument("--checkpoint")
    p.add_argument("--samples", type=int, default=0)
    a = p.parse_args()
    lines = [l.strip() for l in open(a.sentences) if l.strip()]
    if a.samples:
        if len(lines) < a.samples * a.batch:
            sys.exit(f"error: {a.sentences}: {len(lines)} sentences, "
                     f"{a.samples * a.batch} needed")
        lines = lines[: a.samples * a.batch]
    else:
        lines = lines[: a.batch]
    tok = Tokenizer.from_file(os.path.join(checkpoint_dir(a.checkpoint), "tokenizer.json"))
    tok.enable_truncation(a.seq)
    tok.enable_padding(length=a.seq, pad_id=0, pad_token="[PAD]")
    enc = tok.encode_batch(lines)
    os.makedirs(a.out_dir, exist_ok=True)
    if a.samples:
        shape = (a.samples, a.batch, a.seq)
        arrays = {name: np.array([getattr(e, key) for e in enc], dtype=np.int64).reshape(shape)
                  for name, key in (("input_ids", "ids"), ("attention_mask", "attention_mask"),
                                    ("token_type_ids", "type_ids"))}
        np.savez(os.path.join(a.out_dir, "calib.npz"), **arrays)
        print(f"tokenized {len(lines)} calibration sentences as {a.samples} samples "
              f"of {a.batch} x {a.seq} in {a.out_dir}/calib.npz")
        return
    for name, key in (("input_ids", "ids"), ("attention_mask", "attention_mask"),
                      ("token_type_ids", "type_ids")):
        np.save(os.path.join(a.out_dir, name + ".npy"),
                np.array([getattr(e, key) for e in enc], dtype=np.int64))
    with open(os.path.join(a.out_dir, "sentences.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"tokenized {len(lines)} sentences to {a.seq} tokens in {a.out_dir}")


if __name__ == "__main__":
    main()
