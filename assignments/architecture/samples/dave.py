# Sample: a typical mistake: the two edge kernels are swapped (the vertical one detects horizontal
# edges). Expected score: 86 / 100 (misconception: edge directions swapped).

# CS 480/680 HW: CNN architecture
# Dave Example

import numpy as np


def edge_kernel(direction):
    sobel = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    if direction == "vertical":
        return sobel.T.copy()
    if direction == "horizontal":
        return sobel
    raise ValueError("direction must be 'vertical' or 'horizontal'")


def blur_kernel(size):
    if size < 1:
        raise ValueError("size must be positive")
    row = np.array([1.0])
    for _ in range(size - 1):  # binomial weights: a small Gaussian
        row = np.append(row, 0) / 2 + np.append(0, row) / 2
    return np.outer(row, row)


def dense_param_count(n_in, n_out, bias=True):
    if n_in < 1 or n_out < 1:
        raise ValueError("need at least one input and one unit")
    count = n_in * n_out
    if bias:
        count += n_out
    return count


def conv_as_matrix(kernel, n):
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 1 or len(kernel) == 0 or len(kernel) > n:
        raise ValueError("bad kernel")
    f = len(kernel)
    W = np.zeros((n - f + 1, n))
    for i in range(n - f + 1):
        for m in range(f):
            W[i, i + m] = kernel[m]
    return W


def receptive_field(layers):
    r, jump = 1, 1
    for layer in layers:
        if layer[0] == "relu":
            continue
        if layer[0] == "conv":
            f, s = layer[2], layer[4]
        elif layer[0] == "pool":
            f, s = layer[1], layer[2]
        else:
            raise ValueError("no receptive field through " + layer[0])
        r = r + (f - 1) * jump
        jump = jump * s
    return r


def layer_table(input_shape, layers):
    shape = tuple(input_shape)
    rows = []
    for i, layer in enumerate(layers):
        kind = layer[0]
        params = 0
        if kind == "conv":
            if len(shape) != 3:
                raise ValueError(f"layer {i + 1} (conv) needs a 3-D input")
            _, n_k, f, p, s = layer
            c, h, w = shape
            if f > h + 2 * p or f > w + 2 * p:
                raise ValueError(f"layer {i + 1} (conv): kernel too big")
            shape = (n_k, (h + 2 * p - f) // s + 1, (w + 2 * p - f) // s + 1)
            params = n_k * (f * f * c + 1)
        elif kind == "pool":
            if len(shape) != 3:
                raise ValueError(f"layer {i + 1} (pool) needs a 3-D input")
            _, size, s = layer
            c, h, w = shape
            if size > h or size > w:
                raise ValueError(f"layer {i + 1} (pool): window too big")
            shape = (c, (h - size) // s + 1, (w - size) // s + 1)
        elif kind == "flatten":
            if len(shape) != 3:
                raise ValueError(f"layer {i + 1} (flatten) needs a 3-D input")
            shape = (shape[0] * shape[1] * shape[2],)
        elif kind == "dense":
            if len(shape) != 1:
                raise ValueError(f"layer {i + 1} (dense) needs a flat input")
            params = shape[0] * layer[1] + layer[1]
            shape = (layer[1],)
        rows.append((kind, shape, params))
    return rows


def lenet5():
    return [("conv", 6, 5, 0, 1), ("relu",), ("pool", 2, 2),
            ("conv", 16, 5, 0, 1), ("relu",), ("pool", 2, 2),
            ("flatten",),
            ("dense", 120), ("relu",),
            ("dense", 84), ("relu",),
            ("dense", 10)]


print("LeNet-5 parameters:", sum(row[2] for row in layer_table((1, 32, 32), lenet5())))
