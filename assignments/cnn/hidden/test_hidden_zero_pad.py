"""Hidden tests of zero_pad: zeros on each side of the last two axes, dtype kept."""

import numpy as np
import pytest
from hypothesis import example, given, settings

from cnn_checks import EXAMPLE_SMALL, EXAMPLE_STACK, check_zero_pad, images_or_stacks, int_or_pair


@pytest.mark.question("zero_pad")
@settings(max_examples=15)
@given(x=images_or_stacks(), pad=int_or_pair(0, 3))
@example(x=EXAMPLE_SMALL, pad=(1, 2))
@example(x=EXAMPLE_STACK, pad=1)
def test_zero_pad_matches_reference_on_generated_inputs(student, reference, x, pad):
    """zero_pad matches the reference on generated images, stacks and paddings"""
    check_zero_pad(student, reference, x, pad)


@pytest.mark.question("zero_pad")
def test_zero_pad_keeps_an_integer_dtype(student, reference):
    """zero_pad returns an array of the input's integer dtype"""
    check_zero_pad(student, reference, np.arange(1, 7, dtype=np.int64).reshape(2, 3), 1)


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
