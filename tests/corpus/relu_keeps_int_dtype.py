# Bug: relu returns np.maximum(x, 0), an int array for an int input.
# Loses points: relu
# Misconception: none
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
    return np.maximum(x, 0)
