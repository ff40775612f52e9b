# Bug: pool2d divides the window sum by the window height instead of its area; conv_layer calls it.
# Loses points: pool2d, conv_layer
# Misconception: average pooling divided by the wrong count
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def pool2d(
    x: np.ndarray,
    size: IntOrPair,
    stride: IntOrPair | None = None,
    mode: Literal["max", "avg", "l2"] = "max",
) -> np.ndarray:
    """Pool each channel over windows of ``size``, moved by ``stride``.

    Window (i, j) covers rows i·Sh .. i·Sh + Ph - 1 and columns j·Sw .. j·Sw + Pw - 1;
    windows that do not fit entirely inside the input are dropped (no padding).

    Args:
        x: shape (H, W), or (C, H, W) with every channel pooled independently.
        size: window size, an int or a pair (Ph, Pw), each >= 1 and no larger than
            the input.
        stride: an int or a pair (Sh, Sw), each >= 1; None (the default) means
            stride = size, i.e. windows that do not overlap.
        mode: "max" (largest value), "avg" (mean of the Ph·Pw values) or "l2" (square
            root of the sum of squares of the window).

    Returns:
        A float array of shape (H_out, W_out) or (C, H_out, W_out), where
        H_out = floor((H - Ph) / Sh) + 1 and W_out = floor((W - Pw) / Sw) + 1.

    Raises:
        ValueError: for an unknown mode, a size or stride < 1, a window larger than
            the input, or an input that is not 2-D or 3-D.

    Example:
        >>> x = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
        >>> pool2d(x, 2, stride=1, mode="avg")
        array([[2., 3.],
               [5., 6.]])
    """
    # BEGIN SOLUTION
    if mode not in ("max", "avg", "l2"):
        raise ValueError(f'mode must be "max", "avg" or "l2", got {mode!r}')
    x = np.asarray(x, dtype=float)
    if x.ndim not in (2, 3):
        raise ValueError(f"x must have shape (H, W) or (C, H, W), got shape {x.shape}")
    ph, pw = (operator.index(p) for p in np.broadcast_to(np.asarray(size), (2,)).tolist())
    stride = size if stride is None else stride
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
        return windows.sum(axis=(-2, -1)) / ph
    return np.sqrt((windows**2).sum(axis=(-2, -1)))
