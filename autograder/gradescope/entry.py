"""The zip's entry point on Gradescope: otter runs, but never sees the student's files.

otter's own ``run_otter.py`` calls ``otter.run.run_autograder.main("/autograder")``, which
looks for exactly one notebook or ``.py`` in ``/autograder/submission`` before any plugin
runs: several ``.py`` files, none, a file in a sub-folder or an unreadable notebook stop
it, and Gradescope says "The autograder failed to execute correctly". Whatever that folder
holds is also the working folder of otter's kernel (a planted ``.OTTER_LOG`` is unpickled,
a planted ``pandas.py`` would be imported). So the zip's ``run_otter.py`` (written by
``otter_bridge``) calls ``main`` here instead, which

1. builds a private stage: an autograder folder of otter's shape whose ``source`` and
   ``results`` are Gradescope's and whose ``submission`` holds one placeholder script;
2. runs otter's own ``main`` on the stage, our plugin being told to grade the untouched
   ``/autograder/submission`` (see ``autograder.otter_plugin``);
3. makes sure ``/autograder/results/results.json`` is ours: when otter fails before the
   plugin wrote it, an error result (traceback for staff only) takes its place;
4. prints our summary of the result (score by question, status, notes for staff) as the
   run's output, which Gradescope shows staff as "Autograder Output". What otter and its
   kernel print (a banner, a pandas table of the tests, "No log found with which to verify
   student scores.", IPKernel's warning about TCP) is captured at the file descriptors and
   shown, its last ``OTTER_OUTPUT_SHOWN`` characters, only when no result of ours came out.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import BinaryIO, Iterator

from otter.run.run_autograder import main as run_otter

from autograder.otter_plugin import (
    PLACEHOLDER_SCRIPT,
    PLUGIN_NAME,
    configured_assignment,
    grader_failed,
    plugin_config,
)
from autograder.results import STAFF, SubmissionResult, write_json_atomic

GRADESCOPE_DIR = "/autograder"
PLACEHOLDER_NAME = "nothing_to_run.py"
OTTER_CONFIG = "otter_config.json"
OTTER_OUTPUT_SHOWN = 20_000  # characters of otter's own output shown when it left no result of ours


def main(autograder_dir: str | Path = GRADESCOPE_DIR) -> int:
    """Grade the submission in ``autograder_dir`` through otter; always leaves a results.json
    and prints what it holds."""
    root = Path(autograder_dir)
    results = root / "results" / "results.json"
    results.unlink(missing_ok=True)
    config: dict = {}
    with tempfile.TemporaryFile() as otter_output:
        try:
            config = plugin_config(json.loads((root / "source" / OTTER_CONFIG).read_text(encoding="utf-8")))
            with tempfile.TemporaryDirectory(prefix="otter-stage-") as stage, _output_to(otter_output):
                make_stage(root, Path(stage))
                run_otter(stage, plugins=[{PLUGIN_NAME: {**config, "submission": str(root / "submission")}}])
            failure = "otter finished without writing results.json"
        except Exception:  # noqa: BLE001 -- any failure of otter's or ours: the fallback below reports it
            failure = traceback.format_exc()
        result = _our_result(results)
        otter_said = ""
        if result is None:
            result = _fallback(root / "source", config, failure)
            write_json_atomic(results, result.to_gradescope())
            otter_output.seek(0)
            otter_said = otter_output.read().decode("utf-8", errors="replace")[-OTTER_OUTPUT_SHOWN:]
    print(log_summary(result))
    if otter_said:
        print(f"\nWhat otter printed (the end):\n{otter_said}")
    return 0


def log_summary(result: SubmissionResult) -> str:
    """The run's output for staff: the student's summary, the status and the notes for staff."""
    return "\n".join([f"{result.assignment}: {result.status}, {result.seconds:.1f} s", "", result.summary,
                      *([f"\n{STAFF}:", *result.staff_notes] if result.staff_notes else [])])


@contextlib.contextmanager
def _output_to(file: BinaryIO) -> Iterator[None]:
    """Send this process's standard output and error, and its children's (otter's kernel),
    to ``file``: redirected at the file descriptors, not only ``sys.stdout``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        for fd in (1, 2):
            os.dup2(file.fileno(), fd)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, copy in zip((1, 2), saved):
            os.dup2(copy, fd)
            os.close(copy)


def make_stage(root: Path, stage: Path) -> None:
    """An autograder folder for otter: Gradescope's source and results, a placeholder submission."""
    (root / "results").mkdir(exist_ok=True)
    (stage / "source").symlink_to(root / "source")
    (stage / "results").symlink_to(root / "results")
    (stage / "submission").mkdir()
    (stage / "submission" / PLACEHOLDER_NAME).write_text(PLACEHOLDER_SCRIPT, encoding="utf-8")
    metadata = root / "submission_metadata.json"
    (stage / "submission_metadata.json").write_bytes(metadata.read_bytes() if metadata.is_file() else b"{}")


def _our_result(path: Path) -> SubmissionResult | None:
    """The result in ``path`` when it is a results.json our engine wrote (otter's own would
    not parse back)."""
    try:
        return SubmissionResult.from_gradescope(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _fallback(source: Path, config: dict, failure: str) -> SubmissionResult:
    """The error result for a run that produced no grade of ours."""
    try:
        assignment = configured_assignment(source, config)
    except Exception:  # noqa: BLE001 -- a broken config still gets an error result
        assignment = None
    return grader_failed(assignment, failure)
