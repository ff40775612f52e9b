# Bug: conv_output_size never raises ValueError (it computes a size for any arguments).
# Loses points: conv_output_size
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv_output_size(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    """The number of kernel positions along one axis: floor((n + 2P - f) / S) + 1.

    Args:
        n: length of the input along the axis (n >= 1).
        f: kernel size along the axis (1 <= f <= n + 2·padding).
        padding: zeros added on each side (>= 0).
        stride: step between window starts (>= 1).

    Returns:
        The output length, a Python int.

    Raises:
        ValueError: if f < 1, stride < 1, padding < 0, n < 1 or f > n + 2·padding.
        TypeError: if an argument is not an integer.

    Example:
        >>> conv_output_size(7, 3, padding=1, stride=2)
        4
    """
    # BEGIN SOLUTION
    n, f, padding, stride = (operator.index(v) for v in (n, f, padding, stride))
    return (n + 2 * padding - f) // max(stride, 1) + 1
