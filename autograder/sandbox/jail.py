"""The root-only stage between the grader and the worker, for the two isolated modes.

Run in a child of the fork server (``autograder.sandbox.forkserver``), which calls ``main``
with the config and ``worker.start`` as the last step; or, where there is no fork server,
as ``python -m autograder.sandbox.jail FD``, where FD is an inherited descriptor that
holds the JSON config (read once and closed: it never shows on a command line, where
``/proc/*/cmdline`` would show it), and the last step execs a fresh worker
(``exec_worker``). The config's ``mode`` says which rung of the ladder (see ``launch``)
this is.

``jail``, run after ``unshare(mount, net, pid, ipc, uts)`` (``unshare_namespaces``, or the
``unshare`` command on the exec path): root, with a private mount namespace and a network
namespace that has no interface up; the processes it starts are in a new pid namespace.
Three processes:

- this one (outside the pid namespace) waits and exits the way the worker did, so the
  grader reads the worker's own exit status from its direct child;
- its child, pid 1 of the new pid namespace, enters the sandbox's memory and process
  budget (``cgroup``; everything it starts is in it too), binds the worker's tree
  (``rootfs``) read-only on the sandbox's folder, mounts a private tmpfs on its work folder (the worker's
  working folder: it writes the student's file there) and a minimal /dev, chroots into
  it; starts the worker and reaps every process until the worker ends (when pid 1
  exits, the kernel kills the whole namespace);
- the worker (``_run_worker``).

``uid`` (root without ``CAP_SYS_ADMIN``: no namespaces, no mounts): this process chroots
into the worker's tree as it is on disk, changes to the worker's own folder in its work folder
and becomes the worker (``_run_worker``).

``_run_worker`` is the one place where the worker is made, in both modes: rlimits set,
dropped to the sandbox uid (no groups, no new privileges, SIGKILL when its parent dies),
every other descriptor closed (the fork server's socket too), the syscall filter loaded,
then the last step (``become``): the worker's ``main`` in this interpreter, or an exec.
Not being pid 1, it gets the usual signals (SIGXCPU at the CPU limit, SIGSEGV...), as in
process mode.

There is no /proc in either mode: nothing there is the worker's business, and its
``self/root`` and ``*/cwd`` links would make a walk of the tree endless. Anything not in
the tree (the hidden tests, the reference, the grader's files, /root, /autograder) does
not exist for the worker. A failure here is the grader's, not the student's: it is
printed and the process exits before the worker says ``started``, which the grader
reports as a ``GraderFault``.
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
from typing import Any, Callable, NoReturn

from autograder.sandbox import cgroup, limits, seccomp

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
TMP_TMPFS = f"size={limits.FILE_BYTES},mode=1777"
DEV_TMPFS = "size=4k,mode=755"
DEVICES = ("null", "zero", "random", "urandom")
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
NAMESPACES = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS  # launch.UNSHARE_FLAGS

Become = Callable[[dict[str, Any]], NoReturn]  # the last step: the stage's config -> the worker

_libc = ctypes.CDLL(None, use_errno=True)


def main(config: dict[str, Any], become: Become) -> None:
    """Run the stage the config's ``mode`` names; ``become`` turns its last process into the worker."""
    if config["mode"] == "jail":
        run_jail(config, become)
    else:
        run_chrooted(config, become)


def unshare_namespaces() -> None:
    """New mount, network, ipc and uts namespaces for this process, and a new pid namespace
    for the processes it starts (what the ``unshare`` command does on the exec path)."""
    if _libc.unshare(NAMESPACES):
        error = ctypes.get_errno()
        raise OSError(error, f"unshare failed: {os.strerror(error)}")


def run_jail(config: dict[str, Any], become: Become) -> None:
    """Start pid 1 of the new pid namespace, wait for it, exit as the worker did."""
    status_r, status_w = os.pipe()
    reaper = os.fork()
    if reaper == 0:
        os.close(status_r)
        _run_reaper(config, status_w, become)
    os.close(status_w)
    with os.fdopen(status_r, "rb") as status_pipe:
        reported = status_pipe.read()
    _, status = os.waitpid(reaper, 0)
    _exit_like(struct.unpack("=i", reported)[0] if len(reported) == 4 else status)


def run_chrooted(config: dict[str, Any], become: Become) -> None:
    """The ``uid`` mode: chroot into the worker's tree, enter its folder, become the worker."""
    try:
        os.chroot(config["tree"])
        os.chdir(config["work_dir"])
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    _run_worker(config, become)


def _run_reaper(config: dict[str, Any], status_w: int, become: Become) -> None:
    """pid 1: build the root, start the worker in it, reap until the worker ends."""
    try:
        set_parent_death_signal()
        cgroup.enter(config["budget"])  # with all it will start: one memory and process budget
        _build_root(config["root"], config["tree"], config["work_dir"])
        os.chroot(config["root"])
        os.chdir(config["work_dir"])
        worker = os.fork()
        if worker == 0:
            _run_worker(config, become)
        while (ended := os.wait())[0] != worker:
            continue  # an orphan of the student's, reaped so it does not count as a process
        os.write(status_w, struct.pack("=i", ended[1]))
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def _run_worker(config: dict[str, Any], become: Become) -> NoReturn:
    """Set the limits, drop privileges, become the worker (never returns). Every isolated
    mode's worker starts here, already in its root: what must hold from the first
    instruction of the worker on goes here."""
    try:
        limits.apply({name: tuple(value) for name, value in config["rlimits"].items()})
        _drop_privileges(config["uid"])
        close_fds_except({0, 1, 2, config["request_fd"], config["reply_fd"]})
        seccomp.install(config["seccomp"])
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    become(config)


def with_channel(config: dict[str, Any], request_fd: int, reply_fd: int) -> dict[str, Any]:
    """``config`` (the stage's, with the worker's inside) naming the worker's ends of the
    channel as the descriptors they are in the process that will become the worker."""
    fds = {"request_fd": request_fd, "reply_fd": reply_fd}
    return {**config, **fds, "worker": {**config["worker"], **fds}}


def worker_argv(config: dict[str, Any]) -> list[str]:
    """The exec path's command line of the worker: the interpreter, its flags, the worker's config."""
    return [config["python"], "-s", "-P", "-B", "-m", "autograder.sandbox.worker", json.dumps(config["worker"])]


def exec_worker(config: dict[str, Any]) -> NoReturn:
    """The exec path's last step: a fresh interpreter runs the worker (never returns)."""
    try:
        argv = worker_argv(config)
        os.execve(argv[0], argv, config["env"])
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


def _build_root(root: str, tree: str, work_dir: str) -> None:
    """The new root: the worker's tree bound read-only, a private tmpfs on its work folder,
    a minimal /dev."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _bind(tree, root, MS_RDONLY | MS_NODEV)
    _mount("tmpfs", root + work_dir, "tmpfs", MS_NOSUID | MS_NODEV, TMP_TMPFS)
    _mount("tmpfs", root + "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, DEV_TMPFS)
    for name in DEVICES:
        _bind(f"/dev/{name}", f"{root}/dev/{name}", MS_NOEXEC)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    args = [None if s is None else os.fsencode(s) for s in (source, target, fstype)]
    if _libc.mount(args[0], args[1], args[2], ctypes.c_ulong(flags), None if data is None else data.encode()):
        error = ctypes.get_errno()
        raise OSError(error, f"mount {source} on {target} ({fstype}): {os.strerror(error)}")


def _bind(source: str, target: str, extra: int) -> None:
    """Bind ``source`` (a folder or a file) at ``target``, then apply nosuid and ``extra``."""
    if os.path.isdir(source):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_NOSUID | extra)


def _drop_privileges(uid: int) -> None:
    """Become ``uid`` for good: no groups, no way back, killed with pid 1."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # this clears the parent-death signal: set it again
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), 0, 0, 0):
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    set_parent_death_signal()
    if os.getsid(0) != os.getpid():  # the uid mode's worker leads a session already
        os.setsid()


def set_parent_death_signal() -> None:
    if _libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0):
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def close_fds_except(keep: set[int]) -> None:
    """Close every other descriptor, so none that reaches outside the root is inherited."""
    start = 0
    for end in [*sorted(keep), os.sysconf("SC_OPEN_MAX")]:
        if start < end:  # os.closerange(n, n) would close everything from n on
            os.closerange(start, end)
        start = end + 1


def read_config(fd: int) -> dict[str, Any]:
    """The config from the inherited descriptor ``fd``, which is then closed."""
    with os.fdopen(fd, "rb") as source:
        return json.loads(source.read())


if __name__ == "__main__":
    main(read_config(int(sys.argv[1])), exec_worker)
