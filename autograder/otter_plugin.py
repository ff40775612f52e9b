"""The otter plugin that takes grading over from otter: otter's kernel runs nothing of the student's.

How otter 7 grades one submission (``otter/run/run_autograder``): ``main`` calls
``PythonRunner.run``, which finds the submission file, loads the plugins, fires
``before_grading(config)``, unpickles ``.OTTER_LOG`` if there is one, then
``grade_notebook``: ``before_execution(notebook)``, a Jupyter kernel runs the notebook and
the test files, ``after_grading(results)``; back in ``main``, results.json is
``results.to_gradescope_dict(config)``. Plugins run in otter's parent process, never in
the kernel. This plugin uses three of those events:

- ``before_grading``: deletes ``.OTTER_LOG`` (otter would unpickle it right after this
  hook), grades the submission with ``grade_submission`` (the student's code runs only in
  the sandboxed worker) and writes results.json at once, so that Gradescope still gets
  the grade should otter fail afterwards (a dead kernel makes ``main`` write nothing).
  The file otter picked is then overwritten with a placeholder: the kernel starts in its
  folder and must not find a student module to import.
- ``before_execution``: hands otter an empty notebook; the kernel runs only otter's own
  cells and the placeholder test file the zip ships (``otter_bridge.PLACEHOLDER_TEST``).
- ``after_grading``: stores our results.json document in the results object with the
  documented ``set_plugin_data`` and makes that object an ``EngineResults``, whose
  ``to_gradescope_dict`` returns the document; otter's placeholder results are cleared.

Why the class change: otter 7 has no hook that decides results.json; ``main`` asks the
very object ``after_grading`` receives. Giving that one object a subclass (no new state,
one overridden method) is the narrowest override: nothing of otter is patched globally,
``otter run`` and Gradescope get the same document, and the pickled ``results.pkl``
still loads (the subclass is importable). Rewriting results.json after otter exits
would not reach ``otter run``, which returns otter's own file.

Plugin config (``otter_config.json``): ``assignment``, the assignment folder relative to
the autograder's ``source`` folder; ``submission`` (optional), what to grade. On
Gradescope the entry script (``autograder.gradescope.entry``) sets it to the untouched
``/autograder/submission`` folder and shows otter a placeholder instead; without it (``otter
run``) the plugin grades the one file otter picked.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import nbformat
from otter.plugins import AbstractOtterPlugin
from otter.run.run_autograder.autograder_config import AutograderConfig
from otter.test_files import GradingResults

from autograder.results import SubmissionResult, error_result, write_json_atomic
from autograder.runner import GRADER_FAILED, grade_submission
from autograder.spec import Assignment, load_assignment

PLUGIN_NAME = "autograder.otter_plugin.AutograderPlugin"
OTTER_LOG = ".OTTER_LOG"
PLACEHOLDER_SCRIPT = "# Graded by the autograder plugin in its sandbox; otter's kernel runs nothing of this submission.\n"


class EngineResults(GradingResults):
    """otter's results object whose Gradescope document is the one our engine wrote."""

    def to_gradescope_dict(self, ag_config: AutograderConfig) -> dict[str, Any]:
        """The stored ``SubmissionResult.to_gradescope()``, whatever otter's config says."""
        return self.get_plugin_data(PLUGIN_NAME)


class AutograderPlugin(AbstractOtterPlugin):
    """Grades with ``grade_submission`` and makes otter report exactly that result."""

    document: dict[str, Any] | None = None

    def before_grading(self, config: AutograderConfig) -> None:
        """Drop ``.OTTER_LOG``, grade, write results.json, neutralise otter's copy."""
        autograder_dir = Path(config.autograder_dir)
        (autograder_dir / "submission" / OTTER_LOG).unlink(missing_ok=True)
        result = self._grade(autograder_dir)
        self.document = result.to_gradescope()
        write_json_atomic(autograder_dir / "results" / "results.json", self.document)
        _neutralise(Path(self.submission_path))

    def before_execution(self, submission: Any) -> nbformat.NotebookNode:
        """An empty notebook: otter's kernel executes nothing of the student's."""
        return nbformat.v4.new_notebook()

    def after_grading(self, results: GradingResults) -> None:
        """Make otter's results object report our document (see the module docstring)."""
        results.clear_results()
        results.set_plugin_data(PLUGIN_NAME, self.document)
        results.__class__ = EngineResults

    def _grade(self, autograder_dir: Path) -> SubmissionResult:
        """Our grade of the submission; a fault of ours still yields a result."""
        submission = Path(self.plugin_config.get("submission") or self.submission_path)
        assignment = None
        try:
            assignment = configured_assignment(autograder_dir / "source", self.plugin_config)
            return grade_submission(assignment, submission_to_grade(submission), private_paths=(autograder_dir,))
        except Exception:  # noqa: BLE001 -- grade_submission never raises for the student: ours
            return grader_failed(assignment, traceback.format_exc())


def plugin_config(otter_config: dict[str, Any]) -> dict[str, Any]:
    """This plugin's entry in an ``otter_config.json`` document."""
    for entry in otter_config.get("plugins", []):
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            return dict(entry[PLUGIN_NAME])
    raise KeyError(f"otter_config.json does not configure {PLUGIN_NAME}")


def configured_assignment(source: Path, config: dict[str, Any]) -> Assignment:
    """The assignment the plugin config names, inside the autograder's ``source`` folder."""
    return load_assignment(source / config["assignment"])


def grader_failed(assignment: Assignment | None, note: str) -> SubmissionResult:
    """An error result for a fault of the grader: every question 0, ``note`` for staff only."""
    if assignment is None:
        return error_result("unknown", (), GRADER_FAILED, staff_notes=(note,))
    return error_result(assignment.name, assignment.points, GRADER_FAILED, staff_notes=(note,),
                        hidden_visibility=assignment.hidden_visibility)


def submission_to_grade(submission: Path) -> Path:
    """A folder whose only file is a zip (an upload nobody unpacked) means that zip;
    anything else is graded as given (the engine's ``prepare_submission`` chooses)."""
    if submission.is_dir():
        files = [p for p in submission.iterdir() if p.is_file() and not p.name.startswith(".")]
        if len(files) == 1 and files[0].suffix.lower() == ".zip":
            return files[0]
    return submission


def _neutralise(path: Path) -> None:
    """Overwrite the file otter will load with a placeholder of the same kind."""
    if path.suffix == ".ipynb":
        nbformat.write(nbformat.v4.new_notebook(), str(path))
    else:
        path.write_text(PLACEHOLDER_SCRIPT, encoding="utf-8")
