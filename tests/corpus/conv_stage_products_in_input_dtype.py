# Bug: conv_stage multiplies in the inputs' own dtype and converts only when adding the biases, so uint8 products past 255 wrap around (conv_layer inherits it).
# Loses points: conv_stage, conv_layer
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv_stage(
    x: np.ndarray,
    kernels: np.ndarray,
    biases: np.ndarray,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
) -> np.ndarray:
    x, kernels = np.asarray(x), np.asarray(kernels)
    biases = np.asarray(biases, dtype=float)
    if x.ndim != 3 or kernels.ndim != 4 or kernels.shape[1] != x.shape[0]:
        raise ValueError(f"shapes {x.shape} and {kernels.shape} do not agree")
    if biases.shape != kernels.shape[:1]:
        raise ValueError(f"need one bias per kernel, got {biases.shape}")
    sh, sw = (operator.index(s) for s in np.broadcast_to(np.asarray(stride), (2,)).tolist())
    if sh < 1 or sw < 1:
        raise ValueError(f"stride must be at least 1, got {stride!r}")
    padded = zero_pad(x, padding)
    fh, fw = kernels.shape[2:]
    if fh > padded.shape[1] or fw > padded.shape[2]:
        raise ValueError("kernels do not fit in the padded input")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (fh, fw), axis=(1, 2))[:, ::sh, ::sw]
    return np.einsum("dijmn,kdmn->kij", windows, kernels) + biases[:, None, None]
