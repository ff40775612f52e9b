"""Leaves processes running: a child in its own session and a double-forked grandchild."""
import os
import subprocess
import sys
import time

import numpy as np


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(token, unused):
    sleeper = [sys.executable, "-c", "import time; time.sleep(600)", token]
    subprocess.Popen(sleeper, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if os.fork() == 0:
        if os.fork() == 0:
            os.setsid()
            os.execv(sys.executable, sleeper)
        os._exit(0)
    time.sleep(0.2)
    return token
