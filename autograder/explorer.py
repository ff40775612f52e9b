"""What a release's notebook calls: check one question, and draw with the student's current code.

Bundled into the release's ``autograder_local.py`` (see ``autograder.template``), so the
student needs numpy and pytest, and matplotlib for the figures, never this package. The
notebook runs in the release folder (its working directory), next to the student's file,
the public tests and their conftest. The contract the notebooks rely on:

- ``Explorer(student_file).check(question)`` runs the public tests marked
  ``@pytest.mark.question(question)`` in this process (``pytest.main`` with the release's
  conftest, so the student's file is imported and checked as by a local ``pytest`` run)
  and prints what came out: one line when all pass; "not implemented yet" when every
  failure is a ``NotImplementedError`` (naming the function that raised it when another
  function did); or else each failed test with the feedback a local ``pytest`` run shows
  (the grader's message, or the exception and the line it was raised at). Notes such as
  skipped top-level code come first.
- ``Explorer(student_file).show(draw)`` imports the student's file afresh, one top-level
  statement at a time as the grader does, calls ``draw(module)`` and shows the figures it
  made. When ``draw`` reaches a ``NotImplementedError``, or raises anything else, its
  figures are dropped and one line says why. It never raises, so a notebook runs top to
  bottom at every stage of the homework.

Both read the student's file again at every call, so an edit is picked up without
restarting the kernel.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Callable

import pytest

from autograder.sandbox.toplevel import compile_statements, run_statements

QUESTION_MARKER = "question"  # the marker each public test names its question with
PYTEST_ARGS = ("-q", "-p", "no:cacheprovider", "--tb=short")
INTERNAL_EXIT_CODES = (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR)


@dataclass(frozen=True)
class Outcome:
    """One public test's result: ``feedback`` is empty when it passed; ``unimplemented``
    names the function whose ``NotImplementedError`` failed it."""

    test: str
    feedback: str = ""
    unimplemented: str = ""


@dataclass(eq=False)  # pluggy tells plugins apart by identity
class QuestionRun:
    """A pytest plugin that keeps one question's tests and records how each came out."""

    question: str
    folder: Path
    known: set[str] = field(default_factory=set)
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unimplemented: dict[str, str] = field(default_factory=dict)

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Deselect the tests of every other question."""
        marked = {item: item.get_closest_marker(QUESTION_MARKER) for item in items}
        asked = {item: marker.args[0] for item, marker in marked.items() if marker and marker.args}
        self.known.update(asked.values())
        config.hook.pytest_deselected(items=[item for item in items if asked.get(item) != self.question])
        items[:] = [item for item in items if asked.get(item) == self.question]

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> object:
        """Remember the function whose ``NotImplementedError`` failed a test."""
        yield
        if call.excinfo is not None and call.excinfo.errisinstance(NotImplementedError):
            self.unimplemented[item.nodeid] = call.excinfo.traceback[-1].name

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Record each test once: its failure in whichever phase, or its pass."""
        if report.failed:
            name = report.nodeid.split("::")[-1]
            self.outcomes.append(Outcome(name, explain_failure(report, self.folder),
                                             self.unimplemented.get(report.nodeid, "")))
        elif report.when == "call":
            self.outcomes.append(Outcome(report.nodeid.split("::")[-1]))

    def pytest_warning_recorded(self, warning_message: object) -> None:
        """Keep the notes the conftest warns with (skipped top-level code)."""
        note = str(getattr(warning_message, "message", warning_message))
        if note not in self.notes:
            self.notes.append(note)


def explain_failure(report: pytest.TestReport, folder: Path) -> str:
    """What a local ``pytest`` run says about a failed test, in short: the grader's message
    as it is, or an exception's last line with where it was raised."""
    longrepr = report.longrepr
    crash = getattr(longrepr, "reprcrash", None)
    if crash is None or getattr(getattr(longrepr, "reprtraceback", None), "style", "") == "value":
        return str(longrepr).strip()  # a message as it is (pytest.fail(..., pytrace=False) gives "value")
    where = Path(crash.path)
    shown = where.name if where.parent == folder else str(where)
    return f"{crash.message} ({shown}, line {crash.lineno})"


def summary(question: str, outcomes: list[Outcome]) -> str:
    """The lines ``check`` prints for a question whose tests ran."""
    failed = [o for o in outcomes if o.feedback]
    if not failed:
        return f"{question}: its public test passes." if len(outcomes) == 1 else (
            f"{question}: all {len(outcomes)} public tests pass.")
    if all(o.unimplemented for o in failed):
        raisers = sorted({o.unimplemented for o in failed} - {question})
        return f"{question}: not implemented yet" + (
            f" ({', '.join(raisers)} raises NotImplementedError)." if raisers else ".")
    lines = [f"{question}: {len(failed)} of {len(outcomes)} public tests fail."]
    for outcome in failed:
        lines.append(f"\n{outcome.test}:")
        lines += [f"    {line}" for line in outcome.feedback.splitlines()]
    return "\n".join(lines)


class Explorer:
    """The student's file seen from a notebook in the release folder."""

    def __init__(self, student_file: str) -> None:
        self.path = Path(student_file).resolve()
        self.folder = self.path.parent

    def check(self, question: str) -> None:
        """Run the question's public tests and print how they came out."""
        self._forget_release_modules()
        run = QuestionRun(question, self.folder)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            code = pytest.main([str(self.folder), *PYTEST_ARGS], plugins=[run])
        for note in run.notes:
            print(f"Note: {note}")
        if code in INTERNAL_EXIT_CODES:
            print(f"{question}: the public tests could not run; pytest said:\n{printed.getvalue()}")
            return
        if question not in run.known:
            print(f"{question}: no public test checks it; the questions are {', '.join(sorted(run.known))}.")
            return
        print(summary(question, run.outcomes))

    def module(self) -> ModuleType:
        """The student's file, imported afresh as the grader imports it; a top-level
        statement that raises is skipped with a printed note."""
        spec = importlib.util.spec_from_file_location(self.path.stem, self.path)
        module = importlib.util.module_from_spec(spec)
        statements = compile_statements(self.path.read_bytes(), str(self.path))
        for note in run_statements(statements, module.__dict__, str(self.path)):
            print(f"Note: {note}")
        return module

    def show(self, draw: Callable[[ModuleType], object]) -> None:
        """Call ``draw`` with the student's current module and show its figures, or say in
        one line why they are skipped."""
        import matplotlib.pyplot as plt

        plt.close("all")
        try:
            draw(self.module())
        except Exception as exc:  # the student's code is unfinished or wrong: skip the figure
            plt.close("all")
            print(f"Skipped: {self.why_skipped(exc)}")
            return
        plt.show()

    def why_skipped(self, exc: Exception) -> str:
        """One line: the function not implemented yet, or the error and the student's line."""
        frames = traceback.extract_tb(exc.__traceback__)
        if isinstance(exc, NotImplementedError) and frames:
            return f"this figure needs {frames[-1].name}, which is not implemented yet."
        mine = [f for f in frames if Path(f.filename).resolve() == self.path]
        where = f" ({self.path.name}, line {mine[-1].lineno}, in {mine[-1].name})" if mine else ""
        message = "".join(traceback.format_exception_only(exc)).strip().splitlines()[-1]
        return f"{message}{where}."

    def _forget_release_modules(self) -> None:
        """Drop the release's conftest and test modules that an earlier check imported, so
        this run imports them afresh (pytest reuses a module it finds in ``sys.modules``)."""
        for name, module in list(sys.modules.items()):
            origin = getattr(module, "__file__", None)
            if origin and name != __name__ and os.path.dirname(os.path.abspath(origin)) == str(self.folder):
                del sys.modules[name]
