"""The worker: imports the student's module, then answers calls over the private channel.

Started by the grader (in the jail as an unprivileged user, or as a plain subprocess) with
one JSON argument. Until the student's module is imported this code is trusted; after,
the student can change anything in this process, which is why the grader believes only
validated frames and enforces every wall-clock limit itself.

Messages: the worker sends ``started`` (limits and guards are in place) and waits; the
grader sends ``load`` with the bytes of the student's file, which the worker writes to
its own folder and imports, answering ``ready`` or ``import_error``; then one reply per
``call`` request. The import runs the file's top-level statements one at a time
(``autograder.sandbox.toplevel``): one that raises (demo code such as a print of a comparison with
scipy, whose stand-in raises) is skipped and noted on the student's output, so that it
costs no function its points. A worker can so be started before the grader knows whose
file it will run (``autograder.sandbox.spares``).
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import sys
import traceback
from dataclasses import dataclass
from types import ModuleType, TracebackType
from typing import Any

import numpy as np

from autograder.sandbox import guards, limits, protocol, toplevel
from autograder.sandbox.replies import Unsupported

MESSAGE_CHARS = 500
TRACEBACK_FRAMES = 30
LINE_CHARS = 300
READ_BYTES = 1 << 16  # os.read allocates this much each time, however little arrives


@dataclass(frozen=True)
class Student:
    """The imported module with the name and path the grader gave it (the module's own
    ``__name__`` and ``__file__`` are the student's to change)."""

    module: ModuleType
    name: str
    path: str


class _Pipe:
    """The worker's end of the private channel: frames in, frames out."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        for fd in (read_fd, write_fd):
            os.set_inheritable(fd, False)  # the student's child processes do not get it
        self.read_fd, self.write_fd = read_fd, write_fd
        self.reader = protocol.FrameReader()

    def receive(self) -> Any | None:
        """The next message, or None when the grader closed the channel."""
        while (payload := self.reader.next_payload()) is None:
            data = os.read(self.read_fd, READ_BYTES)
            if not data:
                return None
            self.reader.feed(data)
        return protocol.decode(payload)

    def send(self, message: tuple) -> None:
        self.write(protocol.frame(message))

    def write(self, frame: bytes) -> None:
        data = memoryview(frame)
        while data:
            data = data[os.write(self.write_fd, data):]


def main(config: dict[str, Any]) -> None:
    """Set up, import the student's module, answer calls until the channel closes."""
    pipe = _Pipe(config["request_fd"], config["reply_fd"])
    if config["rlimits"]:
        limits.apply({name: tuple(value) for name, value in config["rlimits"].items()})
    guards.install(config["forbidden_modules"], config["forbidden_functions"])
    sys.argv = [os.path.basename(config["path"])]
    pipe.send(("started",))
    if (load := pipe.receive()) is None:
        return  # a spare worker that was never used
    _, (source,) = protocol.unpack(load, protocol.LOAD)
    with open(config["path"], "wb") as file:
        file.write(source.tobytes())
    student = _import_student(config["path"], config["module"], pipe)
    while (request := pipe.receive()) is not None:
        _, (function, args, kwargs) = protocol.unpack(request, protocol.REQUESTS)
        pipe.write(_framed(answer(student, function, args, dict(kwargs))))


def _import_student(path: str, name: str, pipe: _Pipe) -> Student:
    """The student's module, or (after telling the grader why not) the end of this process.

    The file runs one top-level statement at a time (``autograder.sandbox.toplevel``); each one
    that raises is skipped with a note on the student's output. A file that does not
    compile, or a statement that exits, ends the import.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        with open(path, "rb") as file:
            statements = toplevel.compile_statements(file.read(), path)
        for note in toplevel.run_statements(statements, module.__dict__, path):
            _note(note)
    except BaseException as exc:
        kind = type(exc).__qualname__
        pipe.send(("import_error", kind, _message(exc), _student_frames(exc.__traceback__, path)))
        os._exit(0)
    pipe.send(("ready",))
    return Student(module, name, path)


def _note(text: str) -> None:
    """Write a line for the student among what their code printed (the worker's stderr)."""
    try:
        os.write(2, f"{text}\n".encode("utf-8", "backslashreplace"))
    except OSError:  # the student's code closed it: the note is lost, nothing else
        pass


def answer(student: Student, function_name: str, args: tuple, kwargs: dict[str, Any]) -> tuple:
    """The reply to one call; whatever the student's code does, this returns a message."""
    guards.reset()
    try:
        function = getattr(student.module, function_name)
        snapshots = [(array, _snapshot(array)) for array in _arrays_in(args, kwargs)]
        value = function(*args, **kwargs)
        changed = [array for array, before in snapshots if _snapshot(array) != before]
        reply = ("returned", protocol.plain(value, student.name), _parameter_names(function, args, kwargs, changed))
    except RecursionError:
        reply = ("fatal", "recursion", "")
    except MemoryError:
        reply = ("fatal", "memory", "")
    except Exception as exc:
        kind = protocol.type_name(type(exc), student.name)
        reply = ("raised", kind, _message(exc), _student_frames(exc.__traceback__, student.path))
    except SystemExit as exc:
        reply = ("fatal", "exit", protocol.preview(exc.code))
    except BaseException as exc:
        reply = ("fatal", "base", protocol.type_name(type(exc), student.name))
    used = guards.first_used()
    return ("forbidden", used) if used else reply


def _framed(reply: tuple) -> bytes:
    """``reply`` as a frame, with an Unsupported in place of a returned value too large for one.

    Only a returned value can be that large: every other field is cut to size.
    """
    try:
        return protocol.frame(reply)
    except ValueError as exc:
        tag, value, mutated = reply
        return protocol.frame((tag, Unsupported(protocol.type_name(type(value)), f"too large to return ({exc})"),
                               mutated))


def _arrays_in(args: tuple, kwargs: dict[str, Any]) -> list[np.ndarray]:
    """The ndarray arguments, and those inside tuple arguments: the ones a call could change."""
    values = [*args, *kwargs.values()]
    values += [item for value in values if type(value) is tuple for item in value]
    return [value for value in values if type(value) is np.ndarray]


def _snapshot(array: np.ndarray) -> tuple:
    return (array.shape, array.dtype.str, array.tobytes())


def _parameter_names(function: Any, args: tuple, kwargs: dict[str, Any], arrays: list[np.ndarray]) -> tuple[str, ...]:
    """The names under which ``arrays`` were passed to ``function`` (``x``, ``args[1]``).

    Only called for arrays the call changed, which is rare: binding is slow.
    """
    if not arrays:
        return ()
    try:
        bound = inspect.signature(function).bind(*args, **kwargs).arguments
        named = [(param, value) for param, value in bound.items() if not isinstance(value, (tuple, dict))]
        named += [(f"{param}[{i}]", item) for param, value in bound.items() if isinstance(value, tuple)
                  for i, item in enumerate(value)]
        named += [(key, item) for value in bound.values() if isinstance(value, dict) for key, item in value.items()]
    except Exception:  # no signature, or arguments it does not accept: number them
        named = [(f"argument {i + 1}", value) for i, value in enumerate(args)] + list(kwargs.items())
    return tuple(dict.fromkeys(param for param, value in named if any(value is array for array in arrays)))


def _message(exc: BaseException) -> str:
    """``str(exc)``, cut to a few hundred characters, whatever ``__str__`` does."""
    try:
        text = str.__str__(str(exc))
    except Exception as error:
        text = f"<str() of the exception failed: {type(error).__name__}>"
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS - 3] + "..."


def _student_frames(tb: TracebackType | None, path: str) -> tuple[str, ...]:
    """Frames of the student's file as ``cnn.py, line 12, in conv2d: return x[i]``."""
    filename = os.path.basename(path)
    frames = [
        (f"{filename}, line {frame.lineno}, in {frame.name}" + (f": {frame.line}" if frame.line else ""))[:LINE_CHARS]
        for frame in traceback.extract_tb(tb)
        if frame.filename == path
    ]
    if len(frames) > TRACEBACK_FRAMES:
        skipped = len(frames) - TRACEBACK_FRAMES
        frames = [f"... {skipped} earlier frames"] + frames[-TRACEBACK_FRAMES:]
    return tuple(frames)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
    os._exit(0)  # no atexit handlers or finalizers of the student's
