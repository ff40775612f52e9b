"""Hidden tests of the kernels, which have no single right value: edge_kernel and blur_kernel
are judged by what they do to generated images (a failure names the property and shows the
image), and must reject what their docstrings reject."""

import numpy as np
import pytest
from hypothesis import example, given

from architecture_checks import (
    blur_cases,
    check_blur_kernel,
    check_edge_kernel,
    check_rejects,
    edge_image_settings,
)

LECTURE_STEP = dict(constant=1.0, profile=np.array([1.0, 0.0]), before=1.0, after=0.0, extra=(6, 5), edge_at=1)


@pytest.mark.question("edge_kernel")
@given(settings=edge_image_settings())
@example(settings=LECTURE_STEP)
def test_vertical_edge_kernel_finds_vertical_edges_only(student, reference, settings):
    """edge_kernel("vertical") gives 0 on a constant image and on one that changes only from row to row, and
    responds at, and only next to, a vertical step edge"""
    check_edge_kernel(student, reference, "vertical", **settings)


@pytest.mark.question("edge_kernel")
@given(settings=edge_image_settings())
@example(settings=LECTURE_STEP)
def test_horizontal_edge_kernel_finds_horizontal_edges_only(student, reference, settings):
    """edge_kernel("horizontal") gives 0 on a constant image and on one that changes only from column to column,
    and responds at, and only next to, a horizontal step edge"""
    check_edge_kernel(student, reference, "horizontal", **settings)


@pytest.mark.question("edge_kernel")
def test_edge_kernel_rejects_other_directions(student, reference):
    """edge_kernel raises ValueError for a direction other than "vertical" or "horizontal", and still gives a
    vertical kernel"""
    check_rejects(student, reference, "edge_kernel", [
        (("diagonal",), "only vertical and horizontal edges are asked for"),
        (("Vertical",), "the direction is spelled in lower case"),
    ])
    check_edge_kernel(student, reference, "vertical", **LECTURE_STEP)


@pytest.mark.question("blur_kernel")
@given(case=blur_cases())
@example(case=(3, np.array([[3.0, -1, 4, 1.5], [2, -6, 5, 3], [9, -7, 9, 3]]), 2.5))
def test_blur_kernel_averages(student, reference, case):
    """blur_kernel(size) is size×size, leaves a constant image unchanged and keeps every output between the
    image's smallest and largest value"""
    check_blur_kernel(student, reference, *case)


@pytest.mark.question("blur_kernel")
def test_blur_kernel_of_size_one_keeps_the_image(student, reference):
    """blur_kernel(1) is a 1×1 average: the image comes back as it was"""
    check_blur_kernel(student, reference, 1, np.array([[3.0, -1.0], [0.5, 7.0]]), -2.0)


@pytest.mark.question("blur_kernel")
def test_blur_kernel_rejects_sizes_below_one(student, reference):
    """blur_kernel raises ValueError for a size below 1, and still blurs with size 2"""
    check_rejects(student, reference, "blur_kernel", [
        ((0,), "a kernel has at least one row and column"),
        ((-3,), "a kernel has at least one row and column"),
    ])
    check_blur_kernel(student, reference, 2, np.array([[1.0, -4.0, 2.0], [6.0, 0.5, -1.0]]), 4.0)
