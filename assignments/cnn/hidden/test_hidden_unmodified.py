"""Hidden tests that every graded function returning an array leaves its arguments as they were
and returns a new array, not an argument or a view of one.

Each test tries several argument combinations (2-D and 3-D inputs, float and integer dtypes,
paddings of 0, windows of 1), since a function may change its input on one path only; and
each call must also return the right answer, since a function that does nothing changes
nothing either.
"""

import numpy as np
import pytest

from cnn_checks import (
    check_conv2d,
    check_conv_layer,
    check_conv_stage,
    check_cross_correlate2d,
    check_pool2d,
    check_relu,
    check_zero_pad,
)

IMAGE = np.array([[1.5, -2.0, 3.0, 0.0], [-1.0, 4.0, -3.5, 2.0], [0.5, -0.5, 1.0, -4.0]])
STACK = np.stack([IMAGE, -IMAGE])
INTEGERS = np.array([[3, -1, 0, 2], [-4, 5, 1, -2], [0, 2, -3, 1]])
KERNELS = np.stack([np.stack([IMAGE[:2, :2], -IMAGE[1:, 1:3]])] * 2)
BIASES = np.array([-1.0, 2.0])


@pytest.mark.question("zero_pad")
def test_zero_pad_leaves_its_input_unchanged(student, reference):
    """zero_pad leaves x unchanged and returns a new array, even for a padding of 0"""
    for x, pad in [(IMAGE, 1), (STACK, (0, 2)), (INTEGERS, 0), (STACK, (0, 0))]:
        check_zero_pad(student, reference, x.copy(), pad, untouched=True)


@pytest.mark.question("cross_correlate2d")
def test_cross_correlate2d_leaves_its_inputs_unchanged(student, reference):
    """cross_correlate2d leaves the image and the kernel unchanged and returns a new array"""
    for image, kernel in [(IMAGE, IMAGE[:2, :2]), (INTEGERS, INTEGERS[:1, :3]), (IMAGE, np.ones((1, 1)))]:
        check_cross_correlate2d(student, reference, image.copy(), kernel.copy(), untouched=True)


@pytest.mark.question("conv2d")
def test_conv2d_leaves_its_inputs_unchanged(student, reference):
    """conv2d leaves the image and the kernel unchanged and returns a new array"""
    for image, kernel, stride, padding in [(IMAGE, IMAGE[:2, :2], 2, 1), (INTEGERS, INTEGERS[:2, :3], (1, 2), 0),
                                           (IMAGE, np.ones((1, 1)), 1, 0)]:
        check_conv2d(student, reference, image.copy(), kernel.copy(), stride=stride, padding=padding,
                     untouched=True)


@pytest.mark.question("conv_stage")
def test_conv_stage_leaves_its_inputs_unchanged(student, reference):
    """conv_stage leaves x, the kernels and the biases unchanged and returns a new array"""
    for x, kernels, biases, padding in [(STACK, KERNELS, BIASES, 1), (INTEGERS[None], np.ones((1, 1, 1, 1)),
                                                                       np.zeros(1), 0)]:
        check_conv_stage(student, reference, x.copy(), kernels.copy(), biases.copy(), padding=padding,
                         untouched=True)


@pytest.mark.question("pool2d")
def test_pool2d_leaves_its_input_unchanged(student, reference):
    """pool2d leaves x unchanged and returns a new array, for 2-D and 3-D inputs in every mode"""
    for x, size, stride, mode in [(STACK, 2, 1, "max"), (IMAGE, (2, 3), None, "avg"), (STACK, (1, 2), 1, "l2"),
                                  (IMAGE, 2, (1, 2), "max"), (INTEGERS, 1, None, "max"), (IMAGE, 1, 1, "avg")]:
        check_pool2d(student, reference, x.copy(), size, stride=stride, mode=mode, untouched=True)


@pytest.mark.question("relu")
def test_relu_leaves_its_input_unchanged(student, reference):
    """relu leaves x unchanged and returns a new array, with or without negative entries"""
    for x in [IMAGE, STACK, INTEGERS, np.abs(IMAGE)]:
        check_relu(student, reference, x.copy(), untouched=True)


@pytest.mark.question("conv_layer")
def test_conv_layer_leaves_its_inputs_unchanged(student, reference):
    """conv_layer leaves x, the kernels and the biases unchanged and returns a new array"""
    check_conv_layer(student, reference, x=STACK.copy(), kernels=KERNELS.copy(), biases=BIASES.copy(), padding=1,
                     pool_mode="l2", untouched=True)
    check_conv_layer(student, reference, x=INTEGERS[None].copy(), kernels=np.ones((1, 1, 1, 1)), biases=np.zeros(1),
                     pool_size=1, untouched=True)
