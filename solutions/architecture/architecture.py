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
    # BEGIN SOLUTION
    if direction == "vertical":
        return np.array([[1.0, -1.0]])
    if direction == "horizontal":
        return np.array([[1.0], [-1.0]])
    raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    # END SOLUTION


def blur_kernel(size: int) -> np.ndarray:
    """A size×size blur: non-negative weights that sum to 1 (a weighted average).

    Under cross-correlation it leaves a constant image unchanged, and every output lies
    between the smallest and the largest input value. Raises ValueError for size < 1.

    >>> blur_kernel(2)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    # BEGIN SOLUTION
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    return np.full((size, size), 1.0 / (size * size))
    # END SOLUTION


def dense_param_count(n_in: int, n_out: int, bias: bool = True) -> int:
    """The trainable parameters of a fully connected layer from n_in inputs to n_out units.

    Every unit has a weight for every input, plus (with ``bias``) one bias of its own.
    The lecture's example: a 1-megapixel image into 10³ units needs about 10⁹ weights.
    Returns a Python int; raises ValueError when n_in or n_out is less than 1.

    >>> dense_param_count(4, 3)
    15
    """
    # BEGIN SOLUTION
    if n_in < 1 or n_out < 1:
        raise ValueError(f"n_in and n_out must be at least 1, got {n_in} and {n_out}")
    return int(n_in) * int(n_out) + (int(n_out) if bias else 0)
    # END SOLUTION


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
    # BEGIN SOLUTION
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 1 or not 1 <= kernel.size <= n:
        raise ValueError(f"kernel must be 1-D with 1 to n = {n} values, got shape {kernel.shape}")
    f = kernel.size
    matrix = np.zeros((n - f + 1, n))
    for i in range(n - f + 1):
        matrix[i, i:i + f] = kernel
    return matrix
    # END SOLUTION


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
    # BEGIN SOLUTION
    side, step = 1, 1
    for number, layer in enumerate(layers, start=1):
        if layer[0] == "conv":
            f, stride = layer[2], layer[4]
        elif layer[0] == "pool":
            f, stride = layer[1], layer[2]
        elif layer[0] == "relu":
            continue
        else:
            raise ValueError(f"layer {number} ({layer[0]}): only conv, pool and relu layers have a receptive field")
        side += (f - 1) * step
        step *= stride
    return side
    # END SOLUTION


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
    # BEGIN SOLUTION
    shape = tuple(int(n) for n in input_shape)
    rows = []
    for number, layer in enumerate(layers, start=1):
        kind = layer[0]
        where = f"layer {number} ({kind})"
        if kind in ("conv", "pool", "flatten") and len(shape) != 3:
            raise ValueError(f"{where}: needs a (C, H, W) input, got {shape}")
        if kind == "dense" and len(shape) != 1:
            raise ValueError(f"{where}: needs a flat input, got {shape}: add a flatten layer")
        params = 0
        if kind == "conv":
            _, n_k, f, padding, stride = layer
            channels, height, width = shape
            if f > min(height, width) + 2 * padding:
                raise ValueError(f"{where}: a {f}×{f} kernel does not fit a padded {height}×{width} input")
            shape = (n_k, (height + 2 * padding - f) // stride + 1, (width + 2 * padding - f) // stride + 1)
            params = n_k * (f * f * channels + 1)
        elif kind == "pool":
            _, size, stride = layer
            channels, height, width = shape
            if size > min(height, width):
                raise ValueError(f"{where}: a {size}×{size} window does not fit a {height}×{width} input")
            shape = (channels, (height - size) // stride + 1, (width - size) // stride + 1)
        elif kind == "flatten":
            shape = (shape[0] * shape[1] * shape[2],)
        elif kind == "dense":
            units = layer[1]
            params = shape[0] * units + units
            shape = (units,)
        elif kind != "relu":
            raise ValueError(f"{where}: unknown kind of layer")
        rows.append((kind, shape, params))
    return rows
    # END SOLUTION


def lenet5() -> list:
    """The layers of LeNet-5, for a 32×32 grayscale input of shape (1, 32, 32).

    In order: 6 convolution kernels of 5×5 (no padding, stride 1), ReLU, 2×2 max pooling
    with stride 2; 16 convolution kernels of 5×5 (no padding, stride 1), ReLU, 2×2 max
    pooling with stride 2; flatten; a dense layer of 120 units, ReLU; a dense layer of 84
    units, ReLU; a dense layer of 10 units (the output, no ReLU). It has 61,706
    trainable parameters.
    """
    # BEGIN SOLUTION
    return [
        ("conv", 6, 5, 0, 1), ("relu",), ("pool", 2, 2),
        ("conv", 16, 5, 0, 1), ("relu",), ("pool", 2, 2),
        ("flatten",),
        ("dense", 120), ("relu",),
        ("dense", 84), ("relu",),
        ("dense", 10),
    ]
    # END SOLUTION
