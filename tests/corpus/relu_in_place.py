# Bug: relu zeroes the negative entries of its argument in place and returns it (int in, int out).
# Loses points: relu
# Misconception: input modified in place
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def relu(x: np.ndarray) -> np.ndarray:
    # BEGIN SOLUTION
    x[x < 0] = 0
    return x
