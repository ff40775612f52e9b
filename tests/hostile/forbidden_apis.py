"""Uses forbidden APIs: scipy imported at the top, numpy.convolve, numpy.fft, hidden in helpers."""
import numpy as np
import scipy.signal as ss
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import correlate2d


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def cross_correlate2d(x, w):
    return correlate2d(x, w, mode="valid")


def _spectrum(x):
    return np.fft.fft2(x).real


def conv2d(x, w):
    return _spectrum(x)


def conv_stage(x, w):
    try:
        return ss.convolve2d(x, w)
    except Exception:
        return x  # the stand-in raised; catching it does not help


def pool2d(x):
    windows = sliding_window_view(x, (2, 2))[::2, ::2]
    return np.einsum("ijkl->ij", windows) / 4
