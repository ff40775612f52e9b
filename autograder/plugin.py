"""The pytest plugin that grades: fixtures for the suites and a record of every test.

One ``GradingPlugin`` serves one pytest session over one submission. It provides the
``question`` marker and the deterministic hypothesis profile, and turns each test's
outcome into a ``TestRecord`` whose message is written for the student (never a traceback
of the hidden test). This module, registered as a plugin beside it, provides the
``student`` and ``reference`` fixtures, which serve the session's ``GradingPlugin``
(pytest 9 deprecates session fixtures that are methods of a plugin instance).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky, HypothesisException

from autograder.feedback import Feedback
from autograder.student import CallAborted, StudentFunctions

HYPOTHESIS_PROFILE = "autograder"
SESSION_PLUGIN = pytest.StashKey["GradingPlugin"]()  # the session's GradingPlugin, in its config's stash
INTERNAL_ERROR = "The grader could not check this test (an internal error); course staff have been told."

settings.register_profile(
    HYPOTHESIS_PROFILE,
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=30,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
    report_multiple_bugs=False,
    print_blob=False,
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large),
)


@pytest.fixture(scope="session")
def student(request: pytest.FixtureRequest) -> StudentFunctions:
    """The student's functions, each call answered by the sandboxed worker."""
    return request.config.stash[SESSION_PLUGIN].student


@pytest.fixture(scope="session")
def reference(request: pytest.FixtureRequest) -> ModuleType:
    """The reference solution, imported in the grader process."""
    return request.config.stash[SESSION_PLUGIN].reference


@dataclass(frozen=True)
class TestRecord:
    """The outcome of one test, before points are attached."""

    nodeid: str
    title: str
    question: str
    public: bool
    passed: bool
    message: str = ""
    misconception: str | None = None
    aborted: str | None = None  # the sandbox failure kind when a student call could not finish
    staff_note: str = ""
    seconds: float = 0.0
    reached: tuple[str, ...] = ()  # the other graded functions the test's calls went through


class GradingPlugin:
    """Fixtures and bookkeeping for one graded pytest session."""

    def __init__(
        self, student: StudentFunctions, reference: ModuleType, questions: tuple[str, ...], public_dir: Path
    ) -> None:
        self._student = student
        self._reference = reference
        self._questions = questions
        self._public_dir = public_dir
        self.records: list[TestRecord] = []
        self.collection_errors: list[str] = []

    @property
    def student(self) -> StudentFunctions:
        return self._student

    @property
    def reference(self) -> ModuleType:
        return self._reference

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[SESSION_PLUGIN] = self
        config.addinivalue_line("markers", "question(name): the question whose points this test carries")
        settings.load_profile(HYPOTHESIS_PROFILE)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext}")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            marker = item.get_closest_marker("question")
            if marker is None or not marker.args or marker.args[0] not in self._questions:
                self.collection_errors.append(
                    f"{item.nodeid}: needs @pytest.mark.question(name) with one of {', '.join(self._questions)}"
                )

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Each test records only the graded functions its own calls reach."""
        self._student.forget_reached()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
        """Record the outcome, and make pytest's report from our message alone.

        pytest's own report renders a traceback with the test's source, which the student
        must never see and which costs more than the test itself; ours carries only the
        student-facing message.
        """
        excinfo = call.excinfo
        skipped = excinfo is not None and excinfo.errisinstance(pytest.skip.Exception)
        record = None
        if call.when == "call" or (excinfo is not None and not skipped):
            record = self._record(item, call)
            self.records.append(record)
        if excinfo is None:
            outcome, longrepr = "passed", None
        elif skipped:
            outcome, longrepr = "skipped", (str(item.path), item.location[1] or 0, str(excinfo.value))
        else:
            outcome, longrepr = "failed", record.message if record else str(excinfo.value)
        return pytest.TestReport(
            item.nodeid, item.location, {}, outcome, longrepr, call.when,
            duration=call.duration, start=call.start, stop=call.stop,
        )

    def _record(self, item: pytest.Item, call: pytest.CallInfo[None]) -> TestRecord:
        raised = call.excinfo.value if call.excinfo is not None else None
        return completed(identify(item, self._public_dir), raised, call.duration, self._student.reached)


def identify(item: pytest.Item, public_dir: Path) -> TestRecord:
    """What ``item``'s record says before it runs: its node id, title, question and suite
    (public when its file is under ``public_dir``); ``completed`` adds the outcome."""
    marker = item.get_closest_marker("question")
    return TestRecord(
        nodeid=item.nodeid,
        title=_title(item),
        question=marker.args[0] if marker and marker.args else "",
        public=Path(str(item.path)).is_relative_to(public_dir),
        passed=False,
    )


def completed(identity: TestRecord, raised: BaseException | None, seconds: float,
              reached: frozenset[str]) -> TestRecord:
    """The record of a test that ran for ``seconds``: passed if it ``raised`` nothing, else
    explained for the student; ``reached`` the graded functions its calls went through."""
    common = dict(seconds=seconds, reached=tuple(sorted(reached - {identity.question})))
    if raised is None:
        return replace(identity, passed=True, **common)
    return replace(identity, passed=False, **common, **_explain(raised))


def _title(item: pytest.Item) -> str:
    """The first line of the test's docstring, else its name made readable."""
    doc = getattr(getattr(item, "function", None), "__doc__", None)
    if doc and doc.strip():
        return doc.strip().splitlines()[0]
    return item.name.removeprefix("test_").replace("_", " ")


def _explain(exc: BaseException) -> dict[str, Any]:
    """Turn a test's exception into a student-facing message, and a staff note if needed."""
    if isinstance(exc, Feedback):
        return {"message": exc.message, "misconception": exc.misconception}
    if isinstance(exc, CallAborted):
        return {"message": f"{exc.message}\nCalled as {exc.call}", "aborted": exc.kind}
    if getattr(exc, "raised_by_student", False):
        return {"message": f"Your code raised {type(exc).__name__}: {exc}\n{exc.student_detail}"}
    if isinstance(exc, pytest.fail.Exception):  # pytest.fail(msg) or "DID NOT RAISE"
        return {"message": exc.msg or "the check failed"}
    if isinstance(exc, Flaky):
        return {"message": "Your function gave different results for the same input "
                "(does it use randomness or keep state between calls?)."}
    if isinstance(exc, AssertionError) and str(exc) and not isinstance(exc, HypothesisException):
        return {"message": str(exc)}
    staff = "".join(traceback.format_exception(exc))
    return {"message": INTERNAL_ERROR, "staff_note": staff}
