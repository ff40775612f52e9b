"""What the suites see as the ``student`` fixture: the student's functions, called remotely.

Test code never imports the student's module. It calls ``student.conv2d(image, kernel)``;
this module sends the call to the sandbox and turns the plain-data reply back into what a
test expects from an ordinary call:

- a return value (an array, an int, ... or an ``Unsupported`` marker the checks reject);
- the student's exception, re-raised as the same builtin type (``ValueError`` stays a
  ``ValueError``, so ``pytest.raises(ValueError)`` reads the same in public and hidden
  tests); an exception of the student's own class as its nearest builtin ancestor
  (``class CNNArgumentError(ValueError)`` is a ``ValueError`` whose message starts with
  ``CNNArgumentError:``), or as ``StudentException`` if that cannot be built;
- ``CallAborted`` when the call could not finish (time limit, crash, forbidden API, the
  module did not import, the submission's time budget used up) or the module defines no
  such function ("cnn.py defines no function `leaky_relu`; did you mean `leaky_relu_`?",
  once the worker's lookup failed; later calls fail at once). It derives from
  ``BaseException`` on purpose: hypothesis stops at once instead of re-running a timed-out
  example while shrinking.

After each call, ``last_mutated`` names the array arguments the call changed in place and
``last_aliased`` those its result shares memory with (it is not a new array); ``reached``
collects the other graded functions the calls went through (or whose frames a student
traceback shows) since ``forget_reached``, which the plugin calls before each test.
"""

from __future__ import annotations

import builtins
import functools
import math
import time
from collections import Counter
from typing import Any, Callable, Collection, Protocol, Sequence

from autograder.feedback import describe_call, missing_function
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
    protocol; or ``missing`` when the module defines no function of that name.
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

    A function the module lacks is named as such, with ``student_file`` (the assignment's
    file name) and the nearest of ``defined`` (the functions the file defines) as a guess.
    """

    def __init__(self, caller: Caller, functions: Sequence[str], max_aborts: int = 2,
                 budget_seconds: float = math.inf, *, student_file: str = "the submission",
                 defined: Collection[str] = ()) -> None:
        self._caller = caller
        self._functions = frozenset(functions)
        self._student_file = student_file
        self._defined = tuple(sorted(set(defined) - self._functions))
        self._max_aborts = max_aborts
        self._budget_seconds = budget_seconds
        self._deadline = time.monotonic() + budget_seconds
        self._given_up: dict[str, Failed] = {}
        self._aborts: Counter[str] = Counter()
        self.last_mutated: tuple[str, ...] = ()
        self.last_aliased: tuple[str, ...] = ()
        self._reached: set[str] = set()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or name not in self._functions:
            raise AttributeError(f"the student module has no graded function {name!r}")
        return lambda *args, **kwargs: self._call(name, args, kwargs)

    def _call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        reply = self._reply(name, args, kwargs)
        self.last_mutated = reply.mutated if isinstance(reply, Returned) else ()
        self.last_aliased = reply.aliased if isinstance(reply, Returned) else ()
        if isinstance(reply, (Returned, Raised)):
            self._reached.update(reply.reached)
        if isinstance(reply, Returned):
            return reply.value
        if isinstance(reply, Raised):
            self._reached.update(_functions_in(reply.traceback, self._functions - {name}))
            raise _as_exception(reply, _Detail(reply.traceback, name, args, kwargs))
        raise CallAborted(reply.kind, reply.message, describe_call(name, args, kwargs))

    @property
    def reached(self) -> frozenset[str]:
        """The graded functions reached by calls since ``forget_reached`` (other than the
        one called, unless another call reached it)."""
        return frozenset(self._reached)

    def forget_reached(self) -> None:
        self._reached.clear()

    def _reply(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Reply:
        """The call's reply, or at once the failure that stands in for it."""
        if name in self._given_up:
            return self._given_up[name]
        if time.monotonic() >= self._deadline:
            return Failed("timeout", f"the submission used up its time budget of {self._budget_seconds:g} s; "
                                     "the remaining tests were not run", 0.0)
        reply = self._caller.call(name, *args, **kwargs)
        if _is_missing(reply, name):
            reply = self._given_up[name] = Failed("missing", missing_function(self._student_file, name, self._defined),
                                                  0.0)
        elif isinstance(reply, Failed) and reply.kind != "import":
            self._aborts[name] += 1
            if self._aborts[name] >= self._max_aborts:
                self._given_up[name] = Failed(
                    reply.kind, f"{reply.message} (not run again after {self._max_aborts} calls that did not finish)",
                    0.0)
        return reply


def _is_missing(reply: Reply, name: str) -> bool:
    """Whether the worker's lookup of ``name`` in the module failed: an AttributeError
    naming it with no frame of the student's file (a student function that raises one has
    its own frame in the traceback)."""
    return (isinstance(reply, Raised) and reply.type_name == "AttributeError" and not reply.traceback
            and f"attribute {name!r}" in reply.message)


def _as_exception(reply: Raised, detail: _Detail) -> Exception:
    """Rebuild the student's exception, with its traceback lines and the call.

    ``raised_by_student`` tells the suite runner this exception came from student code,
    not from a bug in a test; ``student_detail`` is what the student may see (hypothesis
    adds notes to the exception later, which name grader files).
    """
    exc = _rebuilt(reply)
    exc.raised_by_student = True  # type: ignore[attr-defined]
    exc.student_detail = detail  # type: ignore[attr-defined]
    return exc


class _Detail:
    """The traceback lines and the call of a raised exception, written out only when
    shown: most raised exceptions are the ``ValueError``s a test asks for, and writing out
    a call's arrays costs far more than the call."""

    def __init__(self, traceback: tuple[str, ...], function: str, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> None:
        self._traceback, self._call = traceback, (function, args, kwargs)

    @functools.cached_property
    def text(self) -> str:
        frames = ["Traceback in your code:", *(f"  {line}" for line in self._traceback)] if self._traceback else []
        return "\n".join([*frames, f"Called as {describe_call(*self._call)}"])

    def __str__(self) -> str:
        return self.text


def _rebuilt(reply: Raised) -> Exception:
    """The builtin exception the student's is, or derives from nearest (then the message
    starts with the student's class name); ``StudentException`` for a class whose nearest
    builtin ancestor is ``Exception`` itself, or one that cannot be built from a message."""
    own_class = bool(reply.builtin) and reply.builtin != reply.type_name
    builtin = getattr(builtins, reply.builtin if own_class else reply.type_name, None)
    if isinstance(builtin, type) and issubclass(builtin, Exception) and not (own_class and builtin is Exception):
        prefix = f"{reply.type_name}: " if own_class and reply.message else reply.type_name if own_class else ""
        try:
            return builtin(prefix + reply.message)
        except TypeError:  # builtins whose constructor wants more than a message
            pass
    return StudentException(reply.type_name, reply.message)


def _functions_in(traceback: tuple[str, ...], functions: frozenset[str]) -> set[str]:
    """Which of ``functions`` appear as frames (``cnn.py, line 3, in zero_pad: ...``)."""
    named = {line.split(", in ", 1)[1].split(":", 1)[0] for line in traceback if ", in " in line}
    return named & functions
