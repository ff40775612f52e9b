"""The worker: imports the student's module, then answers calls over the private channel.

Started in a child of the fork server (``autograder.sandbox.forkserver``: ``start``, in
the interpreter that has imported numpy and this module already), or exec'd afresh with
one JSON argument where there is none; in the jail as an unprivileged user, or as a plain
subprocess. Until the student's module is imported this code is trusted; after,
the student can change anything in this process, which is why the grader believes only
validated frames, decides from what crossed (an argument changed in place is one whose
final state, sent back with every reply, differs from what the grader sent), and enforces
every wall-clock limit itself.

Messages: the worker sends ``started`` (limits and guards are in place) and waits; the
grader sends ``load`` with the bytes of the student's file and the graded functions'
names, which the worker writes to its own folder and imports, answering ``ready`` or
``import_error``; then one reply per ``call`` request. The import runs the file's
top-level statements one at a time (``autograder.sandbox.toplevel``): one that raises
(demo code such as a print of a comparison with scipy, whose stand-in raises) is skipped
and noted on the student's output, so that it costs no function its points. A worker can
so be started before the grader knows whose file it will run (``autograder.sandbox.spares``).

What the student prints goes to the grader's output pipe as it did through Python's
unbuffered streams, byte for byte and at once, but only as much of it as the grader still
keeps: each request says how much room is left, and ``sys.stdout`` and ``sys.stderr``
forward at most that many bytes between them while the worker answers it, then drop the
rest without a system call. A flood of prints so costs the student's own time, not a write
and a wake-up of the grader per line. The grader caps what it keeps whatever arrives.

Forging a reply stays possible (the student owns the process) but costs more than a
one-line monkeypatch: the answer loop is built before the import, with every function it
needs from other modules (``os.write``, the codec, ``np.may_share_memory``) bound into
its closure, and the worker's own modules are then taken out of ``sys.modules``.
"""

from __future__ import annotations

import builtins
import functools
import importlib.util
import inspect
import io
import json
import os
import site
import sys
import traceback
import types
from dataclasses import dataclass
from types import ModuleType, TracebackType
from typing import Any, Callable, NoReturn

import numpy as np

from autograder.sandbox import guards, limits, protocol, seccomp, toplevel
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
    """The worker's end of the private channel: frames in, frames out.

    The system calls and the codec are bound when it is made, before the student's import.
    """

    def __init__(self, read_fd: int, write_fd: int) -> None:
        for fd in (read_fd, write_fd):
            os.set_inheritable(fd, False)  # the student's child processes do not get it
        self.read_fd, self.write_fd = read_fd, write_fd
        self.reader = protocol.FrameReader()
        self._read, self._write, self._decode, self._frame = os.read, os.write, protocol.decode, protocol.frame

    def receive(self) -> Any | None:
        """The next message, or None when the grader closed the channel."""
        while (payload := self.reader.next_payload()) is None:
            data = self._read(self.read_fd, READ_BYTES)
            if not data:
                return None
            self.reader.feed(data)
        return self._decode(payload)

    def send(self, message: tuple) -> None:
        self.write(self._frame(message))

    def write(self, frame: bytes) -> None:
        data = memoryview(frame)
        while data:
            data = data[self._write(self.write_fd, data):]


def start(stage: dict[str, Any]) -> NoReturn:
    """Become the worker in this interpreter, a child of the fork server (never returns):
    the environment and ``sys.path`` it would have been exec'd with (``site`` adds only the
    site-packages folders that exist, and it may have just entered its root), fresh import
    caches, then ``main``, and an exit as the exec'd worker's."""
    os.environ.clear()
    os.environ.update(stage["env"])
    missing = {folder for folder in site.getsitepackages() if not os.path.isdir(folder)}
    sys.path[:] = [folder for folder in sys.path if folder not in missing]
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()
    try:
        main(stage["worker"])
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    os._exit(0)  # no atexit handlers or finalizers of the student's (nor the fork server's)


class _Forwarded(io.RawIOBase):
    """The bytes under one of the student's standard streams (``text``): written to ``fd`` at
    once while ``printed`` has room for them, dropped after. Replaces the unbuffered ``FileIO``
    Python gave the stream (``-u``), with its name and descriptor."""

    def __init__(self, fd: int, name: str, printed: _Printed) -> None:
        super().__init__()
        self.name = name
        self.text: io.TextIOWrapper | None = None  # set by ``_Printed.install``
        self.paused = False  # ``text`` no longer writes through: it hands over what is dropped in chunks
        self._fd, self._printed, self._write = fd, printed, os.write

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def write(self, data: Any) -> int:
        """Forward what fits in the room left (as ``FileIO`` does, a full pipe that the student
        made non-blocking loses the write). The first write that finds no room pauses ``text``:
        until the next request, a print then costs no call of this method."""
        view = memoryview(data).cast("B")
        left = self._printed.left
        if left > 0:
            self._printed.left = left - view.nbytes
            try:
                self._write(self._fd, view[:left])
            except BlockingIOError:
                pass
        elif not self.paused:
            self.paused = self._write_through(False)
        return view.nbytes

    def resume(self) -> None:
        """Write through again, dropping what ``text`` held while paused."""
        if self.paused:
            self.paused = False
            self._write_through(True)

    def _write_through(self, on: bool) -> bool:
        """Make ``text`` write through or not; whether it changed (not when the student set it
        so, or closed or detached the stream)."""
        try:
            if self.text.write_through is on:
                return False
            self.text.reconfigure(write_through=on)
            return True
        except Exception:
            return False


class _Printed:
    """The student's ``sys.stdout`` and ``sys.stderr``, and the room for output they share."""

    def __init__(self) -> None:
        self.left = 0
        self._streams: list[_Forwarded] = []

    def install(self) -> None:
        """Replace the standard streams (the ``__stdout__`` ones too, which code that undoes a
        redirection puts back) by streams over ``_Forwarded``, with Python's encoding and
        error handler."""
        for name, fd in (("stdout", 1), ("stderr", 2)):
            original = getattr(sys, name)
            forwarded = _Forwarded(fd, original.name, self)
            forwarded.text = io.TextIOWrapper(forwarded, encoding=original.encoding, errors=original.errors,
                                              newline="\n", write_through=True)
            forwarded.text.mode = original.mode
            self._streams.append(forwarded)
            setattr(sys, name, forwarded.text)
            setattr(sys, f"__{name}__", forwarded.text)

    def allow(self, room: int) -> None:
        """Forward up to ``room`` more bytes, from now until the next request."""
        for stream in self._streams:
            stream.resume()
        self.left = room


def main(config: dict[str, Any]) -> None:
    """Set up, import the student's module, answer calls until the channel closes."""
    pipe = _Pipe(config["request_fd"], config["reply_fd"])
    if config["rlimits"]:
        limits.apply({name: tuple(value) for name, value in config["rlimits"].items()})
    seccomp.install(config["seccomp"])
    used = guards.install(config["forbidden_modules"], config["forbidden_functions"])
    sys.argv = [os.path.basename(config["path"])]
    pipe.send(("started",))
    if (load := pipe.receive()) is None:
        return  # a spare worker that was never used
    _, (source, graded, room) = protocol.unpack(load, protocol.LOAD)
    with open(config["path"], "wb") as file:
        file.write(source.tobytes())
    printed = _Printed()
    printed.install()
    printed.allow(room)
    serve = _answer_loop(pipe, used, graded, printed.allow)
    _hide_own_modules()
    serve(_import_student(config["path"], config["module"], pipe))


def _hide_own_modules() -> None:
    """Take the worker's modules out of ``sys.modules`` before the student's import.

    ``__main__`` (this file) becomes an empty module. The student's code can no longer
    reach them by name, and importing them again makes fresh copies the loop never uses.
    """
    for name in [name for name in sys.modules if name == "autograder" or name.startswith("autograder.")]:
        del sys.modules[name]
    sys.modules["__main__"] = types.ModuleType("__main__")


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


def _answer_loop(pipe: _Pipe, used: list[str], graded: tuple[str, ...],
                 allow: Callable[[int], None]) -> Callable[[Student], None]:
    """The loop that answers calls, built before the student's import; ``allow`` sets the
    room for output each request brings.

    What it needs from modules the student can reach by name (the codec, numpy, inspect,
    the guard's record ``used``, the builtin exception classes) is looked up now, once.
    """
    receive, write, unpack, requests = pipe.receive, pipe.write, protocol.unpack, protocol.REQUESTS
    plain, type_name, call_arrays, preview = protocol.plain, protocol.type_name, protocol.call_arrays, protocol.preview
    frame, may_share_memory, signature = protocol.frame, np.may_share_memory, inspect.signature
    builtin_names = {id(kind): kind.__name__ for kind in vars(builtins).values()
                     if isinstance(kind, type) and issubclass(kind, BaseException)}
    reached: list[str] = []
    signatures: dict[str, tuple[Any, inspect.Signature | None]] = {}

    def nearest_builtin(kind: type) -> str:
        """The first builtin exception class in ``kind``'s method resolution order."""
        try:
            return next(builtin_names[id(base)] for base in kind.__mro__ if id(base) in builtin_names)
        except Exception:  # a metaclass that lies about __mro__
            return "Exception"

    def names(function: Any, name: str, args: tuple, kwargs: dict[str, Any], arrays: list) -> tuple[str, ...]:
        """The parameter name under which each of ``arrays`` was passed."""
        cached = signatures.get(name)
        if cached is None or cached[0] is not function:
            try:
                cached = signatures[name] = (function, signature(function))
            except Exception:  # no signature: number the arguments
                cached = signatures[name] = (function, None)
        return _parameter_names(cached[1], args, kwargs, arrays)

    def answer(student: Student, name: str, args: tuple, kwargs: dict[str, Any]) -> tuple:
        """The reply to one call; whatever the student's code does, this returns a message."""
        used.clear()
        reached.clear()
        try:
            function = getattr(student.module, name)
            value = plain(function(*args, **kwargs), student.name)
            arrays = call_arrays(args, kwargs)
            finals = tuple(plain(array) for array in arrays)
            labels = names(function, name, args, kwargs, arrays)
            aliased = tuple(dict.fromkeys(label for label, array in zip(labels, arrays)
                                          if any(may_share_memory(got, array) for got in _arrays_of(value))))
            reply = ("returned", value, finals, labels, aliased, others(name))
        except RecursionError:
            reply = ("fatal", "recursion", "")
        except MemoryError:
            reply = ("fatal", "memory", "")
        except Exception as exc:
            kind = type(exc)
            reply = ("raised", type_name(kind, student.name), nearest_builtin(kind), _message(exc),
                     _student_frames(exc.__traceback__, student.path), others(name))
        except SystemExit as exc:
            reply = ("fatal", "exit", preview(exc.code))
        except BaseException as exc:
            reply = ("fatal", "base", type_name(type(exc), student.name))
        return ("forbidden", used[0]) if used else reply

    def others(name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(other for other in reached if other != name))

    def framed(reply: tuple) -> bytes:
        """``reply`` as a frame. Only a "returned" reply can be too large for one (every other
        field is cut to size): its value becomes an Unsupported, then, if that is not enough,
        so do the arguments' final states (which the grader then counts as changed)."""
        try:
            return frame(reply)
        except ValueError as exc:
            tag, value, finals, *rest = reply
            value = Unsupported(type_name(type(value)), f"too large to return ({exc})")
        try:
            return frame((tag, value, finals, *rest))
        except ValueError:
            gone = tuple(Unsupported("numpy array", "too large to send back") for _ in finals)
            return frame((tag, value, gone, *rest))

    def serve(student: Student) -> None:
        _record_reached(student.module, graded, reached)
        while (request := receive()) is not None:
            _, (function, args, kwargs, room) = unpack(request, requests)
            allow(room)
            write(framed(answer(student, function, args, dict(kwargs))))

    return serve


def _record_reached(module: ModuleType, graded: tuple[str, ...], reached: list[str]) -> None:
    """Wrap the module's graded functions so that each call appends its name to ``reached``:
    a call from ``conv2d`` into the student's own ``zero_pad`` goes through the wrapper.

    Only plain functions are wrapped; anything else is left as it is.
    """
    for name in graded:
        try:
            function = vars(module).get(name)
            if type(function) is types.FunctionType:
                setattr(module, name, _recording(name, function, reached))
        except Exception:  # a module that resists: the call is not recorded
            continue


def _recording(name: str, function: Callable[..., Any], reached: list[str]) -> Callable[..., Any]:
    @functools.wraps(function)
    def graded(*args: Any, **kwargs: Any) -> Any:
        reached.append(name)
        return function(*args, **kwargs)

    return graded


def _arrays_of(value: Any) -> list[np.ndarray]:
    """The arrays in a plain value (tuples and lists included): what a call returned."""
    if type(value) is np.ndarray:
        return [value]
    if type(value) in (tuple, list):
        return [array for item in value for array in _arrays_of(item)]
    return []


def _parameter_names(signature: inspect.Signature | None, args: tuple, kwargs: dict[str, Any],
                     arrays: list[np.ndarray]) -> tuple[str, ...]:
    """For each of ``arrays``, the name it was passed under (``x``, ``args[1]``)."""
    if not arrays:
        return ()
    try:
        bound = signature.bind(*args, **kwargs).arguments
        named = [(param, value) for param, value in bound.items() if not isinstance(value, (tuple, list, dict))]
        named += [(f"{param}[{i}]", item) for param, value in bound.items() if isinstance(value, (tuple, list))
                  for i, item in enumerate(value)]
        named += [(key, item) for value in bound.values() if isinstance(value, dict) for key, item in value.items()]
    except Exception:  # no signature, or arguments it does not accept: number them
        named = [(f"argument {i + 1}", value) for i, value in enumerate(args)] + list(kwargs.items())
        named += [(f"argument {i + 1}[{j}]", item) for i, value in enumerate(args) if type(value) in (tuple, list)
                  for j, item in enumerate(value)]
    return tuple(next((param for param, value in named if value is array), "an argument") for array in arrays)


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
