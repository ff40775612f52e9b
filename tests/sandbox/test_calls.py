"""What an honest submission's calls come back as, through a real worker."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.sandbox import Failed, Raised, Returned
from autograder.student import StudentFunctions
from tests.sandbox.helpers import FUNCTIONS, sandbox_processes

pytestmark = pytest.mark.sandbox


def test_returned_array_arrives_as_a_plain_equal_array(open_box):
    box = open_box("honest")
    x = np.array([[-1.5, 2.0], [0.0, -3.0]])

    reply = box.call("relu", x)

    assert isinstance(reply, Returned)
    assert type(reply.value) is np.ndarray
    np.testing.assert_array_equal(reply.value, np.maximum(x, 0))
    assert reply.mutated == ()
    assert 0 < reply.seconds < 1


def test_ints_tuples_and_keyword_arguments_cross_both_ways(open_box):
    box = open_box("honest")

    assert box.call("conv_output_size", 7, 3, pad=1, stride=2).value == 4
    assert box.call("pool2d", np.zeros((2, 3), dtype=np.int8)).value == (2, 3)


def test_student_exception_keeps_type_message_and_only_student_frames(open_box):
    box = open_box("honest")

    reply = box.call("conv2d", np.zeros((0, 0)))

    assert isinstance(reply, Raised)
    assert reply.type_name == "ValueError"
    assert reply.message == "empty input"
    assert reply.traceback == ("cnn.py, line 26, in conv2d: return _check(x)[::stride, ::stride]",
                               "cnn.py, line 31, in _check: raise ValueError(\"empty input\")")


def test_student_exception_class_is_named_without_the_module(open_box):
    reply = open_box("honest").call("conv2d", np.zeros(3))

    assert isinstance(reply, Raised)
    assert (reply.type_name, reply.message) == ("ShapeError", "expected a 2-d input, got 1-d")


def test_in_place_changes_are_reported_by_parameter_name(open_box):
    box = open_box("honest")
    x = np.ones((2, 2))

    assert box.call("pool2d", x).mutated == ("x",)
    np.testing.assert_array_equal(x, np.ones((2, 2)))  # the grader's own array is untouched
    assert box.call("conv_stage", np.ones(2), np.ones(3)).mutated == ("arrays[0]", "arrays[1]")
    assert box.call("relu", x).mutated == ()


def test_calling_a_missing_function_raises_attribute_error(open_box):
    reply = open_box("infinite_loop").call("pool2d", np.ones(2))

    assert isinstance(reply, Raised)
    assert reply.type_name == "AttributeError"


def test_student_output_is_captured(open_box):
    box = open_box("honest")
    box.call("relu", np.ones(1))

    assert box.output() == "honest module imported\n"


def test_worker_starts_only_at_the_first_call(open_box):
    box = open_box("honest")

    assert sandbox_processes(box) == []
    box.call("relu", np.ones(1))
    assert sandbox_processes(box) != []


def test_close_ends_the_worker_and_can_be_repeated(open_box):
    box = open_box("honest")
    box.call("relu", np.ones(1))

    box.close()
    box.close()

    assert sandbox_processes(box) == []
    with pytest.raises(RuntimeError):
        box.call("relu", np.ones(1))


def test_grader_mistakes_raise_in_the_grader(open_box):
    box = open_box("honest")

    with pytest.raises(ValueError):
        box.call("not_a_graded_function")
    with pytest.raises(TypeError):
        box.call("relu", {1, 2, 3})  # a set is not plain data


def test_numpy_scalar_arguments_arrive_as_python_numbers(open_box):
    reply = open_box("honest").call("conv_output_size", np.int64(7), np.int32(3), pad=np.int8(0))

    assert reply.value == 5 and type(reply.value) is int


def test_a_list_comes_back_as_a_list(open_box):
    reply = open_box("sneaky_returns").call("conv2d", "list", np.arange(3.0))

    assert reply.value == [0.0, 1.0, 2.0] and type(reply.value) is list


def test_sandbox_works_as_a_context_manager(open_box, tmp_path):
    box = open_box("honest")
    with box as same:
        assert same is box
        assert isinstance(box.call("relu", np.ones(1)), Returned)
    with pytest.raises(RuntimeError):
        box.call("relu", np.ones(1))


def test_failed_import_is_remembered_and_fails_fast(open_box, tmp_path):
    source = tmp_path / "submission.py"
    source.write_text("import numpy as np\n\n\ndef relu(x)\n    return np.maximum(x, 0)\n")
    box = open_box(source)

    first = box.call("relu", np.ones(1))
    second = box.call("zero_pad", np.ones(1), 1)

    assert isinstance(first, Failed) and first.kind == "import"
    assert first.message == "cnn.py could not be imported: SyntaxError: expected ':' (cnn.py, line 4)"
    assert (second.kind, second.message, second.seconds) == ("import", first.message, 0.0)


def test_exception_at_import_skips_only_the_statement_that_raised(open_box):
    box = open_box("raise_at_import")

    reply = box.call("relu", np.ones(1))

    assert isinstance(reply, Returned)
    assert "line 9: skipped top-level code (ValueError: the dataset file is missing)" in box.output()


def test_an_in_place_change_is_seen_by_the_grader_even_if_the_worker_check_is_rewired(open_box):
    box = open_box("hide_mutation")

    reply = box.call("relu", np.array([[-1.0, 2.0]]))

    assert isinstance(reply, Returned)
    assert reply.mutated == ("x",)


ALIASING = '''
import numpy as np


def zero_pad(x, pad):
    return x if pad == 0 else np.pad(x, pad)


def conv2d(x, w):
    return x[::2], np.ascontiguousarray(w.T)


def relu(x):
    return np.maximum(x, 0, out=x)
'''


@pytest.mark.parametrize("function, args, aliased", [
    ("zero_pad", (np.ones((2, 2)), 0), ("x",)),
    ("zero_pad", (np.ones((2, 2)), 1), ()),
    ("conv2d", (np.ones((4, 4)), np.ones((2, 3))), ("x",)),
])
def test_a_result_that_shares_memory_with_an_argument_is_reported(open_box, tmp_path, function, args, aliased):
    source = tmp_path / "aliasing.py"
    source.write_text(ALIASING)

    reply = open_box(source).call(function, *args)

    assert isinstance(reply, Returned)
    assert reply.aliased == aliased
    assert reply.mutated == ()


def test_a_result_written_into_its_argument_is_both_aliased_and_mutated(open_box, tmp_path):
    source = tmp_path / "aliasing.py"
    source.write_text(ALIASING)

    reply = open_box(source).call("relu", np.array([-1.0, 1.0]))

    assert (reply.aliased, reply.mutated) == (("x",), ("x",))


def test_a_student_exception_class_reports_its_nearest_builtin_ancestor(open_box):
    box = open_box("honest")

    own = box.call("conv2d", np.zeros(3))
    builtin = box.call("conv2d", np.zeros((0, 0)))

    assert (own.type_name, own.builtin) == ("ShapeError", "ValueError")
    assert (builtin.type_name, builtin.builtin) == ("ValueError", "ValueError")


REACHING = '''
def zero_pad(x, pad):
    return [0] * pad


def conv2d(x, w):
    return zero_pad(x, 1).shape


def conv_stage(x):
    return conv2d(x, x)


def relu(x):
    return conv_output_size(1, 1) + relu_helper(x)


def relu_helper(x):
    return 0


def conv_output_size(n, k):
    return n - k + 1
'''


@pytest.mark.parametrize("function, args, reached", [
    ("conv2d", (np.ones(2), np.ones(2)), ("zero_pad",)),  # raised: a list has no shape
    ("conv_stage", (np.ones(2),), ("zero_pad", "conv2d")),
    ("relu", (np.ones(2),), ("conv_output_size",)),  # returned; a helper that is not graded is not named
    ("zero_pad", (np.ones(2), 1), ()),
])
def test_each_reply_names_the_other_graded_functions_the_call_reached(open_box, tmp_path, function, args, reached):
    source = tmp_path / "reaching.py"
    source.write_text(REACHING)

    reply = open_box(source).call(function, *args)

    assert isinstance(reply, (Returned, Raised))
    assert reply.reached == reached


def test_a_student_exception_class_is_raised_in_the_grader_as_its_builtin_ancestor(open_box):
    student = StudentFunctions(open_box("honest"), FUNCTIONS)

    with pytest.raises(ValueError) as raised:
        student.conv2d(np.zeros(3))
    assert type(raised.value) is ValueError
    assert str(raised.value) == "ShapeError: expected a 2-d input, got 1-d"
    assert raised.value.raised_by_student


def test_a_graded_function_seen_in_a_student_traceback_counts_as_reached(open_box, tmp_path):
    source = tmp_path / "reaching.py"
    source.write_text("_pad = None\n\n\ndef zero_pad(x, pad):\n    return x.missing\n\n\n"
                      "def conv2d(x, w):\n    return _pad(x, 1)\n\n\n_pad = zero_pad  # bound before the worker wraps it\n")
    student = StudentFunctions(open_box(source), FUNCTIONS)

    with pytest.raises(AttributeError):
        student.conv2d(np.ones(2), np.ones(2))
    assert student.reached == {"zero_pad"}
    student.forget_reached()
    assert student.reached == frozenset()
