"""Hidden tests of parameter counting and sharing: dense_param_count and conv_as_matrix."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from architecture_checks import check_conv_as_matrix, check_dense_param_count, check_rejects


@pytest.mark.question("dense_param_count")
def test_dense_param_count_of_the_lectures_megapixel_layer(student, reference):
    """dense_param_count of a 1-megapixel input into 10³ units is 10⁹ weights and 10³ biases"""
    check_dense_param_count(student, reference, 10**6, 10**3)
    check_dense_param_count(student, reference, 10**6, 10**3, bias=False)


@pytest.mark.question("dense_param_count")
@settings(max_examples=20)
@given(n_in=st.integers(1, 5000), n_out=st.integers(1, 5000), bias=st.booleans())
@example(n_in=4, n_out=3, bias=True)
def test_dense_param_count_matches_reference(student, reference, n_in, n_out, bias):
    """dense_param_count matches the reference on generated layer sizes, with and without biases"""
    check_dense_param_count(student, reference, n_in, n_out, bias=bias)


@pytest.mark.question("dense_param_count")
def test_dense_param_count_rejects_sizes_below_one(student, reference):
    """dense_param_count raises ValueError when n_in or n_out is below 1, and counts a 1-to-1 layer"""
    check_rejects(student, reference, "dense_param_count", [
        ((0, 10), "a layer has at least one input"),
        ((10, 0), "a layer has at least one unit"),
        ((-2, 3), "a layer has at least one input"),
    ])
    check_dense_param_count(student, reference, 1, 1)


@st.composite
def matrix_cases(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    """(a 1-D kernel of length f, an input length n ≥ f)."""
    f = draw(st.integers(1, 5))
    kernel = draw(st.lists(st.integers(-9, 9).map(float), min_size=f, max_size=f))
    return np.array(kernel), draw(st.integers(f, 10))


@pytest.mark.question("conv_as_matrix")
@settings(max_examples=20)
@given(case=matrix_cases())
@example(case=(np.array([1.0, -2.0, 0.5]), 6))
def test_conv_as_matrix_matches_reference(student, reference, case):
    """conv_as_matrix matches the reference: (n − f + 1) rows, each the kernel shifted by one column"""
    check_conv_as_matrix(student, reference, *case)


@pytest.mark.question("conv_as_matrix")
def test_conv_as_matrix_of_the_lectures_three_inputs(student, reference):
    """conv_as_matrix of a length-3 kernel: only three inputs affect an output, with the same three weights"""
    check_conv_as_matrix(student, reference, np.array([1.0, 2.0, 3.0]), 7)


@pytest.mark.question("conv_as_matrix")
def test_conv_as_matrix_kernel_as_long_as_the_input(student, reference):
    """conv_as_matrix of a kernel as long as the input is one row, the kernel itself; integer kernels give
    floats"""
    check_conv_as_matrix(student, reference, np.array([4.0, -1.0, 2.0]), 3)
    check_conv_as_matrix(student, reference, np.array([2, 5]), 4)


@pytest.mark.question("conv_as_matrix")
def test_conv_as_matrix_rejects_kernels_that_do_not_fit(student, reference):
    """conv_as_matrix raises ValueError for a kernel longer than n, an empty or a 2-D kernel"""
    check_rejects(student, reference, "conv_as_matrix", [
        ((np.ones(4), 3), "the kernel (4) is longer than the input (3)"),
        ((np.ones(0), 3), "an empty kernel has no output"),
        ((np.ones((2, 2)), 5), "the kernel must be 1-D"),
    ])
    check_conv_as_matrix(student, reference, np.array([1.0, -1.0]), 2)
