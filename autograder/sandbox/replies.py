"""What a sandboxed call can come back as: plain, frozen data the grader checks.

These are the only objects that leave the sandbox. A student's value is either a plain
value (see ``autograder.sandbox.protocol``) or an ``Unsupported`` description of it.
"""

from __future__ import annotations

from dataclasses import dataclass

FAILURE_KINDS = ("timeout", "crash", "memory", "forbidden", "import", "protocol")


@dataclass(frozen=True)
class Unsupported:
    """A returned value that may not cross the boundary (a list, a numpy scalar, ...)."""

    type_name: str
    preview: str


@dataclass(frozen=True)
class Returned:
    """The student's function returned ``value``.

    ``mutated`` names the parameters whose ndarray argument the call changed in place:
    the grader compares each argument it sent with its final state, which the worker sends
    back. ``aliased`` names the array arguments the returned value shares memory with (it
    is not a new array), as the worker saw it. ``reached`` names the other graded
    functions the call went through. ``seconds`` is the round trip as the grader measured it.
    """

    value: object
    mutated: tuple[str, ...]
    seconds: float
    aliased: tuple[str, ...] = ()
    reached: tuple[str, ...] = ()


@dataclass(frozen=True)
class Raised:
    """The student's function raised an ``Exception``.

    ``builtin`` is the nearest builtin exception class the student's class derives from
    (``ValueError`` for ``class CNNArgumentError(ValueError)``; the class itself when it is
    a builtin). ``traceback`` holds only frames of the student's file, without absolute
    paths. ``reached`` names the other graded functions the call went through.
    """

    type_name: str
    message: str
    traceback: tuple[str, ...]
    seconds: float
    builtin: str = ""
    reached: tuple[str, ...] = ()


@dataclass(frozen=True)
class Failed:
    """The call could not complete; ``message`` is one student-facing line."""

    kind: str
    message: str
    seconds: float
