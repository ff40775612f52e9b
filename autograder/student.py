"""What the suites see as the ``student`` fixture: the student's functions, called remotely.

Test code never imports the student's module. It calls ``student.conv2d(image, kernel)``;
this module sends the call to the sandbox and turns the plain-data reply back into what a
test expects from an ordinary call:

- a return value (an array, an int, ... or an ``Unsupported`` marker the checks reject);
- the student's exception, re-raised as the same builtin type (``ValueError`` stays a
  ``ValueError``, so ``pytest.raises(ValueError)`` reads the same in public and hidden
  tests), or as ``StudentException`` for the student's own exception classes;
- ``CallAborted`` when the call could not finish (time limit, crash, forbidden API, the
  module did not import, the submission's time budget used up). It derives from
  ``BaseException`` on purpose: hypothesis stops at once instead of re-running a timed-out
  example while shrinking.
"""

from __future__ import annotations

import builtins
import math
import time
from collections import Counter
from typing import Any, Callable, Protocol, Sequence

from autograder.feedback import describe_call
from autograder.sandbox import Failed, Raised, Returned

Reply = Returned | Raised | Failed


class Caller(Protocol):
    """Anything that runs a student function and answers with a reply (the sandbox)."""

    def call(self, function: str, *args: Any, **kwargs: Any) -> Reply: ...


class StudentException(Exception):
    """The student's code raised an exception of a class that is not a Python builtin."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(f"{type_name}: {message}" if message else type_name)
        self.type_name = type_name


class CallAborted(BaseException):
    """A student call could not finish; the test fails at once with ``message``.

    ``kind`` is the sandbox's failure kind: timeout, crash, memory, forbidden, import or
    protocol.
    """

    def __init__(self, kind: str, message: str, call: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.call = call


class StudentFunctions:
    """Attribute access yields callables for the graded functions, and nothing else.

    Two bounds keep what a submission costs in check, whatever its functions do. A
    function with ``max_aborts`` aborted calls (time limit, crash, memory, forbidden API,
    unreadable reply: each can cost a time limit, and a new worker that imports the
    module again) is not run again: its later calls fail at once. And the submission has
    ``budget_seconds`` of wall clock from when this object is made: after that every call
    fails at once (one under way still ends within its own limits). An import that failed
    is not counted: the sandbox answers every later call with it at no cost.
    """

    def __init__(self, caller: Caller, functions: Sequence[str], max_aborts: int = 2,
                 budget_seconds: float = math.inf) -> None:
        self._caller = caller
        self._functions = frozenset(functions)
        self._max_aborts = max_aborts
        self._budget_seconds = budget_seconds
        self._deadline = time.monotonic() + budget_seconds
        self._given_up: dict[str, Failed] = {}
        self._aborts: Counter[str] = Counter()
        self.last_mutated: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or name not in self._functions:
            raise AttributeError(f"the student module has no graded function {name!r}")
        return lambda *args, **kwargs: self._call(name, args, kwargs)

    def _call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        reply = self._reply(name, args, kwargs)
        if isinstance(reply, Returned):
            self.last_mutated = reply.mutated
            return reply.value
        self.last_mutated = ()
        call = describe_call(name, args, kwargs)
        if isinstance(reply, Raised):
            raise _as_exception(reply, call)
        raise CallAborted(reply.kind, reply.message, call)

    def _reply(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Reply:
        """The call's reply, or at once the failure that stands in for it."""
        if name in self._given_up:
            return self._given_up[name]
        if time.monotonic() >= self._deadline:
            return Failed("timeout", f"the submission used up its time budget of {self._budget_seconds:g} s; "
                                     "the remaining tests were not run", 0.0)
        reply = self._caller.call(name, *args, **kwargs)
        if isinstance(reply, Failed) and reply.kind != "import":
            self._aborts[name] += 1
            if self._aborts[name] >= self._max_aborts:
                self._given_up[name] = Failed(
                    reply.kind, f"{reply.message} (not run again after {self._max_aborts} calls that did not finish)",
                    0.0)
        return reply


def _as_exception(reply: Raised, call: str) -> Exception:
    """Rebuild the student's exception, with its traceback lines and the call.

    ``raised_by_student`` tells the suite runner this exception came from student code,
    not from a bug in a test; ``student_detail`` is what the student may see (the notes
    also carry what hypothesis adds later, which names grader files).
    """
    builtin = getattr(builtins, reply.type_name, None)
    if isinstance(builtin, type) and issubclass(builtin, Exception):
        try:
            exc: Exception = builtin(reply.message)
        except TypeError:  # builtins whose constructor wants more than a message
            exc = StudentException(reply.type_name, reply.message)
    else:
        exc = StudentException(reply.type_name, reply.message)
    detail = "\n".join(["Traceback in your code:", *(f"  {line}" for line in reply.traceback), f"Called as {call}"])
    exc.raised_by_student = True  # type: ignore[attr-defined]
    exc.student_detail = detail  # type: ignore[attr-defined]
    exc.add_note(detail)
    return exc
