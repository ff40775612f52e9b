"""Dereferences a null pointer through ctypes."""
import ctypes

import numpy as np


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(x, w):
    return ctypes.string_at(0)
