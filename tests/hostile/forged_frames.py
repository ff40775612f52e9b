"""Forges replies on the grader's private channel: well-framed lies and impossible frames."""
import fcntl
import os
import stat
import struct

import numpy as np


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def _channel_fds():
    for fd in range(3, 4096):  # no /proc in the jail to list them; the grader may have many open
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode) and \
                    fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                yield fd
        except OSError:
            pass


def _frame(payload):
    return b"\xabS" + struct.pack(">I", len(payload)) + payload


def _object_array():
    header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + b"\x00" * 8
    return b"a" + struct.pack(">I", len(npy)) + npy


FORGERIES = {
    "huge": b"\xabS\xff\xff\xff\xff",
    "object_array": _frame(b"t\x00\x00\x00\x03" + b"s\x00\x00\x00\x08returned" + _object_array()
                           + b"t\x00\x00\x00\x00"),
    "unexpected": _frame(b"t\x00\x00\x00\x01" + b"s\x00\x00\x00\x05ready"),
    "wrong_shape": _frame(b"t\x00\x00\x00\x01" + b"s\x00\x00\x00\x08returned"),
}


def conv2d(kind, x):
    for fd in _channel_fds():
        os.write(fd, FORGERIES[kind])
    return x
