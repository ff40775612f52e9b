"""How feedback shows values: small ones as a TA would write them, none beyond its bound."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import Call, expect_array
from autograder.feedback import CUT, MAX_CALL_CHARS, MAX_VALUE_CHARS, Feedback, describe_call, format_value
from autograder.sandbox import Unsupported


@pytest.mark.parametrize("value, shown", [
    (3, "3"),
    ((1, 2), "(1, 2)"),
    ((1,), "(1,)"),
    (np.array([[1, 2]]), "array of shape 1×2, dtype int64:\n    [[1, 2]]"),
    (np.zeros((10, 10)), "array of shape 10×10, dtype float64 (too large to show)"),
    ("x" * (MAX_VALUE_CHARS + 1), "'" + "x" * (MAX_VALUE_CHARS - len(CUT) - 1) + CUT),
], ids=["int", "tuple", "one-item tuple", "small array", "large array", "long string"])
def test_format_value(value, shown):
    assert format_value(value) == shown


@pytest.mark.parametrize("value", [
    "é" * 4096,
    (10**600,) * 1024,
    ((("x" * 4000,) * 30,) * 30),
    tuple(np.arange(64.0) for _ in range(1024)),
], ids=["longest string", "longest tuple of the longest ints", "nested tuples of strings", "tuple of arrays"])
def test_no_value_is_shown_in_more_than_its_bound(value):
    shown = format_value(value)

    assert len(shown) <= MAX_VALUE_CHARS and shown.endswith(CUT)


def test_a_call_is_shown_in_at_most_its_bound():
    shown = describe_call("conv2d", ("x" * 4000,) * 10, {"stride": "y" * 4000})

    assert len(shown) <= MAX_CALL_CHARS and shown.startswith("conv2d('xxx") and shown.endswith(CUT)


@pytest.mark.parametrize("got", ["A" * 4096, Unsupported("str of 250000 characters", "'AAAA'"),
                                 Unsupported("T" * 4096, "P" * 4096)], ids=["string", "unsupported", "forged"])
def test_a_value_of_the_wrong_type_is_shown_within_its_bound(got):
    call = Call.of(lambda x: x, np.ones(2))

    with pytest.raises(Feedback) as failed:
        expect_array(got, np.ones(2), call=call)

    assert len(failed.value.message) < 2 * MAX_VALUE_CHARS + 300
