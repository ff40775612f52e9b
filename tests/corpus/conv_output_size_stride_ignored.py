# Bug: conv_output_size never divides by the stride; conv_output_shape calls it.
# Loses points: conv_output_size, conv_output_shape
# Misconception: stride ignored
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv_output_size(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    n, f, padding, stride = (operator.index(v) for v in (n, f, padding, stride))
    if n < 1 or f < 1 or stride < 1 or padding < 0:
        raise ValueError(
            f"need n >= 1, f >= 1, padding >= 0 and stride >= 1; "
            f"got n={n}, f={f}, padding={padding}, stride={stride}"
        )
    if f > n + 2 * padding:
        raise ValueError(f"kernel size {f} is larger than the padded input {n} + 2·{padding}")
    return n + 2 * padding - f + 1
