# Bug: conv2d builds its output in the inputs' common dtype, so integer images give integer results and a fractional kernel is truncated.
# Loses points: conv2d
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv2d(
    image: np.ndarray, kernel: np.ndarray, stride: IntOrPair = 1, padding: IntOrPair = 0
) -> np.ndarray:
    image, kernel = np.asarray(image), np.asarray(kernel)
    sh, sw = (operator.index(s) for s in np.broadcast_to(np.asarray(stride), (2,)).tolist())
    if sh < 1 or sw < 1:
        raise ValueError(f"stride must be at least 1, got {stride!r}")
    padded = zero_pad(image, padding)
    fh, fw = kernel.shape
    if fh > padded.shape[0] or fw > padded.shape[1]:
        raise ValueError("kernel larger than the padded image")
    out = np.zeros(((padded.shape[0] - fh) // sh + 1, (padded.shape[1] - fw) // sw + 1),
                   dtype=np.result_type(image.dtype, kernel.dtype))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(padded[i * sh:i * sh + fh, j * sw:j * sw + fw] * kernel)
    return out
