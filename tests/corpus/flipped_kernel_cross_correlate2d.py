# Bug: cross_correlate2d flips the kernel (computes a true convolution); conv2d calls it.
# Loses points: cross_correlate2d, conv2d
# Misconception: flipped kernel (true convolution)
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def cross_correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The "valid" 2-D cross-correlation of ``image`` with ``kernel`` (no flip).

    ``out[i, j] = sum over m, n of image[i + m, j + n] * kernel[m, n]``, for every
    position where the kernel lies entirely inside the image.

    Args:
        image: shape (H, W).
        kernel: shape (Fh, Fw), with Fh <= H and Fw <= W.

    Returns:
        A float array of shape (H - Fh + 1, W - Fw + 1).

    Raises:
        ValueError: if either argument is not 2-D or the kernel is larger than the image.

    Example:
        >>> image = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
        >>> cross_correlate2d(image, np.array([[0, 1], [2, 3]]))
        array([[19., 25.],
               [37., 43.]])
    """
    # BEGIN SOLUTION
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"image and kernel must be 2-D, got shapes {image.shape} and {kernel.shape}")
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError(f"kernel of shape {kernel.shape} does not fit in image of shape {image.shape}")
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijmn,mn->ij", windows, kernel[::-1, ::-1])
