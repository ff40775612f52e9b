"""The worker pool of batch grading: processes that each grade one submission at a time.

``WorkerPool`` spawns its worker processes once per run. Each imports the grader (numpy,
pytest, hypothesis, the reference) once, says it is ready, and then grades the submissions
it is sent one at a time, each in its own sandbox as the engine does. A submission gets
``SUBMISSION_SECONDS`` of wall clock in all (the engine bounds each call); a worker that
takes longer, or dies, is replaced, and that submission gets an error result while the
other workers go on.

Stopping. Only the parent process decides when to stop: workers ignore Ctrl-C, turn
SIGTERM into an orderly exit that kills their sandbox, and get SIGTERM from the kernel if
the parent dies (even by SIGKILL). Closing the pool asks idle workers to finish, sends
SIGTERM to busy ones, and SIGKILL to any still alive ``STOP_SECONDS`` later.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import signal
import sys
import time
from collections import deque
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from autograder.errors import GraderFault
from autograder.results import SubmissionResult, error_result
from autograder.spec import Assignment

if TYPE_CHECKING:
    from autograder.batch import Submission

SUBMISSION_SECONDS = 600.0  # wall clock for one whole submission; the engine bounds each call
STOP_SECONDS = 10.0  # how long a worker may take to clean up its sandbox after SIGTERM
STARTUP_SECONDS = 120.0  # for a worker to import the grader (slow on a loaded machine)
READY = "ready"
WORKER_DIED = "the grading process stopped while grading this submission; it will be graded again on the next run"
PR_SET_PDEATHSIG = 1

SandboxFactory = Callable[..., Any]


class WorkerPool:
    """``jobs`` grading processes, each set up once and then fed one submission at a time;
    they work in the folder ``scratch``.

    A worker that dies, or takes longer than ``SUBMISSION_SECONDS`` on one submission, is
    replaced; that submission gets an error result and nobody else's grading is touched.
    Leaving the ``with`` block stops every worker and waits for it (and so its sandbox).
    """

    def __init__(self, assignment: Assignment, jobs: int, private_paths: Sequence[Path],
                 sandbox_factory: SandboxFactory | None, *, scratch: Path) -> None:
        self._assignment = assignment
        self._args = (assignment, tuple(private_paths), sandbox_factory, os.getpid(), scratch)
        self._context = get_context("spawn")  # a clean interpreter: no inherited threads or locks
        self._workers: list[_Worker] = []
        try:
            self._workers = [self._spawn() for _ in range(jobs)]
            for worker in self._workers:  # they start up side by side; a clock starts once one is ready
                worker.wait_until_ready()
        except BaseException:
            self.close()
            raise

    def grade(self, submissions: Sequence[Submission]) -> Iterator[tuple[Submission, SubmissionResult]]:
        """Each submission with its result, in the order they finish. A worker that finished
        gets its next submission before the result is handed on, so no worker waits while
        the caller stores it."""
        queue = deque(submissions)
        while True:
            self._give_out(queue)
            busy = [w for w in self._workers if w.job is not None]
            if not busy:
                return
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = set(wait([h for w in busy for h in (w.conn, w.process.sentinel)], timeout))
            finished = [(worker.job, self._collect(worker)) for worker in busy
                        if worker.conn in ready or worker.process.sentinel in ready
                        or time.monotonic() > worker.deadline]
            self._give_out(queue)
            yield from finished

    def _give_out(self, queue: deque[Submission]) -> None:
        """The next submissions in ``queue`` to the idle workers."""
        for worker in self._workers:
            if worker.job is None and queue:
                worker.give(queue.popleft())

    def _collect(self, worker: _Worker) -> SubmissionResult:
        """The worker's result; or, when it died or ran out of time, an error result for its
        submission and a fresh worker in its place."""
        result = worker.receive()
        if result is not None:
            worker.job = None
            return result
        seconds = time.monotonic() - worker.started  # before the stop and the replacement's start-up
        overdue = seconds > SUBMISSION_SECONDS
        worker.stop()
        replacement = self._spawn()
        self._workers[self._workers.index(worker)] = replacement
        replacement.wait_until_ready()
        reason = (f"grading took longer than {SUBMISSION_SECONDS:g} s in all (does some function run very slowly?)"
                  if overdue else WORKER_DIED)
        return error_result(self._assignment.name, self._assignment.points, reason,
                            hidden_visibility=self._assignment.hidden_visibility, seconds=seconds)

    def _spawn(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child_end, *self._args), daemon=True,
                                        name="autograder-batch-worker")
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def close(self) -> None:
        """Stop every worker: idle ones are told to finish, busy ones get SIGTERM."""
        for worker in self._workers:
            worker.stop()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Worker:
    """The parent's handle on one grading process and the submission it is grading."""

    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.job: Submission | None = None
        self.started = 0.0

    @property
    def deadline(self) -> float:
        return self.started + SUBMISSION_SECONDS

    def wait_until_ready(self) -> None:
        """Wait for the worker's set-up (imports, reference) to finish."""
        try:
            if self.conn.poll(STARTUP_SECONDS) and self.conn.recv() == READY:
                return
        except (EOFError, OSError):
            self.process.join(STOP_SECONDS)
            raise GraderFault(f"a grading process stopped while starting (exit code {self.process.exitcode}); "
                              "its error is printed above") from None
        raise GraderFault(f"a grading process did not start within {STARTUP_SECONDS:g} s")

    def give(self, submission: Submission) -> None:
        self.job, self.started = submission, time.monotonic()
        self.conn.send(submission.path)

    def receive(self) -> SubmissionResult | None:
        """The result the worker sent, or None if it sent none (it died, or is still busy)."""
        try:
            return self.conn.recv() if self.conn.poll() else None
        except (EOFError, OSError):
            return None

    def stop(self) -> None:
        """End the process: a polite request when idle, SIGTERM when busy, SIGKILL if it lingers."""
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(None) if self.job is None else self.process.terminate()
            self.process.join(STOP_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


_stopping = False


def _serve(conn: Connection, assignment: Assignment, private_paths: tuple[Path, ...],
           sandbox_factory: SandboxFactory | None, parent: int, scratch: Path) -> None:
    """A worker process: set up once, say ``READY``, then grade each path it is sent until
    told to stop.

    It works in ``scratch``: what pytest and hypothesis leave in the working directory
    (``.hypothesis/``, plugin caches) must not land in the TA's folder.
    """
    _obey_parent_only(parent)
    os.chdir(scratch)
    try:
        # The pool initializer's work: numpy, pytest, hypothesis, the reference, the suites'
        # plan (recorded by one worker while the others wait for it) and their collected
        # tests (the fast path's), once per process.
        from autograder.runner import current_plan, current_suite, grade_submission, load_reference
        from autograder.sandbox import Sandbox, Spares

        load_reference(assignment.reference)
        with Spares() as spares:  # the next submission's sandbox worker starts while one is graded
            factory = sandbox_factory or functools.partial(Sandbox, spares=spares)
            current_suite(assignment, current_plan(assignment, factory)[0].key)
            conn.send(READY)
            while (path := conn.recv()) is not None:
                result = grade_submission(assignment, path, private_paths=private_paths, sandbox_factory=factory)
                if _stopping:  # SIGTERM arrived mid-grading: the result may be cut short
                    return
                conn.send(result)
    except (KeyboardInterrupt, EOFError):
        return


def _obey_parent_only(parent: int) -> None:
    """Ignore Ctrl-C (the parent decides), exit cleanly on SIGTERM, and get SIGTERM when
    the parent dies, however it dies."""

    def stop(_signum: int, _frame: object) -> None:
        global _stopping
        _stopping = True
        raise KeyboardInterrupt  # unwinds through the engine, whose sandbox kills its worker

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop)
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
    if os.getppid() != parent:  # the parent died before the line above
        raise SystemExit(1)
