# Bug: none: a correct style (sliding_window_view and einsum for every array function, sharing no helper).
# Loses points: none
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def cross_correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2 or any(k > s for k, s in zip(kernel.shape, image.shape)):
        raise ValueError("kernel does not fit in image")
    return np.einsum("ijmn,mn->ij", np.lib.stride_tricks.sliding_window_view(image, kernel.shape), kernel)


def conv2d(image: np.ndarray, kernel: np.ndarray, stride: IntOrPair = 1, padding: IntOrPair = 0) -> np.ndarray:
    sh, sw = np.broadcast_to(stride, 2)
    if sh < 1 or sw < 1:
        raise ValueError("stride must be at least 1")
    padded = zero_pad(np.asarray(image, dtype=float), padding)
    kernel = np.asarray(kernel, dtype=float)
    if kernel.shape[0] > padded.shape[0] or kernel.shape[1] > padded.shape[1]:
        raise ValueError("kernel larger than the padded image")
    windows = np.lib.stride_tricks.sliding_window_view(padded, kernel.shape)[::sh, ::sw]
    return np.einsum("ijmn,mn->ij", windows, kernel)


def relu(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return np.einsum("...,...->...", x, x > 0)
