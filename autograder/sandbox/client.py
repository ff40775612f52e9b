"""``Sandbox``: the grader's handle on one submission's worker.

Calls go to a persistent worker (started lazily, or taken ready from ``Spares``; restarted
lazily after anything that ends it), which is sent the student's file and imports it;
every reply is decoded and validated here and turned into ``Returned``, ``Raised`` or
``Failed``. Nothing the student's code does makes a method raise.
"""

from __future__ import annotations

import signal
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from autograder.errors import GraderFault
from autograder.sandbox import protocol
from autograder.sandbox.channel import ChannelClosed, ChannelTimeout, OutputCapture
from autograder.sandbox.launch import Launcher, Settings, WorkerProcess, choose_mode
from autograder.sandbox.limits import FILE_BYTES
from autograder.sandbox.replies import Failed, Raised, Returned
from autograder.sandbox.spares import Spares

if TYPE_CHECKING:
    from autograder.spec import ForbiddenApis, Limits

STARTUP_SECONDS = 60.0  # Python, numpy and the jail, before the student's import begins
EXIT_GRACE_SECONDS = 1.0
TYPE_CHARS, MESSAGE_CHARS, LINE_CHARS, FRAMES = 200, 500, 300, 31


class Sandbox:
    """Runs ``functions`` of one student file in an isolated, limited worker process.

    ``isolation`` is ``"auto"`` (as root the highest rung of ``launch``'s ladder that works
    here, ``jail`` or ``uid``; else process mode), ``"jail"``, ``"uid"`` or ``"process"``;
    by default it comes from the ``AUTOGRADER_SANDBOX`` environment variable. With
    ``spares``, the first worker is the spare started for this sandbox's settings if there
    is one, and a spare is started for the next sandbox. Not thread-safe: one caller at a
    time.
    """

    def __init__(self, submission: Path, *, module: str, functions: Sequence[str], limits: Limits,
                 forbidden: ForbiddenApis, private_paths: Sequence[Path] = (), isolation: str | None = None,
                 spares: Spares | None = None) -> None:
        settings = Settings(module, limits, forbidden, tuple(Path(p).resolve() for p in private_paths))
        self._settings = settings
        self._source = np.frombuffer(Path(submission).read_bytes(), dtype=np.uint8)
        self._functions = tuple(functions)
        self._file = f"{module}.py"
        mode, notice = choose_mode(isolation)
        self._output = OutputCapture(limits.output_bytes)
        self._worker: WorkerProcess | None = None
        self._import_failure: Failed | None = None
        self._closed = False
        taken = spares.take(mode, settings) if spares is not None else None
        self._launcher, self._started_ahead = taken or (Launcher(mode, settings), None)
        self._oom_kills = self._launcher.budget.oom_kills()
        self._notices = (notice,) * bool(notice) + (self._launcher.budget.notice,)
        if self._started_ahead is not None:
            self._started_ahead.channel.output = self._output  # what it prints from now on is this student's
        if spares is not None:
            try:
                spares.prepare(mode, settings)
            except BaseException:
                self.close()
                raise

    @property
    def mode(self) -> str:
        """``jail``, ``uid`` or ``process``: what isolates the student's code."""
        return self._launcher.mode

    @property
    def notices(self) -> tuple[str, ...]:
        """Notes for staff: which mode ran and, below the jail, why (e.g. no root)."""
        return self._notices

    def call(self, function: str, *args: Any, **kwargs: Any) -> Returned | Raised | Failed:
        """Call ``function`` of the student's module in the worker.

        Raises (ValueError, TypeError, RuntimeError) only for the grader's own mistakes:
        a function not in ``functions``, an argument that may not cross, a closed sandbox.
        """
        if function not in self._functions:
            raise ValueError(f"{function!r} is not one of the sandbox's functions {self._functions}")
        if self._closed:
            raise RuntimeError("the sandbox is closed")
        args, kwargs = _argument(args), _argument(tuple(kwargs.items()))
        # (the room is read before a start's import prints: too large is harmless, see ``room``)
        request = protocol.frame(("call", function, args, kwargs, self._output.room()))
        if self._import_failure is not None:
            return replace(self._import_failure, seconds=0.0)
        if self._worker is None:
            self._import_failure = self._start()
            if self._import_failure is not None:
                return self._import_failure
        return self._exchange(function, request, protocol.call_arrays(args, dict(kwargs)))

    def output(self) -> str:
        """What the student's code printed so far, cut to ``limits.output_bytes``."""
        if self._worker is not None:
            self._worker.channel.drain_output()
        return self._output.text()

    def output_mark(self) -> tuple[int, int]:
        """Where the student's output stands now (every finished call's output is in)."""
        return self._output.mark()

    def rewind_output(self, mark: tuple[int, int]) -> None:
        """Forget what was printed since ``output_mark`` gave ``mark``: the grader repeats
        those calls (``autograder.plan``), and the student's output shows them once."""
        if self._worker is not None:
            self._worker.channel.drain_output()
        self._output.rewind(mark)

    def close(self) -> None:
        """Kill the worker and every process it started; safe to call twice."""
        self._discard()
        self._launcher.close()
        self._closed = True

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _start(self) -> Failed | None:
        """Start a worker (or take the spare) and have it import the student's module: None,
        or why the import failed."""
        worker = self._worker = self._started_ahead or self._launcher.start(self._output)
        self._started_ahead = None
        try:
            started = worker.channel.receive(time.monotonic() + STARTUP_SECONDS)
            protocol.unpack(started, {"started": ()})
        except (ChannelTimeout, ChannelClosed, protocol.ProtocolError) as exc:
            status = worker.exit_status(EXIT_GRACE_SECONDS)
            self._discard()
            raise GraderFault(f"the sandbox worker did not start ({exc or type(exc).__name__}, exit status "
                              f"{status}); its output:\n{self._output.text()}") from None
        load = protocol.frame(("load", self._source, self._functions, self._output.room()))
        begin = time.monotonic()
        limit = self._settings.limits.import_seconds
        try:
            tag, fields = protocol.unpack(worker.channel.exchange(load, begin + limit), protocol.REPLIES)
        except ChannelTimeout:
            return self._import_failed(f"it did not finish within {_seconds(limit)} s (time limit for the import)",
                                       begin)
        except ChannelClosed:
            ended = self._end_of_worker()[1]
            return self._import_failed(f"it {self._out_of_memory() if self._over_budget() else ended}", begin)
        except protocol.ProtocolError as exc:
            return self._import_failed(f"it wrote data the grader could not read ({exc})", begin)
        if tag == "import_error":
            kind, message = fields[0][:TYPE_CHARS], fields[1][:MESSAGE_CHARS]
            return self._import_failed(f"{kind}: {message}" if message else kind, begin)
        if tag != "ready":
            return self._import_failed(f"it sent an unexpected {tag!r} message", begin)
        if self._over_budget():  # a child of the worker hit the budget
            return self._import_failed(f"it {self._out_of_memory()}", begin)
        return None

    def _import_failed(self, why: str, begin: float) -> Failed:
        self._discard()
        return Failed("import", f"{self._file} could not be imported: {why}", time.monotonic() - begin)

    def _exchange(self, function: str, request: bytes, sent: list[np.ndarray]) -> Returned | Raised | Failed:
        """Send one call and turn whatever happens into a reply: a memory failure (and a
        new worker) if the kernel killed any process of the sandbox for its memory budget.
        ``sent`` are the request's arrays, to compare with their final state."""
        reply = self._send_call(function, request, sent)
        if not self._over_budget():
            return reply
        self._discard()
        return Failed("memory", f"{function} {self._out_of_memory()}", reply.seconds)

    def _over_budget(self) -> bool:
        """Whether the kernel killed a process of the sandbox for its memory since the last time
        this was asked (one read of the budget's counter per call)."""
        kills = self._launcher.budget.oom_kills()
        over, self._oom_kills = kills != self._oom_kills, kills
        return over

    def _out_of_memory(self) -> str:
        return f"ran out of memory (limit {self._settings.limits.memory_mb} MB)"

    def _send_call(self, function: str, request: bytes, sent: list[np.ndarray]) -> Returned | Raised | Failed:
        """Send one call and turn whatever happens into a reply."""
        begin = time.monotonic()
        limit = self._settings.limits.call_seconds
        try:
            message = self._worker.channel.exchange(request, begin + limit)
            tag, fields = protocol.unpack(message, protocol.REPLIES)
        except ChannelTimeout:
            self._discard()
            return Failed("timeout", f"{function} did not finish within {_seconds(limit)} s (time limit per call)",
                          time.monotonic() - begin)
        except ChannelClosed:
            kind, what = self._end_of_worker()
            return Failed(kind, f"{function} {what}", time.monotonic() - begin)
        except protocol.ProtocolError as exc:
            self._discard()
            return Failed("protocol", f"{function} sent data the grader could not read ({exc}); "
                                      "the worker was restarted", time.monotonic() - begin)
        return self._reply(function, tag, fields, time.monotonic() - begin, sent)

    def _reply(self, function: str, tag: str, fields: tuple, seconds: float,
               sent: list[np.ndarray]) -> Returned | Raised | Failed:
        """The validated message of one call as the reply the caller gets.

        Whether an argument was changed in place is decided here, from the final states
        the worker sends back: a reply without one final state per array sent is malformed.
        """
        if tag == "returned":
            value, finals, names, aliased, reached = fields
            if not len(finals) == len(names) == len(sent):
                self._discard()
                return Failed("protocol", f"{function} sent back {len(finals)} arguments for the {len(sent)} "
                                          "arrays it was given; the worker was restarted", seconds)
            names = tuple(name[:TYPE_CHARS] for name in names)
            mutated = tuple(dict.fromkeys(name for name, before, after in zip(names, sent, finals)
                                          if not _unchanged(before, after)))
            return Returned(value, mutated, seconds, tuple(dict.fromkeys(n for n in aliased if n in names)),
                            self._graded(reached))
        if tag == "raised":
            frames = tuple(line[:LINE_CHARS] for line in fields[3][-FRAMES:])
            return Raised(fields[0][:TYPE_CHARS], fields[2][:MESSAGE_CHARS], frames, seconds,
                          fields[1][:TYPE_CHARS], self._graded(fields[4]))
        if tag == "forbidden":
            api = fields[0][:TYPE_CHARS]
            return Failed("forbidden", f"{api} is not allowed in this assignment (called from {function})", seconds)
        self._discard()
        if tag == "fatal" and fields[0] in _FATAL:
            kind, what = _FATAL[fields[0]]
            detail = fields[1][:TYPE_CHARS]
            return Failed(kind, f"{function} {what.format(detail=detail, mb=self._settings.limits.memory_mb)}",
                          seconds)
        return Failed("protocol", f"{function} sent an unexpected {tag[:TYPE_CHARS]!r} message; "
                                  "the worker was restarted", seconds)

    def _graded(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The graded functions among ``names``, each once."""
        return tuple(name for name in self._functions if name in names)

    def _end_of_worker(self) -> tuple[str, str]:
        """Kind and description of a worker that stopped talking, from its exit status.

        Discards the worker.
        """
        status = self._worker.exit_status(EXIT_GRACE_SECONDS)
        self._discard()
        if status is None:
            return "crash", "closed the grader's private channel"
        if status >= 0:
            return "crash", f"ended the worker process (exit status {status})"
        if status == -signal.SIGXCPU:
            return "timeout", f"used up the CPU time limit ({self._settings.limits.cpu_seconds} s per worker process)"
        if status == -signal.SIGKILL:  # the hard CPU limit, after an ignored SIGXCPU, or the OOM killer
            return "crash", (f"was killed (SIGKILL): it used up the CPU time limit ({self._settings.limits.cpu_seconds}"
                             " s per worker process) or the machine's memory")
        if status == -signal.SIGXFSZ:
            return "crash", f"wrote a file larger than {FILE_BYTES // 2**20} MiB (file size limit)"
        return "crash", f"crashed the worker process (killed by signal {_signal_name(-status)})"

    def _discard(self) -> None:
        for worker in (self._worker, self._started_ahead):
            if worker is not None:
                worker.kill()
        self._worker = self._started_ahead = None


_FATAL = {
    "recursion": ("crash", "exceeded the maximum recursion depth (unbounded recursion?)"),
    "memory": ("memory", "ran out of memory (limit {mb} MB)"),
    "exit": ("crash", "called sys.exit({detail}), which ends the process"),
    "base": ("crash", "raised {detail}, which ends the process"),
}


def _argument(value: Any) -> Any:
    """An argument as it crosses: numpy scalars become Python numbers, tuples and lists recurse."""
    if isinstance(value, list):
        return [_argument(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_argument(item) for item in value)
    if isinstance(value, (np.bool_, np.integer, np.floating)):
        return value.item()
    return value


def _unchanged(before: np.ndarray, after: Any) -> bool:
    """Whether the worker's final state of an argument is, byte for byte, what was sent."""
    return (type(after) is np.ndarray and after.shape == before.shape and after.dtype == before.dtype
            and after.tobytes() == before.tobytes())


def _seconds(value: float) -> str:
    return f"{value:g}"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"number {number}"
