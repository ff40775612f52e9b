"""One memory and process budget per sandbox: the worker and every process it starts, together.

rlimits are per process (RLIMIT_AS) or per uid (RLIMIT_NPROC), so on their own they let
one submission hold ``processes`` x ``memory_mb`` (measured: 8 children of 400 MB each,
3.2 GB resident, under a 512 MB limit). A ``Budget`` bounds the total, in one of two ways:

- **cgroup** (the grader can make one: root on a machine that mounts the cgroup v1 memory
  and pids controllers writable, or a cgroup v2 hierarchy with both): each sandbox gets
  its own cgroup, memory limit ``limits.memory_mb`` (swap included), pids limit
  ``limits.processes`` (plus the jail's pid 1, ``JAIL_TASKS``). The jail's pid 1 enters
  it before it forks the worker; in process mode the grader moves the worker in before it
  sends the student's file, so no student code ever runs outside it. When the total is
  hit, the kernel kills a process of the cgroup and counts it: ``oom_kills`` tells the
  grader that a call ran out of memory, even if only a child died. ``close`` kills what
  is left and removes the cgroup. v1: one cgroup below the grader's own in each of the
  memory and pids hierarchies (so the grader's own limits still apply); v2: one below
  ``V2_PARENT`` at the top of the hierarchy (a cgroup with processes cannot hand
  controllers to its children, and the grader's has the grader).
- **single process** (no usable cgroup, e.g. Docker's default unprivileged container):
  the worker may not start child processes at all (the seccomp filter refuses fork,
  vfork and clone without CLONE_THREAD), so RLIMIT_AS, which counts all threads of a
  process, bounds the whole submission. Threads stay capped by RLIMIT_NPROC and BLAS
  runs one thread (``launch.THREAD_VARIABLES``).

Which one ran is the ``notice`` every result's staff notes carry.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

MOUNTINFO = Path("/proc/self/mountinfo")
OWN_CGROUPS = Path("/proc/self/cgroup")
V2_PARENT = "autograder"
JAIL_TASKS = 1  # the jail's pid 1, which enters the cgroup and forks the worker
KILL_ROUNDS = 50  # rounds of SIGKILL to everything in the cgroup before it is removed
REMOVE_SECONDS = 2.0  # how long an emptied cgroup may take to be removable


@dataclass(frozen=True)
class _Files:
    """The files of one cgroup version, relative to the sandbox's cgroup folder(s)."""

    memory_limit: tuple[str, ...]  # written in order with the limit in bytes
    swap_off: str | None  # written with 0: swap does not count towards v2's memory limit
    pids_limit: str
    oom_events: str  # holds a line ``oom_kill N``


_V1 = _Files(("memory.limit_in_bytes", "memory.memsw.limit_in_bytes"), None, "pids.max", "memory.oom_control")
_V2 = _Files(("memory.max",), "memory.swap.max", "pids.max", "memory.events")


class Budget:
    """The memory and process budget of one sandbox (see the module docstring)."""

    def __init__(self, name: str, memory_mb: int, processes: int, helpers: int = 0) -> None:
        """A cgroup called ``name`` if one can be made here, else the single-process budget.
        ``helpers``: processes of the grader's that are in it too (the jail's pid 1)."""
        self.memory_mb = memory_mb
        self.processes = processes
        self.folders, self._files = _make_cgroup(name, memory_mb * 1024 * 1024, processes + helpers)
        # read once per call: kept open, since opening a cgroup file costs more than reading it
        self._events = os.open(self.folders[0] / self._files.oom_events, os.O_RDONLY) if self.folders else None

    @property
    def children_allowed(self) -> bool:
        """Whether the worker may start child processes (only a cgroup bounds them)."""
        return bool(self.folders)

    @property
    def procs_files(self) -> list[str]:
        """The ``cgroup.procs`` files a process writes itself into to enter the budget."""
        return [str(folder / "cgroup.procs") for folder in self.folders]

    @property
    def notice(self) -> str:
        """One line for staff: which budget ran, with its numbers."""
        if self.folders:
            version = "v1" if self._files is _V1 else "v2"
            return (f"memory budget: {self.memory_mb} MB for the worker and all its processes together, "
                    f"at most {self.processes} processes and threads (cgroup {version})")
        return (f"memory budget: {self.memory_mb} MB in one process (no writable cgroup here: the worker "
                "may not start child processes)")

    def add(self, pid: int) -> None:
        """Move process ``pid`` (all its threads) into the budget."""
        enter(self.procs_files, pid)

    def oom_kills(self) -> int:
        """How many processes the kernel has killed for this budget's memory limit so far."""
        if self._events is None:
            return 0
        events = os.pread(self._events, 4096, 0).decode().split("\n")
        return next((int(line.split()[1]) for line in events if line.startswith("oom_kill ")), 0)

    def close(self) -> None:
        """Kill every process still in the budget and remove its cgroup; safe to call twice."""
        folders, self.folders = self.folders, ()
        if self._events is not None:
            os.close(self._events)
            self._events = None
        for folder in folders:
            _empty(folder)
        for folder in folders:
            _remove(folder)


def enter(procs_files: list[str], pid: int = 0) -> None:
    """Move ``pid`` (0: the calling process) into the cgroup whose ``cgroup.procs`` files
    are given. The jail's pid 1 calls this as root before it forks the worker."""
    for path in procs_files:
        with open(path, "w") as procs:
            procs.write(str(pid))


def _make_cgroup(name: str, memory_bytes: int, processes: int) -> tuple[tuple[Path, ...], _Files | None]:
    """The folders of a new cgroup ``name`` with both limits set, or ``((), None)`` where
    none can be made (no hierarchy with the memory and pids controllers, or no right to
    write it)."""
    parents, files = _parent_folders()
    if not parents:
        return (), None
    made: list[Path] = []
    try:
        for parent in parents:
            (parent / name).mkdir()
            made.append(parent / name)
        memory, pids = (made[0], made[-1])
        settings = [(limit, memory_bytes) for limit in files.memory_limit] + [(files.swap_off, 0)]
        for setting, value in settings:
            with contextlib.suppress(FileNotFoundError):  # no swap accounting: no swap to limit
                if setting is not None:
                    (memory / setting).write_text(str(value))
        (pids / files.pids_limit).write_text(str(processes))
    except OSError:
        for folder in reversed(made):
            _remove(folder)
        return (), None
    return tuple(made), files


def _parent_folders() -> tuple[list[Path], _Files | None]:
    """Where the sandboxes' cgroups go: [memory parent, pids parent] for v1, [parent] for v2."""
    own: dict[str, str] = {}  # controller ("" for v2) -> the grader's cgroup, from the hierarchy's root
    for line in _read(OWN_CGROUPS).splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            own[controller] = path
    v1: dict[str, Path] = {}
    v2: Path | None = None
    for mount in _read(MOUNTINFO).splitlines():
        fields = mount.split()
        root, target = fields[3], fields[4]
        kind, options = fields[fields.index("-") + 1], fields[-1].split(",")
        for controller in ("memory", "pids"):
            if kind == "cgroup" and controller in options:
                v1[controller] = _below(target, root, own.get(controller, "/"))
        if kind == "cgroup2" and v2 is None:
            v2 = Path(target)
    if len(v1) == 2:
        return [v1["memory"], v1["pids"]], _V1
    if v2 is not None and _v2_parent(v2):
        return [v2 / V2_PARENT], _V2
    return [], None


def _below(target: str, root: str, path: str) -> Path:
    """Where cgroup ``path`` of a hierarchy appears, given that the hierarchy's ``root`` is
    mounted at ``target`` (a container may see only its own part of the hierarchy)."""
    relative = os.path.relpath(path, root)
    return Path(target) if relative == "." else Path(target, relative)


def _v2_parent(root: Path) -> bool:
    """Make ``V2_PARENT`` under ``root`` hand the memory and pids controllers to its children."""
    try:
        if not {"memory", "pids"} <= set(_read(root / "cgroup.subtree_control").split()):
            return False
        (root / V2_PARENT).mkdir(exist_ok=True)
        (root / V2_PARENT / "cgroup.subtree_control").write_text("+memory +pids")
    except OSError:
        return False
    return True


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _empty(folder: Path) -> None:
    """SIGKILL every process in the cgroup, again until none is left (one may be forking)."""
    for _ in range(KILL_ROUNDS):
        pids = [int(pid) for pid in _read(folder / "cgroup.procs").split()]
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.001)


def _remove(folder: Path) -> None:
    """rmdir the cgroup, waiting a little for killed processes to finish exiting; one that
    stays busy is left behind (empty of processes, it holds nothing of the student's)."""
    deadline = time.monotonic() + REMOVE_SECONDS
    while True:
        try:
            folder.rmdir()
            return
        except OSError as exc:
            if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                return
            time.sleep(0.005)
