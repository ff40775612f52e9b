"""Returns values that cost whoever shows them: huge strings and tuples, deep nesting, and a
forged reply holding a tuple of two million items. ``relu(kind)`` answers with the attack
``kind``; a copy of this file with ``ATTACK`` set makes every graded function do it."""
import fcntl
import os
import stat
import struct

ATTACK = None
ITEMS = 2_000_000


def _deep():
    value = 0
    for _ in range(100_000):
        value = (value,)
    return value


def _forge():
    """Write a well-framed reply holding ``ITEMS`` items on the grader's channel, then
    answer normally (the grader reads the forged frame first)."""
    huge = b"t" + struct.pack(">I", ITEMS) + b"N" * ITEMS
    payload = b"t\x00\x00\x00\x03" + b"s\x00\x00\x00\x08returned" + huge + b"t\x00\x00\x00\x00"
    data = memoryview(b"\xabS" + struct.pack(">I", len(payload)) + payload)
    for fd in range(3, 4096):  # no /proc in the jail to list them; the grader may have many open
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode) and \
                    fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                while data:
                    data = data[os.write(fd, data):]
        except OSError:
            pass
    return 0


ATTACKS = {
    "string": lambda: "A" * 250_000,
    "string_8m": lambda: "A" * 8_000_000,
    "tuple": lambda: (1,) * ITEMS,
    "deep": _deep,
    "forged": _forge,
}


def relu(kind=None, *args, **kwargs):
    return ATTACKS[kind if type(kind) is str else ATTACK]()


def _everywhere(*args, **kwargs):
    return ATTACKS[ATTACK]()


zero_pad = cross_correlate2d = conv_output_size = conv2d = conv_stage = pool2d = conv_layer = _everywhere
conv_param_count = conv_output_shape = _everywhere
