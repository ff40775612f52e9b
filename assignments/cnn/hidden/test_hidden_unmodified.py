"""Hidden tests that no graded function modifies its arguments in place."""

import numpy as np
import pytest

from autograder.checks import Call, expect_unmodified

IMAGE = np.array([[1.5, -2.0, 3.0, 0.0], [-1.0, 4.0, -3.5, 2.0], [0.5, -0.5, 1.0, -4.0]])
STACK = np.stack([IMAGE, -IMAGE])
KERNELS = np.stack([np.stack([IMAGE[:2, :2], -IMAGE[1:, 1:3]])] * 2)
BIASES = np.array([-1.0, 2.0])


@pytest.mark.question("zero_pad")
def test_zero_pad_leaves_its_input_unchanged(student, reference):
    """zero_pad leaves x unchanged"""
    expect_unmodified(student, Call.of(reference.zero_pad, IMAGE.copy(), 1))


@pytest.mark.question("cross_correlate2d")
def test_cross_correlate2d_leaves_its_inputs_unchanged(student, reference):
    """cross_correlate2d leaves the image and the kernel unchanged"""
    expect_unmodified(student, Call.of(reference.cross_correlate2d, IMAGE.copy(), IMAGE[:2, :2].copy()))


@pytest.mark.question("conv2d")
def test_conv2d_leaves_its_inputs_unchanged(student, reference):
    """conv2d leaves the image and the kernel unchanged"""
    expect_unmodified(student, Call.of(reference.conv2d, IMAGE.copy(), IMAGE[:2, :2].copy(), stride=2, padding=1))


@pytest.mark.question("conv_stage")
def test_conv_stage_leaves_its_inputs_unchanged(student, reference):
    """conv_stage leaves x, the kernels and the biases unchanged"""
    expect_unmodified(student, Call.of(reference.conv_stage, STACK.copy(), KERNELS.copy(), BIASES.copy(), padding=1))


@pytest.mark.question("pool2d")
def test_pool2d_leaves_its_input_unchanged(student, reference):
    """pool2d leaves x unchanged, in every mode"""
    for mode in ("max", "avg", "l2"):
        expect_unmodified(student, Call.of(reference.pool2d, STACK.copy(), 2, stride=1, mode=mode))


@pytest.mark.question("relu")
def test_relu_leaves_its_input_unchanged(student, reference):
    """relu leaves x unchanged (negative entries included)"""
    expect_unmodified(student, Call.of(reference.relu, IMAGE.copy()))


@pytest.mark.question("conv_layer")
def test_conv_layer_leaves_its_inputs_unchanged(student, reference):
    """conv_layer leaves x, the kernels and the biases unchanged"""
    expect_unmodified(student, Call.of(reference.conv_layer, STACK.copy(), KERNELS.copy(), BIASES.copy(),
                                       padding=1, pool_mode="l2"))
