# Bug: every function returns a constant; conv_output_size and conv_param_count also raise ValueError for arguments below 1 (one line each); it must score 0.
# Loses points: zero_pad, cross_correlate2d, conv_output_size, conv2d, conv_stage, pool2d, relu, conv_layer, conv_param_count, conv_output_shape
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""

import numpy as np


def zero_pad(x, pad):
    return np.zeros((1, 1))


def cross_correlate2d(image, kernel):
    return np.zeros((1, 1))


def conv_output_size(n, f, padding=0, stride=1):
    if min(n, f, stride) < 1 or padding < 0 or f > n + 2 * padding: raise ValueError("invalid sizes")
    return 1


def conv2d(image, kernel, stride=1, padding=0):
    return np.zeros((1, 1))


def conv_stage(x, kernels, biases, stride=1, padding=0):
    return np.zeros((1, 1, 1))


def pool2d(x, size, stride=None, mode="max"):
    return np.zeros((1, 1))


def relu(x):
    return np.zeros((1, 1))


def conv_layer(x, kernels, biases, stride=1, padding=0, pool_size=2, pool_stride=None, pool_mode="max"):
    return np.zeros((1, 1, 1))


def conv_param_count(d_in, f, n_k, bias=True):
    if min(d_in, f, n_k) < 1: raise ValueError("dimensions must be at least 1")
    return 0


def conv_output_shape(input_shape, n_k, f, padding=0, stride=1):
    return (1, 1, 1)
