"""The fork server ("zygote"): workers are forks of one clean interpreter that has
imported numpy and the worker already, instead of fresh Pythons that import them again.

A fresh worker costs about 0.3 s of CPU before it runs a byte of the student's (Python's
start, numpy, the worker's modules); a fork of this server costs a few milliseconds.

**Nothing secret may ever be in this process**: its memory is what every worker starts
with, and a student's code can read all of its own memory. It is exec'd clean (``python
-s -P -B -m autograder.sandbox.forkserver SOCKET GRADER``: the worker's own environment,
no variable of the grader's, one BLAS thread), imports numpy and the worker's and jail's
modules, and never receives anything but workers' configs (limits, paths of the tree and
of the sandbox's folder, the syscall filter) and their three descriptors (the request,
reply and output pipes). The student's file still goes to the worker over its own pipe
once it runs; tests, reference and results never come near this process. What a forked
worker shares with every other: Python's hash seed (set once, at this process's start;
``random`` is reseeded in each child, numpy's is not imported here), and what may linger
in freed memory of earlier requests: other sandboxes' folder, tree and cgroup paths and
uids, none of which it can reach from its root.

One server per grading process, started when the first worker is needed (``fork_worker``)
and killed when the grader exits (explicitly at exit, and by its parent-death signal if
the grader dies). It runs as the grader's user (root in the jail and uid modes) in a
session of its own, and makes itself non-dumpable, so that a process-mode worker (same
user) cannot read or write its memory through /proc or ptrace.

On each request (a SOCK_SEQPACKET message: the config, the descriptors by SCM_RIGHTS) it
forks a child whose parent is the grader (``CLONE_PARENT``): the grader waits for it, reads
its exit status and reaps it exactly as it would an exec'd worker, and the child outlives
the server if the server dies. The child leads a new session, takes /dev/null as stdin and
the output pipe as stdout and stderr, enters the sandbox's folder and does what the exec
path's stage does in its mode (``jail``: new namespaces, then ``jail.main``; ``uid``:
``jail.main``; ``process``: every other descriptor closed), except that the last step is
``worker.start``, the worker's ``main`` in this interpreter, rather than an exec. So rlimits,
the dropped uid, no new privileges, the closed descriptors (this server's socket among
them) and the syscall filter all hold before the worker reads the student's file.

If the server cannot start or dies, the next worker gets a new one; if that fails too,
this worker and every later one of the grading process are exec'd afresh (``launch``), as
they are wherever ``AUTOGRADER_FORK_SERVER`` is ``off`` or the machine's clone syscall
number is not known here.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import traceback
from typing import Any, NoReturn

import numpy  # noqa: F401 -- imported once here, for every worker

from autograder.sandbox import jail, worker

VARIABLE = "AUTOGRADER_FORK_SERVER"  # "off": every worker is exec'd afresh (the benchmarks compare both)
REQUEST_BYTES = 1 << 16  # largest request: a worker's config is a few KB (the syscall filter most of it)
REPLY_BYTES = 1 << 10  # largest answer: a pid, or why there is none
REPLY_SECONDS = 60.0  # for the server's answer; the first includes its own start (imports)
ATTEMPTS = 2  # the running server (or a new one), then one new one, before the exec path
DESCRIPTORS = 3  # the worker's ends of its request, reply and output pipes
CLONE_PARENT = 0x00008000
SYS_CLONE = {"x86_64": 56, "aarch64": 220}  # the clone syscall's number where it is known
PR_SET_DUMPABLE = 4


class ForkServerError(Exception):
    """The fork server did not answer, or could not fork."""


class ForkServer:
    """The grader's handle on its fork server: a process and the socket to it."""

    def __init__(self, python: str, env: dict[str, str]) -> None:
        """Start the server with interpreter ``python`` and environment ``env`` (the worker's)."""
        grader_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            command = [python, "-s", "-P", "-B", "-m", __name__, str(server_end.fileno()), str(os.getpid())]
            self.process = subprocess.Popen(command, env=env, cwd="/", stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, pass_fds=(server_end.fileno(),),
                                            start_new_session=True)
        except BaseException:
            grader_end.close()
            raise
        finally:
            server_end.close()
        self.socket = grader_end
        self.socket.settimeout(REPLY_SECONDS)
        self.owner = os.getpid()

    def fork(self, config: dict[str, Any], fds: tuple[int, int, int]) -> int:
        """The pid of a new worker (a child of this process) for ``config``, given its ends
        of the request, reply and output pipes."""
        try:
            socket.send_fds(self.socket, [json.dumps(config).encode()], list(fds))
            answer = self.socket.recv(REPLY_BYTES)
        except OSError as exc:  # a timeout too
            raise ForkServerError(f"the fork server did not answer ({exc or type(exc).__name__})") from None
        if not answer:
            raise ForkServerError(f"the fork server exited (status {self.process.poll()})")
        try:
            reply = json.loads(answer)
            return int(reply["pid"])
        except (ValueError, KeyError, TypeError):
            raise ForkServerError(f"the fork server could not fork: {answer[:REPLY_BYTES]!r}") from None

    def close(self) -> None:
        """Kill the server (its workers are the grader's children and live on)."""
        self.socket.close()
        if self.owner == os.getpid():
            self.process.kill()
            self.process.wait()


class _Shared:
    """This grading process's fork server, started on first use and replaced when it fails."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.server: ForkServer | None = None
        self.failed = False  # a new server failed too: this process execs its workers from now on

    def fork_worker(self, config: dict[str, Any], fds: tuple[int, int, int], python: str,
                    env: dict[str, str]) -> int | None:
        """A new worker's pid, or None where there is no working fork server (see the module)."""
        if os.environ.get(VARIABLE) == "off" or platform.machine() not in SYS_CLONE or self.failed:
            return None
        with self.lock:
            for _ in range(ATTEMPTS):
                try:
                    if self.server is None or self.server.owner != os.getpid():  # none yet, or a forked grader's parent's
                        self.server = ForkServer(python, env)
                    return self.server.fork(config, fds)
                except (OSError, ForkServerError):
                    self.close()
            self.failed = True
        return None

    def close(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.close()


_shared = _Shared()
fork_worker = _shared.fork_worker
atexit.register(_shared.close)


def serve(server: socket.socket, grader: int) -> None:
    """The server's loop: one forked worker per request, until the grader closes the socket."""
    jail.set_parent_death_signal()
    if os.getppid() != grader:  # the grader died before the signal was set
        return
    if _libc.prctl(PR_SET_DUMPABLE, ctypes.c_ulong(0), 0, 0, 0):
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")
    if len(os.listdir("/proc/self/task")) != 1:  # a fork copies one thread: the others' locks would stay held
        raise RuntimeError("the fork server must have one thread (a BLAS started more?)")
    while True:
        message, fds, _, _ = socket.recv_fds(server, REQUEST_BYTES, DESCRIPTORS)
        if not message:
            return
        try:
            if len(fds) != DESCRIPTORS:
                raise ValueError(f"expected {DESCRIPTORS} descriptors, got {len(fds)}")
            reply = {"pid": _fork_into_grader(json.loads(message), tuple(fds), server)}
        except Exception as exc:  # noqa: BLE001 -- told to the grader, which falls back
            reply = {"error": f"{type(exc).__name__}: {exc}"[:REPLY_BYTES // 2]}
        finally:
            for fd in fds:
                os.close(fd)
        server.send(json.dumps(reply).encode())


def _fork_into_grader(config: dict[str, Any], fds: tuple[int, ...], server: socket.socket) -> int:
    """``os.fork``, except that the child's parent is the grader (``CLONE_PARENT``); the
    child becomes the worker and never returns here.

    Python's fork hooks run as in ``os.fork``; glibc's own bookkeeping of ``fork()`` is
    skipped (a raw clone): harmless here, as this process has one thread and holds no lock,
    and glibc asks the kernel for the thread id where it matters (``raise``, a thread
    signalling itself).
    """
    _python.PyOS_BeforeFork()
    pid = _syscall(SYS_CLONE[platform.machine()], CLONE_PARENT | signal.SIGCHLD, 0, 0, 0, 0)
    error = ctypes.get_errno()
    if pid == 0:
        _python.PyOS_AfterFork_Child()
        server.close()
        _become_worker(config, fds)
    _python.PyOS_AfterFork_Parent()
    if pid < 0:
        raise OSError(error, f"clone failed: {os.strerror(error)}")
    return pid


def _become_worker(config: dict[str, Any], fds: tuple[int, ...]) -> NoReturn:
    """In the child: what the exec path's ``Popen`` and stage do, then the worker."""
    request_fd, reply_fd, output_fd = fds
    try:
        os.setsid()
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        os.chdir(config["cwd"])
        stage = jail.with_channel(config, request_fd, reply_fd)
        if stage["mode"] == "process":
            jail.close_fds_except({0, 1, 2, request_fd, reply_fd})
        elif stage["mode"] == "jail":
            jail.unshare_namespaces()
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    if stage["mode"] == "process":
        worker.start(stage)  # it sets its own rlimits and filter, as the exec'd one does
    jail.main(stage, worker.start)
    os._exit(1)  # (both end in the worker's exit: never back into the server's loop)


_libc = ctypes.CDLL(None, use_errno=True)
_syscall = ctypes.PyDLL(None, use_errno=True).syscall  # keeps the GIL, as os.fork does
_syscall.restype = ctypes.c_long
_syscall.argtypes = [ctypes.c_long] * 6
_python = ctypes.pythonapi
for _hook in (_python.PyOS_BeforeFork, _python.PyOS_AfterFork_Child, _python.PyOS_AfterFork_Parent):
    _hook.restype = None


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])), int(sys.argv[2]))
