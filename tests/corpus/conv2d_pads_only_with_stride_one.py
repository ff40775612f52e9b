# Bug: conv2d pads the image only when the stride is 1 (a strided call is correlated unpadded).
# Loses points: conv2d
# Misconception: padding applied only for some strides
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv2d(
    image: np.ndarray, kernel: np.ndarray, stride: IntOrPair = 1, padding: IntOrPair = 0
) -> np.ndarray:
    sh, sw = (operator.index(s) for s in np.broadcast_to(np.asarray(stride), (2,)).tolist())
    if sh < 1 or sw < 1:
        raise ValueError(f"stride must be at least 1, got {stride!r}")
    if (sh, sw) == (1, 1):
        image = zero_pad(image, padding)
    return cross_correlate2d(image, kernel)[::sh, ::sw]
