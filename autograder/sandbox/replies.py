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

    ``mutated`` names the parameters whose ndarray argument the call changed in place.
    ``seconds`` is the round trip as the grader measured it.
    """

    value: object
    mutated: tuple[str, ...]
    seconds: float


@dataclass(frozen=True)
class Raised:
    """The student's function raised an ``Exception``.

    ``traceback`` holds only frames of the student's file, without absolute paths.
    """

    type_name: str
    message: str
    traceback: tuple[str, ...]
    seconds: float


@dataclass(frozen=True)
class Failed:
    """The call could not complete; ``message`` is one student-facing line."""

    kind: str
    message: str
    seconds: float
