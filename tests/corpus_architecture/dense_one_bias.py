# Bug: dense_param_count counts one bias for the whole layer.
# Loses points: dense_param_count
# Misconception: one bias for the whole layer
"""Only what differs from solutions/architecture/architecture.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def dense_param_count(n_in: int, n_out: int, bias: bool = True) -> int:
    if n_in < 1 or n_out < 1:
        raise ValueError("too small")
    return n_in * n_out + (1 if bias else 0)
