"""An in-process stand-in for the sandbox, for unit tests of the runner and reports only.

It answers calls like ``autograder.sandbox.Sandbox`` does, but runs the module in this
process: it gives no protection at all, so it never sees hostile code. The hostile-code
tests use the real sandbox.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import inspect
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from autograder.sandbox.replies import Failed, Raised, Returned, Unsupported


class InProcessSandbox:
    """Imports ``submission`` here and calls its functions directly."""

    def __init__(self, submission: Path, *, module: str, functions: Sequence[str], **_: Any) -> None:
        spec = importlib.util.spec_from_file_location(f"inprocess_{module}", submission)
        assert spec and spec.loader
        self._module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self._module)
        self._functions = set(functions)
        self.notices: tuple[str, ...] = ("in-process stand-in: no isolation",)

    def call(self, function: str, *args: Any, **kwargs: Any) -> Returned | Raised | Failed:
        started = time.monotonic()
        target = getattr(self._module, function, None)
        if function not in self._functions or target is None:
            return Failed("crash", f"cnn.py does not define {function}", 0.0)
        sent = copy.deepcopy((args, kwargs))  # like the sandbox, the student gets copies: the test's stay as they were
        try:
            value = target(*sent[0], **sent[1])
        except Exception as exc:  # the student's exception is data here
            return Raised(type(exc).__qualname__, str(exc), (), time.monotonic() - started)
        return Returned(_plain(value), _mutated(target, (args, kwargs), sent), time.monotonic() - started)

    def output(self) -> str:
        return ""

    def output_mark(self) -> None:
        return None

    def rewind_output(self, mark: None) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> InProcessSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _plain(value: Any) -> Any:
    """What the sandbox would let through: plain arrays and Python scalars and tuples."""
    if type(value) is np.ndarray and value.dtype.kind in "biuf":
        return value.copy()
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is tuple:
        return tuple(_plain(v) for v in value)
    return Unsupported(type(value).__name__, repr(value)[:200])


@functools.lru_cache(maxsize=64)
def _signature(target: Any) -> inspect.Signature:
    return inspect.signature(target)


def _mutated(target: Any, before: Any, after: Any) -> tuple[str, ...]:
    bound_before = _signature(target).bind(*before[0], **before[1]).arguments
    bound_after = _signature(target).bind(*after[0], **after[1]).arguments
    return tuple(
        name for name, old in bound_before.items()
        if isinstance(old, np.ndarray) and not np.array_equal(old, bound_after[name], equal_nan=True)
    )
