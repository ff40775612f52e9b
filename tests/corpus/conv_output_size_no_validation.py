# Bug: conv_output_size never raises ValueError (it computes a size for any arguments); conv_output_shape relies on it to reject an axis.
# Loses points: conv_output_size, conv_output_shape
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv_output_size(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    # BEGIN SOLUTION
    n, f, padding, stride = (operator.index(v) for v in (n, f, padding, stride))
    return (n + 2 * padding - f) // max(stride, 1) + 1
