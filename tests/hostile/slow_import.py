"""Sleeps at import time, far past any import limit."""
import time

import numpy as np

time.sleep(600)


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)
