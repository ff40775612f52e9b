# Bug: zero_pad pads after the data only (bottom and right); conv2d, conv_stage and conv_layer call it.
# Loses points: zero_pad, conv2d, conv_stage, conv_layer
# Misconception: padding on one side only
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def zero_pad(x: np.ndarray, pad: IntOrPair) -> np.ndarray:
    """Pad the last two axes of ``x`` with zeros on each side.

    Args:
        x: an image of shape (H, W) or a stack of maps of shape (C, H, W).
        pad: zeros to add on each side: an int, or a pair (ph, pw) for the height
            and the width.

    Returns:
        A new array of x's dtype, of shape (H + 2·ph, W + 2·pw) or
        (C, H + 2·ph, W + 2·pw); ``x`` itself is left unchanged.

    Raises:
        ValueError: if ``x`` is not 2-D or 3-D, or a padding is negative.

    Example:
        >>> zero_pad(np.array([[1, 2], [3, 4]]), 1)
        array([[0, 0, 0, 0],
               [0, 1, 2, 0],
               [0, 3, 4, 0],
               [0, 0, 0, 0]])
    """
    # BEGIN SOLUTION
    x = np.asarray(x)
    if x.ndim not in (2, 3):
        raise ValueError(f"x must have shape (H, W) or (C, H, W), got shape {x.shape}")
    ph, pw = (operator.index(p) for p in np.broadcast_to(np.asarray(pad), (2,)).tolist())
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must be non-negative, got {pad!r}")
    widths = [(0, 0)] * (x.ndim - 2) + [(0, ph), (0, pw)]
    return np.pad(x, widths, mode="constant", constant_values=0)
