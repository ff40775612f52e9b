# Bug: conv_param_count never raises ValueError for dimensions below 1.
# Loses points: conv_param_count
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv_param_count(d_in: int, f: int, n_k: int, bias: bool = True) -> int:
    # BEGIN SOLUTION
    d_in, f, n_k = (operator.index(v) for v in (d_in, f, n_k))
    return n_k * f * f * d_in + (n_k if bias else 0)
