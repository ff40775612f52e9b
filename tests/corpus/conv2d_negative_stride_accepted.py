# Bug: conv2d only rejects a stride of 0 (slicing with step 0 fails), so a negative stride silently reverses the output.
# Loses points: conv2d
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv2d(
    image: np.ndarray, kernel: np.ndarray, stride: IntOrPair = 1, padding: IntOrPair = 0
) -> np.ndarray:
    sh, sw = np.broadcast_to(np.asarray(stride), (2,)).tolist()
    return cross_correlate2d(zero_pad(image, padding), kernel)[::sh, ::sw]
