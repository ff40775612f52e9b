"""The sandbox: student code runs only in a worker process; plain data comes back.

The trust boundary is a process. Tests, the reference solution and the writing of results
stay in the grader process; the student's module is imported only in the worker, which
never runs as root: as root, in a jail of its own (new namespaces, a minimal read-only
root, an unprivileged uid) or, without ``CAP_SYS_ADMIN``, chrooted as an unprivileged
uid; always under rlimits, a syscall filter and one memory budget for all its
processes. What comes back is validated, bounded plain data, never a pickle, and what
decides a grade is computed from it here (docs/security.md)::

    with Sandbox(path, module="cnn", functions=("relu",), limits=..., forbidden=...) as box:
        reply = box.call("relu", np.ones((8, 8)))  # Returned | Raised | Failed

Modules: ``protocol`` (wire format and its bounds), ``channel`` (the grader's end of the
pipes), ``launch`` (starting and killing workers, the isolation ladder), ``jail`` (the
root-only stage: namespaces or chroot, privilege drop), ``rootfs`` (the worker's tree of
Python and numpy), ``cgroup`` (the memory and process budget), ``seccomp`` (the syscall
filter), ``worker`` (the worker's main loop), ``toplevel`` (importing the student's file
statement by statement), ``limits`` (rlimits), ``guards`` (run-time forbidden-API
stand-ins), ``forbidden`` (the static check, by identity), ``client`` (``Sandbox``),
``spares`` (workers started ahead, for batches), ``replies`` (what a call returns).

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
