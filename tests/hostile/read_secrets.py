"""Tries to read what it must not see: the reference, the hidden tests, private files."""
import os

import numpy as np


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(path, unused):
    with open(path) as file:
        return file.read()


def pool2d(path):
    return tuple(sorted(os.listdir(path)))
