# Bug: conv2d computes the right output size but starts window i at row i, not i·S.
# Loses points: conv2d
# Misconception: stride not applied to the window start
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv2d(
    image: np.ndarray, kernel: np.ndarray, stride: IntOrPair = 1, padding: IntOrPair = 0
) -> np.ndarray:
    # BEGIN SOLUTION
    sh, sw = (operator.index(s) for s in np.broadcast_to(np.asarray(stride), (2,)).tolist())
    if sh < 1 or sw < 1:
        raise ValueError(f"stride must be at least 1, got {stride!r}")
    full = cross_correlate2d(zero_pad(image, padding), kernel)
    return full[: (full.shape[0] - 1) // sh + 1, : (full.shape[1] - 1) // sw + 1]
