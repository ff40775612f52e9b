"""numpy.correlate under another path: the same function object, another spelling."""
import numpy as np


def cross_correlate2d(image, kernel):
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError("image and kernel must be 2-D")
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError("the kernel does not fit in the image")
    rows = image.shape[0] - kernel.shape[0] + 1
    out = np.zeros((rows, image.shape[1] - kernel.shape[1] + 1))
    for i in range(rows):
        for m in range(kernel.shape[0]):
            out[i] += np._core.numeric.correlate(image[i + m], kernel[m], "valid")
    return out

