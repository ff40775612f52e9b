"""Suite strength of the second assignment: each one-bug architecture.py of
tests/corpus_architecture loses points on exactly the questions its header lists and names
its misconception and no other (header format: tests/test_suite_strength.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from autograder.results import SubmissionResult
from autograder.spec import load_assignment
from tests.support import corpus
from tests.test_suite_strength import explain, grade_as_submission, lost_questions, read_bug

ASSIGNMENT = load_assignment("architecture")
CORPUS = sorted((Path(__file__).parent / "corpus_architecture").glob("*.py"))


def catalogue() -> dict[str, str]:
    """Each catalogued misconception's advice, from the hidden suite's own catalogue."""
    spec = importlib.util.spec_from_file_location("architecture_checks",
                                                  ASSIGNMENT.hidden_tests / "architecture_checks.py")
    checks = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # its dataclasses look it up
    spec.loader.exec_module(checks)
    return dict(checks.ADVICE)


def test_every_catalogued_misconception_has_a_corpus_file():
    assert set(catalogue()) <= {read_bug(path).misconception for path in CORPUS}


@pytest.mark.slow
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_buggy_submission_loses_exactly_its_questions_and_names_only_its_mistake(path: Path, tmp_path: Path):
    bug = read_bug(path)
    result: SubmissionResult = grade_as_submission(ASSIGNMENT, corpus.build(path, ASSIGNMENT.reference), tmp_path)
    assert bug.loses <= set(ASSIGNMENT.questions)
    assert result.graded, explain(result)
    assert lost_questions(result) == bug.loses, explain(result)
    assert set(result.misconceptions()) == ({bug.misconception} if bug.misconception else set()), explain(result)
    wrong_advice = [text for name, text in catalogue().items() if name != bug.misconception]
    assert not [t.name for t in result.tests if any(text in t.output for text in wrong_advice)], explain(result)
