# Bug: none: a correct style (as_strided im2col with matrix products).
# Loses points: none
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def _im2col(x: np.ndarray, fh: int, fw: int, sh: int, sw: int) -> np.ndarray:
    """(C, H, W) -> (H_out, W_out, C·fh·fw): one row per window, made with as_strided."""
    c, h, w = x.shape
    x = np.ascontiguousarray(x)
    sc, sy, sx = x.strides
    shape = ((h - fh) // sh + 1, (w - fw) // sw + 1, c, fh, fw)
    windows = np.lib.stride_tricks.as_strided(x, shape, (sy * sh, sx * sw, sc, sy, sx), writeable=False)
    return windows.reshape(shape[0], shape[1], -1)


def cross_correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError("image and kernel must be 2-D")
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError("kernel larger than image")
    return _im2col(image[None], *kernel.shape, 1, 1) @ kernel.reshape(-1)


def conv2d(image: np.ndarray, kernel: np.ndarray, stride: IntOrPair = 1, padding: IntOrPair = 0) -> np.ndarray:
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    return conv_stage(image[None], kernel[None, None], np.zeros(1), stride, padding)[0]


def conv_stage(x: np.ndarray, kernels: np.ndarray, biases: np.ndarray, stride: IntOrPair = 1,
               padding: IntOrPair = 0) -> np.ndarray:
    x, kernels, biases = (np.asarray(a, dtype=float) for a in (x, kernels, biases))
    if x.ndim != 3 or kernels.ndim != 4 or kernels.shape[1] != x.shape[0] or biases.shape != kernels.shape[:1]:
        raise ValueError("shapes do not agree")
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    if sh < 1 or sw < 1:
        raise ValueError("stride must be at least 1")
    padded = zero_pad(x, padding)
    n_k, _, fh, fw = kernels.shape
    if fh > padded.shape[1] or fw > padded.shape[2]:
        raise ValueError("kernels larger than the padded input")
    columns = _im2col(padded, fh, fw, sh, sw)
    return np.moveaxis(columns @ kernels.reshape(n_k, -1).T, -1, 0) + biases[:, None, None]
