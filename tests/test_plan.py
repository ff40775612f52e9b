"""The plan: hypothesis inputs recorded once on the reference and replayed for every student.

On a toy assignment with the in-process stand-in: what is recorded is exactly what
hypothesis draws without the recorder, a changed suite never replays an old plan, the plan
shipped in an assignment folder (the zip's) is the one used, and a failing student gets
the feedback hypothesis gives without a plan. With the plan the suites' tests are called
directly, in no pytest session (``autograder.fastpath``), unless a test needs what only
pytest does. The whole cnn corpus, the samples and the hostile files are compared with and
without the plan in tests/test_plan_parity.py.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.plan import CACHE_ENV, PLAN_FILE, LearnedAnswers, cached_plan, plan_key, read_plan, write_plan
from autograder.plugin import HYPOTHESIS_PROFILE
from autograder.runner import current_plan, grade_file, record_plan
from autograder.spec import Assignment, load_assignment
from tests.support.inprocess import InProcessSandbox

CONFIG = """\
name = "toy"
student_file = "toy.py"
reference = "reference.py"
[points]
scale = 4
"""

REFERENCE = "def scale(values, factor):\n    return tuple(v * factor for v in values)\n"

# The test pytest is running when the public test runs is appended to the file named by SESSIONS.
PUBLIC = '''\
import os
import pytest

@pytest.mark.question("scale")
def test_scale_two(student):
    """scale([1], 2) is [2]"""
    with open(os.environ["SESSIONS"], "a") as log:
        log.write(os.environ.get("PYTEST_CURRENT_TEST", "") + "\\n")
    assert student.scale((1,), 2) == (2,)
'''

# Tests that need more of pytest than a call: a fixture of its own, and a skip mark.
NEEDS_PYTEST = '''\
import pytest

@pytest.mark.question("scale")
def test_scale_into_a_file(student, tmp_path):
    """scale's answer can be written out"""
    (tmp_path / "out.txt").write_text(repr(student.scale((1, 2), 3)))
    assert (tmp_path / "out.txt").read_text() == "(3, 6)"

@pytest.mark.question("scale")
@pytest.mark.skip(reason="not graded this term")
def test_scale_skipped(student):
    assert False
'''

# Every input the inner test gets is appended, as JSON, to the file named by DRAWN.
HIDDEN = '''\
import json, os
import pytest
from hypothesis import example, given, settings, strategies as st

@pytest.mark.question("scale")
@settings(max_examples=MAX_EXAMPLES)
@given(values=st.lists(st.integers(-50, 50), max_size=6), factor=st.integers(-3, 3))
@example(values=[1, 2], factor=3)
def test_scale_matches_reference(student, reference, values, factor):
    """scale multiplies every value by the factor"""
    with open(os.environ["DRAWN"], "a") as log:
        log.write(json.dumps([values, factor]) + "\\n")
    expected = tuple(reference.scale(values, factor))
    got = student.scale(tuple(values), factor)
    assert tuple(got) == expected, f"scale({values}, {factor}) returned {got}; expected {expected}"
'''

# The reference above, appending a dot to the file named by REFERENCE_CALLS each time it computes.
COUNTING_REFERENCE = (
    "import os\n\n"
    "def scale(values, factor):\n"
    "    with open(os.environ['REFERENCE_CALLS'], 'a') as log:\n"
    "        log.write('.')\n"
    "    return tuple(v * factor for v in values)\n")

BUGGY = "def scale(values, factor):\n    return tuple(v * factor if v < 20 else v for v in values)\n"


def make_toy(folder: Path, max_examples: int = 25) -> Assignment:
    (folder / "public").mkdir(parents=True)
    (folder / "hidden").mkdir()
    (folder / "assignment.toml").write_text(CONFIG)
    (folder / "reference.py").write_text(REFERENCE)
    (folder / "public" / "test_public_toy.py").write_text(PUBLIC)
    (folder / "hidden" / "test_hidden_toy.py").write_text(HIDDEN.replace("MAX_EXAMPLES", str(max_examples)))
    return load_assignment(folder)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Plans are cached under tmp_path; DRAWN logs what the toy suite's test is called with."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("DRAWN", str(tmp_path / "drawn.jsonl"))
    monkeypatch.setenv("SESSIONS", str(tmp_path / "sessions.txt"))
    monkeypatch.setenv("REFERENCE_CALLS", str(tmp_path / "reference_calls.txt"))
    return tmp_path / "cache"


def reference_calls(tmp_path: Path) -> int:
    """How many times the counting reference computed an answer since the last call."""
    log = tmp_path / "reference_calls.txt"
    count = len(log.read_text()) if log.exists() else 0
    log.unlink(missing_ok=True)
    return count


def sessions(tmp_path: Path) -> list[str]:
    """The pytest test that was running each time the toy's public test ran, since the last call."""
    log = tmp_path / "sessions.txt"
    lines = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


def drawn(tmp_path: Path) -> list[list]:
    """What the toy's hypothesis test was called with since the last call, in order."""
    log = tmp_path / "drawn.jsonl"
    lines = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return [json.loads(line) for line in lines]


def student_file(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "student" / "toy.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(source)
    return path


def test_recorded_inputs_are_what_hypothesis_draws_without_the_recorder(tmp_path: Path):
    toy = make_toy(tmp_path / "toy")
    grade_file(toy, student_file(tmp_path, REFERENCE), sandbox_factory=InProcessSandbox, replay=False)
    unwrapped = drawn(tmp_path)
    plan = record_plan(toy, "key", InProcessSandbox)
    assert drawn(tmp_path) == unwrapped
    [(nodeid, inputs)] = plan.tests.items()
    recorded = [pickle.loads(blob) for blob in inputs]
    assert [[r["values"], r["factor"]] for r in recorded] == unwrapped
    assert len(unwrapped) > 10 and nodeid.endswith("test_scale_matches_reference")


def test_a_passing_student_replays_the_recorded_inputs_and_draws_nothing(tmp_path: Path):
    toy = make_toy(tmp_path / "toy")
    plan, _ = current_plan(toy, InProcessSandbox)
    drawn(tmp_path)
    result = grade_file(toy, student_file(tmp_path, REFERENCE), sandbox_factory=InProcessSandbox)
    recorded = [[p["values"], p["factor"]] for p in map(pickle.loads, *plan.tests.values())]
    assert drawn(tmp_path) == recorded
    assert result.score == result.max_score
    assert "1 tests passed on their recorded inputs, 0 handed to hypothesis" in result.staff_notes[-1]


def test_a_failing_student_gets_the_feedback_of_a_run_without_the_plan(tmp_path: Path):
    toy = make_toy(tmp_path / "toy")
    buggy = student_file(tmp_path, BUGGY)
    without = grade_file(toy, buggy, sandbox_factory=InProcessSandbox, replay=False)
    replayed = grade_file(toy, buggy, sandbox_factory=InProcessSandbox)
    assert [(t.name, t.passed, t.output) for t in replayed.tests] == [(t.name, t.passed, t.output)
                                                                      for t in without.tests]
    assert not replayed.tests[-1].passed and "returned" in replayed.tests[-1].output
    assert "0 tests passed on their recorded inputs, 1 handed to hypothesis" in replayed.staff_notes[-1]


def test_what_the_reference_computed_after_a_failure_is_not_computed_again_for_the_next_student(tmp_path: Path):
    toy = make_toy(tmp_path / "toy")
    (tmp_path / "toy" / "reference.py").write_text(COUNTING_REFERENCE)
    current_plan(toy, InProcessSandbox)
    reference_calls(tmp_path)
    buggy = student_file(tmp_path, BUGGY)
    first = grade_file(toy, buggy, sandbox_factory=InProcessSandbox)
    computed_for_the_first = reference_calls(tmp_path)
    second = grade_file(toy, buggy, sandbox_factory=InProcessSandbox)
    assert computed_for_the_first > 0 and reference_calls(tmp_path) == 0
    assert [(t.name, t.passed, t.output) for t in second.tests] == [(t.name, t.passed, t.output) for t in first.tests]
    assert not second.tests[-1].passed


def test_learned_answers_stay_within_their_byte_budget_dropping_the_oldest():
    learned = LearnedAnswers(limit=100)
    for number in range(10):
        learned[bytes([number]) * 10] = b"answer" * 3 + b"!!"  # 30 bytes with its key
    assert len(learned) == 3
    assert learned.get(bytes([6]) * 10) is None and learned.get(bytes([9]) * 10) == b"answer" * 3 + b"!!"


def test_a_changed_suite_never_replays_the_old_plan(tmp_path: Path, private_cache: Path):
    toy = make_toy(tmp_path / "toy")
    old, _ = current_plan(toy, InProcessSandbox)
    write_plan(old, toy.folder / PLAN_FILE)  # as if shipped with a zip, too
    suite = toy.hidden_tests / "test_hidden_toy.py"
    suite.write_text(suite.read_text().replace("max_examples=25", "max_examples=12"))
    new, source = current_plan(toy, InProcessSandbox)
    assert new.key != old.key and source == "a recording made now"
    assert read_plan(toy.folder / PLAN_FILE, new.key) is None
    assert read_plan(private_cache / f"{old.key}.pickle", new.key) is None
    assert new.examples < old.examples


def test_the_plan_in_the_assignment_folder_is_the_one_used(tmp_path: Path, private_cache: Path):
    toy = make_toy(tmp_path / "toy")
    key = plan_key(toy, HYPOTHESIS_PROFILE)
    plan = record_plan(toy, key, InProcessSandbox)
    write_plan(plan, toy.folder / PLAN_FILE)
    used, source = cached_plan(toy, key, build=lambda: pytest.fail("the shipped plan was not used"))
    assert source == "the assignment folder" and used.tests == plan.tests
    assert not private_cache.exists()


def test_with_the_plan_the_suites_run_in_no_pytest_session(tmp_path: Path):
    toy = make_toy(tmp_path / "toy")
    for source in (BUGGY, REFERENCE, BUGGY):  # one process, one collection: nothing carries over
        replayed = grade_file(toy, student_file(tmp_path, source), sandbox_factory=InProcessSandbox)
        drawn_anew = grade_file(toy, student_file(tmp_path, source), sandbox_factory=InProcessSandbox, replay=False)
        [with_plan, without] = sessions(tmp_path)
        assert "test_public_toy.py::test_scale_two" not in with_plan
        assert "test_public_toy.py::test_scale_two (call)" in without
        assert [replace(t, seconds=0) for t in replayed.tests] == [replace(t, seconds=0) for t in drawn_anew.tests]
        assert (replayed.score == replayed.max_score) == (source == REFERENCE)


def test_a_suite_that_needs_more_of_pytest_than_calls_is_run_by_pytest(tmp_path: Path):
    toy = make_toy(tmp_path / "toy")
    (toy.public_tests / "test_public_more.py").write_text(NEEDS_PYTEST)
    result = grade_file(toy, student_file(tmp_path, REFERENCE), sandbox_factory=InProcessSandbox)
    assert "test_public_toy.py::test_scale_two (call)" in sessions(tmp_path)[0]
    assert [(t.name, t.passed) for t in result.tests] == [
        ("scale: scale's answer can be written out (public)", True),
        ("scale: scale([1], 2) is [2] (public)", True),
        ("scale: scale multiplies every value by the factor (hidden)", True)]
    assert "1 tests passed on their recorded inputs" in result.staff_notes[-1]
