"""A regrade says what it changed: changes.csv and one line in the terminal (toy assignment,
graded in process)."""

from __future__ import annotations

import csv
import io

from rich.console import Console

from autograder.batch import grade_batch
from autograder.spec import load_assignment
from tests.batch.helpers import TOY_CONFIG, make_toy, write_files
from tests.support.inprocess import InProcessSandbox

DOUBLE_WRONG = "def double(x):\n    return x + 1\n\ndef negate(x):\n    return -x\n"
NEGATE_WRONG = "def double(x):\n    return 2 * x\n\ndef negate(x):\n    return x\n"
BOTH_WRONG = "def double(x):\n    return x\n\ndef negate(x):\n    return x\n"
BOTH_RIGHT = "def double(x):\n    return 2 * x\n\ndef negate(x):\n    return -x\n"


def grade(toy_folder, folder, out, **options):
    console = Console(file=io.StringIO(), width=200)
    summary = grade_batch(load_assignment(toy_folder), folder, out=out, jobs=1, force=False,
                          sandbox_factory=InProcessSandbox, console=console, **options)
    return summary, console.file.getvalue()


def test_a_regrade_after_changing_one_questions_points_lists_exactly_the_students_whose_totals_moved(tmp_path):
    toy = make_toy(tmp_path / "toy")
    folder = write_files(tmp_path / "in", {"ann.py": BOTH_RIGHT, "bob.py": DOUBLE_WRONG, "cy.py": NEGATE_WRONG,
                                           "dee.py": BOTH_WRONG})
    first, printed = grade(toy, folder, tmp_path / "out")
    assert first.changes is None and not (tmp_path / "out" / "changes.csv").exists()
    assert "Regrade" not in printed

    (toy / "assignment.toml").write_text(TOY_CONFIG.replace("negate = 2", "negate = 3"))
    summary, printed = grade(toy, folder, tmp_path / "out")

    assert summary.graded == 4  # the suite changed: everyone was regraded
    with open(tmp_path / "out" / "changes.csv", newline="") as handle:
        changes = list(csv.DictReader(handle))
    assert [(c["submission"], c["old_total"], c["new_total"], c["difference"], c["tests_changed"]) for c in changes] == [
        ("ann", "6", "7", "1", ""), ("bob", "2", "3", "1", "")]
    assert "Regrade: 2 scores changed: 2 up, 0 down (see changes.csv)" in printed


def test_a_regrade_that_changes_outcomes_names_the_tests(tmp_path):
    toy = make_toy(tmp_path / "toy")
    folder = write_files(tmp_path / "in", {"ann.py": BOTH_RIGHT, "bob.py": DOUBLE_WRONG})
    grade(toy, folder, tmp_path / "out")

    (folder / "bob.py").write_text(BOTH_RIGHT + "\n")  # a fixed resubmission
    (folder / "ann.py").write_text(NEGATE_WRONG)
    summary, printed = grade(toy, folder, tmp_path / "out")

    assert [(c.submission, c.old.score, c.new.score, c.tests) for c in summary.changes] == [
        ("ann", 6.0, 4.0, ("negate: negate(3) is -3 (hidden)",)), ("bob", 2.0, 6.0, ("double: double(2) is 4 (public)",))]
    assert "2 scores changed: 1 up, 1 down" in printed


def test_a_rerun_removes_the_half_written_files_a_killed_run_left_and_keeps_the_rest(tmp_path):
    toy = make_toy(tmp_path / "toy")
    folder = write_files(tmp_path / "in", {"ann.py": BOTH_RIGHT})
    out = tmp_path / "out"
    grade(toy, folder, out)
    leftovers = [out / ".grades.csv.tmp", out / "results" / ".bob.json.x1y2.tmp", out / ".state" / ".bob.json.z3.tmp",
                 out / "feedback" / ".bob.html.tmp"]
    for leftover in leftovers:
        leftover.write_text("{")
    (out / "notes.tmp").write_text("the TA's own")

    summary, _ = grade(toy, folder, out)

    assert summary.skipped == 1 and not any(leftover.exists() for leftover in leftovers)
    assert (out / "notes.tmp").read_text() == "the TA's own" and (out / "results" / "ann.json").is_file()
