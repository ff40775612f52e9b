"""The generic checks: what a student reads when a value is wrong, as exact strings."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Callable

import numpy as np
import pytest

from autograder.checks import (
    MODIFIED_IN_PLACE,
    RETURNED_ARGUMENT,
    Call,
    Confirmation,
    Example,
    Misconception,
    expect_array,
    expect_int,
    expect_int_tuple,
    expect_raises,
    expect_rows,
    expect_unmodified,
)
from autograder.feedback import Feedback
from autograder.sandbox import Unsupported


def scale(x, factor=2):
    """A graded function for these tests: its signature names the parameters."""
    return x * factor


def size(n, stride=1):
    """Another one, with int arguments."""
    return n // stride


SCALE = Call.of(scale, np.array([[1.0, 2.0]]))
SIZE = Call.of(size, 7, stride=2)
ROW = np.array([[2.0, 4.0]])
CALLED_SCALE = "Called as scale(\n    array of shape 1×2, dtype float64:\n        [[1., 2.]]\n)"
ANSWERS_ROW = "Expected array of shape 1×2, dtype float64:\n    [[2., 4.]]\nGot array of shape 1×2, dtype float64:\n"

def table(input_shape, layers):
    """A graded function that returns rows."""
    return []


TABLE = Call.of(table, (1, 4, 4), [("pool", 2, 2), ("flatten",)])
ROWS = [("pool", (1, 2, 2), 0), ("flatten", (4,), 0)]
TABLE_SUMMARY = "input_shape (1, 4, 4), layers [('pool', 2, 2), ('flatten',)]"

FAILURES = [
    pytest.param(
        lambda: expect_rows([("pool", (1, 3, 3), 0), ("flatten", (9,), 0)], ROWS, call=TABLE,
                            fields=("kind", "output shape", "params")),
        f"table returned a wrong row for {TABLE_SUMMARY}: row 1 (pool): output shape (1, 2, 2) expected, got "
        "(1, 3, 3).\nCalled as table((1, 4, 4), [('pool', 2, 2), ('flatten',)])\nExpected [('pool', (1, 2, 2), 0), "
        "('flatten', (4,), 0)]\nGot [('pool', (1, 3, 3), 0), ('flatten', (9,), 0)]",
        None,
        id="a table: the first wrong row and field",
    ),
    pytest.param(
        lambda: expect_rows([("pool", (1, 2, 2), 0)], ROWS, call=TABLE, fields=("kind", "output shape", "params")),
        f"table returned 1 rows; expected 2 for {TABLE_SUMMARY}: row 2 (flatten) is missing.\nCalled as "
        "table((1, 4, 4), [('pool', 2, 2), ('flatten',)])\nExpected [('pool', (1, 2, 2), 0), ('flatten', (4,), 0)]"
        "\nGot [('pool', (1, 2, 2), 0)]",
        None,
        id="a table with a row missing",
    ),
    pytest.param(
        lambda: expect_array(Unsupported("list", "[[2.0, 4.0]]"), ROW, call=SCALE),
        "scale returned a value of type list: [[2.0, 4.0]]; expected a numpy array (np.ndarray) for x of shape "
        f"1×2, factor 2.\n{CALLED_SCALE}",
        None,
        id="a list instead of an array",
    ),
    pytest.param(
        lambda: expect_array(np.array([[2, 4]]), ROW, call=SCALE, dtype_kind="f"),
        "scale returned an array of dtype int64; expected a float array (float64 or float32) for x of shape 1×2, "
        "factor 2: convert the inputs to floats before computing, e.g. np.asarray(x, dtype=float), so that integer "
        f"inputs give exact float results.\n{CALLED_SCALE}",
        None,
        id="an int array where floats are asked",
    ),
    pytest.param(
        lambda: expect_array(ROW, np.array([[2, 4]]), call=SCALE, dtype_kind=None),
        "scale returned an array of dtype float64; expected dtype int64, the dtype of the input, for x of shape 1×2, "
        "factor 2: make the new array with the input's dtype, e.g. np.zeros(shape, dtype=x.dtype) (np.zeros and "
        f"np.ones make float64 arrays unless given dtype=...).\n{CALLED_SCALE}",
        None,
        id="another dtype where the exact dtype is asked",
    ),
    pytest.param(
        lambda: expect_array(np.array([2.0, 4.0]), ROW, call=SCALE),
        f"scale returned shape (2,); expected (1, 2) for x of shape 1×2, factor 2.\n{CALLED_SCALE}\n"
        "Expected array of shape 1×2, dtype float64:\n    [[2., 4.]]\nGot array of shape 2, dtype float64:\n"
        "    [2., 4.]",
        None,
        id="wrong shape",
    ),
    pytest.param(
        lambda: expect_array(np.array([[2.0]]), ROW, call=SCALE,
                             misconceptions=[Misconception("first column only", ROW[:, :1], "Use every column.")]),
        f"scale returned shape (1, 1); expected (1, 2) for x of shape 1×2, factor 2. Use every column.\n"
        f"{CALLED_SCALE}\nExpected array of shape 1×2, dtype float64:\n    [[2., 4.]]\n"
        "Got array of shape 1×1, dtype float64:\n    [[2.]]",
        "first column only",
        id="wrong shape matching a misconception",
    ),
    pytest.param(
        lambda: expect_array(np.array([[2.0, 5.0]]), ROW, call=SCALE),
        "scale returned wrong values for x of shape 1×2, factor 2: at index (0, 1) expected 4.0, got 5.0.\n"
        f"{CALLED_SCALE}\n{ANSWERS_ROW}    [[2., 5.]]",
        None,
        id="wrong value at the first differing index",
    ),
    pytest.param(
        lambda: expect_array(np.array([[1.0, 2.0]]), ROW, call=SCALE,
                             misconceptions=[Misconception("factor ignored", ROW / 2, "Multiply by factor.")]),
        "scale returned wrong values for x of shape 1×2, factor 2: at index (0, 0) expected 2.0, got 1.0. "
        f"Multiply by factor.\n{CALLED_SCALE}\n{ANSWERS_ROW}    [[1., 2.]]",
        "factor ignored",
        id="wrong values matching a misconception",
    ),
    pytest.param(
        lambda: expect_array(np.array([[2.0, 5.0]]), ROW, call=SCALE,
                             misconceptions=[Misconception("harmless here", ROW, "Not this one.")]),
        "scale returned wrong values for x of shape 1×2, factor 2: at index (0, 1) expected 4.0, got 5.0.\n"
        f"{CALLED_SCALE}\n{ANSWERS_ROW}    [[2., 5.]]",
        None,
        id="a misconception whose answer is right is never named",
    ),
    pytest.param(
        lambda: expect_array(np.array([[1.0, 2.0]]), ROW, call=SCALE,
                             misconceptions=[Misconception("factor ignored", ROW / 2, "Multiply by factor."),
                                             Misconception("halved", ROW / 2, "Do not halve.")]),
        "scale returned wrong values for x of shape 1×2, factor 2: at index (0, 0) expected 2.0, got 1.0. "
        "Your answer matches 2 common mistakes: (1) Multiply by factor. (2) Do not halve.\n"
        f"{CALLED_SCALE}\n{ANSWERS_ROW}    [[1., 2.]]",
        None,
        id="an answer two misconceptions give is explained but not named",
    ),
    pytest.param(
        lambda: expect_int(Unsupported("numpy.int64", "3"), 3, call=SIZE),
        "size returned a value of type numpy.int64: 3; expected a Python int for n 7, stride 2 (convert a numpy "
        "or float result with int(...)).\nCalled as size(7, stride=2)",
        None,
        id="a numpy integer instead of an int",
    ),
    pytest.param(
        lambda: expect_int(3.0, 3, call=SIZE),
        "size returned a value of type float: 3.0; expected a Python int for n 7, stride 2 (convert a numpy or "
        "float result with int(...)).\nCalled as size(7, stride=2)",
        None,
        id="a float instead of an int",
    ),
    pytest.param(
        lambda: expect_int(4, 3, call=SIZE),
        "size returned 4; expected 3 for n 7, stride 2.\nCalled as size(7, stride=2)",
        None,
        id="wrong int",
    ),
    pytest.param(
        lambda: expect_int(7, 3, call=SIZE, misconceptions=[Misconception("stride ignored", 7, "Divide by it.")]),
        "size returned 7; expected 3 for n 7, stride 2. Divide by it.\nCalled as size(7, stride=2)",
        "stride ignored",
        id="wrong int matching a misconception",
    ),
    pytest.param(
        lambda: expect_int_tuple(Unsupported("list", "[1, 2]"), (1, 2), call=SIZE),
        "size returned a value of type list: [1, 2]; expected a tuple of Python ints for n 7, stride 2 (build it "
        "with tuple(int(v) for v in ...)).\nCalled as size(7, stride=2)",
        None,
        id="a list instead of a tuple",
    ),
    pytest.param(
        lambda: expect_int_tuple((1, Unsupported("numpy.int64", "2")), (1, 2), call=SIZE),
        "size returned a tuple whose entry 1 is a value of type numpy.int64: 2; expected a tuple of Python ints "
        "for n 7, stride 2 (build it with tuple(int(v) for v in ...)).\nCalled as size(7, stride=2)",
        None,
        id="a tuple holding a numpy integer",
    ),
    pytest.param(
        lambda: expect_int_tuple((1, 3), (1, 2), call=SIZE,
                                 misconceptions=[Misconception("off by one", (1, 3), "Subtract one.")]),
        "size returned (1, 3); expected (1, 2) for n 7, stride 2. Subtract one.\nCalled as size(7, stride=2)",
        "off by one",
        id="wrong tuple matching a misconception",
    ),
    pytest.param(
        lambda: expect_raises(ValueError, call=Call.of(size, 0), functions=SimpleNamespace(size=lambda n: 0),
                              because="n must be at least 1"),
        "size returned 0; expected a ValueError for n 0, stride 1, because n must be at least 1.\n"
        "Called as size(0)",
        None,
        id="returned instead of raising",
    ),
    pytest.param(
        lambda: expect_raises(ValueError, call=Call.of(size, 0), functions=SimpleNamespace(size=lambda n: 1 // n),
                              because="n must be at least 1"),
        "size raised ZeroDivisionError: integer division or modulo by zero; expected a ValueError for n 0, "
        "stride 1, because n must be at least 1.\nCalled as size(0)",
        None,
        id="raised another exception",
    ),
    pytest.param(
        lambda: expect_unmodified(SimpleNamespace(scale=scale, last_mutated=("x",), last_aliased=()), SCALE,
                                  expect_scaled),
        "scale modified its argument x in place for x of shape 1×2, factor 2. A function must leave its inputs "
        "unchanged: write the result into a new array (e.g. start from np.array(x, dtype=float)) instead of "
        f"assigning into an argument or using an in-place operator such as +=, **= or out=.\n{CALLED_SCALE}",
        MODIFIED_IN_PLACE,
        id="argument modified in place",
    ),
    pytest.param(
        lambda: expect_unmodified(SimpleNamespace(scale=lambda x: x, last_mutated=(), last_aliased=("x",)), SCALE,
                                  expect_scaled),
        "scale returned its argument x itself (or a view of it) for x of shape 1×2, factor 2. A function must "
        "return a new array, even when nothing needs to change (a padding of 0, no negative values): return a "
        "copy such as x.copy() or np.array(x, dtype=float), not the argument, a slice, a reshape or np.asarray of "
        f"it.\n{CALLED_SCALE}",
        RETURNED_ARGUMENT,
        id="argument returned instead of a new array",
    ),
    pytest.param(
        lambda: expect_unmodified(SimpleNamespace(scale=lambda x: np.zeros((1, 2)), last_mutated=(), last_aliased=()),
                                  SCALE, expect_scaled),
        "scale returned wrong values for x of shape 1×2, factor 2: at index (0, 0) expected 2.0, got 0.0.\n"
        f"{CALLED_SCALE}\n{ANSWERS_ROW}    [[0., 0.]]",
        None,
        id="inputs unchanged but the answer wrong",
    ),
    pytest.param(
        lambda: expect_array(np.array([True, False]), np.array([True, True]), call=SCALE, dtype_kind=None),
        "scale returned wrong values for x of shape 1×2, factor 2: at index (1,) expected True, got False.\n"
        f"{CALLED_SCALE}\nExpected array of shape 2, dtype bool:\n    [ True,  True]\n"
        "Got array of shape 2, dtype bool:\n    [ True, False]",
        None,
        id="wrong booleans",
    ),
]


def expect_scaled(got) -> None:
    """The answer check that ``expect_unmodified`` is given: ``got`` must be ``scale``'s answer."""
    expect_array(got, ROW, call=SCALE)


@pytest.mark.parametrize(("check", "message", "misconception"), FAILURES)
def test_failed_check_explains_what_was_wrong(check: Callable[[], None], message: str, misconception: str | None):
    with pytest.raises(Feedback) as failure:
        check()
    assert failure.value.message == message
    assert failure.value.misconception == misconception


PASSES = [
    pytest.param(lambda: expect_array(ROW + 1e-9, ROW, call=SCALE), id="array equal within tolerance"),
    pytest.param(lambda: expect_array(np.array([[2, 4]]), ROW, call=SCALE), id="int array with the right values"),
    pytest.param(lambda: expect_array(np.array([[2, 4]]), np.array([[2, 4]]), call=SCALE, dtype_kind=None),
                 id="exact dtype kept"),
    pytest.param(lambda: expect_int(3, 3, call=SIZE), id="right int"),
    pytest.param(lambda: expect_int_tuple((1, 2), (1, 2), call=SIZE), id="right tuple"),
    pytest.param(lambda: expect_raises(ValueError, call=Call.of(size, 0),
                                       functions=SimpleNamespace(size=lambda n: int("x")), because="n < 1"),
                 id="raised the expected exception"),
    pytest.param(lambda: expect_unmodified(SimpleNamespace(scale=scale, last_mutated=(), last_aliased=()), SCALE,
                                           expect_scaled),
                 id="nothing modified, a new array, the right answer"),
    pytest.param(lambda: expect_array(np.array([[2, 4]], dtype=np.float32), ROW, call=SCALE, dtype_kind="f"),
                 id="float32 where floats are asked"),
    pytest.param(lambda: expect_array(np.array([[1.4e-6, 50.0]], dtype=np.float32), np.array([[0.0, 50.0]]),
                                      call=SCALE, dtype_kind="f"),
                 id="float32 sum that cancels, off by float32 rounding"),
    pytest.param(lambda: expect_array(np.array([True, False]), np.array([True, False]), call=SCALE, dtype_kind=None),
                 id="booleans equal"),
]


@pytest.mark.parametrize("check", PASSES)
def test_check_of_a_right_answer_passes(check: Callable[[], None]):
    check()


def test_float32_tolerance_is_float32_rounding_not_a_mistake():
    with pytest.raises(Feedback):
        expect_array(np.array([[1e-3, 50.0]], dtype=np.float32), np.array([[0.0, 50.0]]), call=SCALE, dtype_kind="f")


def test_call_summary_names_every_parameter_defaults_included():
    assert Call.of(size, 7).summary() == "n 7, stride 1"


def test_call_runs_on_anything_with_the_function_as_an_attribute():
    assert SIZE.run(SimpleNamespace(size=size)) == 3


# Confirmation: a misconception is named only when the student reproduces it on a second call.

HALVED = "factor ignored"
SECOND = Call.of(scale, np.array([[1.0, 2.0, 3.0]]), factor=4)


def second_example(halved: np.ndarray = np.array([[1.0, 2.0, 3.0]])) -> Example:
    """The second call, its right answer, and what "factor ignored" and another mistake answer."""
    return Example(SECOND, np.array([[4.0, 8.0, 12.0]]),
                   [Misconception(HALVED, halved, "Multiply by factor."),
                    Misconception("squared", np.array([[1.0, 4.0, 9.0]]), "Do not square.")])


def check_with_confirmation(student_scale: Callable, example: Example) -> Feedback:
    """Check a wrong answer to SCALE that equals "factor ignored"'s, confirmed on ``example``."""
    confirmation = Confirmation(SimpleNamespace(scale=student_scale), lambda: [example])
    with pytest.raises(Feedback) as failure:
        expect_array(np.array([[1.0, 2.0]]), ROW, call=SCALE,
                     misconceptions=[Misconception(HALVED, ROW / 2, "Multiply by factor.", confirmation)])
    return failure.value


def test_misconception_reproduced_on_the_second_call_is_named():
    failure = check_with_confirmation(lambda x, factor=2: x, second_example())
    assert failure.misconception == HALVED
    assert "Multiply by factor." in failure.message


def test_misconception_not_reproduced_on_the_second_call_is_neither_named_nor_advised():
    failure = check_with_confirmation(lambda x, factor=2: x * 3, second_example())
    assert failure.misconception is None
    assert "Multiply by factor." not in failure.message


def test_second_call_that_raises_confirms_nothing():
    failure = check_with_confirmation(lambda x, factor=2: 1 / 0, second_example())
    assert failure.misconception is None
    assert "Multiply by factor." not in failure.message


def test_second_call_where_another_mistake_gives_the_same_answer_confirms_nothing():
    squared_too = second_example(halved=np.array([[1.0, 4.0, 9.0]]))
    failure = check_with_confirmation(lambda x, factor=2: x**2, squared_too)
    assert failure.misconception is None
    assert "Multiply by factor." not in failure.message


def test_later_second_call_is_used_when_the_first_cannot_tell_the_mistake_apart():
    right_there = second_example(halved=np.array([[4.0, 8.0, 12.0]]))
    confirmation = Confirmation(SimpleNamespace(scale=lambda x, factor=2: x), lambda: [right_there, second_example()])
    assert confirmation.reproduces(HALVED)


def test_of_two_mistakes_matching_the_first_call_only_the_reproduced_one_is_named():
    example = second_example()
    confirmation = Confirmation(SimpleNamespace(scale=lambda x, factor=2: x), lambda: [example])
    with pytest.raises(Feedback) as failure:
        expect_array(np.array([[1.0, 2.0]]), ROW, call=SCALE,
                     misconceptions=[Misconception("squared", ROW / 2, "Do not square.", confirmation),
                                     Misconception(HALVED, ROW / 2, "Multiply by factor.", confirmation)])
    assert failure.value.misconception == HALVED
    assert "Do not square." not in failure.value.message


def test_second_calls_are_made_only_when_a_first_answer_matches():
    calls = []
    confirmation = Confirmation(SimpleNamespace(scale=lambda x, factor=2: calls.append(x)), lambda: [second_example()])
    with pytest.raises(Feedback):
        expect_array(np.array([[7.0, 7.0]]), ROW, call=SCALE,
                     misconceptions=[Misconception(HALVED, ROW / 2, "Multiply by factor.", confirmation)])
    assert calls == []


def test_a_failing_check_writes_out_its_arrays_only_when_its_message_is_read(monkeypatch: pytest.MonkeyPatch):
    import autograder.checks as checks_module

    written: list[object] = []
    monkeypatch.setattr(checks_module, "format_value", lambda value: written.append(value) or "<shown>")
    with pytest.raises(Feedback) as raised:
        expect_array(np.array([[9.0, 9.0]]), np.array([[2.0, 4.0]]), call=SCALE)
    assert written == []  # hypothesis shrinks through many such failures and shows one
    message = raised.value.message
    assert "Expected <shown>\nGot <shown>" in message and len(written) == 2
    assert str(raised.value) == raised.value.message == message and len(written) == 2
