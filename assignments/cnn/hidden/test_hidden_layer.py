"""Hidden tests of relu and conv_layer: convolution, then nonlinearity, then pooling."""

import numpy as np
import pytest
from hypothesis import example, given, settings

from cnn_checks import (
    EXAMPLE_BIASES,
    EXAMPLE_KERNELS,
    EXAMPLE_LARGE,
    EXAMPLE_SMALL,
    EXAMPLE_STACK,
    check_conv_layer,
    check_rejects,
    check_relu,
    conv_layer_inputs,
    images_or_stacks,
)

LAYER = dict(x=EXAMPLE_STACK, kernels=EXAMPLE_KERNELS, biases=EXAMPLE_BIASES)


@pytest.mark.question("relu")
@settings(max_examples=10)
@given(x=images_or_stacks())
@example(x=EXAMPLE_SMALL)
def test_relu_matches_reference(student, reference, x):
    """relu matches the reference on generated arrays"""
    check_relu(student, reference, x)


@pytest.mark.question("relu")
def test_relu_returns_floats_for_integer_inputs(student, reference):
    """relu returns a float array for integer inputs (int64, int8, uint8)"""
    values = np.array([[-3, 0, 2], [5, -1, 0]])
    for dtype in (np.int64, np.int8):
        check_relu(student, reference, values.astype(dtype))
    check_relu(student, reference, np.array([[200, 0], [255, 7]], dtype=np.uint8))


@pytest.mark.question("relu")
def test_relu_of_arrays_of_any_shape(student, reference):
    """relu works element-wise on an array of any shape: 1-D, 4-D, and values of magnitude up to 10⁶"""
    check_relu(student, reference, np.array([-0.5, 0.0, 0.5, -2.0, 7.25]))
    check_relu(student, reference, np.arange(-12.0, 12.0).reshape(2, 1, 3, 4) / 4)
    check_relu(student, reference, EXAMPLE_LARGE)


@pytest.mark.question("conv_layer")
@settings(max_examples=10)
@given(arguments=conv_layer_inputs())
@example(arguments=dict(**LAYER, stride=(2, 1), padding=(1, 2), pool_size=(2, 2), pool_stride=None,
                        pool_mode="avg"))
@example(arguments=dict(**LAYER, stride=1, padding=1, pool_size=(1, 2), pool_stride=(2, 1), pool_mode="l2"))
@example(arguments=dict(**LAYER, stride=1, padding=(2, 0), pool_size=(3, 1), pool_stride=(2, 1), pool_mode="max"))
@example(arguments=dict(**LAYER, stride=(1, 2), padding=1, pool_size=(3, 2), pool_stride=None, pool_mode="avg"))
def test_conv_layer_matches_reference(student, reference, arguments):
    """conv_layer matches the reference on generated inputs, convolutions and poolings"""
    check_conv_layer(student, reference, **arguments)


@pytest.mark.question("conv_layer")
def test_conv_layer_with_default_pooling(student, reference):
    """conv_layer pools with 2×2 max windows, stride 2, by default"""
    x = np.arange(2 * 6 * 6, dtype=float).reshape(2, 6, 6) % 7 - 3
    kernels = np.arange(3 * 2 * 3 * 3, dtype=float).reshape(3, 2, 3, 3) % 3 - 1
    check_conv_layer(student, reference, x=x, kernels=kernels, biases=np.array([0.5, -1.0, 0.0]))


@pytest.mark.question("conv_layer")
def test_conv_layer_applies_relu_before_pooling(student, reference):
    """conv_layer zeroes negative values before average pooling them"""
    x = np.array([[[1.0, -3.0, 2.0], [-2.0, 4.0, -1.0], [0.0, -5.0, 3.0]]])
    check_conv_layer(student, reference, x=x, kernels=np.ones((1, 1, 1, 1)), biases=np.zeros(1),
                     pool_size=3, pool_mode="avg")


@pytest.mark.question("conv_layer")
def test_conv_layer_with_stride_padding_and_l2_pooling(student, reference):
    """conv_layer passes stride and padding to the convolution and mode and stride to the pooling"""
    x = np.arange(3 * 5 * 5, dtype=float).reshape(3, 5, 5) % 5 - 2
    kernels = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2) % 4 - 1.5
    check_conv_layer(student, reference, x=x, kernels=kernels, biases=np.array([1.0, -0.5]), stride=2, padding=1,
                     pool_size=(2, 1), pool_stride=1, pool_mode="l2")


@pytest.mark.question("conv_layer")
def test_conv_layer_returns_floats_for_integer_inputs(student, reference):
    """conv_layer returns exact floats for integer inputs: fractional biases, uint8 products past 255"""
    x = np.array([[[1, -2, 3, 0], [0, 4, -1, 2], [2, 2, 0, -3]], [[-1, 0, 1, 1], [3, -3, 2, 0], [1, 0, -2, 4]]])
    kernels = np.array([[[[1, 0], [0, -1]], [[2, 1], [-1, 0]]], [[[0, 1], [1, 1]], [[-1, 2], [0, 1]]]])
    check_conv_layer(student, reference, x=x, kernels=kernels, biases=np.array([0.5, -0.25]), pool_size=(1, 2),
                     pool_mode="avg")
    check_conv_layer(student, reference, x=(x * 50 + 120).astype(np.uint8), kernels=np.abs(kernels).astype(np.uint8),
                     biases=np.array([3, 1], dtype=np.uint8), pool_size=2, pool_stride=1, pool_mode="l2")


@pytest.mark.question("conv_layer")
def test_conv_layer_rejects_what_conv_stage_or_pool2d_rejects(student, reference):
    """conv_layer raises ValueError for kernels of the wrong depth, a stride < 1, an unknown pooling mode or a
    pooling window larger than the feature maps"""
    check_rejects(student, reference, "conv_layer", [
        ((EXAMPLE_STACK[:1], EXAMPLE_KERNELS, EXAMPLE_BIASES), {}, "the kernels have depth 2 and x has 1 channel"),
        ((EXAMPLE_STACK, EXAMPLE_KERNELS, EXAMPLE_BIASES[:1]), {}, "3 kernels need 3 biases, not 1"),
        ((EXAMPLE_STACK, EXAMPLE_KERNELS, EXAMPLE_BIASES), {"stride": 0}, "the stride must be at least 1"),
        ((EXAMPLE_STACK, EXAMPLE_KERNELS, EXAMPLE_BIASES), {"pool_mode": "min"},
         'the pooling mode must be "max", "avg" or "l2"'),
        ((EXAMPLE_STACK, EXAMPLE_KERNELS, EXAMPLE_BIASES), {"pool_size": (1, 4)},
         "a 1×4 pooling window is wider than the 2×3 feature maps"),
    ])
    check_conv_layer(student, reference, **LAYER, pool_size=(2, 3), pool_mode="l2")
