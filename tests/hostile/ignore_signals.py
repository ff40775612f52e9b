"""Ignores every catchable signal, then loops, hoping to outlive its time limit."""
import signal
import time

import numpy as np

for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGALRM, signal.SIGXCPU):
    signal.signal(number, signal.SIG_IGN)


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(x, w):
    while True:
        time.sleep(0.01)
