"""The fork server: workers are forks of one clean interpreter (numpy and the worker
imported once), and nothing of one submission, nor of the grader, reaches another's.

Each test runs real workers in the mode the machine gives root (the jail), or in the rung
it names; the exec path (``AUTOGRADER_FORK_SERVER=off``) is what they are compared with.
"""

from __future__ import annotations

import ast
import os
import signal
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox import Returned, Sandbox, forkserver
from autograder.sandbox.launch import _worker_env
from tests.sandbox.helpers import FORBIDDEN, FUNCTIONS, ISOLATED, LIMITS, requires_isolation

pytestmark = [pytest.mark.sandbox, requires_isolation]

X = np.array([[-1.0, 2.0], [3.0, -4.0]])

REPORTER = textwrap.dedent('''
    """Reports what its worker is: where it came from and what it sees."""
    import os
    import sys

    import numpy as np


    def relu(x):
        return np.maximum(x, 0)


    def conv_output_size(n, k):
        state = {"orig_argv": sys.orig_argv, "argv": sys.argv, "environ": dict(os.environ), "cwd": os.getcwd(),
                 "executable": sys.executable, "path": sys.path, "numpy_id": id(np), "files": sorted(os.listdir("."))}
        return repr(state)
''')

LITTERER = textwrap.dedent('''
    """Changes every kind of state it can reach, at import: numpy, modules, builtins, files, a process."""
    import builtins
    import json
    import os
    import time

    import numpy as np

    np.maximum = lambda x, y: "patched"
    json.LITTER = "json"
    builtins.LITTER = "builtins"
    with open("litter.txt", "w") as litter:
        litter.write("left behind")
    if os.fork() == 0:  # a background process that keeps littering
        while True:
            with open("late.txt", "w") as late:
                late.write("still here")
            time.sleep(0.05)


    def relu(x):
        return np.maximum(x, 0)
''')

CLEAN_CHECK = textwrap.dedent('''
    """Looks for what an earlier submission could have left in this worker."""
    import builtins
    import json
    import os

    import numpy as np


    def relu(x):
        return np.maximum(x, 0)


    def conv_output_size(n, k):
        return repr({"maximum": repr(np.maximum(-1.0, 0.0)), "json": hasattr(json, "LITTER"),
                     "builtins": hasattr(builtins, "LITTER"), "files": sorted(os.listdir("."))})
''')

ATTACKER = textwrap.dedent('''
    """Tries to signal and to trace the process whose pid it is given."""
    import ctypes
    import errno
    import os
    import signal

    PTRACE_ATTACH = 16


    def conv_output_size(pid, k):
        try:
            os.kill(pid, signal.SIGKILL)
            killed = "killed"
        except OSError as exc:
            killed = errno.errorcode[exc.errno]
        libc = ctypes.CDLL(None, use_errno=True)
        traced = "traced" if libc.ptrace(PTRACE_ATTACH, pid, 0, 0) == 0 else errno.errorcode[ctypes.get_errno()]
        return repr((killed, traced))
''')


def _write(folder: Path, name: str, source: str) -> Path:
    path = folder / f"{name}.py"
    path.write_text(source)
    return path


def _sandbox(path: Path, isolation: str | None = None) -> Sandbox:
    return Sandbox(path, module="cnn", functions=FUNCTIONS, limits=LIMITS, forbidden=FORBIDDEN, isolation=isolation)


def _ask(path: Path, isolation: str | None = None, *args: int) -> object:
    """What ``conv_output_size`` of the file at ``path`` answers in a new sandbox."""
    with _sandbox(path, isolation) as box:
        reply = box.call("conv_output_size", *(args or (1, 1)))
    assert isinstance(reply, Returned), reply
    return ast.literal_eval(reply.value)


def _server_pid() -> int:
    server = forkserver._shared.server
    assert server is not None and server.process.poll() is None
    return server.process.pid


def test_workers_are_forks_of_one_fork_server_that_imported_numpy_once(tmp_path):
    first, second = (_ask(_write(tmp_path, "reporter", REPORTER)) for _ in range(2))

    assert first["orig_argv"][-3:] == ["autograder.sandbox.forkserver", forkserver._shared.server.process.args[-2],
                                       str(os.getpid())]
    assert first["numpy_id"] == second["numpy_id"]  # one numpy object, at the address the fork server made it


@pytest.mark.parametrize("isolation", [*ISOLATED, "process"])
def test_a_forked_worker_sees_what_an_exec_d_worker_sees(tmp_path, monkeypatch, isolation):
    path = _write(tmp_path, "reporter", REPORTER)
    forked = _ask(path, isolation)
    monkeypatch.setenv(forkserver.VARIABLE, "off")
    executed = _ask(path, isolation)

    assert executed["orig_argv"][-2] == "autograder.sandbox.worker"
    for seen in ("argv", "files", "path", "executable"):
        assert forked[seen] == executed[seen], seen
    for state in (forked, executed):  # each sandbox has a folder of its own in process mode
        assert state["environ"]["HOME"] == state["environ"]["TMPDIR"] == state["cwd"]
        state["environ"]["HOME"] = state["environ"]["TMPDIR"] = state["cwd"] = "(its folder)"
    assert forked["environ"] == executed["environ"]
    assert forked["cwd"] == executed["cwd"]


def test_the_fork_server_holds_no_grader_variable_or_path(tmp_path):
    _ask(_write(tmp_path, "reporter", REPORTER))
    pid = _server_pid()

    environ = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")[:-1]
    arguments = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]

    assert dict(item.split("=", 1) for item in environ) == _worker_env(home="/")
    assert [argument for argument in arguments if "/" in argument] == [arguments[0]]  # the interpreter, nothing else
    assert str(tmp_path) not in Path(f"/proc/{pid}/maps").read_text()


@pytest.mark.parametrize("isolation", [*ISOLATED, "process"])
def test_a_submission_that_changes_module_state_leaves_no_trace_in_the_next_worker(tmp_path, isolation):
    with _sandbox(_write(tmp_path, "litterer", LITTERER), isolation) as box:
        assert box.call("relu", X).value == "patched"

    clean = _ask(_write(tmp_path, "clean", CLEAN_CHECK), isolation)

    assert clean == {"maximum": "np.float64(0.0)", "json": False, "builtins": False, "files": ["cnn.py"]}


@pytest.mark.parametrize("isolation", ISOLATED)
def test_a_worker_can_neither_signal_nor_trace_the_fork_server(tmp_path, isolation):
    _ask(_write(tmp_path, "reporter", REPORTER), isolation)
    pid = _server_pid()

    killed, traced = _ask(_write(tmp_path, "attacker", ATTACKER), isolation, pid, 1)

    assert killed in ("EPERM", "ESRCH") and traced == "EPERM"
    assert _server_pid() == pid


def test_killing_the_fork_server_mid_batch_loses_no_answer(tmp_path):
    path = _write(tmp_path, "clean", CLEAN_CHECK)
    with _sandbox(path) as running:
        assert isinstance(running.call("relu", X), Returned)
        killed = _server_pid()
        os.kill(killed, signal.SIGKILL)
        forkserver._shared.server.process.wait()

        np.testing.assert_array_equal(running.call("relu", X).value, np.maximum(X, 0))  # its worker lives on
        with _sandbox(path) as after:
            np.testing.assert_array_equal(after.call("relu", X).value, np.maximum(X, 0))

    assert _server_pid() != killed
