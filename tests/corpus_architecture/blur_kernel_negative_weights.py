# Bug: blur_kernel sums to 1 but has negative weights (a sharpening kernel), so outputs leave the image's range.
# Loses points: blur_kernel
# Misconception: none
"""Only what differs from solutions/architecture/architecture.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def blur_kernel(size: int) -> np.ndarray:
    if size < 1:
        raise ValueError(size)
    kernel = np.full((size, size), -1.0 / (size * size))
    kernel[size // 2, size // 2] += 2.0
    return kernel
