"""The worker's resource limits as rlimits: computed in the grader, applied in the sandbox.

The jail applies them as root (hard limits the student cannot raise); in process mode the
worker applies them to itself before importing the student's module. They bound each
process; the whole submission's total is the sandbox's ``cgroup.Budget``. Wall-clock limits
are not here: the grader enforces those itself, with SIGKILL.
"""

from __future__ import annotations

import math
import os
import resource
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the worker imports this module: keep it free of the spec loader
    from autograder.spec import Limits

FILE_BYTES = 64 * 1024 * 1024  # largest file the worker may write (its /tmp is capped too)

RlimitValues = dict[str, tuple[int, int]]


def rlimits(limits: Limits, processes: int) -> RlimitValues:
    """Soft and hard values per rlimit name; ``processes`` is the RLIMIT_NPROC value.

    RLIMIT_CPU gets a hard limit one second above the soft one: SIGXCPU first, then
    SIGKILL for a worker that ignores it.
    """
    memory = int(limits.memory_mb) * 1024 * 1024
    cpu = math.ceil(limits.cpu_seconds)
    return {
        "RLIMIT_AS": (memory, memory),
        "RLIMIT_CPU": (cpu, cpu + 1),
        "RLIMIT_NPROC": (processes, processes),
        "RLIMIT_FSIZE": (FILE_BYTES, FILE_BYTES),
        "RLIMIT_CORE": (0, 0),
    }


def apply(values: RlimitValues) -> None:
    """Set the rlimits, never above a hard limit already in force (that needs root)."""
    for name, (soft, hard) in values.items():
        which = getattr(resource, name)
        _, current_hard = resource.getrlimit(which)
        if current_hard != resource.RLIM_INFINITY and os.geteuid() != 0:
            hard = min(hard, current_hard)
        resource.setrlimit(which, (min(soft, hard), hard))


def tasks_of_user(uid: int) -> int:
    """How many processes and threads ``uid`` has now (what RLIMIT_NPROC counts)."""
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid == uid:
                count += len(os.listdir(f"/proc/{entry.name}/task"))
        except OSError:  # the process ended meanwhile
            continue
    return count
