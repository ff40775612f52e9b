"""Suite strength: each one-bug cnn.py of tests/corpus loses points on exactly the questions
its header lists and names its misconception, and no other; correct implementations get
full marks.

A corpus file holds only what its bug changes (``tests/support/corpus.py`` builds the
whole file from the reference) and starts with three comment lines::

    # Bug: what is wrong, in words                          ("none: ..." for a correct style)
    # Loses points: conv_stage, conv_layer                  (or "none": full marks)
    # Misconception: flipped kernel (true convolution)     (or "none")
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

import pytest

from autograder.results import SubmissionResult
from autograder.runner import grade_file
from autograder.spec import Assignment, load_assignment
from tests.support import corpus

TESTS = Path(__file__).parent
CORPUS = sorted((TESTS / "corpus").glob("*.py"))
CORRECT = [load_assignment("cnn").reference, TESTS / "reference_impls" / "loops_cnn.py"]
DO_NOTHING = [TESTS / "corpus" / "do_nothing_constants.py", TESTS / "corpus" / "do_nothing_with_value_checks.py"]


@dataclass(frozen=True)
class Bug:
    """What a corpus file's header promises."""

    description: str
    loses: frozenset[str]
    misconception: str | None


def read_bug(path: Path) -> Bug:
    """Parse the header lines of a corpus file: its leading ``# Field: value`` comments."""
    header = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# "):
            break
        header.append(line[2:].split(": ", 1))
    fields = dict(header)
    misconception = fields["Misconception"].strip()
    loses = fields["Loses points"].strip()
    return Bug(
        description=fields["Bug"].strip(),
        loses=frozenset() if loses == "none" else frozenset(q.strip() for q in loses.split(",")),
        misconception=None if misconception == "none" else misconception,
    )


def grade_as_submission(assignment: Assignment, source: str, workdir: Path) -> SubmissionResult:
    """Grade ``source`` as a file named as students name it, outside the project."""
    submission = workdir / assignment.student_file
    submission.write_text(source, encoding="utf-8")
    return grade_file(assignment, submission)


def lost_questions(result: SubmissionResult) -> set[str]:
    return {q.name for q in result.questions if q.score < q.max_score}


def explain(result: SubmissionResult) -> str:
    """The failed tests and their feedback, for an assertion message."""
    failed = [f"{t.name}: {t.output[:400]}" for t in result.tests if not t.passed]
    return "\n".join([result.status, *failed, *result.staff_notes[:1]])


@pytest.fixture(scope="module")
def assignment() -> Assignment:
    return load_assignment("cnn")


@pytest.fixture(scope="module")
def graded(assignment: Assignment, tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], SubmissionResult]:
    """Grade a corpus file once for every test of this module that needs its result."""
    results: dict[Path, SubmissionResult] = {}

    def grade(path: Path) -> SubmissionResult:
        if path not in results:
            results[path] = grade_as_submission(assignment, corpus.build(path), tmp_path_factory.mktemp(path.stem))
        return results[path]

    return grade


@pytest.fixture(scope="module")
def advice(assignment: Assignment) -> dict[str, str]:
    """Each catalogued misconception's advice, from the hidden suites' own catalogue."""
    spec = importlib.util.spec_from_file_location("cnn_checks", assignment.hidden_tests / "cnn_checks.py")
    checks: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checks)
    return dict(checks.ADVICE)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_header_names_real_questions(assignment: Assignment, path: Path):
    bug = read_bug(path)
    assert bug.description
    assert bug.loses <= set(assignment.questions), f"unknown questions: {bug.loses - set(assignment.questions)}"


def test_every_catalogued_misconception_has_a_corpus_file(advice: dict[str, str]):
    assert set(advice) <= {read_bug(path).misconception for path in CORPUS}


@pytest.mark.slow
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_buggy_submission_loses_points_exactly_where_its_bug_is(graded: Callable[[Path], SubmissionResult],
                                                                path: Path):
    bug = read_bug(path)
    result = graded(path)
    assert result.graded, explain(result)
    assert lost_questions(result) == bug.loses, explain(result)


@pytest.mark.slow
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_feedback_names_the_real_mistake_and_never_another(graded: Callable[[Path], SubmissionResult],
                                                           advice: dict[str, str], path: Path):
    bug = read_bug(path)
    result = graded(path)
    assert set(result.misconceptions()) == ({bug.misconception} if bug.misconception else set()), explain(result)
    wrong_advice = {name: text for name, text in advice.items() if name != bug.misconception}
    for test in result.tests:
        shown = [name for name, text in wrong_advice.items() if text in test.output]
        assert not shown, f"{test.name} gives the advice of {shown}:\n{test.output}"


@pytest.mark.slow
@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_implementation_gets_full_marks(assignment: Assignment, path: Path, tmp_path: Path):
    result = grade_as_submission(assignment, path.read_text(encoding="utf-8"), tmp_path)
    assert result.score == result.max_score, explain(result)


@pytest.mark.slow
@pytest.mark.parametrize("path", DO_NOTHING, ids=lambda p: p.stem)
def test_submission_that_does_nothing_scores_zero(assignment: Assignment, path: Path, tmp_path: Path):
    result = grade_as_submission(assignment, corpus.build(path), tmp_path)
    assert result.score == 0, explain(result)
