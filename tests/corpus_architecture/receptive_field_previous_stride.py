# Bug: receptive_field multiplies each window by the previous layer's stride only, not by the product of all earlier ones.
# Loses points: receptive_field
# Misconception: strides of earlier layers not multiplied into the receptive field
"""Only what differs from solutions/architecture/architecture.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def receptive_field(layers: list) -> int:
    side, previous = 1, 1
    for layer in layers:
        if layer[0] == "relu":
            continue
        if layer[0] not in ("conv", "pool"):
            raise ValueError(layer[0])
        f, stride = (layer[2], layer[4]) if layer[0] == "conv" else (layer[1], layer[2])
        side += (f - 1) * previous
        previous = stride
    return side
