"""Process mode (no root, or asked for): limits and process isolation without the jail.

CI runs as root, so most of these ask for process mode; the last one runs the grader
itself as an unprivileged user, the way a TA's laptop would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import autograder
from autograder.errors import GraderFault
from autograder.sandbox import Failed, Raised, Returned
from autograder.sandbox.launch import MODE_VARIABLE
from tests.sandbox.helpers import HOSTILE, limits, processes_in

pytestmark = pytest.mark.sandbox

X = np.array([[-1.0, 2.0], [3.0, -4.0]])
PROCESS_NOTICE = ("sandbox mode process: file isolation is off (process mode was asked for): "
                  "running with process isolation and limits only")


def test_process_mode_asked_for_by_argument_runs_with_its_notice(open_box):
    box = open_box("honest", isolation="process")

    assert box.mode == "process"
    assert box.notices[0] == PROCESS_NOTICE
    assert isinstance(box.call("relu", X), Returned)


@pytest.mark.skipif(os.geteuid() != 0, reason="the refusal is of process mode as root")
def test_process_mode_asked_for_through_the_environment_is_refused_as_root(open_box, monkeypatch):
    monkeypatch.setenv(MODE_VARIABLE, "process")

    with pytest.raises(GraderFault, match="would run student code as root"):
        open_box("honest")


def test_unknown_mode_is_a_grader_error(open_box):
    with pytest.raises(ValueError):
        open_box("honest", isolation="container")


def test_process_mode_answers_raises_and_captures_output(open_box):
    box = open_box("honest", isolation="process")

    np.testing.assert_array_equal(box.call("relu", X).value, np.maximum(X, 0))
    assert isinstance(box.call("conv2d", np.zeros((0, 0))), Raised)
    assert box.output() == "honest module imported\n"


def test_process_mode_times_out_and_restarts(open_box):
    box = open_box("infinite_loop", isolation="process")

    assert box.call("conv2d", X, X).kind == "timeout"
    assert isinstance(box.call("relu", X), Returned)


def test_process_mode_crash_and_memory_limit(open_box):
    crash = open_box("segfault", isolation="process")
    memory = open_box("memory_bomb", isolation="process")

    assert crash.call("conv2d", X, X).message == "conv2d crashed the worker process (killed by signal SIGSEGV)"
    assert memory.call("pool2d", X).kind == "memory"
    assert isinstance(crash.call("relu", X), Returned)


def test_process_mode_forbidden_apis_fail_the_call(open_box):
    reply = open_box("forbidden_apis", isolation="process").call("conv2d", X, X)

    assert reply == Failed("forbidden", "numpy.fft.fft2 is not allowed in this assignment (called from conv2d)",
                           reply.seconds)


def test_process_mode_kills_the_children_of_the_worker(open_box):
    box = open_box("fork_bomb", isolation="process", limits=limits(call_seconds=20))
    box.call("relu", X)
    folder = box._launcher.folder

    assert box.call("conv2d", X, X).value > 0
    assert len(processes_in(folder)) > 1
    box.close()

    assert processes_in(folder) == []


GRADER_SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    from pathlib import Path
    from autograder.sandbox import Sandbox
    from autograder.spec import ForbiddenApis, Limits

    limits = Limits(call_seconds=2.0, import_seconds=5.0, processes=8)
    with Sandbox(Path(sys.argv[-1]), module="cnn", functions=("relu", "conv2d"), limits=limits,
                 forbidden=ForbiddenApis()) as box:
        relu = box.call("relu", np.array([-1.0, 1.0]))
        forks = box.call("conv2d", None, None)
        print(json.dumps({"mode": box.mode, "notices": box.notices, "relu": relu.value.tolist(),
                          "forks": getattr(forks, "value", repr(forks))}))
""")


def test_unprivileged_grader_runs_in_process_mode_under_its_process_limit(tmp_path):
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or not setpriv or not shutil.which("unshare"):
        pytest.skip("needs root (to become an unprivileged user), setpriv and unshare")
    package_root = Path(autograder.__file__).resolve().parent.parent
    command = _reachable_python_command(tmp_path, [
        setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--",
        "env", f"PYTHONPATH={package_root}", "HOME=/", sys.executable, "-B", "-c", GRADER_SCRIPT,
        str(HOSTILE / "fork_bomb.py")])

    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd="/")

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["mode"] == "process"
    assert result["notices"] == ["sandbox mode process: file isolation needs root: running with process isolation "
                                 "and limits only",
                                 "memory budget: 512 MB in one process (no writable cgroup here: the worker may not "
                                 "start child processes)"]
    assert result["relu"] == [0.0, 1.0]
    assert 0 <= result["forks"] < 8


def _reachable_python_command(tmp_path: Path, command: list[str]) -> list[str]:
    """``command``, wrapped so that an unprivileged user can run this Python and read the code.

    Each folder on the way that is not world-searchable (pyenv under /root, mode 700) is
    replaced, in a private mount namespace, by a tmpfs into which only the needed
    subtrees are bound back.
    """
    needed = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent,
              Path(np.__file__).resolve().parent, Path(autograder.__file__).resolve().parent, HOSTILE]
    closed = sorted({_first_closed_ancestor(path) for path in needed} - {None})
    steps = []
    for number, folder in enumerate(closed):
        stage = tmp_path / f"stage-{number}"
        stage.mkdir()
        steps += [f"mount --rbind '{folder}' '{stage}'", f"mount -t tmpfs -o mode=755 tmpfs '{folder}'"]
        for name in sorted({p.resolve().relative_to(folder).parts[0] for p in needed
                            if p.resolve().is_relative_to(folder)}):
            steps += [f"mkdir -p '{folder}/{name}'", f"mount --rbind '{stage}/{name}' '{folder}/{name}'"]
    shell = "set -e; " + "; ".join(steps + ['exec "$@"'])
    return ["unshare", "--mount", "sh", "-c", shell, "sh", *command]


def _first_closed_ancestor(path: Path) -> Path | None:
    for ancestor in reversed(path.resolve().parents):
        if not os.stat(ancestor).st_mode & 0o001:
            return ancestor
    return None
