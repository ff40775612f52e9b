"""Feedback a student can act on: the ``Feedback`` failure and how inputs are shown.

A check in a suite fails by raising ``Feedback`` with a message written for the student
(what was called, expected vs got) and, when the wrong answer matches a known mistake, the
name of that misconception. The suite runner shows only these messages, never test source.

Values are the student's to choose, so what shows them is bounded: one value is shown in
at most ``MAX_VALUE_CHARS`` characters and a call in at most ``MAX_CALL_CHARS`` (the
result model bounds each whole message, ``autograder.results``).
"""

from __future__ import annotations

import difflib
from typing import Any, Callable, Sequence

import numpy as np

MAX_SHOWN_ELEMENTS = 64
MAX_VALUE_CHARS = 1500  # an 8×8 float array takes about 900
MAX_CALL_CHARS = 4000
CUT = " [... cut]"
NEAR_NAME_RATIO = 0.75  # difflib ratio from which a defined name is offered as "did you mean"


class Feedback(AssertionError):
    """A failed check, explained for the student.

    ``message`` may be a function that writes it: it is then written when first read.
    While hypothesis shrinks a failure, most failures are never shown, and writing out
    their arrays is most of what a failing check costs.
    """

    def __init__(self, message: str | Callable[[], str], misconception: str | None = None) -> None:
        super().__init__()
        self._message = message
        self.misconception = misconception

    @property
    def message(self) -> str:
        if callable(self._message):
            self._message = self._message()
        return self._message

    def __str__(self) -> str:
        return self.message


def format_value(value: Any) -> str:
    """Show a value the way a TA would write it in feedback: small arrays in full, and
    nothing in more than ``MAX_VALUE_CHARS`` characters."""
    return shorten(_format(value, MAX_VALUE_CHARS), MAX_VALUE_CHARS)


def _format(value: Any, room: int) -> str:
    """``value`` shown; the items of a tuple only until ``room`` characters are used."""
    if isinstance(value, np.ndarray):
        shape = "×".join(str(n) for n in value.shape) or "scalar"
        if value.size <= MAX_SHOWN_ELEMENTS:
            body = np.array2string(value, separator=", ", threshold=MAX_SHOWN_ELEMENTS)
            return f"array of shape {shape}, dtype {value.dtype}:\n{_indent(body)}"
        return f"array of shape {shape}, dtype {value.dtype} (too large to show)"
    if isinstance(value, tuple):
        parts: list[str] = []
        for item in value:
            if room <= 0:
                parts.append("...")
                break
            parts.append(_format(item, room))
            room -= len(parts[-1]) + 2
        return "(" + ", ".join(parts) + ("," if len(value) == 1 else "") + ")"
    return shorten(repr(value), MAX_VALUE_CHARS)


def describe_call(function: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """``conv2d(image=..., kernel=..., stride=2)`` with every argument shown, in at most
    ``MAX_CALL_CHARS`` characters."""
    parts = [format_value(a) for a in args] + [f"{k}={format_value(v)}" for k, v in kwargs.items()]
    if all("\n" not in p for p in parts):
        return shorten(f"{function}({', '.join(parts)})", MAX_CALL_CHARS)
    return shorten(f"{function}(\n" + ",\n".join(_indent(p) for p in parts) + "\n)", MAX_CALL_CHARS)


def missing_function(student_file: str, name: str, defined: Sequence[str]) -> str:
    """``cnn.py defines no function `leaky_relu`; did you mean `leaky_relu_`?``: the guess is
    the function of ``defined`` whose name is nearest (difflib's ratio, case ignored), if
    one is near enough."""
    by_lower = {other.lower(): other for other in defined}
    near = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=NEAR_NAME_RATIO)
    guess = f"; did you mean `{by_lower[near[0]]}`?" if near else ""
    return f"{student_file} defines no function `{name}`{guess}"


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, ending with a mark when it was cut."""
    return text if len(text) <= limit else text[:limit - len(CUT)] + CUT


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())
