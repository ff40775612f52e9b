"""Hidden tests of cross_correlate2d: the lecture's S(i, j), valid positions, no flip."""

import numpy as np
import pytest
from hypothesis import example, given, settings

from cnn_checks import (
    EXAMPLE_IMAGE,
    EXAMPLE_KERNEL,
    EXAMPLE_SMALL,
    check_cross_correlate2d,
    check_rejects,
    conv2d_inputs,
)


@pytest.mark.question("cross_correlate2d")
@settings(max_examples=15)
@given(case=conv2d_inputs())
@example(case=(EXAMPLE_IMAGE, EXAMPLE_KERNEL, 1, 0))
def test_cross_correlate2d_matches_reference_on_generated_inputs(student, reference, case):
    """cross_correlate2d matches the reference on generated images and kernels"""
    image, kernel, _, _ = case
    check_cross_correlate2d(student, reference, image, kernel)


@pytest.mark.question("cross_correlate2d")
def test_cross_correlate2d_does_not_flip_the_kernel(student, reference):
    """cross_correlate2d multiplies each window by the kernel as it is (no flip)"""
    image = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 0.0, 1.0]])
    check_cross_correlate2d(student, reference, image, np.array([[1.0, 2.0], [3.0, 4.0]]))


@pytest.mark.question("cross_correlate2d")
def test_cross_correlate2d_with_a_one_by_one_kernel_scales_the_image(student, reference):
    """cross_correlate2d with a 1×1 kernel returns the image times the kernel's value"""
    check_cross_correlate2d(student, reference, np.arange(12.0).reshape(3, 4) - 6, np.array([[-2.0]]))


@pytest.mark.question("cross_correlate2d")
def test_cross_correlate2d_with_a_kernel_as_large_as_the_image(student, reference):
    """cross_correlate2d with a kernel the size of the image returns one 1×1 value"""
    image = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    check_cross_correlate2d(student, reference, image, np.array([[2.0, 1.0, 0.0], [-1.0, 3.0, 1.0]]))


@pytest.mark.question("cross_correlate2d")
def test_cross_correlate2d_on_non_square_image_and_kernel(student, reference):
    """cross_correlate2d handles a non-square image with a non-square kernel"""
    kernel = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]])
    check_cross_correlate2d(student, reference, np.arange(24.0).reshape(4, 6), kernel)


@pytest.mark.question("cross_correlate2d")
def test_cross_correlate2d_returns_floats_for_integer_inputs(student, reference):
    """cross_correlate2d returns exact floats for integer inputs: a fractional kernel, uint8 products past 255"""
    image = np.array([[3, -1, 2, 0], [1, 4, -2, 5], [0, 2, 1, -3]])
    check_cross_correlate2d(student, reference, image, np.array([[1, -1], [2, 0]]))
    check_cross_correlate2d(student, reference, image, np.array([[0.5, -1.25], [2.0, 0.75]]))
    check_cross_correlate2d(student, reference, np.array([[200, 100, 250], [50, 255, 120]], dtype=np.uint8),
                            np.array([[3, 2], [1, 4]], dtype=np.uint8))


@pytest.mark.question("cross_correlate2d")
def test_cross_correlate2d_rejects_arguments_that_do_not_fit(student, reference):
    """cross_correlate2d raises ValueError for a kernel taller or wider than the image or not 2-D arguments"""
    check_rejects(student, reference, "cross_correlate2d", [
        ((EXAMPLE_SMALL, np.ones((3, 1))), {}, "a 3×1 kernel is taller than the 2×3 image"),
        ((EXAMPLE_SMALL, np.ones((1, 4))), {}, "a 1×4 kernel is wider than the 2×3 image"),
        ((EXAMPLE_SMALL, np.ones((3, 4))), {}, "a 3×4 kernel is larger than the 2×3 image"),
        ((EXAMPLE_SMALL[None], np.ones((1, 1))), {}, "the image must be 2-D"),
        ((EXAMPLE_SMALL, np.ones(2)), {}, "the kernel must be 2-D"),
    ])
    check_cross_correlate2d(student, reference, EXAMPLE_SMALL, EXAMPLE_KERNEL)
