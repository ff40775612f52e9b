# Bug: lenet5's pools move by 1 instead of 2.
# Loses points: lenet5
# Misconception: none
"""Only what differs from solutions/architecture/architecture.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def lenet5() -> list:
    return [("conv", 6, 5, 0, 1), ("relu",), ("pool", 2, 1), ("conv", 16, 5, 0, 1), ("relu",), ("pool", 2, 1),
            ("flatten",), ("dense", 120), ("relu",), ("dense", 84), ("relu",), ("dense", 10)]
