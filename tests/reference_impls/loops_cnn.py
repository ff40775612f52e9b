"""A second correct ``cnn.py``, written the plain way: explicit loops over every pixel.

It shares no code with the reference solution, so the two can check each other, and it
stands for the slowest kind of correct submission when the suites are timed.
"""

from __future__ import annotations

import math

import numpy as np


def _two(value, name):
    """An int or an (h, w) pair as two ints."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair, got {value!r}")
        return int(value[0]), int(value[1])
    return int(value), int(value)


def zero_pad(x, pad):
    x = np.asarray(x)
    if x.ndim not in (2, 3):
        raise ValueError("x must be 2-D or 3-D")
    ph, pw = _two(pad, "pad")
    if ph < 0 or pw < 0:
        raise ValueError("padding must be non-negative")
    if x.ndim == 2:
        return zero_pad(x[np.newaxis], pad)[0]
    channels, height, width = x.shape
    out = np.zeros((channels, height + 2 * ph, width + 2 * pw), dtype=x.dtype)
    for c in range(channels):
        for i in range(height):
            for j in range(width):
                out[c, i + ph, j + pw] = x[c, i, j]
    return out


def cross_correlate2d(image, kernel):
    return conv2d(image, kernel)


def conv_output_size(n, f, padding=0, stride=1):
    if f < 1 or stride < 1 or padding < 0 or n < 1 or f > n + 2 * padding:
        raise ValueError("invalid convolution sizes")
    positions = 0
    start = 0
    while start + f <= n + 2 * padding:
        positions += 1
        start += stride
    return positions


def conv2d(image, kernel, stride=1, padding=0):
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError("image and kernel must be 2-D")
    sh, sw = _two(stride, "stride")
    if sh < 1 or sw < 1:
        raise ValueError("stride must be at least 1")
    padded = zero_pad(image, padding)
    fh, fw = kernel.shape
    if fh > padded.shape[0] or fw > padded.shape[1]:
        raise ValueError("kernel larger than the padded image")
    rows = (padded.shape[0] - fh) // sh + 1
    cols = (padded.shape[1] - fw) // sw + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            total = 0.0
            for m in range(fh):
                for n in range(fw):
                    total += padded[i * sh + m, j * sw + n] * kernel[m, n]
            out[i, j] = total
    return out


def conv_stage(x, kernels, biases, stride=1, padding=0):
    x = np.asarray(x, dtype=float)
    kernels = np.asarray(kernels, dtype=float)
    biases = np.asarray(biases, dtype=float)
    if x.ndim != 3 or kernels.ndim != 4 or kernels.shape[1] != x.shape[0]:
        raise ValueError("shapes of x and kernels do not agree")
    if biases.shape != (kernels.shape[0],):
        raise ValueError("need one bias per kernel")
    maps = []
    for k in range(kernels.shape[0]):
        total = None
        for d in range(x.shape[0]):
            part = conv2d(x[d], kernels[k, d], stride, padding)
            total = part if total is None else total + part
        maps.append(total + biases[k])
    return np.array(maps)


def pool2d(x, size, stride=None, mode="max"):
    if mode not in ("max", "avg", "l2"):
        raise ValueError("unknown pooling mode")
    x = np.asarray(x, dtype=float)
    if x.ndim == 2:
        return pool2d(x[np.newaxis], size, stride, mode)[0]
    if x.ndim != 3:
        raise ValueError("x must be 2-D or 3-D")
    ph, pw = _two(size, "size")
    sh, sw = _two(size if stride is None else stride, "stride")
    if min(ph, pw, sh, sw) < 1:
        raise ValueError("size and stride must be at least 1")
    channels, height, width = x.shape
    if ph > height or pw > width:
        raise ValueError("pool window larger than the input")
    rows = (height - ph) // sh + 1
    cols = (width - pw) // sw + 1
    out = np.zeros((channels, rows, cols))
    for c in range(channels):
        for i in range(rows):
            for j in range(cols):
                values = [x[c, i * sh + m, j * sw + n] for m in range(ph) for n in range(pw)]
                if mode == "max":
                    out[c, i, j] = max(values)
                elif mode == "avg":
                    out[c, i, j] = sum(values) / len(values)
                else:
                    out[c, i, j] = math.sqrt(sum(v * v for v in values))
    return out


def relu(x):
    x = np.array(x, dtype=float)
    flat = x.reshape(-1)
    for i in range(flat.size):
        if flat[i] < 0:
            flat[i] = 0.0
    return x


def conv_layer(x, kernels, biases, stride=1, padding=0, pool_size=2, pool_stride=None, pool_mode="max"):
    return pool2d(relu(conv_stage(x, kernels, biases, stride, padding)), pool_size, pool_stride, pool_mode)


def conv_param_count(d_in, f, n_k, bias=True):
    if d_in < 1 or f < 1 or n_k < 1:
        raise ValueError("dimensions must be at least 1")
    weights_per_kernel = f * f * d_in
    return int(n_k * weights_per_kernel + (n_k if bias else 0))


def conv_output_shape(input_shape, n_k, f, padding=0, stride=1):
    if len(input_shape) != 3 or n_k < 1 or input_shape[0] < 1:
        raise ValueError("input_shape must be (D_in, H, W) and n_k at least 1")
    _, height, width = input_shape
    return (int(n_k), conv_output_size(height, f, padding, stride), conv_output_size(width, f, padding, stride))
