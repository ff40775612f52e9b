"""The fast path: the suites' tests called directly, with no pytest session per submission.

Once the hypothesis inputs are replayed (``autograder.plan``), pytest itself is most of
what grading a correct submission costs: session set-up, collection, and the set-up,
teardown and report of every test, for a few milliseconds of the student's code. What
pytest finds is the same for every submission, so it is found once:

- **Once per grading process** (and per plan key: ``runner.current_suite``), a
  collect-only pytest session with the ``GradingPlugin`` lists the suites' tests; the
  ``Collector`` keeps each as a ``SuiteTest``: its function, the fixtures it takes, and
  what its record says before it runs (``plugin.identify``: node id, title, question,
  public or hidden), in collection order.
- **Per submission**, ``run`` calls each test as pytest would, in that order, with this
  submission's ``student`` and ``reference``: a planned hypothesis test through
  ``Replay.passes`` (its recorded inputs) and, when an input fails or it is not planned,
  the real ``@given`` test, which meets the failure and shrinks it exactly as under
  pytest; any other test as its function. Whatever a test raises (a failed check, the
  student's exception, ``CallAborted``) becomes its record through ``plugin.completed``,
  the very function the plugin records with, so the feedback is the same word for word.
  A call that could not finish is not repeated, as under pytest.

Only suites that pytest would run just so take this path: every test a plain function
(no class, no parametrize, not async), taking only the ``student`` and ``reference``
fixtures, marked only with ``question``. Otherwise ``Collector.tests`` is None and every
submission is graded in a pytest session, as before: all or nothing, so that the
records and the student's printed output keep the suites' order.

Nothing of one submission reaches the next: a ``SuiteTest`` holds only the suites'
(trusted) functions and what the collection said of them; the student's functions, the
reference's answers and the replay are made anew for each submission, as they are for
each pytest session.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import pytest
from hypothesis import settings

from autograder.plan import Replay
from autograder.plugin import HYPOTHESIS_PROFILE, TestRecord, completed, identify
from autograder.student import StudentFunctions

FIXTURES = frozenset({"student", "reference"})  # what the grading plugin provides
PROVIDED = FIXTURES | {"request"}  # and what its fixtures take: a test's fixture closure may hold no more
MARKERS = frozenset({"question"})  # marks that change nothing in how pytest runs a test


@dataclass(frozen=True)
class SuiteTest:
    """One collected test: what its record says before it runs, its function, and the
    fixtures it is called with."""

    identity: TestRecord
    function: Callable[..., Any]
    fixtures: tuple[str, ...]


class Collector:
    """A pytest plugin for a collect-only session: the suites' tests as ``SuiteTest``\\ s,
    or None when one of them cannot be called directly (see the module docstring)."""

    def __init__(self, public_dir: Path) -> None:
        self._public_dir = public_dir
        self.tests: tuple[SuiteTest, ...] | None = None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        tests = [_direct(item, self._public_dir) for item in session.items]
        self.tests = tuple(t for t in tests if t is not None) if None not in tests else None


def _direct(item: pytest.Item, public_dir: Path) -> SuiteTest | None:
    """``item`` as a ``SuiteTest``, if calling its function is all pytest would do."""
    if not isinstance(item, pytest.Function) or item.cls is not None or hasattr(item, "callspec"):
        return None
    function = item.obj
    parameters = inspect.signature(function).parameters.values()
    if any(p.default is not p.empty or p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in parameters):
        return None
    fixtures = tuple(p.name for p in parameters)
    if not set(fixtures) <= FIXTURES or not set(item.fixturenames) <= PROVIDED or any(m.name not in MARKERS for m in item.iter_markers()):
        return None
    if inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
        return None
    return SuiteTest(identify(item, public_dir), function, fixtures)


def run(tests: Sequence[SuiteTest], student: StudentFunctions, reference: object, replay: Replay) -> list[TestRecord]:
    """Run ``tests`` on one submission, in order, and record each as the ``GradingPlugin``
    would. What the suites themselves print is dropped, as pytest's capture drops it."""
    settings.load_profile(HYPOTHESIS_PROFILE)
    given = {"student": student, "reference": reference}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return [_run(test, {name: given[name] for name in test.fixtures}, student, replay) for test in tests]


def _run(test: SuiteTest, fixtures: dict[str, Any], student: StudentFunctions, replay: Replay) -> TestRecord:
    student.forget_reached()  # each test records only the graded functions its own calls reach
    started = time.perf_counter()
    raised: BaseException | None = None
    try:
        if not replay.passes(test.identity.nodeid, test.function, fixtures):
            test.function(**fixtures)
    except (KeyboardInterrupt, pytest.exit.Exception):  # what stops a pytest session stops grading
        raise
    except BaseException as exc:  # as under pytest, a test fails by whatever it raises
        raised = exc
    return completed(test.identity, raised, time.perf_counter() - started, student.reached)
