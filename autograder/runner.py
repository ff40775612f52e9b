"""The suite runner: grade one student file with the assignment's public and hidden suites.

This is the one grading engine. The Gradescope zip and local grading both call
``grade_file``, so the same file gets the same scores through either door.

Steps: read the student's file (never executing it here), find forbidden API uses
statically, start a sandboxed worker for it, run pytest in this (trusted) process with
the ``GradingPlugin`` wired to that worker, and turn the test records into points.

The hypothesis tests replay the suites' plan (``autograder.plan``): the inputs drawn once
while the reference was graded, so a student who passes draws nothing. ``current_plan``
finds it (the zip's, the cache's) or records it, once per process. With the plan, the
tests pytest collected once per process (``current_suite``) are called directly
(``autograder.fastpath``): no pytest session per submission.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
import sys
import tempfile
import time
import traceback
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterator, Protocol, Sequence, cast

import hypothesis.configuration as hypothesis_configuration
import pytest

from autograder import fastpath
from autograder import plugin as grading_fixtures  # the module: its student and reference fixtures
from autograder.errors import GraderFault, SubmissionError
from autograder.plan import Plan, Recorder, ReferenceAnswers, Replay, cached_plan, learned_answers, plan_key
from autograder.plugin import HYPOTHESIS_PROFILE, GradingPlugin, TestRecord
from autograder.results import (GRADED, NOT_IMPORTABLE, POINT_PLACES, QuestionScore, SubmissionResult, TestResult,
                                error_result, split_points)
from autograder.sandbox import Sandbox, find_forbidden_uses
from autograder.spec import Assignment, project_root, suite_fingerprint
from autograder.student import Caller, StudentFunctions
from autograder.submissions import defined_functions, prepare_submission

AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
GRADING_INI = Path(__file__).with_name("grading.ini")
# pytest plugins the grading never uses, not loaded: each costs work per session or per test
# (logging and warnings wrap every test). So suites have no caplog fixture and no
# filterwarnings marks.
UNUSED_PLUGINS = ("logging", "warnings", "junitxml", "pastebin", "doctest", "stepwise", "threadexception",
                  "setuponly", "setupplan")
GRADER_FAILED = "the autograder failed on this submission; course staff have been told (not your fault)"


class GradingSandbox(Caller, Protocol):
    """What grading needs of a sandbox: calls, the student's output, notes for staff."""

    @property
    def notices(self) -> tuple[str, ...]: ...

    def output(self) -> str: ...

    def output_mark(self) -> object: ...

    def rewind_output(self, mark: object) -> None: ...


SandboxFactory = Callable[..., contextlib.AbstractContextManager[GradingSandbox]]


def grade_submission(
    assignment: Assignment,
    submission: Path,
    *,
    private_paths: Sequence[Path] = (),
    sandbox_factory: SandboxFactory = Sandbox,
    replay: bool = True,
) -> SubmissionResult:
    """Grade whatever a student submitted (a file, folder or zip); never raises for it.

    A submission that cannot be graded gets an error result with one clear reason; a fault
    of the grader gets an error result too, with the traceback kept for staff only.
    ``replay`` as in ``grade_file``.
    """
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="autograder-") as workdir:
        try:
            prepared = prepare_submission(submission, assignment.student_file, Path(workdir), assignment.questions)
            result = grade_file(assignment, prepared.file, private_paths=(*private_paths, submission.parent),
                                sandbox_factory=sandbox_factory, replay=replay)
        except SubmissionError as exc:
            return error_result(assignment.name, assignment.points, str(exc),
                                hidden_visibility=assignment.hidden_visibility,
                                seconds=time.monotonic() - started)
        except Exception:  # a grader fault must still produce a result, never a crash
            return error_result(assignment.name, assignment.points, GRADER_FAILED,
                                staff_notes=(traceback.format_exc(),),
                                hidden_visibility=assignment.hidden_visibility,
                                seconds=time.monotonic() - started)
    if prepared.notes:
        result = replace(result, summary="\n".join(f"Note: {n}" for n in prepared.notes) + "\n\n" + result.summary)
    return result


def grade_file(
    assignment: Assignment,
    student_file: Path,
    *,
    private_paths: Sequence[Path] = (),
    sandbox_factory: SandboxFactory = Sandbox,
    replay: bool = True,
) -> SubmissionResult:
    """Grade one student ``.py`` file and return its result.

    ``private_paths`` are folders the student's code must not read on top of the
    assignment's own (e.g. the output folder). ``sandbox_factory`` exists for unit tests
    of other modules; grading always uses the real ``Sandbox``. With ``replay`` (the
    default) the hypothesis tests replay the suites' plan; without it every test draws its
    inputs anew (the same grades, slower: the tests compare both).
    """
    started = time.monotonic()
    plan, source = current_plan(assignment, sandbox_factory) if replay else (None, "")
    result, _, replayed = _grade(assignment, student_file, private_paths, sandbox_factory, plan=plan)
    if replayed is not None:
        note = (f"hypothesis inputs from the plan in {source} ({plan.key[:12]}): {replayed.replayed} tests "
                f"passed on their recorded inputs, {replayed.handed_back} handed to hypothesis")
        result = replace(result, staff_notes=(*result.staff_notes, note))
    return replace(result, seconds=time.monotonic() - started)


def current_plan(assignment: Assignment, sandbox_factory: SandboxFactory = Sandbox) -> tuple[Plan, str]:
    """The plan of ``assignment``'s suites as they are now, and where it came from; read or
    recorded once per process (``plan.cached_plan``)."""
    key = plan_key(assignment, HYPOTHESIS_PROFILE)
    if key not in _PLANS:
        _PLANS[key] = cached_plan(assignment, key, lambda: record_plan(assignment, key, sandbox_factory))
    return _PLANS[key]


_PLANS: dict[str, tuple[Plan, str]] = {}  # this process's plans, by key


def record_plan(assignment: Assignment, key: str, sandbox_factory: SandboxFactory = Sandbox) -> Plan:
    """Grade the reference as a submission, recording what each hypothesis test draws."""
    recorder = Recorder()
    _, records, _ = _grade(assignment, assignment.reference, (), sandbox_factory, recorder=recorder)
    return recorder.plan(key, {r.nodeid for r in records if r.passed})


def current_suite(assignment: Assignment, key: str) -> tuple[fastpath.SuiteTest, ...] | None:
    """The suites' tests as the fast path calls them, collected once per process and plan
    ``key``; None if they must run in pytest (``fastpath.Collector``) or cannot be
    collected (the pytest run then says why)."""
    cache_key = (key, assignment.folder)
    if cache_key not in _SUITES:
        _SUITES[cache_key] = _collect(assignment)
    return _SUITES[cache_key]


_SUITES: dict[tuple[str, Path], tuple[fastpath.SuiteTest, ...] | None] = {}  # this process's collected suites


def _collect(assignment: Assignment) -> tuple[fastpath.SuiteTest, ...] | None:
    # a collect-only session calls no fixture: the plugin needs no student
    plugin = GradingPlugin(cast(StudentFunctions, None), cast(ModuleType, None), assignment.questions,
                           assignment.public_tests)
    collector = fastpath.Collector(assignment.public_tests)
    try:
        _run_pytest(assignment, plugin, collector, options=("--collect-only",))
    except GraderFault:
        return None
    return None if plugin.collection_errors else collector.tests


def _grade(
    assignment: Assignment,
    student_file: Path,
    private_paths: Sequence[Path],
    sandbox_factory: SandboxFactory,
    *,
    plan: Plan | None = None,
    recorder: Recorder | None = None,
) -> tuple[SubmissionResult, list[TestRecord], Replay | None]:
    """Grade ``student_file``, replaying ``plan`` (on the fast path if the suites allow) or
    recording with ``recorder``; the result, the test records and the replay (what it did)."""
    started = time.monotonic()
    suite = current_suite(assignment, plan.key) if plan is not None else None
    source = student_file.read_bytes()
    text = source.decode("utf-8", errors="replace")
    forbidden = find_forbidden_uses(text, assignment.questions, assignment.forbidden)
    hidden = (assignment.folder, assignment.reference.parent, project_root(), *private_paths)
    with sandbox_factory(
        student_file,
        module=assignment.module_name,
        functions=assignment.questions,
        limits=assignment.limits,
        forbidden=assignment.forbidden,
        private_paths=hidden,
    ) as sandbox:
        limits = assignment.limits
        student = StudentFunctions(sandbox, assignment.questions, limits.aborts_per_function, limits.submission_seconds,
                                   student_file=assignment.student_file, defined=defined_functions(text))
        reference = _reference(assignment, plan, recorder)
        replay = Replay(plan, sandbox) if plan is not None else None
        if suite is not None and replay is not None:
            records = fastpath.run(suite, student, reference, replay)
        else:
            records = _run_suites(assignment, student, reference, *filter(None, (replay, recorder)))
        printed = sandbox.output() if assignment.show_student_output else ""
        notices = sandbox.notices
    result = _result(assignment, records, forbidden, printed, notices,
                     seconds=time.monotonic() - started,
                     fingerprint={"submission": hashlib.sha256(source).hexdigest(),
                                  "suite": suite_fingerprint(assignment)})
    return result, records, replay


def _run_suites(assignment: Assignment, student: StudentFunctions, reference: object,
                *more_plugins: object) -> list[TestRecord]:
    """Both suites run by pytest with the grading plugin (and ``more_plugins``); its records."""
    plugin = GradingPlugin(student, cast(ModuleType, reference), assignment.questions, assignment.public_tests)
    _run_pytest(assignment, plugin, *more_plugins)
    if plugin.collection_errors:
        raise GraderFault("the suites could not be collected:\n" + "\n".join(plugin.collection_errors))
    return plugin.records


def _reference(assignment: Assignment, plan: Plan | None, recorder: Recorder | None) -> object:
    """The ``reference`` fixture: the module, answering from the plan (and what this
    process learned beyond it) or recording its answers."""
    module = load_reference(assignment.reference)
    if recorder is not None:
        return ReferenceAnswers(module, {}, store=recorder.answers)
    if plan is None:
        return module
    return ReferenceAnswers(module, plan.answers, store=learned_answers(plan.key))


@lru_cache(maxsize=8)
def load_reference(path: Path) -> ModuleType:
    """Import the reference solution (trusted code) once per process."""
    name = f"autograder_reference_{hashlib.sha256(str(path).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise GraderFault(f"cannot import the reference solution {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run_pytest(assignment: Assignment, plugin: GradingPlugin, *more_plugins: object,
                options: Sequence[str] = ()) -> None:
    """Run both suites in-process, quietly, with pytest ``options`` added; conftest files
    are student-side only."""
    args = [
        *options,
        str(assignment.public_tests),
        str(assignment.hidden_tests),
        "--noconftest",
        "--assert=plain",
        "--tb=native",  # hypothesis formats every failure it meets; pytest's long style is slow
        "-p", "no:cacheprovider",
        "-p", "no:unraisableexception",  # its five garbage collections per session cost ~0.15 s
        *(arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}")),
        "-c", str(GRADING_INI),  # an empty [pytest] section: no project ini applies
        "--rootdir", str(assignment.folder),
        "-q",
    ]
    _forget_suite_modules(assignment)
    with _isolated_pytest(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = pytest.main(args, plugins=[plugin, grading_fixtures, *more_plugins])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise GraderFault(f"pytest stopped with exit code {int(code)} while grading")


@contextlib.contextmanager
def _isolated_pytest() -> Iterator[None]:
    """Grade the same whatever is installed or wherever the command runs.

    No pytest plugin is auto-loaded (pytest-randomly would reorder tests, pytest-benchmark
    would print), and hypothesis keeps its files in a temporary folder, not in the
    folder the TA runs the command from (it stays there for this process: hypothesis
    offers no way to read the old setting back).
    """
    saved_autoload = os.environ.get(AUTOLOAD)
    os.environ[AUTOLOAD] = "1"
    hypothesis_configuration.set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "autograder-hypothesis")
    try:
        yield
    finally:
        if saved_autoload is None:
            os.environ.pop(AUTOLOAD, None)
        else:
            os.environ[AUTOLOAD] = saved_autoload


def _forget_suite_modules(assignment: Assignment) -> None:
    """Drop the suite modules a previous run imported, and their bytecode, so each run
    imports and compiles what this folder's files say now.

    pytest imports test files by their bare name and reuses a module already imported:
    without this, grading a second assignment folder in the same process would find the
    first one's modules, and a suite edited while a grading process runs would be graded
    as it was, under the new suite's fingerprint and plan key. Python also trusts a
    ``.pyc`` whose source has the recorded size and modification second, which an edit
    within that second to the same length (``25`` -> ``12``) keeps.
    """
    for folder in (assignment.public_tests, assignment.hidden_tests):
        for path in folder.glob("*.py"):
            sys.modules.pop(path.stem, None)
            with contextlib.suppress(OSError):  # a read-only assignment folder keeps its bytecode
                Path(importlib.util.cache_from_source(str(path))).unlink(missing_ok=True)


def _result(
    assignment: Assignment,
    records: list[TestRecord],
    forbidden: dict[str, tuple[str, ...]],
    printed: str,
    notices: tuple[str, ...],
    *,
    seconds: float,
    fingerprint: dict[str, str],
) -> SubmissionResult:
    """Attach points to test records: each question's points split evenly over its tests,
    in hundredths that add up to exactly its points (``split_points``)."""
    runtime_forbidden = {r.question for r in records if r.aborted == "forbidden"}
    causes = root_causes(records)
    tests: list[TestResult] = []
    questions: list[QuestionScore] = []
    for question, points in assignment.points:
        mine = [r for r in records if r.question == question]
        if not mine:
            raise GraderFault(f"question {question!r} has no tests in the suites")
        zeroed = bool(forbidden.get(question)) or question in runtime_forbidden
        for record, share in zip(mine, split_points(points, len(mine))):
            tests.append(_test_result(record, share, zeroed, forbidden.get(question, ()), causes.get(record.nodeid, ())))
        earned = round(sum(t.score for t in tests[-len(mine):]), POINT_PLACES)
        questions.append(QuestionScore(question, earned, points, sum(r.passed for r in mine), len(mine),
                                       forbidden.get(question, ())))
    staff = notices + tuple(f"{r.nodeid}:\n{r.staff_note}" for r in records if r.staff_note)
    score = round(sum(q.score for q in questions), POINT_PLACES)
    # "cnn.py could not be imported: SyntaxError: ..." (the sandbox's message) on every test that called
    import_failure = next((r.message.partition("\n")[0] for r in records if r.aborted == "import"), "")
    why = import_failure.partition(" could not be imported: ")[2] or import_failure
    summary = summarize(questions, tests, score, assignment.total_points)
    return SubmissionResult(
        assignment=assignment.name,
        status=f"{NOT_IMPORTABLE}: {why}" if import_failure else GRADED,
        score=score,
        max_score=assignment.total_points,
        questions=tuple(questions),
        tests=tuple(tests),
        summary=f"{import_failure}\n\n{summary}" if import_failure else summary,
        student_output=printed,
        staff_notes=staff,
        hidden_visibility=assignment.hidden_visibility,
        seconds=seconds,
        fingerprint=fingerprint,
    )


def root_causes(records: Sequence[TestRecord]) -> dict[str, tuple[str, ...]]:
    """For each failing test (by node id), the student's graded functions to fix first.

    Those are the other graded functions the test's calls reached whose own tests fail,
    less any whose failing tests reached another of them (conv_layer reached conv_stage
    and zero_pad; conv_stage failed inside zero_pad: fix zero_pad first). Nothing is
    named for a function whose own tests all pass.
    """
    failing = {r.question for r in records if not r.passed}
    reached_by: dict[str, set[str]] = {}  # question -> failing functions its failing tests reached
    for record in records:
        if not record.passed:
            reached_by.setdefault(record.question, set()).update(_failing_reached(record, failing))
    found = {}
    for record in records:
        candidates = _failing_reached(record, failing) if not record.passed else set()
        roots = {name for name in candidates if not reached_by.get(name, set()) & candidates}
        if candidates:
            found[record.nodeid] = tuple(sorted(roots or candidates))
    return found


def _failing_reached(record: TestRecord, failing: set[str]) -> set[str]:
    return {name for name in record.reached if name in failing and name != record.question}


def _cause_line(question: str, causes: tuple[str, ...]) -> str:
    """``conv2d failed inside your zero_pad: fix zero_pad first``."""
    names = " and ".join([", ".join(causes[:-1]), causes[-1]] if len(causes) > 1 else causes)
    return f"{question} failed inside your {names}: fix {names if len(causes) == 1 else 'them'} first"


def _test_result(record: TestRecord, share: float, zeroed: bool, apis: tuple[str, ...],
                 causes: tuple[str, ...]) -> TestResult:
    passed = record.passed and not zeroed
    message = record.message
    if zeroed:
        names = ", ".join(apis) or "a forbidden API"
        message = f"{record.question} uses {names}, which this assignment does not allow: 0 points.\n{message}"
    if causes and not passed:
        message = f"{_cause_line(record.question, causes)}\n{message}"
    kind = "public" if record.public else "hidden"
    return TestResult(
        name=f"{record.question}: {record.title} ({kind})",
        question=record.question,
        public=record.public,
        passed=passed,
        score=share if passed else 0.0,
        max_score=share,
        output=message.strip(),
        misconceptions=(record.misconception,) if record.misconception else (),
        seconds=record.seconds,
        aborted=record.aborted or "",
    )


def summarize(questions: Sequence[QuestionScore], tests: Sequence[TestResult], score: float,
              max_score: float) -> str:
    """The top-level text: score by question, then the misconceptions found."""
    width = max(len(q.name) for q in questions)
    lines = [f"Score: {score:g} / {max_score:g}", ""]
    for q in questions:
        flag = "" if q.passed == q.tests else f"   ({q.passed}/{q.tests} tests passed)"
        if q.forbidden:
            flag = f"   uses {', '.join(q.forbidden)}: not allowed"
        lines.append(f"  {q.name:<{width}}  {q.score:6.2f} / {q.max_score:g}{flag}")
    found = list(dict.fromkeys(m for t in tests for m in t.misconceptions))
    if found:
        lines += ["", "Misconceptions found:"] + [f"  - {m}" for m in found]
    return "\n".join(lines)
