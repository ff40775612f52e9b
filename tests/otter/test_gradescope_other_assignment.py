"""A second assignment's zip in Gradescope's layout: a new assignment is a folder, and its
zip grades like cnn's. One emulated run (the costly part), of a sample with a typical
mistake, whose score, per question and in all, must be what the sample declares and what
local grading gives."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest

from autograder.gradescope.emulate import EmulatedRun, emulate
from autograder.otter_bridge import build_zips
from autograder.runner import grade_submission
from autograder.spec import Assignment, load_assignment
from tests.batch.test_samples import declared_scores
from tests.otter.helpers import question_scores

pytestmark = [pytest.mark.otter, pytest.mark.slow]

ASSIGNMENT = "architecture"
SAMPLE = "bob"  # loses points on one question, and names its misconception


@pytest.fixture(scope="module")
def assignment() -> Assignment:
    return load_assignment(ASSIGNMENT)


@pytest.fixture(scope="module")
def upload(assignment: Assignment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("upload")
    shutil.copy(assignment.samples / f"{SAMPLE}.py", folder / assignment.student_file)
    return folder


@pytest.fixture(scope="module")
def run(assignment: Assignment, upload: Path, tmp_path_factory: pytest.TempPathFactory) -> EmulatedRun:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("running the zip in Gradescope's layout needs root and unshare")
    dist = tmp_path_factory.mktemp("dist")
    build_zips(assignment, dist)
    return emulate(dist / "autograder.zip", upload, tmp_path_factory.mktemp("gradescope"))


def test_zip_grades_the_sample_as_it_declares(run: EmulatedRun, assignment: Assignment,
                                              results_schema: jsonschema.Draft202012Validator) -> None:
    assert run.returncode == 0 and run.results is not None, run.output[-3000:]
    results_schema.validate(run.results)
    score, out_of, _ = declared_scores(assignment.samples)[SAMPLE]
    assert (run.results["score"], assignment.total_points) == pytest.approx((score, out_of))
    assert "Misconceptions found:\n  - strides of earlier layers not multiplied" in run.results["output"]


def test_zip_and_local_grading_agree_per_question(run: EmulatedRun, assignment: Assignment, upload: Path) -> None:
    local = json.loads(json.dumps(grade_submission(assignment, upload).to_gradescope()))
    assert question_scores(run.results) == pytest.approx(question_scores(local))
