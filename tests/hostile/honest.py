"""An honest submission: plain numpy, nothing hostile."""
import numpy as np

print("honest module imported")


class ShapeError(ValueError):
    pass


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv_output_size(n, k, pad=0, stride=1):
    return (n + 2 * pad - k) // stride + 1


def conv2d(x, stride=1):
    if x.ndim != 2:
        raise ShapeError(f"expected a 2-d input, got {x.ndim}-d")
    return _check(x)[::stride, ::stride]


def _check(x):
    if x.size == 0:
        raise ValueError("empty input")
    return x


def pool2d(x):
    x[...] = 0
    return x.shape


def conv_stage(*arrays):
    for array in arrays:
        array += 1
    return len(arrays)
