"""Starting and killing worker processes, in one of two isolation modes.

``jail`` (root): ``unshare`` makes new mount, network, pid, ipc and uts namespaces and
runs ``autograder.sandbox.jail``, which builds a minimal read-only root, drops to an
unprivileged uid of its own and execs the worker. Killing the jail kills pid 1 of the
pid namespace, so every process the student started goes with it.

``process`` (no root, or asked for): the worker is a plain child in a new session with
rlimits and the syscall filter; it can read whatever the grader's user can.

In both, the sandbox's ``cgroup.Budget`` bounds the memory and processes of the worker and
everything it starts, together.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy

import autograder
from autograder.errors import GraderFault
from autograder.sandbox import limits as rlimits
from autograder.sandbox import seccomp
from autograder.sandbox.cgroup import JAIL_TASKS, Budget
from autograder.sandbox.channel import Channel, OutputCapture

if TYPE_CHECKING:
    from autograder.spec import ForbiddenApis, Limits

MODES = ("auto", "jail", "process")
MODE_VARIABLE = "AUTOGRADER_SANDBOX"
UNSHARE_FLAGS = ("--mount", "--net", "--pid", "--ipc", "--uts")  # the jail forks into the pid namespace
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
JAIL_WORK_DIR = "/tmp"  # private to each jail; the worker writes the student's file there
UID_BASE = 1_879_900_000  # uids above every distribution's and systemd's allocations
UID_SLOTS = 4096
KILL_WAIT_SECONDS = 2.0
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def choose_mode(requested: str | None) -> tuple[str, str | None]:
    """The mode to run in and, if it is not the jail, the notice that says why."""
    requested = requested or os.environ.get(MODE_VARIABLE) or "auto"
    if requested not in MODES:
        raise ValueError(f"sandbox isolation must be one of {', '.join(MODES)}, got {requested!r}")
    if requested == "process":
        return "process", ("file isolation is off (process mode was asked for): "
                           "running with process isolation and limits only")
    problem = "file isolation needs root" if os.geteuid() != 0 else _jail_problem()
    if problem and requested == "jail":
        raise GraderFault(f"the sandbox jail is not available: {problem}")
    if problem:
        return "process", f"{problem}: running with process isolation and limits only"
    return "jail", None


@functools.cache
def _jail_problem() -> str | None:
    """Why namespaces cannot be made here (e.g. in an unprivileged container), or None."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return "file isolation needs the unshare command (util-linux)"
    probe = subprocess.run([unshare, *UNSHARE_FLAGS, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"file isolation is unavailable here (unshare failed: {probe.stderr.strip()[:200]})"
    return None


@dataclass(frozen=True)
class Settings:
    """How the workers of one sandbox are started: everything but the student's file, which
    each worker is sent once it runs (so a spare can be started before it is known)."""

    module: str
    limits: Limits
    forbidden: ForbiddenApis
    private_paths: tuple[Path, ...]


class WorkerProcess:
    """One running worker: its process (the jail stage in jail mode) and its channel.

    The process is reaped only by ``kill``: until then its pid, and so its process group
    id, cannot be reused, which makes signalling them safe.
    """

    def __init__(self, process: subprocess.Popen, channel: Channel) -> None:
        self.process = process
        self.channel = channel

    def exit_status(self, wait: float) -> int | None:
        """The exit status if the process ends within ``wait`` seconds (negative: signal)."""
        if not select.select([self.channel.pidfd], [], [], wait)[0]:
            return None
        info = os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOWAIT)
        return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status

    def kill(self) -> None:
        """SIGKILL the process and everything it started; wait until they are gone."""
        found: set[int] = set()
        for _ in range(10):  # a fork bomb keeps adding processes while we kill
            new = set(_descendants(self.process.pid)) - found
            self._kill(new)
            found |= new
            if not new:
                break
        self.process.wait()
        deadline = time.monotonic() + KILL_WAIT_SECONDS
        while found and time.monotonic() < deadline:
            found = {pid for pid in found if _alive(pid)}
            time.sleep(0.005 if found else 0)
        self.channel.drain_output()
        self.channel.close()

    def _kill(self, pids: set[int]) -> None:
        """SIGKILL the process, its process group and ``pids``."""
        kills = [(signal.pidfd_send_signal, self.channel.pidfd), (os.killpg, self.process.pid)]
        for kill, target in kills + [(os.kill, pid) for pid in pids]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                kill(target, signal.SIGKILL)


class Launcher:
    """Starts workers for one sandbox; owns its private folder, its memory budget and, as
    root, its uid."""

    def __init__(self, mode: str, settings: Settings) -> None:
        self.mode = mode
        self.settings = settings
        self.folder = Path(tempfile.mkdtemp(prefix="autograder-sandbox-"))
        self.budget = Budget(self.folder.name, settings.limits.memory_mb, settings.limits.processes,
                             helpers=JAIL_TASKS if mode == "jail" else 0)
        self.uid_lock: int | None = None
        if mode == "jail":
            (self.folder / "root").mkdir()
            self.uid_lock, self.uid = _claim_uid()

    def start(self, output: OutputCapture) -> WorkerProcess:
        """A new worker process, connected; it has not necessarily started up yet."""
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        output_r, output_w = os.pipe()
        fds = {"request_fd": request_r, "reply_fd": reply_w}
        command, env, cwd = self._jail_command(fds) if self.mode == "jail" else self._process_command(fds)
        try:
            process = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=output_w,
                                       stderr=output_w, pass_fds=tuple(fds.values()), start_new_session=True)
        except BaseException:
            for fd in (request_w, reply_r, output_r):
                os.close(fd)
            raise
        finally:
            for fd in (request_r, reply_w, output_w):
                os.close(fd)
        channel = Channel(request_w, reply_r, output_r, os.pidfd_open(process.pid), output)
        worker = WorkerProcess(process, channel)
        if self.mode != "jail":  # (the jail's pid 1 enters the budget itself, before it forks the worker)
            _enter_budget(self.budget, worker)
        return worker

    def close(self) -> None:
        """Remove the private folder and the budget (with what is left in it), give the uid back."""
        self.budget.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.uid_lock is not None:
            os.close(self.uid_lock)
            self.uid_lock = None

    def _worker_config(self, fds: dict[str, int], path: str, limits: dict | None, syscalls: str | None) -> str:
        forbidden = self.settings.forbidden
        return json.dumps({**fds, "path": path, "module": self.settings.module, "rlimits": limits, "seccomp": syscalls,
                           "forbidden_modules": list(forbidden.modules),
                           "forbidden_functions": list(forbidden.functions)})

    def _process_command(self, fds: dict[str, int]) -> tuple[list[str], dict[str, str], Path]:
        uid = os.getuid()
        processes = self.settings.limits.processes + (rlimits.tasks_of_user(uid) if uid else 0)
        values = rlimits.rlimits(self.settings.limits, processes)
        syscalls = seccomp.program(self.budget.children_allowed)
        config = self._worker_config(fds, str(self.folder / f"{self.settings.module}.py"), values, syscalls)
        return _worker_argv(config), _worker_env(home=str(self.folder)), self.folder

    def _jail_command(self, fds: dict[str, int]) -> tuple[list[str], dict[str, str], Path]:
        path = f"{JAIL_WORK_DIR}/{self.settings.module}.py"
        exposed = _exposed_paths()
        jail = {
            **fds,
            "root": str(self.folder / "root"),
            "work_dir": JAIL_WORK_DIR,
            "system": [p for p in SYSTEM_DIRS if os.path.lexists(p)],
            "binds": exposed,
            "hide": _hidden(self.settings.private_paths, exposed),
            "uid": self.uid,
            "rlimits": rlimits.rlimits(self.settings.limits, self.settings.limits.processes),
            "budget": self.budget.procs_files,
            "seccomp": seccomp.program(self.budget.children_allowed),
            "argv": _worker_argv(self._worker_config(fds, path, None, None)),
            "env": _worker_env(home="/tmp"),
        }
        command = [shutil.which("unshare") or "unshare", *UNSHARE_FLAGS,
                   sys.executable, "-s", "-P", "-B", "-m", "autograder.sandbox.jail", json.dumps(jail)]
        return command, {"PATH": os.defpath, "PYTHONPATH": _python_path(), "LANG": "C.UTF-8"}, self.folder


def _enter_budget(budget: Budget, worker: WorkerProcess) -> None:
    """Move a process-mode worker into the sandbox's budget. It runs no student code before
    it is sent the file, which needs this worker handed back first."""
    try:
        budget.add(worker.process.pid)
    except BaseException:
        worker.kill()
        raise


def _worker_argv(config: str) -> list[str]:
    return [sys.executable, "-s", "-P", "-B", "-m", "autograder.sandbox.worker", config]


def _worker_env(home: str) -> dict[str, str]:
    """The worker's whole environment: nothing of the grader's leaks into it."""
    env = {"PATH": os.defpath, "HOME": home, "LANG": "C.UTF-8", "PYTHONPATH": _python_path(),
           "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    return env | {name: "1" for name in THREAD_VARIABLES}


def _package_root() -> str:
    """The folder that holds the ``autograder`` package."""
    return str(Path(autograder.__file__).resolve().parent.parent)


def _numpy_root() -> str:
    """The site-packages folder that holds numpy."""
    return str(Path(numpy.__file__).resolve().parent.parent)


def _python_path() -> str:
    return os.pathsep.join(dict.fromkeys([_package_root(), _numpy_root()]))


def _exposed_paths() -> list[str]:
    """Paths bound read-only into the jail (besides the system folders): Python and numpy,
    and of this package only the files the jail and the worker import. Both the spelled
    and the resolved form, so that symlinked prefixes (venvs) resolve inside the jail."""
    package = Path(_package_root()) / "autograder"
    wanted = [sys.prefix, sys.base_prefix, os.path.dirname(sys.executable), _numpy_root(),
              str(package / "__init__.py"), str(package / "sandbox")]
    candidates = dict.fromkeys(p for path in wanted for p in (os.path.abspath(path), os.path.realpath(path)))
    covered = [os.path.realpath(p) for p in SYSTEM_DIRS if os.path.isdir(p)]
    exposed: list[str] = []
    for path in sorted(candidates, key=len):
        if not any(_inside(path, outer) for outer in covered + exposed):
            exposed.append(path)
    return exposed


def _hidden(private_paths: tuple[Path, ...], exposed: list[str]) -> list[str]:
    """Where private paths that lie inside something exposed appear in the jail (under
    each spelling of that folder): the jail covers them up."""
    outer = exposed + [p for p in SYSTEM_DIRS if os.path.isdir(p) and not os.path.islink(p)]
    hidden = []
    for private in (str(p) for p in private_paths if p.exists()):
        for folder in outer:
            real = os.path.realpath(folder)
            if _inside(private, real):
                hidden.append(folder + private[len(real):])
    return list(dict.fromkeys(hidden))


def _inside(path: str, outer: str) -> bool:
    return path == outer or path.startswith(outer.rstrip("/") + "/")


def _claim_uid() -> tuple[int, int]:
    """A uid no other live sandbox uses (so RLIMIT_NPROC, counted per uid, is this
    sandbox's own), held by a lock file until ``Launcher.close``."""
    folder = Path("/run" if os.path.isdir("/run") else tempfile.gettempdir()) / "autograder-sandbox"
    folder.mkdir(mode=0o700, exist_ok=True)
    for slot in range(UID_SLOTS):
        fd = os.open(folder / f"uid-{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return fd, UID_BASE + slot
    raise GraderFault(f"all {UID_SLOTS} sandbox uids are in use")


def _descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid``, from a scan of /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            parent = _parent(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    """False once ``pid`` is gone or a zombie (dead, only waiting to be reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False

