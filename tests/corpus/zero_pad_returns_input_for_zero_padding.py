# Bug: zero_pad returns x itself when there is nothing to pad, so the caller gets its own array back, not a new one.
# Loses points: zero_pad
# Misconception: argument returned instead of a new array
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def zero_pad(x: np.ndarray, pad: IntOrPair) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim not in (2, 3):
        raise ValueError(f"x must have shape (H, W) or (C, H, W), got shape {x.shape}")
    ph, pw = (operator.index(p) for p in np.broadcast_to(np.asarray(pad), (2,)).tolist())
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must be non-negative, got {pad!r}")
    if ph == pw == 0:
        return x
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)])
