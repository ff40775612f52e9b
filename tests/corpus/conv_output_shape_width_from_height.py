# Bug: conv_output_shape computes the height and uses it for the width too.
# Loses points: conv_output_shape
# Misconception: output width taken from the height
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv_output_shape(
    input_shape: tuple[int, int, int], n_k: int, f: int, padding: int = 0, stride: int = 1
) -> tuple[int, int, int]:
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (D_in, H, W), got {input_shape!r}")
    d_in, h, w = (operator.index(v) for v in input_shape)
    n_k = operator.index(n_k)
    if d_in < 1 or n_k < 1:
        raise ValueError(f"D_in and n_k must be at least 1, got {d_in} and {n_k}")
    h_out = conv_output_size(h, f, padding, stride)
    return (n_k, h_out, h_out)
