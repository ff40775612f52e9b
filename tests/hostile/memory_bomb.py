"""Asks for more memory than the worker may have, in one block or bit by bit."""
import numpy as np


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(x, w):
    return np.ones((1 << 40,))


def pool2d(x):
    blocks = []
    while True:
        blocks.append(np.empty(10 * 1024 * 1024, dtype=np.uint8))
