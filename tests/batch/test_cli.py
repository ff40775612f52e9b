"""The ``grade`` and ``check`` commands as a TA runs them: as processes, from any folder,
stopped half-way with Ctrl-C or killed, then run again."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from autograder import batch
from autograder.batch import BatchSummary, grade_batch
from autograder.cli import main
from autograder.spec import Assignment
from tests.batch.helpers import SYNTAX_ERROR, descendants, mtimes, wait_until_gone, write_files

pytestmark = pytest.mark.slow

SUMMARY = BatchSummary(found=0, graded=0, skipped=0, errors=0, interrupted=False, seconds=0.0)


def autograder(*args: str | Path, cwd: Path, **options) -> subprocess.Popen:
    """Start ``python -m autograder ARGS`` in ``cwd``, its output in cwd/../<verb>.log."""
    log = open(cwd.parent / f"{args[0]}.log", "ab")
    return subprocess.Popen([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd, stdout=log,
                            stderr=subprocess.STDOUT, **options)


def test_grade_works_from_any_folder_and_writes_where_out_points(tmp_path, cnn):
    write_files(tmp_path / "course" / "in", {"ann.py": SYNTAX_ERROR})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    assert autograder("grade", cnn.folder, "../course/in", "--out", "../course/marks", cwd=elsewhere).wait(60) == 0

    out = tmp_path / "course" / "marks"
    assert sorted(p.name for p in out.iterdir()) == [".input.json", ".state", "feedback", "grades.csv", "report.html",
                                                     "results"]
    assert (out / "grades.csv").read_text().splitlines()[1].startswith("ann,ann,,,,0,")
    assert list(elsewhere.iterdir()) == []  # nothing left where the command ran


def test_grade_writes_to_grades_in_the_working_folder_by_default(tmp_path, cnn, monkeypatch):
    calls = []
    monkeypatch.setattr(batch, "grade_batch", lambda *args, **kwargs: calls.append((args, kwargs)) or SUMMARY)
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(main, ["grade", str(cnn.folder), "."])

    assert result.exit_code == 0
    assert calls == [((cnn, tmp_path), {"out": tmp_path / "grades", "jobs": os.cpu_count(), "force": False})]


def test_check_prints_the_per_question_report_and_with_all_every_failure(tmp_path, cnn):
    file = write_files(tmp_path, {"cnn.py": SYNTAX_ERROR})

    short = CliRunner().invoke(main, ["check", str(cnn.folder), str(file / "cnn.py")], terminal_width=150).output
    every = CliRunner().invoke(main, ["check", "--all", str(cnn.folder), str(file / "cnn.py")],
                               terminal_width=150).output

    assert "cnn: 0 / 100" in short
    assert all(question in short for question in cnn.questions)
    assert short.count("not importable: SyntaxError") == 1 and short.count("could not be imported") == 1  # status, one panel
    assert re.search(r"and \d{2,} more failing tests", short)
    assert re.search(r"\b\d{2,} tests failed with this message", every) and "SyntaxError" in every


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_an_interrupted_run_loses_only_what_was_in_flight_and_the_next_run_finishes(tmp_path, cnn: Assignment, stop):
    folder = write_files(tmp_path / "in", {f"s{i}.py": f"{SYNTAX_ERROR}# {i}\n" for i in range(5)})
    out = tmp_path / "out"
    run = autograder("grade", cnn.folder, folder, "--out", out, "--jobs", "1", cwd=tmp_path)
    seen = watch_until_a_result_is_stored(run, out / ".state")

    run.send_signal(stop)
    code = run.wait(60)

    assert not wait_until_gone(seen, 20), "a worker or sandbox process outlived the run"
    if stop == signal.SIGINT:
        assert code == 130
        assert (out / "grades.csv").is_file() and (out / "report.html").is_file()
    finished = {name for name in mtimes(out / ".state") if not name.startswith(".")}  # stored with their state file
    # (a ".<name>.*.tmp" there is a write the kill cut short: the next run removes it)
    assert finished and len(finished) < 5
    before = mtimes(out / "results")

    summary = grade_batch(cnn, folder, out=out, jobs=2, force=False, console=Console(file=io.StringIO()))

    assert (summary.skipped, summary.graded) == (len(finished), 5 - len(finished))
    after = mtimes(out / "results")
    assert sorted(after) == [f"s{i}.json" for i in range(5)]
    assert {name: after[name] for name in finished} == {name: before[name] for name in finished}
    assert len((out / "grades.csv").read_text().splitlines()) == 6


def watch_until_a_result_is_stored(run: subprocess.Popen, state: Path, seconds: float = 90) -> set[int]:
    """Wait until the first result is stored (its state file, written after it, appears);
    return every descendant process seen meanwhile."""
    seen: set[int] = set()
    deadline = time.monotonic() + seconds
    while not (state.is_dir() and any(p.suffix == ".json" for p in state.iterdir())):
        assert run.poll() is None, "the run ended before writing any result"
        assert time.monotonic() < deadline, "no result appeared"
        seen |= descendants(run.pid)
        time.sleep(0.05)
    return seen | descendants(run.pid)

