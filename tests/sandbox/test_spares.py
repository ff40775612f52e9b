"""Spare workers: started ahead for the next sandbox, used by exactly one, never stale."""

from __future__ import annotations

import dataclasses
import os
import signal
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox import Failed, Returned, Sandbox, Spares
from autograder.sandbox.launch import Settings, _alive
from tests.sandbox.helpers import FORBIDDEN, FUNCTIONS, HOSTILE, LIMITS, limits

pytestmark = pytest.mark.sandbox

SETTINGS = Settings("cnn", LIMITS, FORBIDDEN, ())


def student_file(folder: Path, name: str, answer: int) -> Path:
    """A file whose ``conv_output_size`` answers ``answer``, to tell submissions apart."""
    path = folder / f"{name}.py"
    path.write_text(f"def conv_output_size(*args, **kwargs):\n    return {answer}\n")
    return path


def sandbox(path: Path, spares: Spares, **changes: object) -> Sandbox:
    options = {"module": "cnn", "functions": FUNCTIONS, "limits": LIMITS, "forbidden": FORBIDDEN} | changes
    return Sandbox(path, spares=spares, **options)


def test_each_sandbox_runs_its_own_file_when_workers_are_started_ahead(tmp_path):
    answers = []
    with Spares() as spares:
        for answer in (1, 2, 3):
            with sandbox(student_file(tmp_path, f"student{answer}", answer), spares) as box:
                answers.append(box.call("conv_output_size", 5, 3).value)

    assert answers == [1, 2, 3]


def test_a_spare_is_handed_out_once(tmp_path):
    with Spares() as spares:
        spares.prepare("process", SETTINGS)

        first = spares.take("process", SETTINGS)
        second = spares.take("process", SETTINGS)

        assert first is not None and second is None
        launcher, worker = first
        worker.kill()
        launcher.close()


def test_a_spare_started_with_other_settings_is_killed_not_used():
    with Spares() as spares:
        spares.prepare("process", SETTINGS)
        _, worker = spares._spare

        taken = spares.take("process", dataclasses.replace(SETTINGS, limits=limits(call_seconds=2.0)))

        assert taken is None
        assert not _alive(worker.pid)


def test_a_spare_that_died_is_not_used_and_the_sandbox_starts_its_own(tmp_path):
    with Spares() as spares:
        spares.prepare("process", SETTINGS)
        _, worker = spares._spare
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.exit_status(5) == -signal.SIGKILL

        with sandbox(student_file(tmp_path, "student", 7), spares, isolation="process") as box:
            reply = box.call("conv_output_size", 5, 3)

    assert isinstance(reply, Returned) and reply.value == 7


def test_closing_the_spares_kills_the_spare():
    spares = Spares()
    spares.prepare("process", SETTINGS)
    _, worker = spares._spare

    spares.close()

    assert not _alive(worker.pid)


def test_the_import_limit_holds_for_a_worker_started_ahead():
    with Spares() as spares:
        sandbox(HOSTILE / "honest.py", spares).close()  # leaves a spare for the next one
        with sandbox(HOSTILE / "slow_import.py", spares) as box:
            reply = box.call("relu", np.ones(2))

    assert isinstance(reply, Failed) and reply.kind == "import"
    assert "time limit for the import" in reply.message


def test_what_a_student_prints_through_a_worker_started_ahead_is_captured(tmp_path):
    printing = tmp_path / "printing.py"
    printing.write_text("print('hello from the import')\n" + student_file(tmp_path, "quiet", 1).read_text())
    with Spares() as spares:
        sandbox(student_file(tmp_path, "first", 0), spares).close()  # leaves a spare for the next one
        with sandbox(printing, spares) as box:
            box.call("conv_output_size", 5, 3)
            printed = box.output()

    assert "hello from the import" in printed
