"""Starting and killing worker processes, on the highest rung of the isolation ladder
that works here. Student code never runs as root.

Every worker is forked by the grading process's fork server (``forkserver``: a clean
interpreter that has imported numpy and the worker once), or, where there is none, exec'd
afresh; either way it is the grader's child, and what follows holds before it reads the
student's file.

``jail`` (root with ``CAP_SYS_ADMIN``): new mount, network, pid, ipc and uts namespaces,
then ``autograder.sandbox.jail``, which binds the worker's tree (``rootfs``) read-only as
its root, drops to an unprivileged uid of its own and becomes the worker. Killing the jail
kills pid 1 of the pid namespace, so every process the student started goes with it.

``uid`` (root without ``CAP_SYS_ADMIN``, as in Docker, so on Gradescope: no namespaces, no
mounts; needs the capabilities in ``UID_CAPABILITIES``, which Docker keeps):
``autograder.sandbox.jail`` chroots into the same tree as it is on disk, drops to the
sandbox's uid and becomes the worker, in a folder of the tree's work folder that belongs to
that uid (mode 700) and is removed with the sandbox. Nothing private is in the tree, and
nothing in it is writable by the uid but that folder. Killing the worker kills every
process of its uid.

``process`` (the grader is not root, or code asked for it): the worker is a plain child in
a new session with rlimits and the syscall filter; it can read whatever the grader's user
can. As root, only an argument from code (the tests, the benchmarks) gives this mode, never
``AUTOGRADER_SANDBOX``; when neither rung above works, the sandbox refuses to start
(``GraderFault``) rather than run student code as root.

Each sandbox says which mode ran in its notice, which goes into every result's notes for
staff.

In every mode, the sandbox's ``cgroup.Budget`` bounds the memory and processes of the worker
and everything it starts, together, and the worker runs under the ``seccomp`` filter.
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
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy

import autograder
from autograder.errors import GraderFault
from autograder.sandbox import forkserver, jail, rootfs, seccomp
from autograder.sandbox import limits as rlimits
from autograder.sandbox.cgroup import JAIL_TASKS, Budget
from autograder.sandbox.channel import Channel, OutputCapture

if TYPE_CHECKING:
    from autograder.spec import ForbiddenApis, Limits

MODES = ("auto", "jail", "uid", "process")
RUNGS = ("jail", "uid")  # the isolated modes, best first; below them only a grader that is not root goes
MODE_VARIABLE = "AUTOGRADER_SANDBOX"
UNSHARE_FLAGS = ("--mount", "--net", "--pid", "--ipc", "--uts")  # the jail forks into the pid namespace
CAPABILITIES = {"CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_FOWNER": 3, "CAP_KILL": 5, "CAP_SETGID": 6,
                "CAP_SETUID": 7, "CAP_SYS_CHROOT": 18}  # bit numbers (linux/capability.h)
UID_CAPABILITIES = tuple(CAPABILITIES)  # what the uid mode needs: all of Docker's defaults
UID_BASE = 1_879_900_000  # uids above every distribution's and systemd's allocations
UID_SLOTS = 4096
KILL_WAIT_SECONDS = 2.0
KILL_ROUNDS = 10  # a fork bomb keeps adding processes while we kill
STAGE_EXIT_SECONDS = 1.0  # for the jail's stage to reap its pid 1 and exit, once that is killed
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
NOTICES = {
    "jail": "sandbox mode jail: new namespaces (mount, pid, network, ipc, uts), a minimal read-only root, "
            "an unprivileged uid of its own",
    "uid": "sandbox mode uid: an unprivileged uid of its own in a minimal root (chroot); no namespaces, so the "
           "worker shares the machine's network, IPC and process ids ({why})",
    "process": "sandbox mode process: {why}: running with process isolation and limits only",
}


def choose_mode(requested: str | None) -> tuple[str, str]:
    """The mode to run in (the highest rung that works here, or the one asked for) and the
    notice that says which it is and why.

    Never ``process`` as root, except when code asks for it by argument (the test suite and
    the benchmarks, to exercise the unprivileged path): ``AUTOGRADER_SANDBOX`` is an
    operator's switch, and through it process mode as root is refused.
    """
    from_environment = requested is None and bool(os.environ.get(MODE_VARIABLE))
    requested = requested or os.environ.get(MODE_VARIABLE) or "auto"
    if requested not in MODES:
        raise ValueError(f"sandbox isolation must be one of {', '.join(MODES)}, got {requested!r}")
    if requested == "process" and from_environment and os.geteuid() == 0:
        raise GraderFault(f"{MODE_VARIABLE}=process would run student code as root: unset it "
                          "(as root the sandbox isolates student code in its jail or uid mode)")
    if requested == "process":
        return "process", NOTICES["process"].format(why="file isolation is off (process mode was asked for)")
    if os.geteuid() != 0:
        if requested != "auto":
            raise GraderFault(f"the sandbox's {requested} mode is not available: file isolation needs root")
        return "process", NOTICES["process"].format(why="file isolation needs root")
    problems: list[str] = []
    for rung in RUNGS if requested == "auto" else (requested,):
        problem = _PROBLEMS[rung]()
        if problem is None:
            return rung, NOTICES[rung].format(why="; ".join(problems) or f"{rung} mode was asked for")
        problems.append(f"{rung} mode: {problem}")
    raise GraderFault("the sandbox cannot isolate student code here, and never runs it as root: "
                      + "; ".join(problems))


@functools.cache
def _jail_problem() -> str | None:
    """Why namespaces cannot be made here (e.g. in Docker, without CAP_SYS_ADMIN), or None."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return "it needs the unshare command (util-linux)"
    probe = subprocess.run([unshare, *UNSHARE_FLAGS, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"namespaces are unavailable here (unshare failed: {probe.stderr.strip()[:200]})"
    return None


@functools.cache
def _uid_problem() -> str | None:
    """Why the uid mode cannot run here (a capability it needs is missing), or None."""
    effective = int(_status_field(os.getpid(), "CapEff") or "0", 16)
    missing = [name for name in UID_CAPABILITIES if not effective >> CAPABILITIES[name] & 1]
    return f"the grader lacks {', '.join(missing)}" if missing else None


_PROBLEMS = {"jail": _jail_problem, "uid": _uid_problem}


@dataclass(frozen=True)
class Settings:
    """How the workers of one sandbox are started: everything but the student's file, which
    each worker is sent once it runs (so a spare can be started before it is known)."""

    module: str
    limits: Limits
    forbidden: ForbiddenApis
    private_paths: tuple[Path, ...]


class WorkerProcess:
    """One running worker: its process (the jail's stage in jail mode), a child of the
    grader's, and its channel.

    The process is reaped only by ``kill``: until then its pid, and so its process group
    id, cannot be reused, which makes signalling them safe. ``uid``: the sandbox uid whose
    every process is the student's (the uid mode), killed with the worker. ``reap``: waits
    for the process once killed (``Popen.wait`` for an exec'd one, so that ``subprocess``
    never reaps it behind our back). ``jailed``: the process is the jail's stage, whose
    only child is pid 1 of the jail's pid namespace.
    """

    def __init__(self, pid: int, channel: Channel, uid: int | None = None,
                 reap: Callable[[], object] | None = None, *, jailed: bool = False) -> None:
        self.pid = pid
        self.channel = channel
        self.uid = uid
        self.jailed = jailed
        self._reap = reap or functools.partial(os.waitpid, pid, 0)

    def exit_status(self, wait: float) -> int | None:
        """The exit status if the process ends within ``wait`` seconds (negative: signal)."""
        if not select.select([self.channel.pidfd], [], [], wait)[0]:
            return None
        info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)
        return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status

    def kill(self) -> None:
        """SIGKILL the process and everything it started; wait until they are gone."""
        if self.jailed:
            self._end_namespace()
        found: set[int] = set()
        for _ in range(KILL_ROUNDS):
            new = set(_descendants(self.pid)) - found
            self._kill(new)
            found |= new
            if not new:
                break
        if self.uid is not None:
            kill_user(self.uid)  # those that left the process tree (double fork) too
        self._reap()
        deadline = time.monotonic() + KILL_WAIT_SECONDS
        while found and time.monotonic() < deadline:
            found = {pid for pid in found if _alive(pid)}
            time.sleep(0.005 if found else 0)
        self.channel.drain_output()
        self.channel.close()

    def _end_namespace(self) -> None:
        """SIGKILL pid 1 of the jail's pid namespace (the kernel then kills every process in
        it) and give the stage a moment to reap it and exit as the worker did. Killed first,
        the stage would leave pid 1 to the machine's init, and until that init reaps it (some
        take their time: a VM's agent, a container's shell) its zombie counts against the
        sandbox's process budget, which the next worker of the sandbox shares."""
        for pid in _children(self.pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        select.select([self.channel.pidfd], [], [], STAGE_EXIT_SECONDS)

    def _kill(self, pids: set[int]) -> None:
        """SIGKILL the process, its process group and ``pids``."""
        kills = [(signal.pidfd_send_signal, self.channel.pidfd), (os.killpg, self.pid)]
        for kill, target in kills + [(os.kill, pid) for pid in pids]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                kill(target, signal.SIGKILL)


class Launcher:
    """Starts workers for one sandbox; owns its private folder, its memory budget and, in the
    isolated modes, its uid. The folder: the worker's own in process and uid mode, the jail's
    mount point in jail mode."""

    def __init__(self, mode: str, settings: Settings) -> None:
        self.mode = mode
        self.settings = settings
        self.uid_lock: int | None = None
        self.uid: int | None = None
        self.budget = Budget(f"autograder-{uuid.uuid4().hex[:16]}", settings.limits.memory_mb,
                             settings.limits.processes, helpers=JAIL_TASKS if mode == "jail" else 0)
        if mode == "process":
            self.folder = Path(tempfile.mkdtemp(prefix="autograder-sandbox-"))
            return
        self.tree = rootfs.tree(rootfs.left_out(settings.private_paths))
        self.uid_lock, self.uid = _claim_uid()
        try:
            self.folder = self._isolated_folder()
        except BaseException:
            os.close(self.uid_lock)  # the uid back; there is no folder to remove
            self.budget.close()
            raise

    def _isolated_folder(self) -> Path:
        """The jail's mount point, or the uid mode's work folder in the tree."""
        if self.mode == "jail":
            folder = Path(tempfile.mkdtemp(prefix="autograder-sandbox-"))
            (folder / "root").mkdir()
            return folder
        kill_user(self.uid)  # anything a grader that died left running under this uid
        return _make_work_folder(self.tree / rootfs.WORK_ROOT.lstrip("/") / str(self.uid), self.uid)

    def start(self, output: OutputCapture) -> WorkerProcess:
        """A new worker process, connected; it has not necessarily started up yet. It is
        forked by the fork server, or exec'd afresh where there is none."""
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        output_r, output_w = os.pipe()
        theirs = (request_r, reply_w, output_w)
        try:
            config = self._config()
            pid = forkserver.fork_worker(config, theirs, rootfs.interpreter(), _worker_env(home="/"))
            pid, reap = (pid, None) if pid is not None else self._exec(config, theirs)
        except BaseException:
            for fd in (request_w, reply_r, output_r):
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        channel = Channel(request_w, reply_r, output_r, os.pidfd_open(pid), output)
        worker = WorkerProcess(pid, channel, self.uid if self.mode == "uid" else None, reap, jailed=self.mode == "jail")
        if self.mode != "jail":  # (the jail's pid 1 enters the budget itself, before it forks the worker)
            _enter_budget(self.budget, worker)
        return worker

    def close(self) -> None:
        """Remove the private folder and the budget (with what is left in it), give the uid back."""
        self.budget.close()
        if self.mode == "uid":
            kill_user(self.uid)
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.uid_lock is not None:
            os.close(self.uid_lock)
            self.uid_lock = None

    def _config(self) -> dict[str, Any]:
        """How to start a worker, but for its descriptors: the worker's own config and
        environment, the folder it starts in, the interpreter of the exec path and, in the
        isolated modes, the stage's settings (host paths: never on a command line)."""
        limits = self.settings.limits
        base = {"mode": self.mode, "cwd": str(self.folder), "python": rootfs.interpreter()}
        if self.mode == "process":
            uid = os.getuid()
            values = rlimits.rlimits(limits, limits.processes + (rlimits.tasks_of_user(uid) if uid else 0))
            path = str(self.folder / f"{self.settings.module}.py")
            worker = self._worker_config(path, values, seccomp.program(self.budget.children_allowed))
            return base | {"worker": worker, "env": _worker_env(home=str(self.folder))}
        work_dir = rootfs.WORK_ROOT if self.mode == "jail" else f"{rootfs.WORK_ROOT}/{self.uid}"
        return base | {
            "tree": str(self.tree),
            "root": str(self.folder / "root"),
            "work_dir": work_dir,
            "uid": self.uid,
            "rlimits": rlimits.rlimits(limits, limits.processes),
            "budget": self.budget.procs_files,
            "seccomp": seccomp.program(self.budget.children_allowed),
            "worker": self._worker_config(f"{work_dir}/{self.settings.module}.py", None, None),
            "env": _worker_env(home=work_dir),
        }

    def _worker_config(self, path: str, limits: dict | None, syscalls: str | None) -> dict[str, Any]:
        forbidden = self.settings.forbidden
        return {"path": path, "module": self.settings.module, "rlimits": limits, "seccomp": syscalls,
                "forbidden_modules": list(forbidden.modules), "forbidden_functions": list(forbidden.functions)}

    def _exec(self, config: dict[str, Any], fds: tuple[int, int, int]) -> tuple[int, Callable[[], object]]:
        """The exec path (no fork server here): a fresh Python runs the worker, or in the
        isolated modes the stage (``unshare`` first in jail mode), whose config is passed in
        a descriptor. The pid and how to reap it."""
        request_r, reply_w, output_w = fds
        config = jail.with_channel(config, request_r, reply_w)
        config_fd = None
        if self.mode == "process":
            command, env, passed = jail.worker_argv(config), config["env"], (request_r, reply_w)
        else:
            config_fd = _config_descriptor(json.dumps(config))
            command = [sys.executable, "-s", "-P", "-B", "-m", "autograder.sandbox.jail", str(config_fd)]
            if self.mode == "jail":
                command = [shutil.which("unshare") or "unshare", *UNSHARE_FLAGS, *command]
            env, passed = {"PATH": os.defpath, "PYTHONPATH": _python_path(), "LANG": "C.UTF-8"}, (*fds[:2], config_fd)
        try:
            process = subprocess.Popen(command, env=env, cwd=self.folder, stdin=subprocess.DEVNULL, stdout=output_w,
                                       stderr=output_w, pass_fds=passed, start_new_session=True)
        finally:
            if config_fd is not None:
                os.close(config_fd)
        return process.pid, process.wait


def _enter_budget(budget: Budget, worker: WorkerProcess) -> None:
    """Move a process-mode worker into the sandbox's budget. It runs no student code before
    it is sent the file, which needs this worker handed back first."""
    try:
        budget.add(worker.pid)
    except BaseException:
        worker.kill()
        raise


def _config_descriptor(text: str) -> int:
    """A descriptor of an anonymous in-memory file holding ``text``, read from the start."""
    fd = os.memfd_create("autograder-sandbox-config", 0)
    os.write(fd, text.encode())
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _make_work_folder(folder: Path, uid: int) -> Path:
    """The uid mode's writable folder: empty, the uid's own, closed to every other uid."""
    shutil.rmtree(folder, ignore_errors=True)  # what a grader that died left behind
    folder.mkdir(mode=0o700)
    os.chown(folder, uid, uid)
    return folder


def _worker_env(home: str) -> dict[str, str]:
    """The worker's whole environment: nothing of the grader's leaks into it."""
    env = {"PATH": os.defpath, "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8", "PYTHONPATH": _python_path(),
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


def _claim_uid() -> tuple[int, int]:
    """A uid no other live sandbox uses (so RLIMIT_NPROC, counted per uid, is this
    sandbox's own), held by a lock file until ``Launcher.close``."""
    folder = rootfs.STATE_FOLDER
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


def kill_user(uid: int) -> None:
    """SIGKILL every process of ``uid`` until none is left (or ``KILL_WAIT_SECONDS`` pass).

    Each is pinned by a pidfd and its uid checked again before the signal, so a pid reused
    by someone else's process is never hit.
    """
    deadline = time.monotonic() + KILL_WAIT_SECONDS
    while (pids := _processes_of(uid)) and time.monotonic() < deadline:
        for pid in pids:
            with contextlib.suppress(OSError):
                pidfd = os.pidfd_open(pid)
                try:
                    if _real_uid(pid) == uid:
                        signal.pidfd_send_signal(pidfd, signal.SIGKILL)
                finally:
                    os.close(pidfd)
        time.sleep(0.005)


def _processes_of(uid: int) -> list[int]:
    """Live (not zombie) processes whose real uid is ``uid``, from /proc (whose owners can
    be changed by ``prctl(PR_SET_DUMPABLE)``; the ``Uid:`` line cannot)."""
    return [int(entry.name) for entry in os.scandir("/proc")
            if entry.name.isdigit() and _real_uid(int(entry.name)) == uid and _alive(int(entry.name))]


def _real_uid(pid: int) -> int | None:
    uids = _status_field(pid, "Uid")
    return int(uids.split()[0]) if uids else None


def _status_field(pid: int, name: str) -> str | None:
    """A field of /proc/PID/status, or None if the process is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(name + ":")), None)


def _descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid``: its children as each of its threads lists them in
    /proc (a walk down from ``pid``, not a scan of every process on the machine), theirs,
    and so on."""
    found, todo = [], [pid]
    while todo:
        for child in _children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def _children(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    children = []
    for task in tasks:
        try:
            children += map(int, Path(f"/proc/{pid}/task/{task}/children").read_text().split())
        except OSError:
            continue
    return children


def _alive(pid: int) -> bool:
    """False once ``pid`` is gone or a zombie (dead, only waiting to be reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False

