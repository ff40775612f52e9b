"""Run-time guard against forbidden APIs, installed in the worker before the student's import.

Forbidden modules (``scipy``, ``torch``...) import as stand-ins, so ``import scipy.signal``
and ``from scipy.signal import correlate2d`` at the top of a file still work; forbidden
functions (``numpy.convolve``) and submodules (``numpy.fft``) are replaced by stand-ins too.
A stand-in raises ``ForbiddenApiError`` when it is *called* and records the API, so the
call is failed even if the student catches the exception. This is a best-effort second
line: the static check (``autograder.sandbox.forbidden``) runs in the grader.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
from types import ModuleType
from typing import Any, Sequence

_used: list[str] = []


class ForbiddenApiError(Exception):
    """A forbidden API was called."""


def reset() -> None:
    """Forget the APIs used so far (the worker calls it before each graded call)."""
    _used.clear()


def first_used() -> str | None:
    """The first forbidden API called since the last ``reset``, if any."""
    return _used[0] if _used else None


class _StandIn:
    """A forbidden function (or any attribute of one): raises when called."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        _used.append(self._name)
        raise ForbiddenApiError(f"{self._name} is not allowed in this assignment")

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _StandIn(f"{self._name}.{attr}")

    def __repr__(self) -> str:
        return f"<forbidden {self._name}>"


class _StandInModule(ModuleType):
    """A forbidden module: importable, but every attribute is a stand-in."""

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _StandIn(f"{self.__name__}.{attr}")


class _Finder:
    """Meta path finder that answers every import under a forbidden name with a stand-in."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)

    def covers(self, fullname: str) -> bool:
        return any(fullname == name or fullname.startswith(name + ".") for name in self.names)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if not self.covers(fullname):
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return _StandInModule(spec.name)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: a stand-in has no code."""


def install(modules: Sequence[str], functions: Sequence[str]) -> None:
    """Put stand-ins in place of forbidden modules and of forbidden module attributes."""
    module_names = list(modules)
    for dotted in functions:
        parent_name, _, attr = dotted.rpartition(".")
        try:
            parent = importlib.import_module(parent_name)
            target = getattr(parent, attr, None)
        except ImportError:
            continue
        is_module = isinstance(target, ModuleType)
        setattr(parent, attr, _StandInModule(dotted) if is_module else _StandIn(dotted))
        if is_module:
            module_names.append(dotted)
    finder = _Finder(module_names)
    for name in [name for name in sys.modules if finder.covers(name)]:
        del sys.modules[name]
    sys.meta_path.insert(0, finder)
