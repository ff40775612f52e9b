"""Asks the kernel for what a homework never needs (x86-64 syscall numbers, through ctypes).

``conv2d(name, None)`` makes the attempt called ``name`` and returns "allowed", or raises
the OSError the kernel answered; ``conv_stage()`` lists the folders this uid can create
files in, to find any place where a file could outlive the sandbox.
"""
import ctypes
import os
import socket
import threading

import numpy as np

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
CLONE_NEWUSER, IPC_PRIVATE, IPC_CREAT = 0x10000000, 0, 0o1000


def _syscall(number, *args):
    if _libc.syscall(number, *args) < 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def _socket(family, kind=socket.SOCK_STREAM):
    socket.socket(family, kind).close()


def _socketpair():
    left, right = socket.socketpair()
    left.send(b"x")
    assert right.recv(1) == b"x"


def _thread():
    thread = threading.Thread(target=lambda: None)
    thread.start()
    thread.join()


def _abstract_socket():
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("\0autograder-hostile")


ATTEMPTS = {
    "io_uring_setup": lambda: _syscall(425, 8, ctypes.create_string_buffer(120)),
    "vsock": lambda: _socket(socket.AF_VSOCK),
    "inet": lambda: _socket(socket.AF_INET),
    "netlink": lambda: _socket(socket.AF_NETLINK, socket.SOCK_RAW),
    "abstract_socket": _abstract_socket,
    "add_key": lambda: _syscall(248, b"user", b"hostile", b"data", 4, -4),
    "msgget": lambda: _syscall(68, IPC_PRIVATE, IPC_CREAT | 0o600),
    "shmget": lambda: _syscall(29, IPC_PRIVATE, 4096, IPC_CREAT | 0o600),
    "mq_open": lambda: _syscall(240, b"hostile", os.O_CREAT | os.O_RDWR, 0o600, None),
    "unshare_user": lambda: _syscall(272, CLONE_NEWUSER),
    "ptrace_attach": lambda: _syscall(101, 16, os.getppid(), 0, 0),
    "process_vm_readv": lambda: _syscall(310, os.getppid(), None, 0, None, 0, 0),
    "bpf": lambda: _syscall(321, 0, None, 0),
    "perf_event_open": lambda: _syscall(298, ctypes.create_string_buffer(128), 0, -1, -1, 0),
    "userfaultfd": lambda: _syscall(323, 0),
    "socketpair": _socketpair,
    "thread": _thread,
}


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(name, unused):
    ATTEMPTS[name]()
    return "allowed"


def conv_stage():
    writable = []
    for folder, subfolders, _ in os.walk("/"):
        if folder in ("/proc", "/sys"):
            subfolders.clear()
            continue
        try:
            with open(os.path.join(folder, ".hostile-probe"), "w"):
                pass
        except OSError:
            continue
        os.unlink(os.path.join(folder, ".hostile-probe"))
        writable.append(folder)
    return tuple(writable)
