"""Public tests: one or two known answers per function, mostly from d2l.ai (Dive into Deep
Learning, chapter 7). Run them with ``pytest`` in the folder that holds your cnn.py.
A failed test reads as on Gradescope: a wrong type, then a wrong shape, then wrong values,
and the mistake behind them when the checks are sure of it.

Passing these is a good sign, not a guarantee: the autograder's hidden tests try many
generated inputs, and check types, shapes and that your functions leave their inputs alone.
"""

import numpy as np
import pytest

try:  # on Gradescope: the autograder's checks
    from autograder.checks import Call, Confirmation, Example, Misconception, expect_array, expect_int, expect_int_tuple
except ImportError:  # on your computer: the same code, shipped as autograder_local.py
    from autograder_local import Call, Confirmation, Example, Misconception, expect_array, expect_int, expect_int_tuple

X = np.arange(9.0).reshape(3, 3)  # [[0, 1, 2], [3, 4, 5], [6, 7, 8]], the d2l example input
K = np.array([[0.0, 1.0], [2.0, 3.0]])  # the d2l example kernel

FLIPPED_KERNEL = "flipped kernel (true convolution)"
FLIPPED_ADVICE = (
    "Your answer is the true convolution, with the kernel flipped. The lecture's convolution is cross-correlation, "
    "S(i, j) = Σ_m Σ_n I(i + m, j + n) K(m, n): multiply each window by the kernel as it is, without reversing its "
    "rows and columns."
)
FLIPPED_D2L = np.array([[5.0, 11.0], [23.0, 29.0]])  # cross_correlate2d(X, K) with K flipped
ROWS, COLUMNS = np.indices((3, 5))


def call(function: str, **arguments) -> Call:
    """The call ``function(**arguments)``, as the checks show it."""
    return Call(function, (), arguments, arguments)


# A second, larger call: the flipped kernel is named only if your function flips it here too.
FLIPPED_SECOND = Example(
    call("cross_correlate2d", image=np.arange(18.0).reshape(3, 6), kernel=np.array([[1.0, 2.0]])),
    18.0 * ROWS + 3 * COLUMNS + 2,
    [Misconception(FLIPPED_KERNEL, 18.0 * ROWS + 3 * COLUMNS + 1, FLIPPED_ADVICE)],
)


def check(student, shown: Call, expected, **options) -> None:
    """Make the call on your functions and check the answer: type, then shape, then values."""
    expect_array(shown.run(student), np.asarray(expected), call=shown, **options)


@pytest.mark.question("zero_pad")
def test_zero_pad_surrounds_an_image_with_zeros(student):
    """zero_pad adds one ring of zeros around a 2×2 integer image, keeping its dtype"""
    expected = np.array([[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]])
    check(student, call("zero_pad", x=np.array([[1, 2], [3, 4]]), pad=1), expected, dtype_kind=None)


@pytest.mark.question("cross_correlate2d")
def test_cross_correlate2d_d2l_example(student):
    """cross_correlate2d of the d2l 3×3 example with a 2×2 kernel"""
    confirmation = Confirmation(student, lambda: [FLIPPED_SECOND])
    flipped = Misconception(FLIPPED_KERNEL, FLIPPED_D2L, FLIPPED_ADVICE, confirmation)
    check(student, call("cross_correlate2d", image=X, kernel=K), [[19.0, 25.0], [37.0, 43.0]], dtype_kind="f",
          misconceptions=[flipped])


@pytest.mark.question("cross_correlate2d")
def test_cross_correlate2d_detects_vertical_edges(student):
    """cross_correlate2d with the kernel [[1, -1]] finds the d2l vertical edges"""
    image = np.ones((6, 8))
    image[:, 2:6] = 0
    expected = np.tile([0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0], (6, 1))
    check(student, call("cross_correlate2d", image=image, kernel=np.array([[1.0, -1.0]])), expected, dtype_kind="f")


@pytest.mark.question("conv_output_size")
def test_conv_output_size_d2l_examples(student):
    """conv_output_size gives the d2l output sizes on an 8-pixel input"""
    for arguments, expected in [
        (dict(n=8, f=3, padding=1, stride=1), 8),
        (dict(n=8, f=5, padding=2), 8),
        (dict(n=8, f=3, padding=1, stride=2), 4),
        (dict(n=8, f=5, padding=1, stride=4), 2),
    ]:
        shown = call("conv_output_size", **arguments)
        expect_int(shown.run(student), expected, call=shown)


@pytest.mark.question("conv2d")
def test_conv2d_d2l_stride_figure(student):
    """conv2d with padding 1 and stride (3, 2) on the d2l example"""
    check(student, call("conv2d", image=X, kernel=K, stride=(3, 2), padding=1), [[0.0, 8.0], [6.0, 8.0]])


@pytest.mark.question("conv_stage")
def test_conv_stage_d2l_multiple_channels(student):
    """conv_stage with 2 input channels and 3 kernels (d2l corr2d_multi_in_out)"""
    x = np.stack([X, X + 1])
    kernels = np.stack([np.stack([K + k, K + k + 1]) for k in range(3)])
    expected = [[[56, 72], [104, 120]], [[76, 100], [148, 172]], [[96, 128], [192, 224]]]
    check(student, call("conv_stage", x=x, kernels=kernels, biases=np.zeros(3)), expected)


@pytest.mark.question("pool2d")
def test_pool2d_max_and_avg_d2l_examples(student):
    """pool2d max and average pooling with 2×2 windows and stride 1 (d2l)"""
    check(student, call("pool2d", x=X, size=2, stride=1, mode="max"), [[4.0, 5.0], [7.0, 8.0]])
    check(student, call("pool2d", x=X, size=2, stride=1, mode="avg"), [[2.0, 3.0], [5.0, 6.0]])


@pytest.mark.question("pool2d")
def test_pool2d_stride_defaults_to_the_window_size(student):
    """pool2d with 3×3 windows and no stride on a 4×4 input has one window (d2l)"""
    check(student, call("pool2d", x=np.arange(16.0).reshape(4, 4), size=3), [[10.0]])


@pytest.mark.question("relu")
def test_relu_zeroes_negative_values(student):
    """relu replaces negative values by 0 and keeps the others"""
    check(student, call("relu", x=np.array([[-2.0, 0.0], [1.5, -0.5]])), [[0.0, 0.0], [1.5, 0.0]], dtype_kind="f")


@pytest.mark.question("conv_layer")
def test_conv_layer_d2l_channels_then_max_pool(student):
    """conv_layer on the d2l multi-channel example, then 2×2 max pooling"""
    x = np.stack([X, X + 1])
    kernels = np.stack([np.stack([K + k, K + k + 1]) for k in range(3)])
    shown = call("conv_layer", x=x, kernels=kernels, biases=np.array([0.0, -100.0, -300.0]))
    check(student, shown, [[[120.0]], [[72.0]], [[0.0]]])


@pytest.mark.question("conv_param_count")
def test_conv_param_count_with_biases(student):
    """conv_param_count of 10 kernels of 5×5 over 3 channels is 10·5·5·3 + 10 = 760"""
    shown = call("conv_param_count", d_in=3, f=5, n_k=10)
    expect_int(shown.run(student), 760, call=shown)


@pytest.mark.question("conv_output_shape")
def test_conv_output_shape_of_a_32_by_32_input(student):
    """conv_output_shape of a 3×32×32 input with 10 kernels of 5×5 is (10, 28, 28)"""
    shown = call("conv_output_shape", input_shape=(3, 32, 32), n_k=10, f=5)
    expect_int_tuple(shown.run(student), (10, 28, 28), call=shown)
