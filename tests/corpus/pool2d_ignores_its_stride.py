# Bug: pool2d always moves its windows by the pool size, whatever stride it is given; conv_layer calls it.
# Loses points: pool2d, conv_layer
# Misconception: pooling stride ignored
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def pool2d(
    x: np.ndarray,
    size: IntOrPair,
    stride: IntOrPair | None = None,
    mode: Literal["max", "avg", "l2"] = "max",
) -> np.ndarray:
    if mode not in ("max", "avg", "l2"):
        raise ValueError(f'mode must be "max", "avg" or "l2", got {mode!r}')
    x = np.asarray(x, dtype=float)
    if x.ndim not in (2, 3):
        raise ValueError(f"x must have shape (H, W) or (C, H, W), got shape {x.shape}")
    ph, pw = (operator.index(p) for p in np.broadcast_to(np.asarray(size), (2,)).tolist())
    stride = size
    sh, sw = (operator.index(s) for s in np.broadcast_to(np.asarray(stride), (2,)).tolist())
    if min(ph, pw, sh, sw) < 1:
        raise ValueError(f"pool size and stride must be at least 1, got {size!r} and {stride!r}")
    if ph > x.shape[-2] or pw > x.shape[-1]:
        raise ValueError(f"pool window {ph}×{pw} is larger than the input {x.shape}")
    windows = np.lib.stride_tricks.sliding_window_view(x, (ph, pw), axis=(-2, -1))
    windows = windows[..., ::sh, ::sw, :, :]
    if mode == "max":
        return windows.max(axis=(-2, -1))
    if mode == "avg":
        return windows.mean(axis=(-2, -1))
    return np.sqrt((windows**2).sum(axis=(-2, -1)))
