"""Hidden tests of zero_pad: zeros on each side of the last two axes, dtype kept."""

import numpy as np
import pytest
from hypothesis import example, given, settings

from cnn_checks import EXAMPLE_SMALL, EXAMPLE_STACK, check_rejects, check_zero_pad, images_or_stacks, int_or_pair


@pytest.mark.question("zero_pad")
@settings(max_examples=15)
@given(x=images_or_stacks(), pad=int_or_pair(0, 3))
@example(x=EXAMPLE_SMALL, pad=(1, 2))
@example(x=EXAMPLE_STACK, pad=1)
def test_zero_pad_matches_reference_on_generated_inputs(student, reference, x, pad):
    """zero_pad matches the reference on generated images, stacks and paddings"""
    check_zero_pad(student, reference, x, pad)


@pytest.mark.question("zero_pad")
def test_zero_pad_keeps_the_dtype_of_x(student, reference):
    """zero_pad returns an array of x's dtype: int64, int32, uint8, float32 and bool"""
    values = np.array([[1, 0, 2], [3, 255, 0]])
    for dtype in (np.int64, np.int32, np.uint8, np.float32, np.bool_):
        check_zero_pad(student, reference, values.astype(dtype), 1)
    check_zero_pad(student, reference, np.stack([values, 2 * values]).astype(np.float32), (1, 0))


@pytest.mark.question("zero_pad")
def test_zero_pad_pads_height_and_width_separately(student, reference):
    """zero_pad with a pair (ph, pw) pads the height by ph and the width by pw"""
    check_zero_pad(student, reference, np.arange(1.0, 7.0).reshape(3, 2), (2, 1))
    check_zero_pad(student, reference, np.arange(1.0, 7.0).reshape(3, 2), (0, 1))


@pytest.mark.question("zero_pad")
def test_zero_pad_pads_every_channel(student, reference):
    """zero_pad pads each channel of a (C, H, W) stack and never the channel axis"""
    check_zero_pad(student, reference, np.arange(12.0).reshape(3, 2, 2) - 5, 1)


@pytest.mark.question("zero_pad")
def test_zero_pad_by_zero_returns_the_input_values(student, reference):
    """zero_pad with padding 0 returns the input's values unchanged"""
    check_zero_pad(student, reference, np.array([[-1.5, 2.0], [3.0, -4.0]]), 0)


@pytest.mark.question("zero_pad")
def test_zero_pad_rejects_bad_dimensions_and_negative_padding(student, reference):
    """zero_pad raises ValueError for an x that is not 2-D or 3-D or a negative padding, and pads by (0, 1)"""
    check_rejects(student, reference, "zero_pad", [
        ((np.ones(3), 1), {}, "x must have shape (H, W) or (C, H, W), not (3,)"),
        ((np.ones((2, 1, 3, 3)), 1), {}, "x must have shape (H, W) or (C, H, W), not (2, 1, 3, 3)"),
        ((EXAMPLE_SMALL, -1), {}, "a padding cannot be negative"),
        ((EXAMPLE_SMALL, (0, -1)), {}, "a padding cannot be negative (here the width's)"),
        ((EXAMPLE_STACK, (-2, 1)), {}, "a padding cannot be negative (here the height's)"),
    ])
    check_zero_pad(student, reference, EXAMPLE_STACK, (0, 1))
