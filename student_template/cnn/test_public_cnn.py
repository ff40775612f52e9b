"""Public tests: one or two known answers per function, mostly from d2l.ai (Dive into Deep
Learning, chapter 7). Run them with ``pytest`` in the folder that holds your cnn.py.

Passing these is a good sign, not a guarantee: the autograder's hidden tests try many
generated inputs, and check types, shapes and that your functions leave their inputs alone.
"""

import numpy as np
import pytest

X = np.arange(9.0).reshape(3, 3)  # [[0, 1, 2], [3, 4, 5], [6, 7, 8]], the d2l example input
K = np.array([[0.0, 1.0], [2.0, 3.0]])  # the d2l example kernel


def shown(value) -> str:
    """A returned value and its type (the autograder shows other types by name and preview)."""
    if hasattr(value, "type_name"):
        return f"{value.preview} of type {value.type_name}"
    return f"{value!r} of type {type(value).__name__}"


def check_array(got, expected, call: str, *, dtype_kind: str = "biuf") -> None:
    """Fail with what ``call`` returned and what was expected: type, then shape, then values."""
    expected = np.asarray(expected)
    assert type(got) is np.ndarray, f"{call} returned {shown(got)}; expected a numpy array (np.ndarray)"
    assert got.dtype.kind in dtype_kind, f"{call} returned an array of dtype {got.dtype}; expected {expected.dtype}"
    assert got.shape == expected.shape, (
        f"{call} returned shape {got.shape}; expected {expected.shape}\nexpected:\n{expected}\ngot:\n{got}"
    )
    assert np.allclose(got, expected), f"{call} returned wrong values\nexpected:\n{expected}\ngot:\n{got}"


def check_int(got, expected, call: str) -> None:
    """Fail unless ``call`` returned the Python int ``expected``."""
    assert type(got) is int, f"{call} returned {shown(got)}; expected a Python int"
    assert got == expected, f"{call} returned {got}; expected {expected}"


@pytest.mark.question("zero_pad")
def test_zero_pad_surrounds_an_image_with_zeros(student):
    """zero_pad adds one ring of zeros around a 2×2 integer image, keeping its dtype"""
    x = np.array([[1, 2], [3, 4]])
    expected = np.array([[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]])
    got = student.zero_pad(x, 1)
    check_array(got, expected, "zero_pad([[1, 2], [3, 4]], 1)", dtype_kind="i")


@pytest.mark.question("cross_correlate2d")
def test_cross_correlate2d_d2l_example(student):
    """cross_correlate2d of the d2l 3×3 example with a 2×2 kernel"""
    got = student.cross_correlate2d(X, K)
    check_array(got, [[19.0, 25.0], [37.0, 43.0]], "cross_correlate2d(X, K) with the d2l X and K", dtype_kind="f")


@pytest.mark.question("cross_correlate2d")
def test_cross_correlate2d_detects_vertical_edges(student):
    """cross_correlate2d with the kernel [[1, -1]] finds the d2l vertical edges"""
    image = np.ones((6, 8))
    image[:, 2:6] = 0
    expected = np.tile([0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0], (6, 1))
    got = student.cross_correlate2d(image, np.array([[1.0, -1.0]]))
    check_array(got, expected, "cross_correlate2d(image, [[1, -1]]) on the d2l 6×8 edge image", dtype_kind="f")


@pytest.mark.question("conv_output_size")
def test_conv_output_size_d2l_examples(student):
    """conv_output_size gives the d2l output sizes on an 8-pixel input"""
    for args, kwargs, expected in [
        ((8, 3), {"padding": 1, "stride": 1}, 8),
        ((8, 5), {"padding": 2}, 8),
        ((8, 3), {"padding": 1, "stride": 2}, 4),
        ((8, 5), {"padding": 1, "stride": 4}, 2),
    ]:
        shown = ", ".join([*map(str, args), *(f"{k}={v}" for k, v in kwargs.items())])
        check_int(student.conv_output_size(*args, **kwargs), expected, f"conv_output_size({shown})")


@pytest.mark.question("conv2d")
def test_conv2d_d2l_stride_figure(student):
    """conv2d with padding 1 and stride (3, 2) on the d2l example"""
    got = student.conv2d(X, K, stride=(3, 2), padding=1)
    check_array(got, [[0.0, 8.0], [6.0, 8.0]], "conv2d(X, K, stride=(3, 2), padding=1) with the d2l X and K")


@pytest.mark.question("conv_stage")
def test_conv_stage_d2l_multiple_channels(student):
    """conv_stage with 2 input channels and 3 kernels (d2l corr2d_multi_in_out)"""
    x = np.stack([X, X + 1])
    kernels = np.stack([np.stack([K + k, K + k + 1]) for k in range(3)])
    expected = [[[56, 72], [104, 120]], [[76, 100], [148, 172]], [[96, 128], [192, 224]]]
    got = student.conv_stage(x, kernels, np.zeros(3))
    check_array(got, expected, "conv_stage(stack(X, X + 1), kernels of shape 3×2×2×2, biases 0)")


@pytest.mark.question("pool2d")
def test_pool2d_max_and_avg_d2l_examples(student):
    """pool2d max and average pooling with 2×2 windows and stride 1 (d2l)"""
    check_array(student.pool2d(X, 2, stride=1, mode="max"), [[4, 5], [7, 8]], 'pool2d(X, 2, stride=1, mode="max")')
    check_array(student.pool2d(X, 2, stride=1, mode="avg"), [[2, 3], [5, 6]], 'pool2d(X, 2, stride=1, mode="avg")')


@pytest.mark.question("pool2d")
def test_pool2d_stride_defaults_to_the_window_size(student):
    """pool2d with 3×3 windows and no stride on a 4×4 input has one window (d2l)"""
    got = student.pool2d(np.arange(16.0).reshape(4, 4), 3)
    check_array(got, [[10.0]], "pool2d(arange(16).reshape(4, 4), 3)")


@pytest.mark.question("relu")
def test_relu_zeroes_negative_values(student):
    """relu replaces negative values by 0 and keeps the others"""
    got = student.relu(np.array([[-2.0, 0.0], [1.5, -0.5]]))
    check_array(got, [[0.0, 0.0], [1.5, 0.0]], "relu([[-2, 0], [1.5, -0.5]])", dtype_kind="f")


@pytest.mark.question("conv_layer")
def test_conv_layer_d2l_channels_then_max_pool(student):
    """conv_layer on the d2l multi-channel example, then 2×2 max pooling"""
    x = np.stack([X, X + 1])
    kernels = np.stack([np.stack([K + k, K + k + 1]) for k in range(3)])
    got = student.conv_layer(x, kernels, np.array([0.0, -100.0, -300.0]))
    call = "conv_layer(stack(X, X + 1), kernels 3×2×2×2, biases [0, -100, -300])"
    check_array(got, [[[120.0]], [[72.0]], [[0.0]]], call)


@pytest.mark.question("conv_param_count")
def test_conv_param_count_with_biases(student):
    """conv_param_count of 10 kernels of 5×5 over 3 channels is 10·5·5·3 + 10 = 760"""
    check_int(student.conv_param_count(3, 5, 10), 760, "conv_param_count(3, 5, 10)")


@pytest.mark.question("conv_output_shape")
def test_conv_output_shape_of_a_32_by_32_input(student):
    """conv_output_shape of a 3×32×32 input with 10 kernels of 5×5 is (10, 28, 28)"""
    got = student.conv_output_shape((3, 32, 32), 10, 5)
    call = "conv_output_shape((3, 32, 32), 10, 5)"
    assert type(got) is tuple, f"{call} returned {shown(got)}; expected a tuple of Python ints"
    assert all(type(v) is int for v in got), (
        f"{call} returned a tuple of {', '.join(shown(v) for v in got)}; expected a tuple of Python ints"
    )
    assert got == (10, 28, 28), f"{call} returned {got}; expected (10, 28, 28)"
