# Bug: none: a correct style (pure Python lists and math.fsum, one np.array at the end).
# Loses points: none
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def _pair(value):
    return (int(value), int(value)) if np.ndim(value) == 0 else (int(value[0]), int(value[1]))


def cross_correlate2d(image, kernel):
    import math

    image, kernel = np.asarray(image).tolist(), np.asarray(kernel).tolist()
    if not (isinstance(image[0], list) and isinstance(kernel[0], list)) or isinstance(image[0][0], list) \
            or isinstance(kernel[0][0], list):
        raise ValueError("image and kernel must be 2-D")
    h, w, fh, fw = len(image), len(image[0]), len(kernel), len(kernel[0])
    if fh > h or fw > w:
        raise ValueError("kernel larger than image")
    return np.array([[math.fsum(float(image[i + m][j + n]) * kernel[m][n] for m in range(fh) for n in range(fw))
                      for j in range(w - fw + 1)] for i in range(h - fh + 1)], dtype=float)


def conv2d(image, kernel, stride=1, padding=0):
    sh, sw = _pair(stride)
    if sh < 1 or sw < 1:
        raise ValueError("stride must be at least 1")
    full = cross_correlate2d(zero_pad(image, padding), kernel).tolist()
    return np.array([row[::sw] for row in full[::sh]], dtype=float)


def pool2d(x, size, stride=None, mode="max"):
    import math

    if mode not in ("max", "avg", "l2"):
        raise ValueError("unknown mode")
    array = np.asarray(x)
    if array.ndim not in (2, 3):
        raise ValueError("x must be 2-D or 3-D")
    if array.ndim == 2:
        return pool2d(array[None], size, stride, mode)[0]
    ph, pw = _pair(size)
    sh, sw = _pair(size if stride is None else stride)
    if min(ph, pw, sh, sw) < 1 or ph > array.shape[1] or pw > array.shape[2]:
        raise ValueError("bad pooling window")
    maps = array.tolist()
    pool = {"max": max, "avg": lambda v: math.fsum(v) / len(v), "l2": lambda v: math.sqrt(math.fsum(t * t for t in v))}
    return np.array([[[pool[mode]([float(c[i + m][j + n]) for m in range(ph) for n in range(pw)])
                       for j in range(0, len(c[0]) - pw + 1, sw)] for i in range(0, len(c) - ph + 1, sh)]
                     for c in maps], dtype=float)


def relu(x):
    array = np.asarray(x)
    flat = [max(float(v), 0.0) for v in array.reshape(-1).tolist()]
    return np.array(flat, dtype=float).reshape(array.shape)
