# Bug: edge_kernel returns the horizontal kernel for "vertical" and the vertical one for "horizontal".
# Loses points: edge_kernel
# Misconception: edge directions swapped
"""Only what differs from solutions/architecture/architecture.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def edge_kernel(direction: str) -> np.ndarray:
    if direction == "horizontal":
        return np.array([[1.0, -1.0]])
    if direction == "vertical":
        return np.array([[1.0], [-1.0]])
    raise ValueError(direction)
