# Bug: cross_correlate2d flips the kernel (computes a true convolution); conv2d calls it.
# Loses points: cross_correlate2d, conv2d
# Misconception: flipped kernel (true convolution)
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
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijmn,mn->ij", windows, kernel[::-1, ::-1])
