# Bug: conv_as_matrix puts the kernel in each row reversed (a true convolution).
# Loses points: conv_as_matrix
# Misconception: flipped kernel (true convolution)
"""Only what differs from solutions/architecture/architecture.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv_as_matrix(kernel: np.ndarray, n: int) -> np.ndarray:
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 1 or not 1 <= kernel.size <= n:
        raise ValueError("bad kernel")
    f = kernel.size
    matrix = np.zeros((n - f + 1, n))
    for i in range(n - f + 1):
        matrix[i, i:i + f] = kernel[::-1]
    return matrix
