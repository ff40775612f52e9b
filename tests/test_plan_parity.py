"""The plan is the same grader: every strength-corpus file, sample and hostile file gets the
same status, scores, outcomes, feedback text and printed output with the suites' plan
(hypothesis inputs replayed) as with every input drawn anew. Graded with the real sandbox.

Each file is graded twice, so this is the most expensive check of the plan; the cheap
ones (what is recorded, stale plans, the shipped plan) are in tests/test_plan.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autograder.results import SubmissionResult
from autograder.runner import grade_file, grade_submission
from autograder.spec import load_assignment
from tests.support import corpus

pytestmark = pytest.mark.slow

ASSIGNMENT = load_assignment("cnn")
TESTS = Path(__file__).parent
CASES = [
    *(pytest.param(path, id=f"corpus/{path.stem}") for path in sorted((TESTS / "corpus").glob("*.py"))),
    *(pytest.param(path, id=f"samples/{path.stem}") for path in sorted(ASSIGNMENT.samples.iterdir())
      if not path.name.startswith(".")),
    *(pytest.param(path, id=f"hostile/{path.stem}", marks=pytest.mark.sandbox)
      for path in sorted((TESTS / "hostile").glob("*.py"))),
]


def graded(path: Path, tmp_path: Path, *, replay: bool) -> SubmissionResult:
    """Grade ``path`` as a student would submit it (a corpus file is built on the reference)."""
    if path.parent == ASSIGNMENT.samples:
        return grade_submission(ASSIGNMENT, path, replay=replay)
    source = corpus.build(path) if path.parent.name == "corpus" else path.read_text(encoding="utf-8")
    submission = tmp_path / ("plan" if replay else "drawn") / ASSIGNMENT.student_file
    submission.parent.mkdir()
    submission.write_text(source, encoding="utf-8")
    return grade_file(ASSIGNMENT, submission, private_paths=(tmp_path,), replay=replay)


def seen(result: SubmissionResult) -> dict[str, Any]:
    """Everything a student or TA reads of a result, but the timings and the staff notes."""
    return {"status": result.status, "score": result.score, "summary": result.summary,
            "printed": result.student_output,
            "tests": [(t.name, t.passed, t.score, t.output, t.misconceptions) for t in result.tests]}


@pytest.mark.parametrize("path", CASES)
def test_the_plan_changes_no_grade_and_no_word_of_feedback(path: Path, tmp_path: Path):
    with_plan = graded(path, tmp_path, replay=True)
    drawn = graded(path, tmp_path, replay=False)
    assert seen(with_plan) == seen(drawn)
    assert any("hypothesis inputs from the plan" in note for note in with_plan.staff_notes) or not with_plan.graded
