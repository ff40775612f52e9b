# Bug: none: a correct style that raises its own class CNNArgumentError(ValueError) for invalid arguments.
# Loses points: none
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


class CNNArgumentError(ValueError):
    """An argument outside what the docstring allows."""


def zero_pad(x: np.ndarray, pad: IntOrPair) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim not in (2, 3):
        raise CNNArgumentError(f"x must be 2-D or 3-D, got shape {x.shape}")
    ph, pw = (pad, pad) if np.ndim(pad) == 0 else pad
    if ph < 0 or pw < 0:
        raise CNNArgumentError(f"padding must be non-negative, got {pad!r}")
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)])


def cross_correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2 or kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise CNNArgumentError(f"kernel {kernel.shape} does not fit in image {image.shape}")
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijmn,mn->ij", windows, kernel)


def conv_output_size(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    if n < 1 or f < 1 or stride < 1 or padding < 0 or f > n + 2 * padding:
        raise CNNArgumentError(f"invalid sizes n={n}, f={f}, padding={padding}, stride={stride}")
    return (n + 2 * padding - f) // stride + 1


def conv2d(image: np.ndarray, kernel: np.ndarray, stride: IntOrPair = 1, padding: IntOrPair = 0) -> np.ndarray:
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    if sh < 1 or sw < 1:
        raise CNNArgumentError(f"stride must be at least 1, got {stride!r}")
    return cross_correlate2d(zero_pad(image, padding), kernel)[::sh, ::sw]


def conv_stage(x, kernels, biases, stride=1, padding=0):
    x, kernels, biases = (np.asarray(a, dtype=float) for a in (x, kernels, biases))
    if x.ndim != 3 or kernels.ndim != 4 or kernels.shape[1] != x.shape[0] or biases.shape != kernels.shape[:1]:
        raise CNNArgumentError("shapes of x, kernels and biases do not agree")
    return np.stack([sum(conv2d(x[d], kernels[k, d], stride, padding) for d in range(x.shape[0])) + biases[k]
                     for k in range(kernels.shape[0])])


def pool2d(x, size, stride=None, mode="max"):
    if mode not in ("max", "avg", "l2"):
        raise CNNArgumentError(f"unknown mode {mode!r}")
    x = np.asarray(x, dtype=float)
    if x.ndim not in (2, 3):
        raise CNNArgumentError("x must be 2-D or 3-D")
    ph, pw = (size, size) if np.ndim(size) == 0 else size
    stride = size if stride is None else stride
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    if min(ph, pw, sh, sw) < 1 or ph > x.shape[-2] or pw > x.shape[-1]:
        raise CNNArgumentError("bad pooling window")
    windows = np.lib.stride_tricks.sliding_window_view(x, (ph, pw), axis=(-2, -1))[..., ::sh, ::sw, :, :]
    if mode == "max":
        return windows.max(axis=(-2, -1))
    if mode == "avg":
        return windows.mean(axis=(-2, -1))
    return np.sqrt((windows**2).sum(axis=(-2, -1)))


def conv_param_count(d_in: int, f: int, n_k: int, bias: bool = True) -> int:
    if min(d_in, f, n_k) < 1:
        raise CNNArgumentError("d_in, f and n_k must be at least 1")
    return n_k * f * f * d_in + (n_k if bias else 0)


def conv_output_shape(input_shape, n_k, f, padding=0, stride=1):
    if len(input_shape) != 3 or input_shape[0] < 1 or n_k < 1:
        raise CNNArgumentError(f"invalid input_shape {input_shape!r} or n_k {n_k}")
    return (n_k, conv_output_size(input_shape[1], f, padding, stride),
            conv_output_size(input_shape[2], f, padding, stride))
