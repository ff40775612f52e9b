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
    check_rejects,
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
@example(case=(EXAMPLE_STACK, EXAMPLE_KERNELS, EXAMPLE_BIASES, 1, (2, 0)))
@example(case=(EXAMPLE_STACK, EXAMPLE_KERNELS, EXAMPLE_BIASES, (1, 2), 0))
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
def test_conv_stage_returns_floats_for_integer_inputs(student, reference):
    """conv_stage returns exact floats for integer inputs: a fractional bias, uint8 products past 255"""
    x = np.array([[[1, -2, 3], [0, 4, -1], [2, 2, 0]], [[-1, 0, 1], [3, -3, 2], [1, 0, -2]]])
    kernels = np.array([[[[1, 0], [0, -1]], [[2, 1], [-1, 0]]]])
    check_conv_stage(student, reference, x, kernels, np.array([3]), padding=1)
    check_conv_stage(student, reference, x, np.concatenate([kernels, -kernels]), np.array([0.5, -1.25]))
    check_conv_stage(student, reference, (x * 60 + 130).astype(np.uint8), np.abs(kernels).astype(np.uint8) + 2,
                     np.array([7], dtype=np.uint8), stride=(2, 1))


@pytest.mark.question("conv_stage")
def test_conv_stage_rejects_arguments_that_do_not_agree(student, reference):
    """conv_stage raises ValueError for a kernel depth other than D_in, a bias count other than N_k, a stride
    < 1, a negative padding or kernels larger than the padded input"""
    x, kernels, biases = EXAMPLE_STACK, EXAMPLE_KERNELS, EXAMPLE_BIASES  # D_in 2, N_k 3, 2×3 kernels
    check_rejects(student, reference, "conv_stage", [
        ((x[:1], kernels, biases), {}, "the kernels have depth 2 and x has 1 channel"),
        ((np.concatenate([x, x]), kernels, biases), {}, "the kernels have depth 2 and x has 4 channels"),
        ((x, kernels, biases[:1]), {}, "3 kernels need 3 biases, not 1"),
        ((x, kernels, biases[:2]), {}, "3 kernels need 3 biases, not 2"),
        ((x, kernels, np.append(biases, 1.0)), {}, "3 kernels need 3 biases, not 4"),
        ((x, kernels, biases), {"stride": (1, 0)}, "the stride must be at least 1"),
        ((x, kernels, biases), {"padding": (-1, 0)}, "a padding cannot be negative"),
        ((x[:, :1], kernels, biases), {}, "2×3 kernels are taller than the 1×5 input"),
        ((x[:, :, :2], kernels, biases), {"padding": (0, 0)}, "2×3 kernels are wider than the 3×2 input"),
    ])
    check_conv_stage(student, reference, x[:, :1], kernels, biases, stride=(1, 2), padding=(1, 0))
