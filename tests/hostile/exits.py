"""Ends the worker process: os._exit skips every handler, sys.exit raises SystemExit."""
import os
import sys

import numpy as np


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(x, w):
    os._exit(3)


def pool2d(x):
    sys.exit(4)
