"""The plan: the inputs hypothesis draws for each test, drawn once and replayed for every student.

The suites run derandomized, so every student's hypothesis run draws the same inputs as
long as the student passes: drawing them again for each submission costs more than the
student's code does. A plan holds, for each hypothesis test (by node id), every input its
inner test was called with while the suites graded the reference (explicit examples
first, then the generated ones, in hypothesis' order), and the reference's answer to
every call the suites made of it (``ReferenceAnswers``).

- **Record** (``Recorder``, a pytest plugin): while the reference is graded, each
  hypothesis test's ``inner_test`` (which hypothesis reads when the test is called) is
  replaced by a ``functools.wraps`` wrapper that pickles the drawn arguments before
  calling the real test. hypothesis derives the derandomized seed from the inner test's
  source and signature, which the wrapper passes through, so the draws are the unwrapped
  ones. A test is planned only when the reference passed it and every call returned
  (nothing rejected, skipped or raised).
- **Replay** (``Replay``, a pytest plugin): a planned test calls the real inner test with
  its fixtures and each recorded input, in order. All pass: the test passed, exactly as the
  full hypothesis run would (it would draw these very inputs, and nothing a passing test
  does changes what hypothesis draws next). At the first input that fails as hypothesis
  counts a failure, the student's output is rewound to where the test began and the test
  goes to the real hypothesis run, which meets the same failure and shrinks it as ever, so
  the feedback is unchanged. A call that could not finish (``CallAborted``, a
  ``BaseException``) ends the test at once, as it does under hypothesis, and is not repeated.
- **Learn**: a test handed to hypothesis asks the reference about inputs the plan does not
  hold (its search and shrinking). Those answers are kept in the grading process
  (``LearnedAnswers``, bounded) for its next submissions: students with the same mistake
  shrink through the same inputs. Only the reference's return values for exact
  arguments are kept, so what one student's grading leaves there is what any other's
  would compute.
- **Store**: a plan is keyed by ``plan_key`` (the suite fingerprint and all else that
  changes the draws: the hypothesis, numpy and Python versions and the grading profile)
  and a plan whose key differs is never used. It is hidden material, like the suites it
  was drawn from: never in the student release, never in the worker's tree. Locally it is
  cached in ``cache_folder()`` (created by the grader, mode 700); ``autograder build``
  writes it into the zip's copy of the assignment folder (``PLAN_FILE``).

Plans are pickles. A plan is only ever read from a file the grader itself wrote in its
cache folder, or from the assignment folder of the instructor's zip: files exactly as
trusted as the suites (Python the grader runs). Student code never reaches either: in the
jail and uid modes the worker sees only its own tree, and process mode is never for
grading students (docs/security.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import inspect
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator, Mapping, Protocol

import hypothesis
import numpy
import pytest
from hypothesis import settings
from hypothesis.core import failure_exceptions_to_catch

from autograder.spec import Assignment, suite_fingerprint

PLAN_FILE = "suite-plan.pickle"  # in an assignment folder: the plan shipped with the zip
CACHE_ENV = "AUTOGRADER_CACHE"  # overrides where local plans are cached
PLAN_FORMAT = 2  # bumped when what a plan holds changes
LEARNED_BYTES = 64 * 2**20  # reference answers a grading process keeps beyond the plan's (``LearnedAnswers``)


class OutputLog(Protocol):
    """Where the student's output goes: marked before a replay, rewound if it is handed back."""

    def output_mark(self) -> Any: ...

    def rewind_output(self, mark: Any) -> None: ...


@dataclass(frozen=True)
class Plan:
    """The recorded inputs of each planned test: node id -> pickled keyword arguments, in
    call order; and the reference's answers: pickled (function, args, kwargs) -> pickled
    return value. ``key`` says what they were drawn for (``plan_key``)."""

    key: str
    tests: Mapping[str, tuple[bytes, ...]]
    answers: Mapping[bytes, bytes] = field(default_factory=dict)

    @property
    def examples(self) -> int:
        return sum(len(inputs) for inputs in self.tests.values())


def plan_key(assignment: Assignment, profile: str) -> str:
    """What the draws depend on: the suites (``suite_fingerprint``: config, reference, suites,
    framework version), hypothesis' settings profile ``profile``, and the versions of
    hypothesis, numpy (``hypothesis.extra.numpy``) and Python."""
    parts = (f"plan {PLAN_FORMAT}", suite_fingerprint(assignment), repr(settings.get_profile(profile)),
             f"hypothesis {hypothesis.__version__}", f"numpy {numpy.__version__}",
             f"python {sys.version_info.major}.{sys.version_info.minor}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


# ---------------------------------------------------------------- record


@dataclass
class Recorder:
    """A pytest plugin that records each hypothesis test's inputs while the reference is graded."""

    calls: dict[str, list[bytes]] = field(default_factory=dict)
    unplannable: set[str] = field(default_factory=set)
    answers: dict[bytes, bytes] = field(default_factory=dict)  # filled by a recording ``ReferenceAnswers``

    @pytest.hookimpl(wrapper=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> Iterator[None]:
        handle = getattr(pyfuncitem.obj, "hypothesis", None)
        if handle is None:
            return (yield)
        original = handle.inner_test
        handle.inner_test = self._recording(pyfuncitem.nodeid, original, fixture_names(pyfuncitem))
        try:
            return (yield)
        finally:  # test modules outlive the session: the next run must see the real test
            handle.inner_test = original

    def _recording(self, nodeid: str, test: Callable[..., Any], fixtures: frozenset[str]) -> Callable[..., Any]:
        calls = self.calls.setdefault(nodeid, [])

        @functools.wraps(test)  # hypothesis' seed comes from the source and signature it unwraps to
        def record(*args: Any, **kwargs: Any) -> Any:
            try:
                drawn = pickle.dumps({k: v for k, v in kwargs.items() if k not in fixtures})
            except Exception:  # an input that cannot be stored (an interactive draw): run it live
                self.unplannable.add(nodeid)
                drawn = b""
            if args:
                self.unplannable.add(nodeid)
            try:
                result = test(*args, **kwargs)
            except BaseException:  # rejected, skipped or failed: its draws may depend on the student
                self.unplannable.add(nodeid)
                raise
            calls.append(drawn)
            return result

        return record

    def plan(self, key: str, passed: set[str]) -> Plan:
        """The plan of the tests that ``passed`` on the reference and can be replayed."""
        return Plan(key, {nodeid: tuple(inputs) for nodeid, inputs in self.calls.items()
                          if nodeid in passed and nodeid not in self.unplannable}, dict(self.answers))


# ---------------------------------------------------------------- replay


class Replay:
    """A pytest plugin that runs each planned test on its recorded inputs (see the module
    docstring); ``output`` is rewound when a test goes back to hypothesis."""

    def __init__(self, plan: Plan, output: OutputLog) -> None:
        self._plan = plan
        self._output = output
        self._failures = failure_exceptions_to_catch()  # what hypothesis counts as a failing input
        self.replayed = 0  # tests passed from the plan
        self.handed_back = 0  # tests given to the real hypothesis run

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool | None:
        if pyfuncitem.nodeid not in self._plan.tests:
            return None
        fixtures = {name: pyfuncitem.funcargs[name] for name in fixture_names(pyfuncitem)}
        return True if self.passes(pyfuncitem.nodeid, pyfuncitem.obj, fixtures) else None

    def passes(self, nodeid: str, test: Callable[..., Any], fixtures: Mapping[str, Any]) -> bool:
        """Whether ``test`` (node id ``nodeid``, a ``@given`` test) is planned and passes on
        every recorded input, called with ``fixtures``. False means the caller runs ``test``
        itself: it is not planned, or an input failed (the output was rewound)."""
        inputs = self._plan.tests.get(nodeid)
        if inputs is None:
            return False
        inner_test = test.hypothesis.inner_test  # type: ignore[attr-defined]
        mark = self._output.output_mark()
        for drawn in inputs:
            try:
                inner_test(**fixtures, **pickle.loads(drawn))  # noqa: S301 -- see the module docstring
            except self._failures:
                self._output.rewind_output(mark)  # hypothesis calls these again; print once, as without the plan
                self.handed_back += 1
                return False
        self.replayed += 1
        return True


class ReferenceAnswers:
    """The reference module as the suites see it (the ``reference`` fixture): a call whose
    answer ``answers`` (the plan's) or ``store`` holds is answered from it, any other is
    computed and, with a ``store``, added to it: the recorder's answers while a plan is
    recorded, the process's ``learned_answers`` while students are graded.

    An answer is looked up by the exact bytes of the call's pickled arguments, and returned
    as a fresh copy. The reference is deterministic, so a stored answer is the one it would
    compute; only calls that returned are stored (a raised exception is raised anew).
    """

    def __init__(self, module: ModuleType, answers: Mapping[bytes, bytes], *,
                 store: AnswerStore | None = None) -> None:
        self._module = module
        self._answers = answers
        self._store = store
        self._functions: dict[str, Callable[..., Any]] = {}

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if not inspect.isfunction(value):
            return value
        if name not in self._functions:  # one wrapper a function: checks cache its signature
            self._functions[name] = self._answering(name, value)
        return self._functions[name]

    def _answering(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        answers, store = self._answers, self._store

        @functools.wraps(function)
        def answer(*args: Any, **kwargs: Any) -> Any:
            try:
                key = pickle.dumps((name, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # an argument that cannot be pickled: just compute
                return function(*args, **kwargs)
            stored = answers.get(key)
            if stored is None and store is not None:
                stored = store.get(key)
            if stored is not None:
                return pickle.loads(stored)  # noqa: S301 -- see the module docstring
            result = function(*args, **kwargs)
            if store is not None:
                with contextlib.suppress(Exception):
                    store[key] = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            return result

        return answer


class AnswerStore(Protocol):
    """Where ``ReferenceAnswers`` keeps what it computed: a dict, or ``LearnedAnswers``."""

    def get(self, key: bytes) -> bytes | None: ...

    def __setitem__(self, key: bytes, value: bytes) -> None: ...


class LearnedAnswers:
    """The reference's answers to calls the plan does not hold (the hypothesis run of a
    test that failed: its search and shrinking), kept for the grading process's next
    submissions, since students with the same mistake shrink through the same inputs. At
    most ``limit`` bytes of keys and answers; the oldest go first.

    It holds only what the reference returned for exact arguments: a pure function's
    values, so no student's grading can change what another's computes.
    """

    def __init__(self, limit: int = LEARNED_BYTES) -> None:
        self.limit = limit
        self._items: dict[bytes, bytes] = {}
        self._bytes = 0

    def get(self, key: bytes) -> bytes | None:
        return self._items.get(key)

    def __setitem__(self, key: bytes, value: bytes) -> None:
        size = len(key) + len(value)
        if key in self._items or size > self.limit:
            return
        self._items[key] = value
        self._bytes += size
        while self._bytes > self.limit:
            oldest = next(iter(self._items))
            self._bytes -= len(oldest) + len(self._items.pop(oldest))

    def __len__(self) -> int:
        return len(self._items)


@functools.lru_cache(maxsize=4)
def learned_answers(key: str) -> LearnedAnswers:
    """This process's ``LearnedAnswers`` for the plan ``key`` (one per suite version)."""
    return LearnedAnswers()


def fixture_names(item: pytest.Function) -> frozenset[str]:
    """The arguments pytest fills in: the test's signature once ``@given`` took its own."""
    return frozenset(inspect.signature(item.obj).parameters)


# ---------------------------------------------------------------- store


def cache_folder() -> Path:
    """Where local plans are cached: ``$AUTOGRADER_CACHE``, else ``autograder/plans`` in
    the user's cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "autograder" / "plans"


def read_plan(path: Path, key: str) -> Plan | None:
    """The plan stored at ``path`` if it was drawn for ``key``; None if absent, unreadable
    or stale. ``path`` is one of the grader's own files (see the module docstring)."""
    try:
        with open(path, "rb") as handle:
            stored = pickle.load(handle)  # noqa: S301 -- only the grader's own files
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None
    return stored if isinstance(stored, Plan) and stored.key == key else None


def write_plan(plan: Plan, path: Path) -> Path:
    """Store ``plan`` at ``path`` atomically (readers never see half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".plan-", delete=False) as handle:
        pickle.dump(plan, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(handle.name, path)
    return path


def cached_plan(assignment: Assignment, key: str, build: Callable[[], Plan]) -> tuple[Plan, str]:
    """The plan for ``key`` and where it came from: the assignment folder's (a zip's),
    else the cache's, else one ``build`` makes now and caches. One process builds while
    others that need the same plan wait for it (a lock file per key)."""
    shipped = read_plan(assignment.folder / PLAN_FILE, key)
    if shipped is not None:
        return shipped, "the assignment folder"
    path = cache_folder() / f"{key}.pickle"
    cached = read_plan(path, key)
    if cached is not None:
        return cached, "the cache"
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(_locked(path.with_suffix(".lock")))
        except OSError:  # no writable cache folder: this process records its own
            return build(), "a recording made now (no writable cache folder)"
        cached = read_plan(path, key)  # another process may have recorded it while we waited
        if cached is not None:
            return cached, "the cache"
        plan = build()
        with contextlib.suppress(OSError):
            write_plan(plan, path)
        return plan, "a recording made now"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
