# Bug: conv_layer pools with stride 2 when no pool_stride is given (instead of the pool size).
# Loses points: conv_layer
# Misconception: pooling stride defaulting to 2
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv_layer(
    x: np.ndarray,
    kernels: np.ndarray,
    biases: np.ndarray,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    pool_size: IntOrPair = 2,
    pool_stride: IntOrPair | None = None,
    pool_mode: Literal["max", "avg", "l2"] = "max",
) -> np.ndarray:
    feature_maps = relu(conv_stage(x, kernels, biases, stride=stride, padding=padding))
    return pool2d(feature_maps, pool_size, stride=2 if pool_stride is None else pool_stride, mode=pool_mode)
