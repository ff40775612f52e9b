# Bug: conv2d computes the right output size but starts window i at row i, not i·S.
# Loses points: conv2d
# Misconception: stride not applied to the window start
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def conv2d(
    image: np.ndarray, kernel: np.ndarray, stride: IntOrPair = 1, padding: IntOrPair = 0
) -> np.ndarray:
    """Convolve one image: zero padding, then cross-correlation with a stride.

    The window for output position (i, j) starts at row i·Sh and column j·Sw of the
    padded image.

    Args:
        image: shape (H, W).
        kernel: shape (Fh, Fw); it must fit in the padded image.
        stride: an int or a pair (Sh, Sw), each >= 1.
        padding: an int or a pair (Ph, Pw), each >= 0.

    Returns:
        A float array of shape (conv_output_size(H, Fh, Ph, Sh),
        conv_output_size(W, Fw, Pw, Sw)).

    Raises:
        ValueError: for a stride < 1, a negative padding, or a kernel larger than
            the padded image.

    Example:
        >>> image = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
        >>> conv2d(image, np.array([[0, 1], [2, 3]]), stride=(3, 2), padding=1)
        array([[0., 8.],
               [6., 8.]])
    """
    # BEGIN SOLUTION
    sh, sw = (operator.index(s) for s in np.broadcast_to(np.asarray(stride), (2,)).tolist())
    if sh < 1 or sw < 1:
        raise ValueError(f"stride must be at least 1, got {stride!r}")
    full = cross_correlate2d(zero_pad(image, padding), kernel)
    return full[: (full.shape[0] - 1) // sh + 1, : (full.shape[1] - 1) // sw + 1]
