"""Batch grading of the cnn assignment with the real engine and sandbox, end to end.

One small batch is graded once per module (a correct sample, a hostile submission and
three whose module does not import, which grade in about a second); the tests read it,
or copy it and grade again to check what a rerun skips.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from rich.console import Console

from autograder.batch import BatchSummary, grade_batch
from autograder.results import SubmissionResult
from autograder.spec import Assignment, project_root
from tests.batch.helpers import (EXITS_AT_IMPORT, SAMPLES, SCRIPT_IN_FEEDBACK, SYNTAX_ERROR, copy_tree, descendants,
                                 hostile_source, make_export, mtimes, snapshot, wait_until_gone, write_files,
                                 zip_folder)

pytestmark = pytest.mark.slow

RESULTS_SCHEMA = project_root() / "autograder" / "schemas" / "gradescope_results.schema.json"


@dataclass(frozen=True)
class Graded:
    """A graded batch: its input, its output and what the run said."""

    assignment: Assignment
    input: Path
    out: Path
    summary: BatchSummary
    input_before: dict[str, tuple[str, int]]
    leftover: set[int]


def grade(assignment: Assignment, source: Path, out: Path, *, force: bool = False) -> BatchSummary:
    return grade_batch(assignment, source, out=out, jobs=2, force=force, console=Console(file=io.StringIO()))


def read_csv(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "grades.csv", newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, cnn) -> Graded:
    root = tmp_path_factory.mktemp("batch")
    folder, out = root / "in", root / "out"
    write_files(folder, {"alice.py": (SAMPLES / "alice.py").read_text(), "hog.py": hostile_source(folder, out),
                         "mallory.py": EXITS_AT_IMPORT, "olivia.py": SYNTAX_ERROR, "zed.py": SCRIPT_IN_FEEDBACK})
    before_input, before_processes = snapshot(folder), descendants(os.getpid())
    summary = grade(cnn, folder, out)
    leftover = wait_until_gone(descendants(os.getpid()) - before_processes, 10)
    return Graded(cnn, folder, out, summary, before_input, leftover)


def test_csv_has_a_row_per_submission_and_points_per_question(graded):
    rows = read_csv(graded.out)

    assert list(rows) == ["alice", "hog", "mallory", "olivia", "zed"]
    assert list(rows["alice"]) == ["submission", *graded.assignment.questions, "total", "max_total", "status"]
    assert rows["alice"] | {"submission": ""} == {"submission": "", **{q: f"{p:g}" for q, p in graded.assignment.points},
                                                 "total": "100", "max_total": "100", "status": "graded"}
    assert {rows[s]["total"] for s in ("hog", "mallory", "olivia", "zed")} == {"0"}
    assert (graded.summary.found, graded.summary.graded, graded.summary.skipped) == (5, 5, 0)


def test_each_results_json_is_valid_and_the_results_to_gradescope_document(graded):
    schema = jsonschema.Draft202012Validator(json.loads(RESULTS_SCHEMA.read_text()))
    for submission in ("alice", "hog", "mallory", "olivia", "zed"):
        document = json.loads((graded.out / "results" / f"{submission}.json").read_text())
        result = SubmissionResult.from_gradescope(document)

        schema.validate(document)
        assert document == json.loads(json.dumps(result.to_gradescope()))
        assert {"score", "tests", "output", "execution_time"} <= set(document)
        assert document["score"] == pytest.approx(sum(t["score"] for t in document["tests"]), abs=0.01)
    olivia = SubmissionResult.from_gradescope(json.loads((graded.out / "results" / "olivia.json").read_text()))
    assert "SyntaxError" in olivia.tests[0].output


def test_the_input_folder_is_byte_for_byte_unchanged(graded):
    assert snapshot(graded.input) == graded.input_before


def test_a_hostile_submission_changes_nobody_elses_result_and_leaves_no_process(graded):
    alice = SubmissionResult.from_gradescope(json.loads((graded.out / "results" / "alice.json").read_text()))

    assert alice.score == 100 and all(t.passed for t in alice.tests)
    assert not (graded.out / "HACKED").exists() and "HACKED" not in os.listdir(graded.input)
    assert read_csv(graded.out)["alice"]["total"] == "100"  # grades.csv is ours, not "pwned"
    assert graded.leftover == set()


def test_the_report_has_its_sections_and_escapes_student_text(graded):
    html = (graded.out / "report.html").read_text()

    for section in ("distribution", "questions", "failures", "failed-tests", "misconceptions", "slowest", "errors"):
        assert f'<section id="{section}">' in html
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html  # zed's exception, quoted in feedback
    assert "<script>" not in html


def test_a_rerun_skips_everything(graded, tmp_path):
    out = copy_tree(graded.out, tmp_path / "out")
    before = mtimes(out / "results")

    summary = grade(graded.assignment, graded.input, out)

    assert (summary.graded, summary.skipped) == (0, 5)
    assert mtimes(out / "results") == before


def test_force_regrades(graded, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("mallory.py", "olivia.py"):
        shutil.copy2(graded.input / name, folder / name)
    out = copy_tree(graded.out, tmp_path / "out")
    before = mtimes(out / "results")

    summary = grade(graded.assignment, folder, out, force=True)

    assert (summary.graded, summary.skipped) == (2, 0)
    after = mtimes(out / "results")
    assert after["mallory.json"] != before["mallory.json"] and after["olivia.json"] != before["olivia.json"]
    assert after["alice.json"] == before["alice.json"]


def test_a_changed_submission_is_regraded_and_only_it(graded, tmp_path):
    folder = copy_tree(graded.input, tmp_path / "in")
    out = copy_tree(graded.out, tmp_path / "out")
    (folder / "olivia.py").write_text("def relu(x):\n    return max(x, 0\n")
    before = mtimes(out / "results")

    summary = grade(graded.assignment, folder, out)

    assert (summary.graded, summary.skipped) == (1, 4)
    after = mtimes(out / "results")
    assert [name for name in after if after[name] != before[name]] == ["olivia.json"]
    assert "line 2" in json.loads((out / "results" / "olivia.json").read_text())["tests"][0]["output"]


# ---------------------------------------------------------------- Gradescope exports


@pytest.mark.parametrize("packed", [False, True], ids=["folder", "zip"])
def test_a_gradescope_export_gets_names_and_emails(tmp_path, cnn, packed):
    export = make_export(tmp_path / "assignment_4242_export")
    source = zip_folder(export, tmp_path / "submissions.zip") if packed else export
    before = snapshot(tmp_path)

    grade(cnn, source, tmp_path / "out")

    rows = read_csv(tmp_path / "out")
    assert [(r["submission"], r["name"], r["email"], r["total"]) for r in rows.values()] == [
        ("submission_9001", "Ada Lovelace", "ada@example.edu", "0"),
        ("submission_9002", "Alan Turing; Grace Hopper", "alan@example.edu; grace@example.edu", "0"),
    ]
    assert sorted(p.name for p in (tmp_path / "out" / "results").iterdir()) == ["submission_9001.json",
                                                                                 "submission_9002.json"]
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("out")} == before
