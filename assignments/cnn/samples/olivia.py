# Sample, broken: a syntax error (a missing closing parenthesis), so the file cannot be
# imported at all. Expected score: 0 / 100, with the SyntaxError shown to the student.

# CS 480/680 HW: CNN building blocks
# Olivia Example

import numpy as np


def zero_pad(x, pad):
    x = np.asarray(x
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(pad, pad), (pad, pad)])


def relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)
