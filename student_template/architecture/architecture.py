"""CS 480/680 Lecture 14 homework, part 2: filters, local connections, receptive fields and
reading a CNN's architecture. Use only numpy.

Layers are tuples (keep exactly this format):

- ``("conv", n_k, f, padding, stride)``: n_k square f×f kernels over every input channel,
  zero padding ``padding`` on each side, stride ``stride``, one bias per kernel;
- ``("relu",)``: the nonlinearity, no parameters;
- ``("pool", size, stride)``: max pooling over size×size windows, no parameters;
- ``("flatten",)``: a (C, H, W) volume as one vector of C·H·W values;
- ``("dense", units)``: a fully connected layer with one bias per unit.

Shapes are (C, H, W) (channels, height, width) before ``flatten`` and (N,) after it.
"""

import numpy as np

DIRECTIONS = ("vertical", "horizontal")


def edge_kernel(direction: str) -> np.ndarray:
    """A 2-D kernel that detects edges in ``direction`` under cross-correlation.

    ``"vertical"``: a vertical edge is where the image changes from one column to the
    next (the lecture's K = [1 −1] on the striped image). ``"horizontal"``: where it
    changes from one row to the next. Any size works, as long as, under "valid"
    cross-correlation, the kernel gives 0 on a constant image, 0 on an image that changes
    only along the other axis, and a non-zero response at every window that holds a step
    edge in its own direction. [1 −1], Sobel and Prewitt all do.

    Raises ValueError for any other direction.

    >>> edge_kernel("vertical")
    array([[ 1., -1.]])
    """
    raise NotImplementedError


def blur_kernel(size: int) -> np.ndarray:
    """A size×size blur: non-negative weights that sum to 1 (a weighted average).

    Under cross-correlation it leaves a constant image unchanged, and every output lies
    between the smallest and the largest input value. Raises ValueError for size < 1.

    >>> blur_kernel(2)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    raise NotImplementedError


def dense_param_count(n_in: int, n_out: int, bias: bool = True) -> int:
    """The trainable parameters of a fully connected layer from n_in inputs to n_out units.

    Every unit has a weight for every input, plus (with ``bias``) one bias of its own.
    The lecture's example: a 1-megapixel image into 10³ units needs about 10⁹ weights.
    Returns a Python int; raises ValueError when n_in or n_out is less than 1.

    >>> dense_param_count(4, 3)
    15
    """
    raise NotImplementedError


def conv_as_matrix(kernel: np.ndarray, n: int) -> np.ndarray:
    """The matrix W of a 1-D "valid" cross-correlation with ``kernel`` on inputs of length n.

    W has shape (n − f + 1, n) for a kernel of length f, and W @ x equals the
    cross-correlation of x with the kernel for every x: y[i] = Σ_m x[i + m]·kernel[m].
    Row i holds the kernel in columns i to i + f − 1 and zeros elsewhere: each output is
    connected to f inputs only (local connections), and every row holds the same f
    weights (parameter sharing). Returns a float array. Raises ValueError when the kernel
    is not 1-D or empty, or is longer than n.

    >>> conv_as_matrix(np.array([1.0, 2.0]), 3)
    array([[1., 2., 0.],
           [0., 1., 2.]])
    """
    raise NotImplementedError


def receptive_field(layers: list) -> int:
    """The side of the input region one unit of the last layer sees, through ``layers``.

    ``layers`` is a list of conv, pool and relu layers (relu changes no size and is
    ignored). A layer of window f adds f − 1 steps of the layer before it, and one step
    of a layer is the product of the strides of all the layers before it: two 3×3
    convolutions with stride 1 see 5×5; with a 2×2 pool of stride 2 between them, 8×8.
    Padding changes no receptive field. Returns a Python int (1 for no layers); raises
    ValueError for any other layer (after flatten or dense a unit sees the whole input).

    >>> receptive_field([("conv", 8, 3, 1, 1), ("relu",), ("conv", 8, 3, 1, 1)])
    5
    """
    raise NotImplementedError


def layer_table(input_shape: tuple, layers: list) -> list:
    """One row per layer: ``(kind, output_shape, params)``, for an input of ``input_shape``.

    ``output_shape`` is a tuple of Python ints, (C, H, W) before flatten and (N,) after;
    ``params`` is the layer's number of trainable parameters (a Python int): a conv layer
    has n_k·(f·f·C + 1) for C input channels, a dense layer N·units + units, and relu,
    pool and flatten have none. A side is ⌊(H + 2·padding − f) / stride⌋ + 1 for conv and
    ⌊(H − size) / stride⌋ + 1 for pool. Raises ValueError, naming the layer ("layer 4
    (dense): needs a flat input"), when a layer does not fit its input: a window larger
    than the (padded) input, conv, pool or flatten after flatten, dense before it.

    >>> layer_table((1, 6, 6), [("conv", 2, 3, 0, 1), ("pool", 2, 2), ("flatten",), ("dense", 3)])
    [('conv', (2, 4, 4), 20), ('pool', (2, 2, 2), 0), ('flatten', (8,), 0), ('dense', (3,), 27)]
    """
    raise NotImplementedError


def lenet5() -> list:
    """The layers of LeNet-5, for a 32×32 grayscale input of shape (1, 32, 32).

    In order: 6 convolution kernels of 5×5 (no padding, stride 1), ReLU, 2×2 max pooling
    with stride 2; 16 convolution kernels of 5×5 (no padding, stride 1), ReLU, 2×2 max
    pooling with stride 2; flatten; a dense layer of 120 units, ReLU; a dense layer of 84
    units, ReLU; a dense layer of 10 units (the output, no ReLU). It has 61,706
    trainable parameters.
    """
    raise NotImplementedError
