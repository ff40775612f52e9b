"""The worker's system-call filter: what a student's code may not ask the kernel for.

Compiled once in the grader by libseccomp (through ``pyseccomp``, ctypes over the
system's libseccomp2), which knows each architecture's syscall numbers and kills a call
made through another ABI of the machine (32-bit or x32 calls on x86-64). The compiled
BPF program crosses as hex in the worker's config and is loaded with one ``prctl``
after privileges are dropped and no_new_privs is set: by the jail just before it execs
the worker, and in process mode by the worker itself before it is sent the student's
file. It binds every process and thread the worker starts, for good. (Loading
libseccomp in each worker would cost 70 ms: finding it runs ldconfig.)

A deny-list, on purpose: an allow-list for CPython, numpy, OpenBLAS and whatever a
student's subprocess runs breaks with the next glibc or numpy, while what the worker
must never do is a short list. Denied calls fail with EPERM (clone3 with ENOSYS, so that
glibc falls back to clone, whose flags a filter can read), so Python raises an OSError
the student sees instead of dying. What is denied, and why, is ``DENIED``; besides it:

- sockets of any family but AF_UNIX (``socket``, ``socketpair``), and ``sendto`` with an
  address: no network, no netlink, no AF_VSOCK to the hypervisor, even without the
  jail's network namespace; ``socketpair`` still works;
- ``clone`` with a namespace flag (a new user namespace would make the worker root in it);
- without a cgroup budget (``children=False``), every new process: ``fork``, ``vfork``
  and ``clone`` without CLONE_THREAD, so that RLIMIT_AS bounds the whole submission
  (threads are still allowed, up to RLIMIT_NPROC).

Not covered: syscalls added to the kernel after this list, and what the allowed ones do
(files the uid may write, signals to its own processes).
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import socket
import tempfile

DENIED: dict[str, tuple[str, ...]] = {
    # kernel objects that outlive every process and are shared by uid or session:
    # a file could leave its source there for a later submission
    "keyrings": ("add_key", "keyctl", "request_key"),
    "System V and POSIX IPC": ("msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop", "semctl",
                               "shmget", "shmat", "shmdt", "shmctl", "mq_open", "mq_unlink", "mq_timedsend",
                               "mq_timedreceive", "mq_notify", "mq_getsetattr"),
    # rendezvous points other processes could find: abstract and path unix sockets
    "socket addresses": ("bind", "connect", "listen", "accept", "accept4"),
    # other processes' memory and descriptors
    "other processes": ("ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "move_pages",
                        "migrate_pages"),
    # kernel interfaces with a history of exploits, of no use to a homework
    "kernel attack surface": ("io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "perf_event_open",
                              "userfaultfd", "fanotify_init", "name_to_handle_at", "open_by_handle_at",
                              "lookup_dcookie", "uselib", "syslog", "vhangup"),
    # namespaces and mounts: the jail's walls
    "namespaces and mounts": ("unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount",
                              "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr"),
    # the machine's own settings
    "the machine": ("kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
                    "swapon", "swapoff", "acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
                    "sethostname", "setdomainname", "iopl", "ioperm", "quotactl", "quotactl_fd"),
}
NEW_PROCESS_CALLS = ("fork", "vfork")  # and clone without CLONE_THREAD
CLONE_THREAD = 0x00010000
CLONE_NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
UNKNOWN_SYSCALL = -1  # libseccomp's answer for a name it does not know (an older libseccomp)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
BPF_INSTRUCTION_BYTES = 8


class _SockFprog(ctypes.Structure):
    """``struct sock_fprog``: a classic BPF program as the kernel takes it."""

    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


@functools.cache
def program(children: bool) -> str:
    """The filter as a BPF program in hex; ``children``: whether the worker may start
    child processes (only where a cgroup budget bounds them)."""
    import pyseccomp as sc  # only the grader compiles filters

    deny = sc.ERRNO(errno.EPERM)
    rules: list[tuple[int, str, tuple]] = [(deny, name, ()) for names in DENIED.values() for name in names]
    rules += [(deny, name, (sc.Arg(0, sc.NE, socket.AF_UNIX),)) for name in ("socket", "socketpair")]
    rules += [(deny, "sendto", (sc.Arg(4, sc.NE, 0),))]
    rules += [(deny, "clone", (sc.Arg(0, sc.MASKED_EQ, flag, flag),)) for flag in CLONE_NAMESPACE_FLAGS]
    rules += [(sc.ERRNO(errno.ENOSYS), "clone3", ())]
    if not children:
        rules += [(deny, name, ()) for name in NEW_PROCESS_CALLS]
        rules += [(deny, "clone", (sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0),))]
    syscall_filter = sc.SyscallFilter(sc.ALLOW)
    syscall_filter.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    for action, name, args in rules:
        number = sc.resolve_syscall(sc.Arch.NATIVE, name)
        if number != UNKNOWN_SYSCALL:
            syscall_filter.add_rule(action, number, *args)
    with tempfile.TemporaryFile() as file:
        syscall_filter.export_bpf(file)
        file.seek(0)
        return file.read().hex()


def install(program_hex: str | None) -> None:
    """Set no_new_privs and load ``program_hex`` (from ``program``) on this process, for
    good; None: nothing to do (the jail loaded it before exec).

    The process must have one thread: the filter binds the calling thread and what it
    starts from then on, not threads already running. That is checked where /proc is
    mounted (process mode); the worker's tree has no /proc, and there the caller is the
    jail stage, a fresh process of ours that starts no thread.
    """
    if program_hex is None:
        return
    if os.path.isdir("/proc/self/task") and len(os.listdir("/proc/self/task")) != 1:
        raise RuntimeError("the seccomp filter must be installed while the process has one thread")
    code = bytes.fromhex(program_hex)
    instructions = (ctypes.c_char * len(code)).from_buffer_copy(code)
    fprog = _SockFprog(len(code) // BPF_INSTRUCTION_BYTES, ctypes.addressof(instructions))
    _prctl(PR_SET_NO_NEW_PRIVS, 1, 0)
    _prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog))


def _prctl(option: int, value: int, pointer: int) -> None:
    if _libc.prctl(option, ctypes.c_ulong(value), ctypes.c_void_p(pointer), 0, 0):
        error = ctypes.get_errno()
        raise OSError(error, f"prctl({option}, {value}) failed: {os.strerror(error)}")


_libc = ctypes.CDLL(None, use_errno=True)
