"""The suite runner, on a small toy assignment, with the in-process stand-in sandbox.

These check how tests become points and feedback. The real sandbox is exercised by
tests/sandbox and by the end-to-end tests on the cnn assignment.
"""

import time
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.errors import GraderFault
from autograder import plugin
from autograder.runner import grade_file, grade_submission, root_causes
from autograder.spec import load_assignment
from tests.support.inprocess import InProcessSandbox

CONFIG = """\
name = "toy"
student_file = "toy.py"
reference = "reference.py"
[forbidden]
functions = ["numpy.convolve"]
[points]
double = 4
negate = 2
"""

REFERENCE = "def double(x):\n    return 2 * x\n\ndef negate(x):\n    return -x\n"

PUBLIC = '''\
import pytest

@pytest.mark.question("double")
def test_double_two(student):
    """double(2) is 4"""
    assert student.double(2) == 4, f"double(2) returned {student.double(2)!r}; expected 4"
'''

HIDDEN = '''\
import pytest
from autograder.feedback import Feedback

SECRET_MARKER = "hidden-source-must-not-leak"

@pytest.mark.question("double")
def test_double_many(student, reference):
    """double doubles every number"""
    for x in range(5):
        got, expected = student.double(x), reference.double(x)
        if got == x and x:
            raise Feedback(f"double({x}) returned {got}; expected {expected}", misconception="forgot to double")
        if got != expected:
            raise Feedback(f"double({x}) returned {got}; expected {expected}")

@pytest.mark.question("negate")
def test_negate_positive(student):
    """negate flips a positive number"""
    assert student.negate(3) == -3, "negate(3) should be -3"

@pytest.mark.question("negate")
def test_negate_zero(student):
    """negate keeps zero"""
    assert student.negate(0) == 0, SECRET_MARKER if False else "negate(0) should be 0"
'''


def make_toy(tmp_path: Path, hidden: str = HIDDEN) -> Path:
    folder = tmp_path / "toy"
    (folder / "public").mkdir(parents=True)
    (folder / "hidden").mkdir()
    (folder / "assignment.toml").write_text(CONFIG)
    (folder / "reference.py").write_text(REFERENCE)
    (folder / "public" / "test_public_toy.py").write_text(PUBLIC)
    (folder / "hidden" / "test_hidden_toy.py").write_text(hidden)
    return folder


def grade(tmp_path: Path, student_code: str, hidden: str = HIDDEN):
    assignment = load_assignment(make_toy(tmp_path, hidden))
    student = tmp_path / "toy.py"
    student.write_text(student_code)
    return grade_file(assignment, student, sandbox_factory=InProcessSandbox)


def test_the_reference_gets_full_marks(tmp_path):
    result = grade(tmp_path, REFERENCE)
    assert (result.score, result.max_score) == (6, 6)
    assert all(t.passed for t in result.tests)


def test_question_points_are_split_evenly_over_its_tests(tmp_path):
    result = grade(tmp_path, REFERENCE)
    assert sorted(t.max_score for t in result.tests if t.question == "double") == [2, 2]
    assert sorted(t.max_score for t in result.tests if t.question == "negate") == [1, 1]


def test_a_wrong_function_loses_only_its_question(tmp_path):
    result = grade(tmp_path, "def double(x):\n    return 2 * x\n\ndef negate(x):\n    return x\n")
    assert result.question("double").score == 4
    assert result.question("negate").score == 1  # negate(0) == 0 still passes: 1 of 2 points


def test_feedback_message_and_misconception_reach_the_student(tmp_path):
    result = grade(tmp_path, "def double(x):\n    return x\n\ndef negate(x):\n    return -x\n")
    failed = next(t for t in result.tests if t.name.startswith("double: double doubles"))
    assert failed.output == "double(1) returned 1; expected 2"
    assert failed.misconceptions == ("forgot to double",)
    assert "forgot to double" in result.summary


def test_test_names_carry_question_title_and_kind(tmp_path):
    names = {t.name for t in grade(tmp_path, REFERENCE).tests}
    assert "double: double(2) is 4 (public)" in names
    assert "negate: negate keeps zero (hidden)" in names


def test_student_exception_is_reported_with_its_type(tmp_path):
    code = "def double(x):\n    raise IndexError('oops')\n\ndef negate(x):\n    return -x\n"
    failed = next(t for t in grade(tmp_path, code).tests if t.question == "double")
    assert failed.output.startswith("Your code raised IndexError: oops")
    assert "Called as double(2)" in failed.output


def test_statically_forbidden_api_zeroes_the_question(tmp_path):
    code = "import numpy as np\n\ndef double(x):\n    np.convolve([1], [1])\n    return 2 * x\n\ndef negate(x):\n    return -x\n"
    result = grade(tmp_path, code)
    assert result.question("double").score == 0
    assert result.question("double").forbidden == ("numpy.convolve",)
    assert result.question("negate").score == 2


def test_a_bug_in_a_test_is_an_internal_error_with_a_staff_note(tmp_path):
    broken = HIDDEN.replace('assert student.negate(3) == -3, "negate(3) should be -3"', "1 / 0")
    result = grade(tmp_path, REFERENCE, hidden=broken)
    failed = next(t for t in result.tests if "flips" in t.name)
    assert "internal error" in failed.output
    assert any("ZeroDivisionError" in note for note in result.staff_notes)


def test_hidden_test_source_never_appears_in_feedback(tmp_path):
    result = grade(tmp_path, "def double(x):\n    return 0\n\ndef negate(x):\n    return 0\n")
    document = str(result.to_gradescope())
    assert "SECRET_MARKER" not in document and "student.negate(3)" not in document


def test_a_test_without_a_question_marker_is_a_grader_fault(tmp_path):
    hidden = HIDDEN + "\ndef test_unmarked(student):\n    pass\n"
    with pytest.raises(GraderFault, match="needs @pytest.mark.question"):
        grade(tmp_path, REFERENCE, hidden=hidden)


def test_a_question_without_tests_is_a_grader_fault(tmp_path):
    hidden = HIDDEN.replace('@pytest.mark.question("negate")', '@pytest.mark.question("double")')
    with pytest.raises(GraderFault, match="question 'negate' has no tests"):
        grade(tmp_path, REFERENCE, hidden=hidden)


def test_a_submission_that_cannot_be_found_is_an_error_result(tmp_path):
    assignment = load_assignment(make_toy(tmp_path))
    (tmp_path / "sub").mkdir()
    result = grade_submission(assignment, tmp_path / "sub", sandbox_factory=InProcessSandbox)
    assert result.status == "error: no toy.py in the submission"
    assert result.score == 0 and [q.max_score for q in result.questions] == [4, 2]


def test_fingerprint_names_the_submission_bytes(tmp_path):
    import hashlib

    result = grade(tmp_path, REFERENCE)
    assert result.fingerprint["submission"] == hashlib.sha256(REFERENCE.encode()).hexdigest()


def test_a_student_exception_under_hypothesis_shows_no_grader_paths(tmp_path):
    hidden = HIDDEN.replace(
        '@pytest.mark.question("double")\ndef test_double_many(student, reference):',
        '@pytest.mark.question("double")\n@given(st.integers())\ndef test_double_many(student, reference, n):',
    ).replace("import pytest\n", "import pytest\nfrom hypothesis import given, strategies as st\n", 1)
    code = "def double(x):\n    raise IndexError('oops')\n\ndef negate(x):\n    return -x\n"
    failed = next(t for t in grade(tmp_path, code, hidden=hidden).tests if "doubles every" in t.name)
    assert failed.output.startswith("Your code raised IndexError: oops")
    assert "reference" not in failed.output and "Falsifying" not in failed.output
    assert str(tmp_path) not in failed.output


# ---------------------------------------------------------------- root causes, with the real sandbox

ON_NEGATE = "def double(x):\n    return -negate(2 * x)\n\ndef negate(x):\n    return x\n"
FAILS_ALONE = '''
@pytest.mark.question("double")
def test_double_fails_alone(student):
    """a test that fails without calling the student"""
    raise AssertionError("fails on its own")
'''


@pytest.mark.sandbox
def test_a_failure_through_another_failing_graded_function_names_it_first(tmp_path):
    assignment = load_assignment(make_toy(tmp_path, HIDDEN + FAILS_ALONE))
    (tmp_path / "toy.py").write_text(ON_NEGATE)

    result = grade_file(assignment, tmp_path / "toy.py")
    outputs = {t.name: t.output for t in result.tests}

    assert outputs["double: double(2) is 4 (public)"].splitlines()[0] == \
        "double failed inside your negate: fix negate first"
    assert outputs["double: double doubles every number (hidden)"].startswith(
        "double failed inside your negate: fix negate first\ndouble(1) returned -2; expected 2")
    assert outputs["double: a test that fails without calling the student (hidden)"] == "fails on its own"
    assert outputs["negate: negate flips a positive number (hidden)"].startswith("negate(3) should be -3")


@pytest.mark.sandbox
def test_a_graded_function_whose_own_tests_pass_is_never_blamed(tmp_path):
    assignment = load_assignment(make_toy(tmp_path))
    (tmp_path / "toy.py").write_text("def double(x):\n    return negate(-x) * 3\n\ndef negate(x):\n    return -x\n")

    result = grade_file(assignment, tmp_path / "toy.py")

    assert result.question("negate").score == 2
    assert not any("inside your" in t.output for t in result.tests)


def record(nodeid: str, question: str, passed: bool, reached: tuple[str, ...] = ()) -> plugin.TestRecord:
    return plugin.TestRecord(nodeid, nodeid, question, public=False, passed=passed, reached=reached)


def test_root_causes_name_the_deepest_failing_function_reached():
    records = [
        record("pad", "zero_pad", False),
        record("conv", "conv2d", False, ("zero_pad",)),
        record("stage", "conv_stage", False, ("conv2d", "zero_pad")),
        record("layer", "conv_layer", False, ("conv2d", "conv_stage", "relu", "zero_pad")),
        record("relu", "relu", True),
        record("relu-reaches", "relu", True, ("zero_pad",)),
    ]

    assert root_causes(records) == {"conv": ("zero_pad",), "stage": ("zero_pad",), "layer": ("zero_pad",)}


def test_root_causes_name_every_failing_function_when_none_explains_another():
    records = [record("a", "relu", False), record("b", "zero_pad", False),
               record("c", "conv_layer", False, ("relu", "zero_pad"))]

    assert root_causes(records) == {"c": ("relu", "zero_pad")}


def test_root_causes_of_functions_that_call_each_other_name_both():
    records = [record("a", "relu", False, ("zero_pad",)), record("b", "zero_pad", False, ("relu",))]

    assert root_causes(records) == {"a": ("zero_pad",), "b": ("relu",)}


# ---------------------------------------------------------------- the cnn assignment, end to end

CRASH_AT_EVERY_CALL = "import os\nimport time\n\ntime.sleep(1.5)  # most of the import time limit\n\n" + "".join(
    f"def {name}(*args, **kwargs):\n    os._exit(1)\n\n" for name in load_assignment("cnn").questions)


@pytest.mark.slow
@pytest.mark.sandbox
def test_a_zero_pad_returning_a_list_is_named_as_the_cause_of_the_cascade(tmp_path):
    cnn = load_assignment("cnn")
    reference = cnn.reference.read_text()
    start = reference.index("def zero_pad(")
    end = reference.index("\ndef ", start + 1)
    submission = tmp_path / "cnn.py"
    submission.write_text(reference[:start] + "def zero_pad(x, pad):\n    return [[0.0]]\n\n" + reference[end:])

    result = grade_file(cnn, submission)

    for question in ("conv2d", "conv_stage", "conv_layer"):
        failed = [t for t in result.tests if t.question == question and not t.passed]
        assert failed, question
        assert {t.output.splitlines()[0] for t in failed} == \
            {f"{question} failed inside your zero_pad: fix zero_pad first"}
    assert not any("inside your" in t.output for t in result.tests if t.question == "zero_pad")


@pytest.mark.slow
@pytest.mark.sandbox
def test_a_file_that_imports_slowly_and_crashes_at_every_call_stops_at_the_submission_budget(tmp_path):
    """Issue 9 item 8: with the cnn limits such a file took 736 s; each crash restarts the
    worker, which imports the file again."""
    cnn = load_assignment("cnn")
    cnn = replace(cnn, limits=replace(cnn.limits, import_seconds=2.0, submission_seconds=20.0))
    student = tmp_path / "submission" / "cnn.py"
    student.parent.mkdir()
    student.write_text(CRASH_AT_EVERY_CALL)

    started = time.monotonic()
    result = grade_file(cnn, student, private_paths=(tmp_path,))
    seconds = time.monotonic() - started

    assert result.score == 0
    assert seconds < 80  # 20 s of budget, then one call's limits; without the budget over 150 s
    budget = "the submission used up its time budget of 20 s; the remaining tests were not run"
    assert any(budget in test.output for test in result.tests)


# ---------------------------------------------------------------- with the real sandbox


def test_a_missing_function_is_named_with_the_nearest_defined_one(tmp_path):
    """The worker's failed lookup becomes one line naming the assignment's file, not
    "Your code raised AttributeError: module 'toy' has no attribute ..." and an empty traceback."""
    assignment = load_assignment(make_toy(tmp_path))
    student = tmp_path / "toy.py"
    student.write_text("def double(x):\n    return 2 * x\n\ndef Negate_(x):\n    return -x\n")
    failed = [t for t in grade_file(assignment, student).tests if t.question == "negate"]
    assert failed and all(t.output.startswith("toy.py defines no function `negate`; did you mean `Negate_`?\n")
                          for t in failed)
    assert not any("AttributeError" in t.output or "Traceback" in t.output for t in failed)


def test_a_missing_function_without_a_near_name_gets_no_guess(tmp_path):
    assignment = load_assignment(make_toy(tmp_path))
    student = tmp_path / "toy.py"
    student.write_text("def double(x):\n    return 2 * x\n\ndef helper(x):\n    return -x\n")
    failed = [t for t in grade_file(assignment, student).tests if t.question == "negate"]
    assert {t.output.partition("\n")[0] for t in failed} == {"toy.py defines no function `negate`"}


def test_an_exception_raised_outside_the_students_frames_shows_no_empty_traceback(tmp_path):
    assignment = load_assignment(make_toy(tmp_path))
    student = tmp_path / "toy.py"
    student.write_text("import operator\n\ndouble = operator.truediv\n\ndef negate(x):\n    return -x\n")
    failed = next(t for t in grade_file(assignment, student).tests if t.name == "double: double(2) is 4 (public)")
    assert failed.output.startswith("Your code raised TypeError: ")
    assert "Traceback in your code" not in failed.output and "\nCalled as double(2)" in failed.output


@pytest.mark.parametrize("encoded", [
    b"\xef\xbb\xbf" + REFERENCE.replace("\n", "\r\n").encode(),
    "# r\u00e9sum\u00e9 in Latin-1\n".encode("latin-1") + REFERENCE.encode(),
], ids=["utf-8 BOM and CRLF", "latin-1"])
def test_a_file_saved_by_another_editor_gets_full_marks(tmp_path, encoded):
    assignment = load_assignment(make_toy(tmp_path))
    (tmp_path / "toy.py").write_bytes(encoded)
    result = grade_submission(assignment, tmp_path / "toy.py")
    assert (result.status, result.score) == ("graded", 6)
