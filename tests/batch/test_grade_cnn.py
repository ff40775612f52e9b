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
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from rich.console import Console

from autograder.batch import BatchSummary, grade_batch
from autograder.gradebook import grade_columns
from autograder.results import SubmissionResult
from autograder.spec import Assignment, project_root
from tests.batch.helpers import (EXITS_AT_IMPORT, SAMPLES, SCRIPT_IN_FEEDBACK, SYNTAX_ERROR, copy_tree, descendants,
                                 hostile_source, make_export, mtimes, snapshot, wait_until_gone, write_files,
                                 zip_folder)
from tests.test_similarity import reordered

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
    printed: str  # what the run printed


def grade(assignment: Assignment, source: Path, out: Path, *, force: bool = False,
          console: Console | None = None) -> BatchSummary:
    return grade_batch(assignment, source, out=out, jobs=2, force=force, console=console or Console(file=io.StringIO()))


def read_csv(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "grades.csv", newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, cnn) -> Graded:
    root = tmp_path_factory.mktemp("batch")
    folder, out = root / "in", root / "out"
    alice = (SAMPLES / "alice.py").read_text()
    write_files(folder, {"alice.py": alice, "alicia.py": reordered(alice), "hog.py": hostile_source(folder, out),
                         "mallory.py": EXITS_AT_IMPORT, "olivia.py": SYNTAX_ERROR, "zed.py": SCRIPT_IN_FEEDBACK})
    before_input, before_processes = snapshot(folder), descendants(os.getpid())
    console = Console(file=io.StringIO(), width=200)
    summary = grade(cnn, folder, out, console=console)
    leftover = wait_until_gone(descendants(os.getpid()) - before_processes, 10)
    return Graded(cnn, folder, out, summary, before_input, leftover, console.file.getvalue())


def test_csv_has_a_row_per_submission_and_points_per_question(graded):
    rows = read_csv(graded.out)

    assert list(rows) == ["alice", "alicia", "hog", "mallory", "olivia", "zed"]
    assert list(rows["alice"]) == grade_columns(graded.assignment)
    assert rows["alice"] | {"similar_to": ""} == {
        "submission": "alice", "name": "alice", "email": "", "sid": "", "submitted_at": "",
        **{q: f"{p:g}" for q, p in graded.assignment.points}, "total": "100", "max_total": "100", "status": "graded",
        "reason": "", "similar_to": ""}
    assert {rows[s]["total"] for s in ("hog", "mallory", "olivia", "zed")} == {"0"}
    assert (graded.summary.found, graded.summary.graded, graded.summary.skipped) == (6, 6, 0)


def test_a_file_that_does_not_import_is_not_importable_with_its_reason_and_counted_apart(graded):
    rows = read_csv(graded.out)

    assert (rows["mallory"]["status"], rows["mallory"]["reason"]) == ("not importable", "SystemExit: 3")
    assert rows["olivia"]["status"] == "not importable" and rows["olivia"]["reason"].startswith("SyntaxError: ")
    assert (graded.summary.not_importable, graded.summary.errors) == (2, 0)
    assert "mallory: not importable: SystemExit: 3" in graded.printed
    assert re.search(r"not importable\s+│\s+2", graded.printed)
    olivia = json.loads((graded.out / "results" / "olivia.json").read_text())
    assert "status" not in olivia and "cnn.py could not be imported: SyntaxError" in olivia["output"]


def test_a_disguised_copy_is_flagged_both_ways_and_keeps_its_score(graded):
    rows = read_csv(graded.out)

    assert re.fullmatch(r"alicia \(\d+%\)", rows["alice"]["similar_to"])
    assert re.fullmatch(r"alice \(\d+%\)", rows["alicia"]["similar_to"])
    assert rows["alicia"]["total"] == "100" and graded.summary.similar_pairs == 1


def test_each_results_json_is_valid_and_the_results_to_gradescope_document(graded):
    schema = jsonschema.Draft202012Validator(json.loads(RESULTS_SCHEMA.read_text()))
    for submission in ("alice", "alicia", "hog", "mallory", "olivia", "zed"):
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

    for section in ("attention", "misconceptions", "questions", "distribution", "similar", "failures", "submissions"):
        assert f'<section id="{section}">' in html
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html  # zed's exception, quoted in feedback
    assert html.count("<script") == 1 and "<script>alert" not in html  # only the table sorter
    zed = (graded.out / "feedback" / "zed.html").read_text()
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in zed and "<script" not in zed


def test_a_rerun_skips_everything(graded, tmp_path):
    out = copy_tree(graded.out, tmp_path / "out")
    before = mtimes(out / "results")

    summary = grade(graded.assignment, graded.input, out)

    assert (summary.graded, summary.skipped) == (0, 6)
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
    assert summary.changes == () and (out / "changes.csv").read_text().count("\n") == 1  # its header: nothing moved


def test_a_changed_submission_is_regraded_and_only_it(graded, tmp_path):
    folder = copy_tree(graded.input, tmp_path / "in")
    out = copy_tree(graded.out, tmp_path / "out")
    (folder / "olivia.py").write_text("def relu(x):\n    return max(x, 0\n")
    before = mtimes(out / "results")

    summary = grade(graded.assignment, folder, out)

    assert (summary.graded, summary.skipped) == (1, 5)
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

    with open(tmp_path / "out" / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["submission"], r["name"], r["email"], r["sid"], r["submitted_at"], r["total"]) for r in rows] == [
        ("submission_9001", "Ada Lovelace", "ada@example.edu", "06758767", "2024-10-02T02:52:07Z", "0"),
        ("submission_9002", "Alan Turing", "alan@example.edu", "06754968", "2024-10-02T04:04:59Z", "0"),
        ("submission_9002", "Grace Hopper", "grace@example.edu", "06828527", "2024-10-02T04:04:59Z", "0"),
    ]
    assert sorted(p.name for p in (tmp_path / "out" / "results").iterdir()) == ["submission_9001.json",
                                                                                 "submission_9002.json"]
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("out")} == before


# ---------------------------------------------------------------- the report in a real browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's, installed by .ci/run) driven by Playwright."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("no Chromium on this machine (.ci/run installs Debian's chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_the_report_in_a_browser_shows_attention_misconceptions_similar_pairs_and_sorts(graded, browser):
    page = browser.new_page()
    page.goto((graded.out / "report.html").as_uri())

    attention = page.locator("#attention tr").all_inner_texts()
    assert [line.split("\t")[0] for line in attention[1:]] == ["mallory", "olivia", "hog", "zed"]
    assert "not importable: SystemExit: 3" in attention[1]
    assert "SyntaxError" in attention[2]
    assert page.locator("#misconceptions").inner_text().startswith("Misconceptions")
    assert page.locator("#similar tr").nth(1).inner_text().split("\t")[:2] == ["alice", "alicia"]
    page.locator("#similar details summary").first.click()
    assert page.locator("#similar details mark").first.is_visible()
    page.locator("#all th", has_text="score").click()
    order = page.locator("#all tbody td:first-child").all_inner_texts()
    assert order[-2:] == ["alice", "alicia"] and set(order[:4]) == {"hog", "mallory", "olivia", "zed"}
    page.locator("#all th", has_text="score").click()
    assert page.locator("#all tbody td:first-child").all_inner_texts()[:2] == ["alice", "alicia"]
    page.close()


def test_a_student_link_opens_what_gradescope_shows_them(graded, browser):
    page = browser.new_page()
    page.goto((graded.out / "report.html").as_uri())

    page.locator("#all a", has_text="olivia").click()

    assert page.url.endswith("/feedback/olivia.html")
    assert page.locator("#score").inner_text() == "Autograder score: 0 / 100"
    assert "cnn.py could not be imported: SyntaxError" in page.locator("#output").inner_text()
    hidden = page.locator(".test", has_text="(hidden)").first
    assert hidden.locator(".badge").inner_text() == "hidden until grades are published"
    assert page.locator(".test", has_text="(public)").first.locator(".badge").count() == 0
    page.close()
