# Bug: conv_param_count counts F·F weights per kernel, leaving out the input depth.
# Loses points: conv_param_count
# Misconception: depth left out of the parameter count
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv_param_count(d_in: int, f: int, n_k: int, bias: bool = True) -> int:
    # BEGIN SOLUTION
    d_in, f, n_k = (operator.index(v) for v in (d_in, f, n_k))
    if min(d_in, f, n_k) < 1:
        raise ValueError(f"d_in, f and n_k must be at least 1, got {d_in}, {f}, {n_k}")
    return n_k * f * f + (n_k if bias else 0)
