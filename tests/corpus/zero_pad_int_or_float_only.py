# Bug: zero_pad makes its result int64 for integer inputs and float64 otherwise, so float32, int32, uint8 and bool inputs change dtype.
# Loses points: zero_pad
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def zero_pad(x: np.ndarray, pad: IntOrPair) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim not in (2, 3):
        raise ValueError(f"x must have shape (H, W) or (C, H, W), got shape {x.shape}")
    ph, pw = (pad, pad) if isinstance(pad, int) else pad
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must be non-negative, got {pad!r}")
    out = np.zeros((*x.shape[:-2], x.shape[-2] + 2 * ph, x.shape[-1] + 2 * pw),
                   dtype=int if x.dtype.kind in "iu" else float)
    out[..., ph:ph + x.shape[-2], pw:pw + x.shape[-1]] = x
    return out
