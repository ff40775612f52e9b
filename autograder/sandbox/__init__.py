"""The sandbox: student code runs only in a worker process; plain data comes back.

The trust boundary is a process. Tests, the reference solution and the writing of results
stay in the grader process; the student's module is imported only in the worker, which
runs under rlimits and, as root, in a jail of its own (new namespaces, a minimal
read-only root, an unprivileged uid). What comes back is validated plain data, never a
pickle::

    with Sandbox(path, module="cnn", functions=("relu",), limits=..., forbidden=...) as box:
        reply = box.call("relu", np.ones((8, 8)))  # Returned | Raised | Failed

Modules: ``protocol`` (wire format and its validation), ``channel`` (the grader's end of
the pipes), ``launch`` (starting and killing workers, isolation modes), ``jail`` (the
root-only namespace/chroot/privilege-drop stage), ``worker`` (the worker's main loop),
``limits`` (rlimits), ``guards`` (run-time forbidden-API stand-ins), ``forbidden`` (the
static check), ``client`` (``Sandbox``), ``spares`` (workers started ahead, for batches),
``replies`` (what a call returns).

The jail and the worker import this package too, so ``Sandbox``, ``Spares`` and
``find_forbidden_uses`` load on first use: those processes need none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autograder.sandbox.replies import Failed, Raised, Returned, Unsupported

if TYPE_CHECKING:
    from autograder.sandbox.client import Sandbox
    from autograder.sandbox.forbidden import find_forbidden_uses
    from autograder.sandbox.spares import Spares

__all__ = ["Sandbox", "Spares", "Returned", "Raised", "Failed", "Unsupported", "find_forbidden_uses"]

_LAZY = {"Sandbox": "autograder.sandbox.client", "Spares": "autograder.sandbox.spares",
         "find_forbidden_uses": "autograder.sandbox.forbidden"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
