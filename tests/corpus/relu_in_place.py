# Bug: relu zeroes the negative entries of its argument in place and returns it (int in, int out).
# Loses points: relu
# Misconception: input modified in place
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def relu(x: np.ndarray) -> np.ndarray:
    """The rectified linear unit, element-wise: max(x, 0).

    Args:
        x: an array of any shape.

    Returns:
        A new float array of x's shape; ``x`` itself is left unchanged.

    Example:
        >>> relu(np.array([[-2, 0], [1, 3]]))
        array([[0., 0.],
               [1., 3.]])
    """
    # BEGIN SOLUTION
    x[x < 0] = 0
    return x
