# Bug: relu returns np.maximum(x, 0), an int array for an int input.
# Loses points: relu
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def relu(x: np.ndarray) -> np.ndarray:
    # BEGIN SOLUTION
    return np.maximum(x, 0)
