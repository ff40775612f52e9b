"""Hidden tests of the size formulas: conv_output_size, conv_param_count, conv_output_shape."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cnn_checks import check_conv_output_shape, check_conv_output_size, check_conv_param_count, check_rejects


@st.composite
def sizes(draw: st.DrawFn) -> tuple[int, int, int, int]:
    """(n, f, padding, stride) with the kernel fitting in the padded input."""
    n, padding, stride = draw(st.integers(1, 64)), draw(st.integers(0, 5)), draw(st.integers(1, 5))
    return n, draw(st.integers(1, n + 2 * padding)), padding, stride


@pytest.mark.question("conv_output_size")
@settings(max_examples=25)
@given(case=sizes())
@example(case=(8, 3, 1, 2))
def test_conv_output_size_matches_reference(student, reference, case):
    """conv_output_size matches the reference on generated sizes, paddings and strides"""
    check_conv_output_size(student, reference, *case)


@pytest.mark.question("conv_output_size")
def test_conv_output_size_without_padding_or_stride(student, reference):
    """conv_output_size of a 32-pixel input and a 5-pixel kernel is 28"""
    check_conv_output_size(student, reference, 32, 5)


@pytest.mark.question("conv_output_size")
def test_conv_output_size_rounds_down(student, reference):
    """conv_output_size rounds (n + 2P − F) / S down when the stride does not divide it"""
    check_conv_output_size(student, reference, 8, 3, stride=2)
    check_conv_output_size(student, reference, 7, 3, padding=1, stride=3)


@pytest.mark.question("conv_output_size")
def test_conv_output_size_counts_padding_on_both_sides(student, reference):
    """conv_output_size adds the padding on both sides: 5 + 2·1 − 3 + 1 = 5"""
    check_conv_output_size(student, reference, 5, 3, padding=1)


@pytest.mark.question("conv_output_size")
def test_conv_output_size_rejects_impossible_sizes(student, reference):
    """conv_output_size raises ValueError for f < 1, stride < 1, padding < 0, n < 1 or f > n + 2P, and counts the
    positions when f is close to n + 2P"""
    check_rejects(student, reference, "conv_output_size", [
        ((5, 0), {}, "the kernel size f must be at least 1"),
        ((5, 3), {"stride": 0}, "the stride must be at least 1"),
        ((5, 3), {"stride": -2}, "the stride must be at least 1"),
        ((5, 3), {"padding": -1}, "the padding cannot be negative"),
        ((0, 1), {}, "the input size n must be at least 1"),
        ((0, 1), {"padding": 1}, "the input size n must be at least 1, even with padding"),
        ((3, 6), {"padding": 1}, "the kernel (6) is larger than the padded input (3 + 2·1)"),
    ])
    check_conv_output_size(student, reference, 3, 5, padding=1)
    check_conv_output_size(student, reference, 6, 5, padding=2, stride=2)


@pytest.mark.question("conv_param_count")
@settings(max_examples=25)
@given(d_in=st.integers(1, 512), f=st.integers(1, 11), n_k=st.integers(1, 512), bias=st.booleans())
@example(d_in=3, f=2, n_k=4, bias=True)
def test_conv_param_count_matches_reference(student, reference, d_in, f, n_k, bias):
    """conv_param_count matches the reference on generated layer sizes, with and without biases"""
    check_conv_param_count(student, reference, d_in, f, n_k, bias=bias)


@pytest.mark.question("conv_param_count")
def test_conv_param_count_of_a_first_layer(student, reference):
    """conv_param_count of 96 kernels of 11×11 over 3 channels is 96·11·11·3 + 96"""
    check_conv_param_count(student, reference, 3, 11, 96)


@pytest.mark.question("conv_param_count")
def test_conv_param_count_without_bias(student, reference):
    """conv_param_count with bias=False counts the weights only"""
    check_conv_param_count(student, reference, 16, 3, 32, bias=False)


@pytest.mark.question("conv_param_count")
def test_conv_param_count_rejects_dimensions_below_one(student, reference):
    """conv_param_count raises ValueError when d_in, f or n_k is less than 1, and counts the smallest layers"""
    check_rejects(student, reference, "conv_param_count", [
        ((0, 3, 8), {}, "the input depth d_in must be at least 1"),
        ((3, 0, 8), {}, "the kernel size f must be at least 1"),
        ((3, 3, 0), {}, "the number of kernels n_k must be at least 1"),
        ((3, -2, 8), {}, "the kernel size f must be at least 1"),
        ((-1, 3, 8), {"bias": False}, "the input depth d_in must be at least 1"),
    ])
    check_conv_param_count(student, reference, 1, 1, 1)
    check_conv_param_count(student, reference, 2, 3, 4, bias=False)


@pytest.mark.question("conv_output_shape")
@settings(max_examples=25)
@given(case=sizes(), width=st.integers(1, 64), d_in=st.integers(1, 16), n_k=st.integers(1, 16))
@example(case=(9, 3, 1, 2), width=12, d_in=3, n_k=5)
def test_conv_output_shape_matches_reference(student, reference, case, width, d_in, n_k):
    """conv_output_shape matches the reference on generated shapes, paddings and strides"""
    height, f, padding, stride = case
    check_conv_output_shape(student, reference, (d_in, height, max(width, f - 2 * padding)), n_k, f,
                            padding=padding, stride=stride)


@pytest.mark.question("conv_output_shape")
def test_conv_output_shape_depth_is_the_number_of_kernels(student, reference):
    """conv_output_shape of (3, 32, 32) with 10 kernels of 5×5 is (10, 28, 28)"""
    check_conv_output_shape(student, reference, (3, 32, 32), 10, 5)


@pytest.mark.question("conv_output_shape")
def test_conv_output_shape_of_a_non_square_input(student, reference):
    """conv_output_shape computes the height and the width of a non-square input separately"""
    check_conv_output_shape(student, reference, (1, 9, 14), 4, 3, padding=1, stride=2)


@pytest.mark.question("conv_output_shape")
def test_conv_output_shape_rejects_impossible_shapes(student, reference):
    """conv_output_shape raises ValueError for an input_shape without three entries, n_k or D_in below 1, or an
    axis conv_output_size rejects, and accepts a kernel exactly as large as the padded input"""
    check_rejects(student, reference, "conv_output_shape", [
        (((32, 32), 4, 3), {}, "input_shape must be (D_in, H, W)"),
        (((1, 3, 32, 32), 4, 3), {}, "input_shape must be (D_in, H, W)"),
        (((3, 8, 8), 0, 3), {}, "the number of kernels n_k must be at least 1"),
        (((0, 8, 8), 4, 3), {}, "the input depth D_in must be at least 1"),
        (((3, 2, 8), 4, 3), {}, "the 3×3 kernel is taller than the input (height 2)"),
        (((3, 8, 2), 4, 3), {}, "the 3×3 kernel is wider than the input (width 2)"),
        (((3, 8, 8), 4, 3), {"padding": -1}, "the padding cannot be negative"),
        (((3, 8, 8), 4, 3), {"stride": 0}, "the stride must be at least 1"),
    ])
    check_conv_output_shape(student, reference, (1, 3, 4), 1, 5, padding=1)
    check_conv_output_shape(student, reference, (2, 7, 6), 3, 5, stride=2)
