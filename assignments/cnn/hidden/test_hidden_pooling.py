"""Hidden tests of pool2d: max, average and L2 pooling over windows that fit."""

import numpy as np
import pytest
from hypothesis import example, given, settings

from cnn_checks import EXAMPLE_LARGE, EXAMPLE_POOL, EXAMPLE_STACK, check_pool2d, check_rejects, pool2d_inputs


@pytest.mark.question("pool2d")
@settings(max_examples=10)
@given(case=pool2d_inputs(modes=("max",)))
@example(case=(EXAMPLE_POOL, (2, 2), (2, 1), "max"))
@example(case=(EXAMPLE_STACK, 2, 1, "max"))
@example(case=(EXAMPLE_POOL, 2, (1, 2), "max"))
def test_pool2d_max_matches_reference(student, reference, case):
    """pool2d max pooling matches the reference on generated inputs, sizes and strides"""
    check_pool2d(student, reference, *case)


@pytest.mark.question("pool2d")
@settings(max_examples=10)
@given(case=pool2d_inputs(modes=("avg",)))
@example(case=(EXAMPLE_POOL, (2, 3), (1, 2), "avg"))
def test_pool2d_avg_matches_reference(student, reference, case):
    """pool2d average pooling matches the reference on generated inputs, sizes and strides"""
    check_pool2d(student, reference, *case)


@pytest.mark.question("pool2d")
@settings(max_examples=10)
@given(case=pool2d_inputs(modes=("l2",)))
@example(case=(EXAMPLE_POOL, (3, 2), (1, 3), "l2"))
def test_pool2d_l2_matches_reference(student, reference, case):
    """pool2d L2 pooling matches the reference on generated inputs, sizes and strides"""
    check_pool2d(student, reference, *case)


@pytest.mark.question("pool2d")
@settings(max_examples=10)
@given(case=pool2d_inputs(default_stride=True))
@example(case=(EXAMPLE_POOL, 2, None, "max"))
@example(case=(EXAMPLE_POOL, (2, 3), None, "avg"))
@example(case=(EXAMPLE_STACK, (1, 2), None, "l2"))
def test_pool2d_stride_defaults_to_the_size(student, reference, case):
    """pool2d without a stride moves by the pool size (generated inputs, every mode)"""
    check_pool2d(student, reference, *case)


@pytest.mark.question("pool2d")
def test_pool2d_drops_windows_that_do_not_fit(student, reference):
    """pool2d of a 5×5 input with 2×2 windows drops the last row and column"""
    check_pool2d(student, reference, np.arange(25.0).reshape(5, 5), 2, mode="max")
    check_pool2d(student, reference, np.arange(25.0).reshape(5, 5), 2, mode="avg")


@pytest.mark.question("pool2d")
def test_pool2d_pools_channels_independently(student, reference):
    """pool2d pools each channel of a (C, H, W) stack on its own"""
    x = np.stack([np.arange(16.0).reshape(4, 4), -np.arange(16.0).reshape(4, 4), np.eye(4)])
    check_pool2d(student, reference, x, 2, stride=1, mode="max")


@pytest.mark.question("pool2d")
def test_pool2d_with_pair_size_and_stride(student, reference):
    """pool2d uses (Ph, Pw) and (Sh, Sw) pairs on the right axes"""
    x = np.arange(42.0).reshape(6, 7) % 9 - 4
    check_pool2d(student, reference, x, (2, 3), stride=(3, 2), mode="avg")


@pytest.mark.question("pool2d")
def test_pool2d_max_of_negative_and_large_values(student, reference):
    """pool2d max pooling returns negative maxima (not 0, not a sentinel such as −9999) and maxima far above 9999"""
    check_pool2d(student, reference, -np.arange(1.0, 17.0).reshape(4, 4), 2, mode="max")
    check_pool2d(student, reference, EXAMPLE_LARGE, 2, stride=1, mode="max")
    check_pool2d(student, reference, EXAMPLE_LARGE[0], (2, 3), stride=(1, 2), mode="max")
    check_pool2d(student, reference, EXAMPLE_LARGE, (3, 1), mode="max")


@pytest.mark.question("pool2d")
def test_pool2d_l2_takes_the_square_root(student, reference):
    """pool2d L2 pooling of the window [3, 4] is 5"""
    check_pool2d(student, reference, np.array([[3.0, 4.0], [-6.0, 8.0]]), (1, 2), mode="l2")


@pytest.mark.question("pool2d")
def test_pool2d_returns_floats_for_integer_inputs(student, reference):
    """pool2d returns exact floats for integer inputs: fractional averages, uint8 squares past 255"""
    check_pool2d(student, reference, np.array([[1, 2, 4], [3, 5, 6], [0, 7, 9]]), 2, stride=1, mode="avg")
    check_pool2d(student, reference, np.array([[[1, -2, 4], [3, 5, -6]]]), (1, 2), stride=1, mode="max")
    check_pool2d(student, reference, np.array([[200, 30, 255], [16, 100, 7]], dtype=np.uint8), (2, 2), stride=1,
                 mode="l2")


@pytest.mark.question("pool2d")
def test_pool2d_of_large_values_in_every_mode(student, reference):
    """pool2d averages and L2-pools values of magnitude up to 10⁶ exactly"""
    check_pool2d(student, reference, EXAMPLE_LARGE, (2, 2), stride=(1, 3), mode="avg")
    check_pool2d(student, reference, EXAMPLE_LARGE, (3, 2), stride=1, mode="l2")


@pytest.mark.question("pool2d")
def test_pool2d_rejects_unknown_modes_and_windows_that_do_not_fit(student, reference):
    """pool2d raises ValueError for an unknown mode, a size or stride < 1, a window larger than the input or an
    input that is not 2-D or 3-D"""
    check_rejects(student, reference, "pool2d", [
        ((EXAMPLE_POOL, 2), {"mode": "median"}, 'the mode must be "max", "avg" or "l2"'),
        ((EXAMPLE_POOL, 2), {"mode": "MAX"}, 'the mode must be "max", "avg" or "l2" (lower case)'),
        ((EXAMPLE_POOL, 0), {}, "the pool size must be at least 1"),
        ((EXAMPLE_POOL, (2, 0)), {}, "the pool size must be at least 1 (here the width's)"),
        ((EXAMPLE_POOL, 2), {"stride": (1, 0)}, "the stride must be at least 1"),
        ((EXAMPLE_POOL, (5, 2)), {}, "a 5×2 window is taller than the 4×5 input"),
        ((EXAMPLE_STACK, (2, 6)), {}, "a 2×6 window is wider than the 3×5 maps"),
        ((np.ones(4), 2), {}, "x must have shape (H, W) or (C, H, W), not (4,)"),
        ((np.ones((1, 2, 3, 3)), 2), {}, "x must have shape (H, W) or (C, H, W), not (1, 2, 3, 3)"),
    ])
    check_pool2d(student, reference, EXAMPLE_POOL, (4, 5), mode="l2")
