"""Prints far more than the grader keeps, to stdout and stderr."""
import sys

import numpy as np


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(x, w):
    for i in range(20000):
        print("spam " * 20, i)
        print("eggs " * 20, i, file=sys.stderr)
    sys.stdout.write("x" * 5_000_000)
    return x
