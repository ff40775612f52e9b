# Bug: conv_stage (loops) computes the number of output columns with the height's formula; conv_layer calls it.
# Loses points: conv_stage, conv_layer
# Misconception: output width taken from the height
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
    h_out = (padded.shape[1] - fh) // sh + 1
    w_out = (padded.shape[1] - fh) // sh + 1
    out = np.zeros((n_k, h_out, w_out))
    for k in range(n_k):
        for i in range(h_out):
            for j in range(w_out):
                window = padded[:, i * sh:i * sh + fh, j * sw:j * sw + fw]
                out[k, i, j] = np.sum(window * kernels[k]) + biases[k]
    return out
