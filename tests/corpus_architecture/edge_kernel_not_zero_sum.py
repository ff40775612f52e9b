# Bug: edge_kernel's weights do not add up to 0, so it responds to a constant image.
# Loses points: edge_kernel
# Misconception: none
"""Only what differs from solutions/architecture/architecture.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def edge_kernel(direction: str) -> np.ndarray:
    if direction == "vertical":
        return np.array([[1.0, -0.5]])
    if direction == "horizontal":
        return np.array([[1.0], [-0.5]])
    raise ValueError(direction)
