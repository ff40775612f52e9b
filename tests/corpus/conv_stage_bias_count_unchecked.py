# Bug: conv_stage never checks the number of biases: one bias for three kernels broadcasts to every map instead of raising ValueError (conv_layer inherits it).
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
    x = np.asarray(x, dtype=float)
    kernels = np.asarray(kernels, dtype=float)
    biases = np.asarray(biases, dtype=float)
    if x.ndim != 3 or kernels.ndim != 4 or kernels.shape[1] != x.shape[0]:
        raise ValueError(f"shapes {x.shape} and {kernels.shape} do not agree")
    sh, sw = (operator.index(s) for s in np.broadcast_to(np.asarray(stride), (2,)).tolist())
    if sh < 1 or sw < 1:
        raise ValueError(f"stride must be at least 1, got {stride!r}")
    padded = zero_pad(x, padding)
    fh, fw = kernels.shape[2:]
    if fh > padded.shape[1] or fw > padded.shape[2]:
        raise ValueError("kernels do not fit in the padded input")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (fh, fw), axis=(1, 2))[:, ::sh, ::sw]
    return np.einsum("dijmn,kdmn->kij", windows, kernels) + biases.reshape(-1, 1, 1)
