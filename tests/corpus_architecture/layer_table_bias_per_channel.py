# Bug: layer_table gives each conv kernel one bias per input channel.
# Loses points: layer_table
# Misconception: bias counted once per input channel
"""Only what differs from solutions/architecture/architecture.py; tests/support/corpus.py builds the whole file."""


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
            params = n_k * channels * (f * f + 1)
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
