"""The root-only jail stage between ``unshare`` and the worker.

Run as ``unshare --mount --net --pid --ipc --uts python -m autograder.sandbox.jail
CONFIG``: root, with a private mount namespace and a network namespace that has no
interface up; the processes it starts are in a new pid namespace. Three processes:

- this one (outside the pid namespace) waits and exits the way the worker did, so the
  grader reads the worker's own exit status from its direct child;
- its child, pid 1 of the new pid namespace, enters the sandbox's memory and process
  budget (``cgroup``; everything it starts is in it too), builds a new root on a tmpfs holding only
  read-only binds of the system folders and of the Python install the worker needs, a
  minimal /dev, a fresh /proc and a private /tmp, which is the worker's working folder
  (it writes the student's file there); chroots into it; starts the worker and reaps every process until the
  worker ends (when pid 1 exits, the kernel kills the whole namespace);
- the worker: rlimits set, dropped to the sandbox uid (no groups, no new privileges,
  SIGKILL when pid 1 dies), the syscall filter loaded (``seccomp``), then exec'd. Not being pid 1, it gets the usual signals
  (SIGXCPU at the CPU limit, SIGSEGV...), as in process mode.

Anything not bound in (the hidden tests, the reference, the grader's files, /root,
/autograder) does not exist for the worker. A failure here is the grader's, not the
student's: it is printed and the process exits before the worker says ``started``,
which the grader reports as a ``GraderFault``.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import struct
import sys
import traceback
from typing import Any

from autograder.sandbox import cgroup, limits, seccomp

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
ROOT_TMPFS = "size=16m,mode=755"
TMP_TMPFS = f"size={limits.FILE_BYTES},mode=1777"
DEVICES = ("null", "zero", "random", "urandom")

_libc = ctypes.CDLL(None, use_errno=True)


def main(config: dict[str, Any]) -> None:
    """Start pid 1 of the new pid namespace, wait for it, exit as the worker did."""
    status_r, status_w = os.pipe()
    reaper = os.fork()
    if reaper == 0:
        os.close(status_r)
        _run_reaper(config, status_w)
    os.close(status_w)
    with os.fdopen(status_r, "rb") as status_pipe:
        reported = status_pipe.read()
    _, status = os.waitpid(reaper, 0)
    _exit_like(struct.unpack("=i", reported)[0] if len(reported) == 4 else status)


def _run_reaper(config: dict[str, Any], status_w: int) -> None:
    """pid 1: build the root, start the worker in it, reap until the worker ends."""
    try:
        _set_parent_death_signal()
        cgroup.enter(config["budget"])  # with all it will start: one memory and process budget
        _build_root(config["root"], config)
        os.chroot(config["root"])
        os.chdir(config["work_dir"])
        worker = os.fork()
        if worker == 0:
            _run_worker(config)
        while (ended := os.wait())[0] != worker:
            continue  # an orphan of the student's, reaped so it does not count as a process
        os.write(status_w, struct.pack("=i", ended[1]))
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def _run_worker(config: dict[str, Any]) -> None:
    """Set the limits, drop privileges, exec the worker (never returns)."""
    try:
        limits.apply({name: tuple(value) for name, value in config["rlimits"].items()})
        _drop_privileges(config["uid"])
        _close_fds_except({0, 1, 2, config["request_fd"], config["reply_fd"]})
        seccomp.install(config["seccomp"])
        os.execve(config["argv"][0], config["argv"], config["env"])
    except BaseException:
        traceback.print_exc()
    os._exit(1)


def _exit_like(status: int) -> None:
    """Exit with the worker's exit code, or die of the signal that killed it."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if number not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [number])
        os.kill(os.getpid(), number)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def _build_root(root: str, config: dict[str, Any]) -> None:
    """The new root: a read-only tmpfs with the exposed folders, /dev, /proc, /tmp, work."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, ROOT_TMPFS)
    _make_dev(root)
    _make_dir(root, "/proc", 0o555)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _make_dir(root, "/tmp", 0o1777)  # before the binds: a venv may live under /tmp
    _mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, TMP_TMPFS)
    for path in config["system"]:
        _expose_system(root, path)
    for path in config["binds"]:
        _bind(path, root + path, MS_RDONLY)
    for path in config["hide"]:
        _cover(root + path)
    _mount(None, root, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    args = [None if s is None else os.fsencode(s) for s in (source, target, fstype)]
    if _libc.mount(args[0], args[1], args[2], ctypes.c_ulong(flags), None if data is None else data.encode()):
        error = ctypes.get_errno()
        raise OSError(error, f"mount {source} on {target} ({fstype}): {os.strerror(error)}")


def _make_dir(root: str, path: str, mode: int = 0o755) -> None:
    os.makedirs(root + path, mode=0o755, exist_ok=True)
    os.chmod(root + path, mode)


def _bind(source: str, target: str, extra: int) -> None:
    """Bind ``source`` (a folder or a file) at ``target``, then apply nosuid and ``extra``."""
    if os.path.isdir(source):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_NOSUID | extra)


def _expose_system(root: str, path: str) -> None:
    """``/usr``-like folders read-only; merged-usr symlinks (``/bin -> usr/bin``) as symlinks."""
    if os.path.islink(path):
        os.symlink(os.readlink(path), root + path)
    else:
        _bind(path, root + path, MS_RDONLY)


def _cover(target: str) -> None:
    """Hide a private path that lies inside an exposed folder: an empty read-only tmpfs
    over a folder, /dev/null over a file."""
    if os.path.isdir(target):
        _mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=555")
    else:
        _bind("/dev/null", target, MS_RDONLY | MS_NOEXEC)


def _make_dev(root: str) -> None:
    _make_dir(root, "/dev")
    for name in DEVICES:
        _bind(f"/dev/{name}", f"{root}/dev/{name}", MS_NOEXEC)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")


def _drop_privileges(uid: int) -> None:
    """Become ``uid`` for good: no groups, no way back, killed with pid 1."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # this clears the parent-death signal: set it again
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), 0, 0, 0):
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    _set_parent_death_signal()
    os.setsid()


def _set_parent_death_signal() -> None:
    if _libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0):
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def _close_fds_except(keep: set[int]) -> None:
    """Close every other descriptor, so none that reaches outside the root is inherited."""
    start = 0
    for end in [*sorted(keep), os.sysconf("SC_OPEN_MAX")]:
        if start < end:  # os.closerange(n, n) would close everything from n on
            os.closerange(start, end)
        start = end + 1


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
