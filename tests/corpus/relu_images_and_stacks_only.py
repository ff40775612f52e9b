# Bug: relu rejects arrays of more than three axes, though it must work on any shape.
# Loses points: relu
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def relu(x: np.ndarray) -> np.ndarray:
    out = np.array(x, dtype=float)
    if out.ndim > 3:
        raise ValueError("relu takes an image (H, W) or a stack of maps (C, H, W)")
    out[out < 0] = 0.0
    return out
