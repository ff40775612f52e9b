# Bug: zero_pad never checks that x is 2-D or 3-D: it pads the last two axes of a 4-D array instead of raising ValueError.
# Loses points: zero_pad
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def zero_pad(x: np.ndarray, pad: IntOrPair) -> np.ndarray:
    x = np.asarray(x)
    ph, pw = (pad, pad) if isinstance(pad, int) else pad
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must be non-negative, got {pad!r}")
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)])
