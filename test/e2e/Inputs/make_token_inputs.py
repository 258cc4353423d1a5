"""Writes valid BERT-style inputs: input_ids in [0, VOCAB), an attention mask
with padding at the end of the second row, token_type_ids of 0 and 1.

    make_token_inputs.py DIR BATCH SEQ VOCAB
"""
import os
import sys

import numpy as np


def main(out, batch, seq, vocab):
    rng = np.random.default_rng(0)
    os.makedirs(out, exist_ok=True)
    ids = rng.integers(0, vocab, (batch, seq), dtype=np.int64)
    mask = np.ones((batch, seq), np.int64)
    mask[1:, seq // 2:] = 0
    types = np.zeros((batch, seq), np.int64)
    types[:, seq // 2:] = 1
    for name, value in (("input_ids", ids), ("attention_mask", mask), ("token_type_ids", types)):
        np.save(os.path.join(out, name + ".npy"), value)


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:5]))
