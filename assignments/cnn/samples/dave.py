# Sample: a typical mistake: average pooling divides the window sum by the pool size
# along one axis instead of by the number of values in the window.
# Expected score: about 89 / 100 (misconception: average pooling divided by the wrong count).

# CS 480/680 HW: CNN building blocks
# Dave Example

import numpy as np


def _pair(v, what):
    # int -> (v, v); (a, b) -> (a, b)
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(what + " must be an int or a pair")
        a, b = v
    else:
        a = b = v
    for t in (a, b):
        if not isinstance(t, (int, np.integer)) or isinstance(t, bool):
            raise TypeError(what + " must be integers")
    return int(a), int(b)


def zero_pad(x, pad):
    x = np.asarray(x)
    if x.ndim != 2 and x.ndim != 3:
        raise ValueError("x should be (H, W) or (C, H, W)")
    ph, pw = _pair(pad, "pad")
    if ph < 0 or pw < 0:
        raise ValueError("negative padding")
    H, W = x.shape[-2], x.shape[-1]
    out = np.zeros(x.shape[:-2] + (H + 2 * ph, W + 2 * pw), dtype=x.dtype)
    out[..., ph:ph + H, pw:pw + W] = x
    return out


def cross_correlate2d(image, kernel):
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError("image and kernel must both be 2-D")
    H, W = image.shape
    kh, kw = kernel.shape
    if kh > H or kw > W:
        raise ValueError("kernel is bigger than the image")
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def conv_output_size(n, f, padding=0, stride=1):
    for name, v in (("n", n), ("f", f), ("padding", padding), ("stride", stride)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
            raise TypeError(name + " must be an integer")
    if n < 1 or f < 1 or padding < 0 or stride < 1:
        raise ValueError("bad sizes")
    if f > n + 2 * padding:
        raise ValueError("kernel does not fit")
    return int((n + 2 * padding - f) // stride + 1)


def conv2d(image, kernel, stride=1, padding=0):
    sh, sw = _pair(stride, "stride")
    if sh < 1 or sw < 1:
        raise ValueError("stride must be >= 1")
    padded = zero_pad(np.asarray(image, dtype=float), padding)
    kernel = np.asarray(kernel, dtype=float)
    if padded.ndim != 2 or kernel.ndim != 2:
        raise ValueError("image and kernel must both be 2-D")
    H, W = padded.shape
    kh, kw = kernel.shape
    if kh > H or kw > W:
        raise ValueError("kernel is bigger than the padded image")
    out_h = (H - kh) // sh + 1
    out_w = (W - kw) // sw + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            r, c = i * sh, j * sw
            out[i, j] = np.sum(padded[r:r + kh, c:c + kw] * kernel)
    return out


def conv_stage(x, kernels, biases, stride=1, padding=0):
    x = np.asarray(x, dtype=float)
    kernels = np.asarray(kernels, dtype=float)
    biases = np.asarray(biases, dtype=float)
    if x.ndim != 3 or kernels.ndim != 4:
        raise ValueError("x must be (D, H, W) and kernels (N, D, F, F)")
    if kernels.shape[1] != x.shape[0]:
        raise ValueError("kernel depth does not match the input depth")
    if biases.shape != (kernels.shape[0],):
        raise ValueError("need exactly one bias per kernel")
    maps = []
    for k in range(kernels.shape[0]):
        total = None
        for d in range(x.shape[0]):
            part = conv2d(x[d], kernels[k, d], stride, padding)
            total = part if total is None else total + part
        maps.append(total + biases[k])
    return np.array(maps)


def pool2d(x, size, stride=None, mode="max"):
    if mode not in ("max", "avg", "l2"):
        raise ValueError("unknown pooling mode " + repr(mode))
    x = np.asarray(x, dtype=float)
    if x.ndim == 2:
        return pool2d(x[None], size, stride, mode)[0]
    if x.ndim != 3:
        raise ValueError("x should be (H, W) or (C, H, W)")
    ph, pw = _pair(size, "size")
    sh, sw = _pair(size if stride is None else stride, "stride")
    if ph < 1 or pw < 1 or sh < 1 or sw < 1:
        raise ValueError("size and stride must be >= 1")
    C, H, W = x.shape
    if ph > H or pw > W:
        raise ValueError("pool window bigger than the input")
    out_h = (H - ph) // sh + 1
    out_w = (W - pw) // sw + 1
    out = np.zeros((C, out_h, out_w))
    for c in range(C):
        for i in range(out_h):
            for j in range(out_w):
                win = x[c, i * sh:i * sh + ph, j * sw:j * sw + pw]
                if mode == "max":
                    out[c, i, j] = win.max()
                elif mode == "avg":
                    out[c, i, j] = win.sum() / ph
                else:
                    out[c, i, j] = np.sqrt(np.sum(win ** 2))
    return out


def relu(x):
    x = np.array(x, dtype=float)  # a copy, so the input is not changed
    x[x < 0] = 0.0
    return x


def conv_layer(x, kernels, biases, stride=1, padding=0, pool_size=2, pool_stride=None, pool_mode="max"):
    z = conv_stage(x, kernels, biases, stride=stride, padding=padding)
    return pool2d(relu(z), pool_size, stride=pool_stride, mode=pool_mode)


def conv_param_count(d_in, f, n_k, bias=True):
    for name, v in (("d_in", d_in), ("f", f), ("n_k", n_k)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
            raise TypeError(name + " must be an integer")
        if v < 1:
            raise ValueError(name + " must be at least 1")
    weights = int(n_k) * int(f) * int(f) * int(d_in)
    return weights + (int(n_k) if bias else 0)


def conv_output_shape(input_shape, n_k, f, padding=0, stride=1):
    if len(input_shape) != 3:
        raise ValueError("input_shape must be (D_in, H, W)")
    d_in, h, w = input_shape
    if n_k < 1 or d_in < 1:
        raise ValueError("n_k and D_in must be at least 1")
    return (int(n_k), conv_output_size(h, f, padding, stride), conv_output_size(w, f, padding, stride))


if __name__ == "__main__":
    img = np.arange(9).reshape(3, 3)
    print(cross_correlate2d(img, np.array([[0, 1], [2, 3]])))
