# Bug: cross_correlate2d loops over range(H - F), one row and column short; conv2d calls it.
# Loses points: cross_correlate2d, conv2d
# Misconception: output one row/column short
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def cross_correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    # BEGIN SOLUTION
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"image and kernel must be 2-D, got shapes {image.shape} and {kernel.shape}")
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError(f"kernel of shape {kernel.shape} does not fit in image of shape {image.shape}")
    out = np.zeros((image.shape[0] - kernel.shape[0], image.shape[1] - kernel.shape[1]))
    for i in range(image.shape[0] - kernel.shape[0]):
        for j in range(image.shape[1] - kernel.shape[1]):
            out[i, j] = np.sum(image[i : i + kernel.shape[0], j : j + kernel.shape[1]] * kernel)
    return out
