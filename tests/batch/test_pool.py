"""The worker pool when a grading process dies or hangs: on a toy assignment, with the
in-process stand-in for the sandbox, so the student's code runs in the pool's worker
itself (the worst case for the pool; the real sandbox keeps it out)."""

from __future__ import annotations

import io
import os
import time

import pytest
from rich.console import Console

from autograder import pool
from autograder.batch import grade_batch
from autograder.errors import GraderFault
from autograder.spec import load_assignment
from tests.batch.helpers import TOY_CORRECT, descendants, make_toy, wait_until_gone, write_files
from tests.support.inprocess import InProcessSandbox

KILLS_ITS_PROCESS = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
HANGS = "import time\ntime.sleep(120)\n"


def run(tmp_path, files, **options):
    """Grade ``files`` (``{name: source}``) of the toy assignment into tmp_path/out."""
    toy = load_assignment(tmp_path / "toy") if (tmp_path / "toy").exists() else load_assignment(
        make_toy(tmp_path / "toy"))
    folder = write_files(tmp_path / "in", files)
    summary = grade_batch(toy, folder, out=tmp_path / "out", jobs=2, force=False,
                          sandbox_factory=InProcessSandbox, console=Console(file=io.StringIO()), **options)
    return summary, (tmp_path / "out" / "grades.csv").read_text().splitlines()


def test_a_submission_that_kills_its_grading_process_gets_an_error_and_is_retried_next_run(tmp_path):
    before = descendants(os.getpid())

    summary, csv = run(tmp_path, {"ann.py": TOY_CORRECT, "bob.py": KILLS_ITS_PROCESS, "cy.py": TOY_CORRECT + "\n"})

    assert csv[1:] == ["ann,ann,,,,4,2,6,6,graded,,", f"bob,bob,,,,0,0,0,6,error,{pool.WORKER_DIED},",
                       "cy,cy,,,,4,2,6,6,graded,,"]  # too short to compare for similarity
    assert (summary.graded, summary.errors) == (3, 1)
    assert not wait_until_gone(descendants(os.getpid()) - before, 5)
    again, _ = run(tmp_path, {})
    assert (again.graded, again.skipped) == (1, 2)  # bob only: the grader, not bob, may be at fault


def test_a_submission_over_the_time_limit_is_stopped_and_the_others_are_graded(tmp_path, monkeypatch):
    monkeypatch.setattr(pool, "SUBMISSION_SECONDS", 2.0)  # read by the parent, not the workers
    before = descendants(os.getpid())
    started = time.monotonic()

    summary, csv = run(tmp_path, {"ann.py": TOY_CORRECT, "bob.py": HANGS})

    assert csv[1:] == ["ann,ann,,,,4,2,6,6,graded,,",
                       "bob,bob,,,,0,0,0,6,error,grading took longer than 2 s in all (does some function run very slowly?),"]
    assert time.monotonic() - started < 30
    assert not wait_until_gone(descendants(os.getpid()) - before, 5)
    assert run(tmp_path, {})[0].skipped == 2  # a time-out is the submission's own doing: final


def test_a_grading_process_that_cannot_set_up_stops_the_run_at_once_with_a_clear_error(tmp_path):
    toy = load_assignment(make_toy(tmp_path / "toy"))
    toy.reference.write_text("raise RuntimeError('the reference is broken')\n")
    started = time.monotonic()

    with pytest.raises(GraderFault, match="stopped while starting"):
        pool.WorkerPool(toy, 1, (), InProcessSandbox, scratch=tmp_path)

    assert time.monotonic() - started < pool.STARTUP_SECONDS / 4
