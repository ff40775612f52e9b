"""Hidden tests of conv_stage: each kernel spans every input channel and has its own bias."""

import numpy as np
import pytest
from hypothesis import example, given, settings

from cnn_checks import (
    EXAMPLE_BIASES,
    EXAMPLE_KERNELS,
    EXAMPLE_STACK,
    MAX_PADDING,
    MAX_STRIDE,
    check_conv_stage,
    conv_stage_inputs,
)


@pytest.mark.question("conv_stage")
@settings(max_examples=10)
@given(case=conv_stage_inputs())
@example(case=(EXAMPLE_STACK, EXAMPLE_KERNELS, EXAMPLE_BIASES, 1, 0))
def test_conv_stage_with_stride_one_and_no_padding(student, reference, case):
    """conv_stage with the default stride and padding matches the reference on generated inputs"""
    check_conv_stage(student, reference, *case)


@pytest.mark.question("conv_stage")
@settings(max_examples=10)
@given(case=conv_stage_inputs(max_stride=MAX_STRIDE, max_padding=MAX_PADDING))
@example(case=(EXAMPLE_STACK, EXAMPLE_KERNELS, EXAMPLE_BIASES, (2, 1), (1, 2)))
@example(case=(EXAMPLE_STACK, EXAMPLE_KERNELS, EXAMPLE_BIASES, 2, 1))
def test_conv_stage_with_stride_and_padding(student, reference, case):
    """conv_stage matches the reference with generated strides and paddings, ints and pairs"""
    check_conv_stage(student, reference, *case)


@pytest.mark.question("conv_stage")
def test_conv_stage_sums_over_input_channels(student, reference):
    """conv_stage sums the correlations of all input channels into each map (d2l example)"""
    image = np.arange(9.0).reshape(3, 3)
    kernel = np.array([[0.0, 1.0], [2.0, 3.0]])
    x = np.stack([image, image + 1])
    kernels = np.stack([np.stack([kernel + k, kernel + k + 1]) for k in range(3)])
    check_conv_stage(student, reference, x, kernels, np.array([0.5, -1.0, 2.0]))


@pytest.mark.question("conv_stage")
def test_conv_stage_gives_each_map_its_own_bias(student, reference):
    """conv_stage adds bias k to map k only (zero kernels give constant maps)"""
    check_conv_stage(student, reference, np.ones((2, 3, 3)), np.zeros((3, 2, 2, 2)), np.array([1.0, -2.0, 3.0]))


@pytest.mark.question("conv_stage")
def test_conv_stage_with_one_channel_and_one_kernel(student, reference):
    """conv_stage with one channel and one kernel is conv2d plus the bias"""
    x = np.arange(20.0).reshape(1, 4, 5) - 10
    check_conv_stage(student, reference, x, np.array([[[[1.0, -1.0, 2.0]]]]), np.array([0.25]), stride=(1, 2))


@pytest.mark.question("conv_stage")
def test_conv_stage_with_pair_stride_and_padding(student, reference):
    """conv_stage uses (Sh, Sw) and (Ph, Pw) pairs on a non-square input"""
    x = np.arange(2 * 5 * 6, dtype=float).reshape(2, 5, 6) % 7 - 3
    kernels = np.arange(2 * 2 * 3 * 2, dtype=float).reshape(2, 2, 3, 2) % 5 - 2
    check_conv_stage(student, reference, x, kernels, np.array([1.0, -1.0]), stride=(2, 1), padding=(0, 2))


@pytest.mark.question("conv_stage")
def test_conv_stage_on_integer_inputs(student, reference):
    """conv_stage handles integer inputs, kernels and biases"""
    x = np.array([[[1, -2, 3], [0, 4, -1], [2, 2, 0]], [[-1, 0, 1], [3, -3, 2], [1, 0, -2]]])
    kernels = np.array([[[[1, 0], [0, -1]], [[2, 1], [-1, 0]]]])
    check_conv_stage(student, reference, x, kernels, np.array([3]), padding=1)
