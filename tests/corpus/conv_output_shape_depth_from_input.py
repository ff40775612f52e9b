# Bug: conv_output_shape gives the input depth as the output depth.
# Loses points: conv_output_shape
# Misconception: output depth taken from the input
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv_output_shape(
    input_shape: tuple[int, int, int], n_k: int, f: int, padding: int = 0, stride: int = 1
) -> tuple[int, int, int]:
    """The shape of the output of a convolution stage with N_k square F×F kernels.

    Args:
        input_shape: (D_in, H, W).
        n_k: number of kernels, >= 1; it is the output depth D_out.
        f: kernel size F.
        padding: zeros added on each side (>= 0).
        stride: step between window starts (>= 1).

    Returns:
        (N_k, H_out, W_out), a tuple of Python ints, with H_out and W_out given by
        conv_output_size.

    Raises:
        ValueError: if input_shape does not have three entries, n_k or D_in is less
            than 1, or conv_output_size rejects an axis.

    Example:
        >>> conv_output_shape((3, 32, 32), n_k=10, f=5, padding=2, stride=1)
        (10, 32, 32)
    """
    # BEGIN SOLUTION
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (D_in, H, W), got {input_shape!r}")
    d_in, h, w = (operator.index(v) for v in input_shape)
    n_k = operator.index(n_k)
    if d_in < 1 or n_k < 1:
        raise ValueError(f"D_in and n_k must be at least 1, got {d_in} and {n_k}")
    return (d_in, conv_output_size(h, f, padding, stride), conv_output_size(w, f, padding, stride))
