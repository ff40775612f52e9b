# Bug: conv_stage (loops) reads the kernel of map k and channel d as kernels[d, k]; conv_layer calls it.
# Loses points: conv_stage, conv_layer
# Misconception: kernels indexed [d, k]
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
        raise ValueError(
            f"need x of shape (D_in, H, W) and kernels of shape (N_k, D_in, Fh, Fw), "
            f"got {x.shape} and {kernels.shape}"
        )
    if biases.shape != kernels.shape[:1]:
        raise ValueError(f"need one bias per kernel: shape {kernels.shape[:1]}, got {biases.shape}")
    sh, sw = (operator.index(s) for s in np.broadcast_to(np.asarray(stride), (2,)).tolist())
    if sh < 1 or sw < 1:
        raise ValueError(f"stride must be at least 1, got {stride!r}")
    padded = zero_pad(x, padding)
    n_k, d_in, fh, fw = kernels.shape
    if fh > padded.shape[1] or fw > padded.shape[2]:
        raise ValueError(f"kernels of size {fh}×{fw} do not fit in the padded input {padded.shape}")
    maps = []
    for k in range(n_k):
        total = biases[k]
        for d in range(d_in):
            total = total + conv2d(x[d], kernels[d, k], stride=stride, padding=padding)
        maps.append(total)
    return np.array(maps)
