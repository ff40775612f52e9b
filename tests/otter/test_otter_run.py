"""``otter run`` (otter's own CLI, no container) on the built zip: the plugin grades."""

from __future__ import annotations

import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.otter.helpers import (
    BUGGY_SOURCE,
    BUGGY_LOSES,
    BUGGY_MISCONCEPTION,
    SOLUTION,
    malicious_pickle,
    question_scores,
)

pytestmark = [pytest.mark.otter, pytest.mark.slow]


@pytest.fixture(scope="module")
def buggy(otter_run: Callable[[Path], dict], tmp_path_factory: pytest.TempPathFactory) -> dict:
    submission = tmp_path_factory.mktemp("buggy") / "cnn.py"
    submission.write_bytes(BUGGY_SOURCE)
    return otter_run(submission)


def test_correct_submission_passes_every_test_for_full_marks(otter_run: Callable[[Path], dict]) -> None:
    document = otter_run(SOLUTION)
    assert document["score"] == 100
    assert document["tests"] and all(t["status"] == "passed" for t in document["tests"])
    assert sum(t["max_score"] for t in document["tests"]) == pytest.approx(100)


@pytest.mark.xdist_group("otter-run-buggy")  # shares one otter run
def test_buggy_submission_loses_exactly_its_questions(buggy: dict) -> None:
    scores = question_scores(buggy)
    maxima = {q: sum(t["max_score"] for t in buggy["tests"] if t.get("tags", [None])[0] == q) for q in scores}
    assert {q for q in scores if scores[q] < maxima[q] - 1e-9} == BUGGY_LOSES
    assert buggy["score"] == pytest.approx(sum(scores.values()), abs=1e-3)  # tests are in hundredths


@pytest.mark.xdist_group("otter-run-buggy")  # shares one otter run
def test_buggy_submission_gets_feedback_on_each_failed_test(buggy: dict) -> None:
    failed = [t for t in buggy["tests"] if t["status"] == "failed"]
    assert failed and all(t["score"] == 0 and t["output"].strip() for t in failed)
    assert any(BUGGY_MISCONCEPTION in t["tags"] for t in failed)
    assert f"- {BUGGY_MISCONCEPTION}" in buggy["output"]


@pytest.mark.xdist_group("otter-run-buggy")  # shares one otter run
def test_one_gradescope_test_per_pytest_test_not_per_file(buggy: dict) -> None:
    names = [t["name"] for t in buggy["tests"]]
    assert len(names) == len(set(names)) > 20
    assert not any(name in ("Public Tests", "graded_by_plugin") for name in names)


def test_otter_log_in_a_zip_submission_is_never_unpickled(otter_run: Callable[[Path], dict],
                                                         tmp_path: Path) -> None:
    marker = tmp_path / "unpickled"
    submission = tmp_path / "submission.zip"
    with zipfile.ZipFile(submission, "w") as zf:
        zf.writestr("cnn.py", SOLUTION.read_bytes())
        zf.writestr(".OTTER_LOG", malicious_pickle(marker))
    document = otter_run(submission)
    assert not marker.exists()
    assert document["score"] == 100


def test_the_planted_pickle_is_armed(tmp_path: Path) -> None:
    marker = tmp_path / "unpickled"
    pickle.loads(malicious_pickle(marker))
    assert marker.read_text() == "unpickled"
