"""Recurses without end: once at the default recursion limit, once with the limit raised
and through a C function (map), so that the C stack overflows."""
import sys

import numpy as np


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(x, w):
    return conv2d(x, w) + 1


def pool2d(x):
    sys.setrecursionlimit(10**7)
    return sum(map(pool2d, [x]))
