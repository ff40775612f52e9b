"""Run-time guard against forbidden APIs, installed in the worker before the student's import.

Forbidden modules (``scipy``, ``torch``...) import as stand-ins, so ``import scipy.signal``
and ``from scipy.signal import correlate2d`` at the top of a file still work; forbidden
functions (``numpy.convolve``) and submodules (``numpy.fft``) are replaced by stand-ins
under every name a loaded module holds them by: matched by identity
(``autograder.sandbox.forbidden.banned_objects``), so ``numpy._core.numeric.correlate``
is a stand-in too. A stand-in raises ``ForbiddenApiError`` when it is *called* and
records the API, so the call is failed even if the student catches the exception.

This is a convenience, not a defence: it lives in the process the student controls,
which can undo it (recover the real functions from memory, clear the record). The
static check in the grader (``autograder.sandbox.forbidden``) decides.
"""

from __future__ import annotations

import importlib.machinery
import sys
from types import ModuleType
from typing import Any, Sequence

from autograder.sandbox.forbidden import banned_objects


_NOTHING = object()


class ForbiddenApiError(Exception):
    """A forbidden API was called."""


class _StandIn:
    """A forbidden function (or any attribute of one): raises when called."""

    def __init__(self, name: str, used: list[str]) -> None:
        self._name = name
        self._used = used

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._used.append(self._name)
        raise ForbiddenApiError(f"{self._name} is not allowed in this assignment")

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _StandIn(f"{self._name}.{attr}", self._used)

    def __repr__(self) -> str:
        return f"<forbidden {self._name}>"


class _StandInModule(ModuleType):
    """A forbidden module: importable, but every attribute is a stand-in."""

    def __init__(self, name: str, used: list[str]) -> None:
        super().__init__(name)
        self._used = used

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _StandIn(f"{self.__name__}.{attr}", self._used)


class _Finder:
    """Meta path finder that answers every import under a forbidden name with a stand-in."""

    def __init__(self, names: Sequence[str], used: list[str]) -> None:
        self.names = tuple(names)
        self.used = used

    def covers(self, fullname: str) -> bool:
        return any(fullname == name or fullname.startswith(name + ".") for name in self.names)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if not self.covers(fullname):
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return _StandInModule(spec.name, self.used)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: a stand-in has no code."""


def install(modules: Sequence[str], functions: Sequence[str]) -> list[str]:
    """Put stand-ins in place of forbidden modules and of every alias of a forbidden
    function or module; return the list each stand-in appends its API to when called."""
    used: list[str] = []
    banned = banned_objects(tuple(functions))
    module_names = [*modules, *(name for name, value in banned.values() if isinstance(value, ModuleType))]
    for module in [module for module in sys.modules.values() if isinstance(module, ModuleType)]:
        for attr, value in list(vars(module).items()):
            name, target = banned.get(id(value), ("", _NOTHING))
            if target is value:
                stand_in = _StandInModule(name, used) if isinstance(value, ModuleType) else _StandIn(name, used)
                setattr(module, attr, stand_in)
    finder = _Finder(module_names, used)
    for name in [name for name in sys.modules if finder.covers(name)]:
        del sys.modules[name]
    sys.meta_path.insert(0, finder)
    return used
