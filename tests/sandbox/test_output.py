"""What the student's code prints, as the grader shows it: byte for byte, in order, cut at
``limits.output_bytes`` with a marker, and cheap to flood (the worker forwards no more
than the grader keeps; the grader's own cap still holds when the student bypasses that).
"""

from __future__ import annotations

import numpy as np

from tests.sandbox.helpers import LIMITS, limits

X = np.array([[-1.0, 2.0], [3.0, -4.0]])
PATIENT = limits(import_seconds=30, call_seconds=30)  # a flood on a loaded machine
TRUNCATED = "\n[... truncated]"
IMPORT_LINES, CALL_LINES = 20_000, 5_000

FLOOD = f"""
import sys

import numpy as np

for i in range({IMPORT_LINES}):
    print("import", i, "é" * 3)


def relu(x):
    for i in range({CALL_LINES}):
        print("relu", i)
        print("relu err", i, file=sys.stderr)
    return np.maximum(x, 0)


def zero_pad(x, pad):
    print("zero_pad", pad)
    return np.pad(x, pad)
"""


def import_output() -> str:
    return "".join(f"import {i} ééé\n" for i in range(IMPORT_LINES))


def relu_output() -> str:
    return "".join(f"relu {i}\nrelu err {i}\n" for i in range(CALL_LINES))


def kept(text: str, limit: int = LIMITS.output_bytes) -> str:
    """``text`` as the grader shows it: its first ``limit`` bytes, then the marker if cut."""
    data = text.encode()
    return data[:limit].decode(errors="replace") + (TRUNCATED if len(data) > limit else "")


def crossed(box) -> int:
    """Bytes of output that reached the grader (those kept and those only counted)."""
    return len(box._output.kept) + box._output.dropped


def student(tmp_path, source: str):
    path = tmp_path / "cnn.py"
    path.write_text(source)
    return path


def test_a_flood_at_import_and_in_calls_shows_the_same_text_and_barely_crosses_the_pipe(open_box, tmp_path):
    box = open_box(student(tmp_path, FLOOD), limits=PATIENT)

    replies = [box.call("relu", X), box.call("relu", X), box.call("zero_pad", X, 1)]

    assert all(np.array_equal(reply.value, expected) for reply, expected
               in zip(replies, [np.maximum(X, 0), np.maximum(X, 0), np.pad(X, 1)]))
    assert box.output() == kept(import_output() + 2 * relu_output() + "zero_pad 1\n")
    # the import's room, the first call's (read before the import), then one byte a call
    assert crossed(box) <= 2 * (LIMITS.output_bytes + 1) + 2


def test_output_rewound_after_a_flood_is_what_a_run_without_the_repeated_calls_shows(open_box, tmp_path):
    source = student(tmp_path, FLOOD.replace(str(IMPORT_LINES), "3"))
    rewound, plain = open_box(source, limits=PATIENT), open_box(source, limits=PATIENT)

    for box in (rewound, plain):
        box.call("zero_pad", X, 1)
    mark = rewound.output_mark()
    rewound.call("relu", X)  # a flood the grader then repeats without the plan
    rewound.rewind_output(mark)
    for box in (rewound, plain):
        box.call("zero_pad", X, 2)

    imported = "import 0 ééé\nimport 1 ééé\nimport 2 ééé\n"
    assert rewound.output() == plain.output() == imported + "zero_pad 1\nzero_pad 2\n"


OUTPUT_THEN = """
import os
import sys
import time

import numpy as np

print("imported")
raise_at_import = 1 / 0


def relu(x):
    print("relu starts")
    print("relu warns", file=sys.stderr)
    sys.stdout.buffer.write(b"bytes\\n")
    sys.stdout.write("no newline yet")
    while True:
        time.sleep(0.01)


def zero_pad(x, pad):
    print("zero_pad starts", file=sys.stderr)
    print("a" * 3000)
    os._exit(3)
"""
IMPORTED = "imported\ncnn.py, line 9: skipped top-level code (ZeroDivisionError: division by zero)\n"


def test_output_before_a_timeout_is_shown_in_order_with_the_workers_notes(open_box, tmp_path):
    box = open_box(student(tmp_path, OUTPUT_THEN))

    reply = box.call("relu", X)

    assert reply.kind == "timeout"
    assert box.output() == IMPORTED + "relu starts\nrelu warns\nbytes\nno newline yet"


def test_output_before_a_crash_is_shown_up_to_the_limit(open_box, tmp_path):
    box = open_box(student(tmp_path, OUTPUT_THEN))

    reply = box.call("zero_pad", X, 1)

    assert reply.kind == "crash"
    assert box.output() == kept(IMPORTED + "zero_pad starts\n" + "a" * 3000 + "\n")


BYPASS = """
import os
import sys

import numpy as np


def relu(x):
    sys.stdout = open(1, "w", closefd=False)  # Python's own stream, not the worker's
    for i in range(2000):
        print("own stream", i)
    for _ in range(1000):
        os.write(1, b"fd 1 " * 100)
    return x
"""


def test_output_written_past_the_workers_streams_is_still_cut_by_the_grader(open_box, tmp_path):
    box = open_box(student(tmp_path, BYPASS), limits=PATIENT)

    box.call("relu", X)

    own = "".join(f"own stream {i}\n" for i in range(2000))
    assert box.output() == kept(own + "fd 1 " * 100_000)
    assert crossed(box) > 100 * LIMITS.output_bytes  # it did cross: the grader's cap is what held


STREAMS = """
import sys


def relu(x):
    return tuple((stream.name, stream.mode, stream.fileno(), stream.isatty(), stream.encoding, stream.errors,
                  stream.line_buffering, stream.write_through)
                 for stream in (sys.stdout, sys.stderr)) + (sys.stdout is sys.__stdout__, sys.stderr is sys.__stderr__)
"""


def test_the_students_streams_look_like_pythons_unbuffered_ones(open_box, tmp_path):
    reply = open_box(student(tmp_path, STREAMS)).call("relu", X)

    assert reply.value == (("<stdout>", "w", 1, False, "utf-8", "surrogateescape", False, True),
                           ("<stderr>", "w", 2, False, "utf-8", "backslashreplace", False, True), True, True)
