"""Feedback a student can act on: the ``Feedback`` failure and how inputs are shown.

A check in a suite fails by raising ``Feedback`` with a message written for the student
(what was called, expected vs got) and, when the wrong answer matches a known mistake, the
name of that misconception. The suite runner shows only these messages, never test source.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_SHOWN_ELEMENTS = 64


class Feedback(AssertionError):
    """A failed check, explained for the student."""

    def __init__(self, message: str, misconception: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.misconception = misconception


def format_value(value: Any) -> str:
    """Show a value the way a TA would write it in feedback: small arrays in full."""
    if isinstance(value, np.ndarray):
        shape = "×".join(str(n) for n in value.shape) or "scalar"
        if value.size <= MAX_SHOWN_ELEMENTS:
            body = np.array2string(value, separator=", ", threshold=MAX_SHOWN_ELEMENTS)
            return f"array of shape {shape}, dtype {value.dtype}:\n{_indent(body)}"
        return f"array of shape {shape}, dtype {value.dtype} (too large to show)"
    if isinstance(value, tuple):
        return "(" + ", ".join(format_value(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def describe_call(function: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """``conv2d(image=..., kernel=..., stride=2)`` with every argument shown."""
    parts = [format_value(a) for a in args] + [f"{k}={format_value(v)}" for k, v in kwargs.items()]
    if all("\n" not in p for p in parts):
        return f"{function}({', '.join(parts)})"
    return f"{function}(\n" + ",\n".join(_indent(p) for p in parts) + "\n)"


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())
