# Bug: zero_pad builds its result with np.zeros, so it is always float64.
# Loses points: zero_pad
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def zero_pad(x: np.ndarray, pad: IntOrPair) -> np.ndarray:
    # BEGIN SOLUTION
    x = np.asarray(x)
    if x.ndim not in (2, 3):
        raise ValueError(f"x must have shape (H, W) or (C, H, W), got shape {x.shape}")
    ph, pw = (operator.index(p) for p in np.broadcast_to(np.asarray(pad), (2,)).tolist())
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must be non-negative, got {pad!r}")
    widths = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    return np.pad(x, widths, mode="constant", constant_values=0).astype(float)
