# Bug: none: a correct style whose array results are Fortran-ordered or non-contiguous views of new arrays.
# Loses points: none
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def zero_pad(x: np.ndarray, pad: IntOrPair) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim not in (2, 3):
        raise ValueError("x must be 2-D or 3-D")
    ph, pw = (pad, pad) if np.ndim(pad) == 0 else pad
    if ph < 0 or pw < 0:
        raise ValueError("padding must be non-negative")
    out = np.zeros((*x.shape[:-2], x.shape[-2] + 2 * ph, x.shape[-1] + 2 * pw), dtype=x.dtype, order="F")
    out[..., ph:ph + x.shape[-2], pw:pw + x.shape[-1]] = x
    return out


def cross_correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError("image and kernel must be 2-D")
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError("kernel larger than image")
    windows = np.lib.stride_tricks.sliding_window_view(image.T, kernel.T.shape)
    return np.einsum("jinm,mn->ji", windows, kernel).T  # computed transposed: a non-contiguous result


def relu(x: np.ndarray) -> np.ndarray:
    return np.asfortranarray(np.maximum(np.asarray(x, dtype=float), 0.0))


def pool2d(x, size, stride=None, mode="max"):
    if mode not in ("max", "avg", "l2"):
        raise ValueError("unknown mode")
    x = np.asarray(x, dtype=float)
    if x.ndim not in (2, 3):
        raise ValueError("x must be 2-D or 3-D")
    ph, pw = (size, size) if np.ndim(size) == 0 else size
    stride = size if stride is None else stride
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    if min(ph, pw, sh, sw) < 1 or ph > x.shape[-2] or pw > x.shape[-1]:
        raise ValueError("bad pooling window")
    windows = np.lib.stride_tricks.sliding_window_view(x, (ph, pw), axis=(-2, -1))[..., ::sh, ::sw, :, :]
    pooled = {"max": lambda: windows.max(axis=(-2, -1)), "avg": lambda: windows.mean(axis=(-2, -1)),
              "l2": lambda: np.sqrt((windows**2).sum(axis=(-2, -1)))}[mode]()
    padded = np.zeros((*pooled.shape[:-1], pooled.shape[-1] + 1))
    padded[..., :-1] = pooled
    return padded[..., :-1]  # a strided view of a new array
