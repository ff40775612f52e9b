"""CS 480/680 Lecture 14: the building blocks of a convolutional layer, in numpy.

Implement the ten functions below. Each one is graded as its own question, with the
tests calling it directly, so keep the names, parameters and return types exactly as
documented here. Conventions used throughout (as in the lecture):

- "Convolution" means cross-correlation, with no kernel flip:
  S(i, j) = sum_m sum_n I(i + m, j + n) K(m, n).
- An image is a 2-D array of shape (H, W); a stack of feature maps (channels) is a
  3-D array of shape (C, H, W). Height always comes before width.
- Padding P adds P zeros on *each* side of an axis; stride S moves the window S pixels
  at a time. Along an axis of length N with a kernel of size F the output has
  floor((N + 2P - F) / S) + 1 positions.
- Wherever a parameter may be an int or a pair, the int means the same value for both
  axes and the pair is (value along the height, value along the width).
- Every function that returns an array returns a float array (float64, or float32 if
  you prefer), whatever the dtype of its inputs, except zero_pad, whose result has x's dtype.
- No function may modify its arguments or return one of them (or a view of one): build
  and return new arrays instead.

Only numpy is available; vectorise with slicing, ``np.lib.stride_tricks``
(``sliding_window_view``) or ``np.einsum`` where you can. ``np.convolve``,
``np.correlate`` and ``np.fft`` are not allowed, nor is scipy or any deep learning library.
Invalid arguments raise ``ValueError`` as each docstring describes.
"""

from __future__ import annotations

import operator
from typing import Literal

import numpy as np

IntOrPair = int | tuple[int, int]


def zero_pad(x: np.ndarray, pad: IntOrPair) -> np.ndarray:
    """Pad the last two axes of ``x`` with zeros on each side.

    Args:
        x: an image of shape (H, W) or a stack of maps of shape (C, H, W).
        pad: zeros to add on each side: an int, or a pair (ph, pw) for the height
            and the width.

    Returns:
        A new array of x's dtype, of shape (H + 2·ph, W + 2·pw) or
        (C, H + 2·ph, W + 2·pw); ``x`` itself is left unchanged.

    Raises:
        ValueError: if ``x`` is not 2-D or 3-D, or a padding is negative.

    Example:
        >>> zero_pad(np.array([[1, 2], [3, 4]]), 1)
        array([[0, 0, 0, 0],
               [0, 1, 2, 0],
               [0, 3, 4, 0],
               [0, 0, 0, 0]])
    """
    raise NotImplementedError


def cross_correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The "valid" 2-D cross-correlation of ``image`` with ``kernel`` (no flip).

    ``out[i, j] = sum over m, n of image[i + m, j + n] * kernel[m, n]``, for every
    position where the kernel lies entirely inside the image.

    Args:
        image: shape (H, W).
        kernel: shape (Fh, Fw), with Fh <= H and Fw <= W.

    Returns:
        A float array of shape (H - Fh + 1, W - Fw + 1).

    Raises:
        ValueError: if either argument is not 2-D or the kernel is larger than the image.

    Example:
        >>> image = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
        >>> cross_correlate2d(image, np.array([[0, 1], [2, 3]]))
        array([[19., 25.],
               [37., 43.]])
    """
    raise NotImplementedError


def conv_output_size(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    """The number of kernel positions along one axis: floor((n + 2P - f) / S) + 1.

    Args:
        n: length of the input along the axis, an int (n >= 1).
        f: kernel size along the axis, an int (1 <= f <= n + 2·padding).
        padding: zeros added on each side, an int (>= 0).
        stride: step between window starts, an int (>= 1).

    Returns:
        The output length, a Python int.

    Raises:
        ValueError: if f < 1, stride < 1, padding < 0, n < 1 or f > n + 2·padding.

    Example:
        >>> conv_output_size(7, 3, padding=1, stride=2)
        4
    """
    raise NotImplementedError


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
    raise NotImplementedError


def conv_stage(
    x: np.ndarray,
    kernels: np.ndarray,
    biases: np.ndarray,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
) -> np.ndarray:
    """The convolution stage of a layer: N_k kernels over a D_in-channel input.

    Map k is ``sum over d of conv2d(x[d], kernels[k, d], stride, padding) + biases[k]``:
    each kernel spans every input channel and has one bias of its own.

    Args:
        x: the input, shape (D_in, H, W).
        kernels: shape (N_k, D_in, Fh, Fw).
        biases: shape (N_k,).
        stride: an int or a pair (Sh, Sw), each >= 1.
        padding: an int or a pair (Ph, Pw), each >= 0.

    Returns:
        A float array of shape (N_k, H_out, W_out), with H_out and W_out as in conv2d.

    Raises:
        ValueError: if the shapes do not agree (depths, number of biases), for a
            stride < 1, a negative padding, or a kernel larger than the padded input.

    Example:
        >>> image = np.arange(9).reshape(3, 3)
        >>> x = np.stack([image, image + 1])
        >>> kernels = np.array([[[[0, 1], [2, 3]], [[1, 2], [3, 4]]]])
        >>> conv_stage(x, kernels, biases=np.array([0.5]))
        array([[[ 56.5,  72.5],
                [104.5, 120.5]]])
    """
    raise NotImplementedError


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
    raise NotImplementedError


def relu(x: np.ndarray) -> np.ndarray:
    """The rectified linear unit, element-wise: max(x, 0).

    Args:
        x: an array of any shape with at least one axis (1-D, 2-D, 3-D, 4-D, ...).

    Returns:
        A new float array of x's shape; ``x`` itself is left unchanged.

    Example:
        >>> relu(np.array([[-2, 0], [1, 3]]))
        array([[0., 0.],
               [1., 3.]])
    """
    raise NotImplementedError


def conv_layer(
    x: np.ndarray,
    kernels: np.ndarray,
    biases: np.ndarray,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    pool_size: IntOrPair = 2,
    pool_stride: IntOrPair | None = None,
    pool_mode: Literal["max", "avg", "l2"] = "max",
) -> np.ndarray:
    """A whole convolutional layer: convolution stage, then ReLU, then pooling.

    ``pool2d(relu(conv_stage(x, kernels, biases, stride, padding)), pool_size,
    pool_stride, pool_mode)``.

    Args:
        x: the input, shape (D_in, H, W).
        kernels: shape (N_k, D_in, Fh, Fw).
        biases: shape (N_k,).
        stride, padding: of the convolution, as in conv_stage.
        pool_size, pool_stride, pool_mode: of the pooling, as in pool2d.

    Returns:
        A float array of shape (N_k, H_pool, W_pool).

    Raises:
        ValueError: whenever conv_stage or pool2d would.

    Example:
        >>> x = np.array([[[1, -1, 2], [0, 3, -2], [1, 1, 0]]])
        >>> kernels = np.ones((1, 1, 2, 2))
        >>> conv_layer(x, kernels, np.array([-3.0]), pool_size=2, pool_stride=1)
        array([[[2.]]])
    """
    raise NotImplementedError


def conv_param_count(d_in: int, f: int, n_k: int, bias: bool = True) -> int:
    """The number of learned parameters of a convolutional layer with F×F kernels.

    Each of the N_k kernels has F·F·D_in weights (it spans every input channel), and
    each has one bias of its own when ``bias`` is true.

    Args:
        d_in: depth (channels) of the input, an int >= 1.
        f: kernel size F, an int >= 1.
        n_k: number of kernels N_k, an int >= 1.
        bias: whether each kernel has a bias.

    Returns:
        N_k·F·F·D_in (+ N_k with biases), a Python int.

    Raises:
        ValueError: if any of d_in, f, n_k is less than 1.

    Example:
        >>> conv_param_count(3, 5, 10)
        760
    """
    raise NotImplementedError


def conv_output_shape(
    input_shape: tuple[int, int, int], n_k: int, f: int, padding: int = 0, stride: int = 1
) -> tuple[int, int, int]:
    """The shape of the output of a convolution stage with N_k square F×F kernels.

    Args:
        input_shape: (D_in, H, W).
        n_k: number of kernels, >= 1; it is the output depth D_out.
        f: kernel size F.
        padding: zeros added on each side (>= 0).
        stride: step between window starts (>= 1).

    Returns:
        (N_k, H_out, W_out), a tuple of Python ints, with H_out and W_out given by
        conv_output_size.

    Raises:
        ValueError: if input_shape does not have three entries, n_k or D_in is less
            than 1, or conv_output_size rejects an axis.

    Example:
        >>> conv_output_shape((3, 32, 32), n_k=10, f=5, padding=2, stride=1)
        (10, 32, 32)
    """
    raise NotImplementedError
