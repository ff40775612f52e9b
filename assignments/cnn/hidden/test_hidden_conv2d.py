"""Hidden tests of conv2d: zero padding, then cross-correlation whose windows start S apart."""

import numpy as np
import pytest
from hypothesis import example, given, settings

from cnn_checks import (
    EXAMPLE_IMAGE,
    EXAMPLE_KERNEL,
    EXAMPLE_SMALL,
    MAX_PADDING,
    MAX_STRIDE,
    check_conv2d,
    check_rejects,
    conv2d_inputs,
)


@pytest.mark.question("conv2d")
@settings(max_examples=10)
@given(case=conv2d_inputs())
@example(case=(EXAMPLE_IMAGE, EXAMPLE_KERNEL, 1, 0))
def test_conv2d_with_stride_one_and_no_padding(student, reference, case):
    """conv2d with the default stride and padding matches the reference on generated inputs"""
    check_conv2d(student, reference, *case)


@pytest.mark.question("conv2d")
@settings(max_examples=10)
@given(case=conv2d_inputs(max_padding=MAX_PADDING))
@example(case=(EXAMPLE_IMAGE, EXAMPLE_KERNEL, 1, (1, 2)))
@example(case=(EXAMPLE_IMAGE, EXAMPLE_KERNEL, 1, 1))
def test_conv2d_with_padding(student, reference, case):
    """conv2d pads on each side before correlating (generated inputs, stride 1)"""
    check_conv2d(student, reference, *case)


@pytest.mark.question("conv2d")
@settings(max_examples=10)
@given(case=conv2d_inputs(max_stride=MAX_STRIDE))
@example(case=(EXAMPLE_IMAGE, EXAMPLE_KERNEL, (2, 3), 0))
@example(case=(EXAMPLE_IMAGE, EXAMPLE_KERNEL, 2, 0))
def test_conv2d_with_stride(student, reference, case):
    """conv2d applies the stride to where each window starts (generated inputs, no padding)"""
    check_conv2d(student, reference, *case)


@pytest.mark.question("conv2d")
@settings(max_examples=10)
@given(case=conv2d_inputs(max_stride=MAX_STRIDE, max_padding=MAX_PADDING))
@example(case=(EXAMPLE_IMAGE, EXAMPLE_KERNEL, (2, 3), (1, 2)))
@example(case=(EXAMPLE_IMAGE, EXAMPLE_KERNEL, 2, 1))
def test_conv2d_with_stride_and_padding(student, reference, case):
    """conv2d matches the reference with generated strides and paddings, ints and pairs"""
    check_conv2d(student, reference, *case)


@pytest.mark.question("conv2d")
def test_conv2d_output_size_on_a_six_by_six_image(student, reference):
    """conv2d of a 6×6 image with a 3×3 kernel has 4×4 positions"""
    check_conv2d(student, reference, np.arange(36.0).reshape(6, 6), np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]]))


@pytest.mark.question("conv2d")
def test_conv2d_with_pair_stride_and_padding(student, reference):
    """conv2d uses (Sh, Sw) and (Ph, Pw) pairs on the right axes of a non-square image"""
    image = np.arange(35.0).reshape(5, 7) % 6 - 2
    check_conv2d(student, reference, image, np.array([[1.0, -1.0], [2.0, 0.5], [0.0, 1.0]]),
                 stride=(2, 3), padding=(1, 0))


@pytest.mark.question("conv2d")
def test_conv2d_drops_windows_that_do_not_fit(student, reference):
    """conv2d drops the last window when the stride overshoots the image"""
    check_conv2d(student, reference, np.arange(25.0).reshape(5, 5), np.array([[1.0, 2.0], [3.0, 4.0]]), stride=2)


@pytest.mark.question("conv2d")
def test_conv2d_with_a_kernel_as_large_as_the_padded_image(student, reference):
    """conv2d with a kernel the size of the padded image returns one 1×1 value"""
    check_conv2d(student, reference, np.array([[1.0, 2.0], [3.0, 4.0]]), np.arange(16.0).reshape(4, 4), padding=1)


@pytest.mark.question("conv2d")
def test_conv2d_with_a_one_by_one_kernel_and_stride_two(student, reference):
    """conv2d with a 1×1 kernel and stride 2 keeps every other pixel, times the kernel"""
    check_conv2d(student, reference, np.arange(30.0).reshape(5, 6), np.array([[3.0]]), stride=2)


@pytest.mark.question("conv2d")
def test_conv2d_returns_floats_for_integer_inputs(student, reference):
    """conv2d returns exact floats for integer inputs: a fractional kernel, uint8 products past 255"""
    image = np.array([[-3, 1, 0, 2], [4, -2, -1, 1], [0, 3, -4, 2], [1, -1, 2, -3]])
    check_conv2d(student, reference, image, np.array([[-1, 2], [0, -3]]), stride=1, padding=1)
    check_conv2d(student, reference, image, np.array([[0.5, -1.5], [0.25, 2.0]]), stride=(1, 2), padding=(0, 1))
    check_conv2d(student, reference, np.array([[200, 100, 250], [50, 255, 120], [90, 0, 30]], dtype=np.uint8),
                 np.array([[3, 2], [1, 4]], dtype=np.uint8), padding=1)


@pytest.mark.question("conv2d")
def test_conv2d_rejects_bad_strides_paddings_and_kernels(student, reference):
    """conv2d raises ValueError for a stride < 1, a negative padding or a kernel larger than the padded image"""
    check_rejects(student, reference, "conv2d", [
        ((EXAMPLE_IMAGE, EXAMPLE_KERNEL), {"stride": 0}, "the stride must be at least 1"),
        ((EXAMPLE_IMAGE, EXAMPLE_KERNEL), {"stride": (1, 0)}, "the stride must be at least 1 (here the width's)"),
        ((EXAMPLE_IMAGE, EXAMPLE_KERNEL), {"stride": (-1, 2)}, "the stride must be at least 1 (here the height's)"),
        ((EXAMPLE_IMAGE, EXAMPLE_KERNEL), {"padding": -1}, "a padding cannot be negative"),
        ((EXAMPLE_IMAGE, EXAMPLE_KERNEL), {"padding": (0, -1)}, "a padding cannot be negative (here the width's)"),
        ((EXAMPLE_SMALL, np.ones((5, 1))), {"padding": 1}, "a 5×1 kernel is taller than the padded image (4×5)"),
        ((EXAMPLE_SMALL, np.ones((1, 4))), {"padding": (2, 0)}, "a 1×4 kernel is wider than the padded image (6×3)"),
    ])
    check_conv2d(student, reference, EXAMPLE_SMALL, np.arange(12.0).reshape(4, 3) - 5, stride=(1, 2), padding=(1, 0))
