# Bug: none: a correct style that computes and returns float32 arrays (within the tolerance).
# Loses points: none
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def cross_correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    image, kernel = np.asarray(image, dtype=np.float32), np.asarray(kernel, dtype=np.float32)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError("image and kernel must be 2-D")
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError("kernel larger than image")
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijmn,mn->ij", windows, kernel)


def conv2d(image: np.ndarray, kernel: np.ndarray, stride: IntOrPair = 1, padding: IntOrPair = 0) -> np.ndarray:
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    if sh < 1 or sw < 1:
        raise ValueError("stride must be at least 1")
    return cross_correlate2d(zero_pad(np.asarray(image, dtype=np.float32), padding), kernel)[::sh, ::sw]


def conv_stage(x, kernels, biases, stride=1, padding=0):
    x, kernels, biases = (np.asarray(a, dtype=np.float32) for a in (x, kernels, biases))
    if x.ndim != 3 or kernels.ndim != 4 or kernels.shape[1] != x.shape[0] or biases.shape != kernels.shape[:1]:
        raise ValueError("shapes do not agree")
    maps = [sum(conv2d(x[d], kernels[k, d], stride, padding) for d in range(x.shape[0])) + biases[k]
            for k in range(kernels.shape[0])]
    return np.stack(maps).astype(np.float32)


def pool2d(x, size, stride=None, mode="max"):
    if mode not in ("max", "avg", "l2"):
        raise ValueError("unknown mode")
    x = np.asarray(x, dtype=np.float32)
    if x.ndim not in (2, 3):
        raise ValueError("x must be 2-D or 3-D")
    ph, pw = (size, size) if np.ndim(size) == 0 else size
    stride = size if stride is None else stride
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    if min(ph, pw, sh, sw) < 1 or ph > x.shape[-2] or pw > x.shape[-1]:
        raise ValueError("bad pooling window")
    windows = np.lib.stride_tricks.sliding_window_view(x, (ph, pw), axis=(-2, -1))[..., ::sh, ::sw, :, :]
    if mode == "max":
        return windows.max(axis=(-2, -1))
    if mode == "avg":
        return windows.mean(axis=(-2, -1), dtype=np.float32)
    return np.sqrt((windows**2).sum(axis=(-2, -1)))


def relu(x):
    return np.maximum(np.asarray(x, dtype=np.float32), np.float32(0))
