# Bug: conv_param_count never counts the biases.
# Loses points: conv_param_count
# Misconception: bias left out of the parameter count
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv_param_count(d_in: int, f: int, n_k: int, bias: bool = True) -> int:
    """The number of learned parameters of a convolutional layer with F×F kernels.

    Each of the N_k kernels has F·F·D_in weights (it spans every input channel), and
    each has one bias of its own when ``bias`` is true.

    Args:
        d_in: depth (channels) of the input, >= 1.
        f: kernel size F, >= 1.
        n_k: number of kernels N_k, >= 1.
        bias: whether each kernel has a bias.

    Returns:
        N_k·F·F·D_in (+ N_k with biases), a Python int.

    Raises:
        ValueError: if any of d_in, f, n_k is less than 1.
        TypeError: if one of them is not an integer.

    Example:
        >>> conv_param_count(3, 5, 10)
        760
    """
    # BEGIN SOLUTION
    d_in, f, n_k = (operator.index(v) for v in (d_in, f, n_k))
    if min(d_in, f, n_k) < 1:
        raise ValueError(f"d_in, f and n_k must be at least 1, got {d_in}, {f}, {n_k}")
    return n_k * f * f * d_in
