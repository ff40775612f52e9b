"""Hostile submissions: each fails only its own call, and the grader is none the worse.

The tests that could harm the machine without file isolation (deleting files, killing
every process) first assert that they run in an isolated mode (jail or uid).
"""

from __future__ import annotations

import socket
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox import Failed, Raised, Returned, Unsupported
from autograder.spec import project_root
from tests.sandbox.helpers import (HOSTILE, ISOLATED, LIMITS, limits, processes_with, requires_isolation, requires_jail,
                                   sandbox_processes)

pytestmark = pytest.mark.sandbox

X = np.array([[-1.0, 2.0], [3.0, -4.0]])


def assert_still_answers(box) -> None:
    """The honest functions still work (after a restart of the worker, if it was killed)."""
    reply = box.call("relu", X)
    assert isinstance(reply, Returned)
    np.testing.assert_array_equal(reply.value, np.maximum(X, 0))


def test_infinite_loop_times_out_and_only_that_call_fails(open_box):
    box = open_box("infinite_loop")
    assert_still_answers(box)

    reply = box.call("conv2d", X, X)

    assert reply.kind == "timeout"
    assert reply.message == "conv2d did not finish within 1 s (time limit per call)"
    assert 1.0 <= reply.seconds < 1.5
    assert_still_answers(box)


def test_sleep_at_import_hits_the_import_limit(open_box):
    box = open_box("slow_import")

    started = time.monotonic()
    reply = box.call("relu", X)

    assert reply.kind == "import"
    assert reply.message == "cnn.py could not be imported: it did not finish within 2 s (time limit for the import)"
    assert time.monotonic() - started < 5
    assert box.call("zero_pad", X, 1) == Failed("import", reply.message, 0.0)


@pytest.mark.parametrize("function", ["conv2d", "pool2d"])
def test_memory_bomb_fails_with_memory(open_box, function):
    box = open_box("memory_bomb")

    reply = box.call(function, *((X, X) if function == "conv2d" else (X,)))

    assert reply == Failed("memory", f"{function} ran out of memory (limit 512 MB)", reply.seconds)
    assert_still_answers(box)


def test_children_left_running_are_gone_after_close(open_box):
    box = open_box("orphans")
    token = f"orphan-{uuid.uuid4()}"

    assert box.call("conv2d", token, None).value == token
    assert len(processes_with(token)) == 2
    box.close()

    assert processes_with(token) == []


def test_children_are_killed_when_the_call_times_out(open_box):
    box = open_box("orphans", limits=limits(call_seconds=0.1))
    token = f"orphan-{uuid.uuid4()}"

    assert box.call("conv2d", token, None).kind == "timeout"

    assert processes_with(token) == []


@pytest.mark.parametrize("function, status", [("conv2d", 3)])
def test_os_exit_is_a_crash_and_the_worker_restarts(open_box, function, status):
    box = open_box("exits")

    reply = box.call(function, X, X)

    assert reply == Failed("crash", f"conv2d ended the worker process (exit status {status})", reply.seconds)
    assert_still_answers(box)


def test_sys_exit_is_a_crash_and_the_worker_restarts(open_box):
    box = open_box("exits")

    reply = box.call("pool2d", X)

    assert reply == Failed("crash", "pool2d called sys.exit(4), which ends the process", reply.seconds)
    assert_still_answers(box)


def test_segfault_is_a_crash_and_the_worker_restarts(open_box):
    box = open_box("segfault")

    reply = box.call("conv2d", X, X)

    assert reply == Failed("crash", "conv2d crashed the worker process (killed by signal SIGSEGV)", reply.seconds)
    assert_still_answers(box)


def test_unbounded_recursion_is_a_crash(open_box):
    box = open_box("recursion")

    reply = box.call("conv2d", X, X)

    assert reply == Failed("crash", "conv2d exceeded the maximum recursion depth (unbounded recursion?)",
                           reply.seconds)
    assert_still_answers(box)


def test_unbounded_recursion_past_a_raised_limit_crashes_the_stack(open_box):
    box = open_box("recursion", limits=limits(call_seconds=10))

    reply = box.call("pool2d", X)

    assert reply == Failed("crash", "pool2d crashed the worker process (killed by signal SIGSEGV)", reply.seconds)
    assert_still_answers(box)


def test_ignored_signals_do_not_outlive_the_time_limit(open_box):
    box = open_box("ignore_signals")

    reply = box.call("conv2d", X, X)

    assert reply.kind == "timeout"
    assert reply.seconds < 1.5
    assert_still_answers(box)


def test_garbage_on_every_descriptor_is_a_protocol_failure_then_recovery(open_box):
    box = open_box("fd_spray")

    reply = box.call("conv2d", X, X)

    assert isinstance(reply, Failed) and reply.kind in ("protocol", "crash")
    assert reply.message.startswith("conv2d ")
    assert_still_answers(box)
    assert "garbage" in box.output()


def test_output_flood_is_truncated_and_the_call_still_returns(open_box):
    box = open_box("output_flood", limits=limits(call_seconds=20))

    reply = box.call("conv2d", X, X)

    assert isinstance(reply, Returned)
    output = box.output()
    assert output.endswith("\n[... truncated]")
    assert len(output.encode()) <= LIMITS.output_bytes + len("\n[... truncated]")
    assert output.startswith("spam spam")


def test_monkeypatched_numpy_stays_in_the_worker(open_box):
    box = open_box("monkeypatch_numpy")

    reply = box.call("relu", X)

    assert not np.allclose(reply.value, X)
    assert not np.array_equal(reply.value, X)
    assert type(reply.value) is np.ndarray
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(reply.value, X)


@pytest.mark.parametrize("kind, type_name", [
    ("always_equal", "AlwaysEqual"),
    ("subclass", "Agreeable"),
    ("matrix", "numpy.matrix"),
    ("dict", "dict"),
    ("numpy_scalar", "numpy.float64"),
    ("complex", "numpy array of dtype complex128"),
    ("object", "numpy array of dtype object"),
    ("bad_repr", "BadRepr"),
    ("huge_int", "int"),
])
def test_values_that_may_not_cross_come_back_unsupported(open_box, kind, type_name):
    reply = open_box("sneaky_returns").call("conv2d", kind, X)

    assert isinstance(reply, Returned)
    assert isinstance(reply.value, Unsupported)
    assert reply.value.type_name == type_name
    assert len(reply.value.preview) <= 200
    assert reply.value != X.tolist()


def test_unsupported_parts_of_a_tuple_are_marked_individually(open_box):
    reply = open_box("sneaky_returns").call("conv2d", "nested", X)

    array, rest = reply.value
    np.testing.assert_array_equal(array, X)
    assert rest == Unsupported("dict", "{'a': 1}")


def test_tuples_nested_too_deep_come_back_unsupported(open_box):
    reply = open_box("sneaky_returns").call("conv2d", "deep", X)

    value = reply.value
    while isinstance(value, tuple):
        value = value[0]
    assert isinstance(value, Unsupported) and value.type_name == "tuple"


@requires_isolation
def test_private_files_reference_and_hidden_tests_cannot_be_read(open_box, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the answers")
    box = open_box("read_secrets")
    assert box.mode in ISOLATED
    root = project_root()

    for path in (secret, root / "solutions" / "cnn" / "cnn.py", root / "assignments" / "cnn" / "assignment.toml",
                 root / "autograder" / "spec.py", Path("/etc/shadow")):
        reply = box.call("conv2d", str(path), None)
        assert isinstance(reply, Raised), path
        assert reply.type_name in ("FileNotFoundError", "PermissionError"), path
    for folder in (tmp_path, root / "assignments", root / "solutions", root / "tests", Path("/autograder")):
        reply = box.call("pool2d", str(folder))
        assert isinstance(reply, Raised) and reply.type_name == "FileNotFoundError", folder


@requires_isolation
def test_private_path_inside_an_exposed_folder_is_covered(open_box, tmp_path):
    import numpy

    hidden = Path(numpy.__file__).parent / "fft"  # a folder the worker could read otherwise
    box = open_box("read_secrets", private_paths=(hidden,))

    reply = box.call("pool2d", str(hidden))
    assert isinstance(reply, Raised) and reply.type_name == "FileNotFoundError"
    assert box.call("pool2d", str(hidden.parent / "linalg")).value != ()


@requires_isolation
def test_results_cannot_be_written_into_a_private_folder(open_box, tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    target = results / "results.json"
    box = open_box("write_results")
    assert box.mode in ISOLATED

    reply = box.call("conv2d", str(target), None)

    assert isinstance(reply, Raised)
    assert not target.exists()


@requires_isolation
def test_deleting_everything_leaves_the_grader_files_intact(open_box, tmp_path):
    mine = tmp_path / "grader-file.txt"
    mine.write_text("keep me")
    box = open_box("delete_everything", limits=limits(call_seconds=10))
    assert box.mode in ISOLATED  # never run this one without file isolation
    worker_source = project_root() / "autograder" / "sandbox" / "worker.py"

    reply = box.call("conv2d", (str(mine), str(tmp_path), str(worker_source), str(HOSTILE)), None)

    assert isinstance(reply, Returned)
    assert mine.read_text() == "keep me"
    assert worker_source.is_file()
    assert (HOSTILE / "delete_everything.py").is_file()
    assert_still_answers(box)


@requires_isolation
@pytest.mark.parametrize("function", ["conv2d", "pool2d"])
def test_killing_the_parent_or_everyone_leaves_the_grader_alive(open_box, function):
    box = open_box("kill_parent")
    assert box.mode in ISOLATED  # never run this one without file isolation

    box.call(function, *((X, X) if function == "conv2d" else (X,)))

    assert_still_answers(box)


@requires_isolation
def test_process_limit_stops_a_fork_bomb_and_close_kills_it(open_box):
    box = open_box("fork_bomb")

    reply = box.call("conv2d", X, X)

    assert isinstance(reply, Returned)
    assert reply.value < LIMITS.processes
    assert len(sandbox_processes(box)) > 1
    box.close()
    assert sandbox_processes(box) == []


@requires_jail
def test_the_network_is_unreachable(open_box):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.2)
        box = open_box("network")

        reply = box.call("conv2d", server.getsockname()[1], None)

        assert isinstance(reply, Raised)
        assert reply.type_name in ("OSError", "ConnectionRefusedError", "TimeoutError", "PermissionError")
        with pytest.raises(socket.timeout):
            server.accept()


@pytest.mark.parametrize("forgery", ["huge", "object_array", "unexpected", "wrong_shape"])
def test_forged_frames_on_the_channel_are_protocol_failures(open_box, forgery):
    box = open_box("forged_frames")

    reply = box.call("conv2d", forgery, X)

    assert isinstance(reply, Failed) and reply.kind == "protocol"
    assert reply.message.startswith("conv2d sent ")
    assert reply.message.endswith("the worker was restarted")
    assert_still_answers(box)


@pytest.mark.parametrize("isolation", ["process", None])
def test_cpu_time_limit_ends_a_busy_worker(open_box, isolation):
    box = open_box("infinite_loop", isolation=isolation, limits=limits(call_seconds=10, cpu_seconds=1))

    reply = box.call("conv2d", X, X)

    assert reply == Failed("timeout", "conv2d used up the CPU time limit (1 s per worker process)", reply.seconds)
    assert reply.seconds < 3
    assert_still_answers(box)
