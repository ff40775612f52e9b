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
   plugin wrote it, an error result (traceback for staff only) takes its place.
"""

from __future__ import annotations

import json
import tempfile
import traceback
from pathlib import Path

from otter.run.run_autograder import main as run_otter

from autograder.otter_plugin import (
    PLACEHOLDER_SCRIPT,
    PLUGIN_NAME,
    configured_assignment,
    grader_failed,
    plugin_config,
)
from autograder.results import SubmissionResult, write_json_atomic

GRADESCOPE_DIR = "/autograder"
PLACEHOLDER_NAME = "nothing_to_run.py"
OTTER_CONFIG = "otter_config.json"


def main(autograder_dir: str | Path = GRADESCOPE_DIR) -> int:
    """Grade the submission in ``autograder_dir`` through otter; always leaves a results.json."""
    root = Path(autograder_dir)
    results = root / "results" / "results.json"
    results.unlink(missing_ok=True)
    config: dict = {}
    try:
        config = plugin_config(json.loads((root / "source" / OTTER_CONFIG).read_text(encoding="utf-8")))
        with tempfile.TemporaryDirectory(prefix="otter-stage-") as stage:
            make_stage(root, Path(stage))
            run_otter(stage, plugins=[{PLUGIN_NAME: {**config, "submission": str(root / "submission")}}])
        failure = "otter finished without writing results.json"
    except Exception:  # noqa: BLE001 -- any failure of otter's or ours: the fallback below reports it
        failure = traceback.format_exc()
    if not _holds_our_result(results):
        write_json_atomic(results, _fallback(root / "source", config, failure).to_gradescope())
    return 0


def make_stage(root: Path, stage: Path) -> None:
    """An autograder folder for otter: Gradescope's source and results, a placeholder submission."""
    (root / "results").mkdir(exist_ok=True)
    (stage / "source").symlink_to(root / "source")
    (stage / "results").symlink_to(root / "results")
    (stage / "submission").mkdir()
    (stage / "submission" / PLACEHOLDER_NAME).write_text(PLACEHOLDER_SCRIPT, encoding="utf-8")
    metadata = root / "submission_metadata.json"
    (stage / "submission_metadata.json").write_bytes(metadata.read_bytes() if metadata.is_file() else b"{}")


def _holds_our_result(path: Path) -> bool:
    """Whether ``path`` is a results.json our engine wrote (otter's own would not parse back)."""
    try:
        SubmissionResult.from_gradescope(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def _fallback(source: Path, config: dict, failure: str) -> SubmissionResult:
    """The error result for a run that produced no grade of ours."""
    try:
        assignment = configured_assignment(source, config)
    except Exception:  # noqa: BLE001 -- a broken config still gets an error result
        assignment = None
    return grader_failed(assignment, failure)
