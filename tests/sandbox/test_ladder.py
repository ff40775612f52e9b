"""The isolation ladder: as root, the jail (CAP_SYS_ADMIN) or the uid mode (without it, as
in Docker, so on Gradescope); process mode only for a grader that is not root.

The uid mode needs no CAP_SYS_ADMIN, so it is tested here both where the jail works (asked
for by name) and, in a subprocess, with CAP_SYS_ADMIN dropped (``setpriv``), where the
ladder must pick it by itself: there the hostile-file tests run once more, and a file
that walks the disk for the reference and the hidden tests is graded end to end.
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

from autograder.sandbox import Raised, Returned
from autograder.sandbox.launch import MODE_VARIABLE, choose_mode
from autograder.sandbox.rootfs import WORK_ROOT
from autograder.spec import load_assignment, project_root
from tests.sandbox.helpers import ISOLATED, limits, processes_with, requires_isolation

pytestmark = pytest.mark.sandbox

X = np.array([[-1.0, 2.0], [3.0, -4.0]])
SETPRIV = shutil.which("setpriv")
WITHOUT_SYS_ADMIN = [SETPRIV or "setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin", "--"]
WITHOUT_ANY_RUNG = [SETPRIV or "setpriv", "--bounding-set", "-sys_admin,-sys_chroot", "--inh-caps",
                    "-sys_admin,-sys_chroot", "--"]
requires_setpriv = pytest.mark.skipif(os.geteuid() != 0 or SETPRIV is None,
                                      reason="needs root and setpriv (util-linux) to drop capabilities")
rungs = pytest.mark.parametrize("isolation", ISOLATED)

IDENTITY = textwrap.dedent('''
    """Reports what the worker is and sees."""
    import ctypes
    import os

    import numpy as np


    def relu(x):
        return np.maximum(x, 0)


    def _effective_capabilities():
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        data = (ctypes.c_uint32 * 6)()
        ctypes.CDLL(None, use_errno=True).capget(header, data)
        return data[0] | data[3] << 32


    def conv2d(x, w):
        no_new_privileges = ctypes.CDLL(None).prctl(39, 0, 0, 0, 0)  # PR_GET_NO_NEW_PRIVS
        return (os.getresuid(), os.getresgid(), tuple(os.getgroups()), no_new_privileges,
                _effective_capabilities(), tuple(sorted(os.listdir("/"))), os.getcwd())
''')

WALK_AT_IMPORT = textwrap.dedent('''
    """A correct relu, after trying, at import, to list and delete every file it can reach."""
    import glob
    import os

    import numpy as np

    FOUND = []
    for start in (".", ".."):
        FOUND += glob.glob(os.path.join(start, "**"), recursive=True)
    for path in FOUND:
        try:
            os.remove(path)
        except OSError:
            pass


    def relu(x):
        return np.maximum(x, 0)


    def pool2d(x):
        return len(FOUND)
''')

STEAL_AT_IMPORT = textwrap.dedent('''
    import os as _os
    import sys as _sys
    import time as _time


    def _steal():
        """Print the reference and the hidden tests, wherever they are on the disk."""
        folders = set()
        for start in {_os.getcwd(), _os.path.dirname(_os.path.abspath(__file__)), *_sys.path}:
            while True:
                folders.add(start)
                if start == _os.path.dirname(start):
                    break
                start = _os.path.dirname(start)
        paths = [_os.path.join(f, "solutions", "cnn", "cnn.py") for f in folders]
        for hidden in (_os.path.join(f, "assignments", "cnn", "hidden") for f in folders):
            try:
                paths += [_os.path.join(hidden, n) for n in _os.listdir(hidden)]
            except OSError:
                pass
        deadline = _time.monotonic() + 2
        for folder, subfolders, files in _os.walk("/"):
            subfolders[:] = [s for s in subfolders if s not in ("proc", "sys")]
            paths += [_os.path.join(folder, n) for n in files
                      if folder.endswith(("solutions/cnn", "cnn/hidden")) and n.endswith(".py")]
            if _time.monotonic() > deadline:
                break
        for path in dict.fromkeys(paths):
            try:
                with open(path) as source:
                    print(source.read())
            except OSError:
                pass


    _steal()
''')


def _write(tmp_path: Path, source: str, name: str = "cnn.py") -> Path:
    path = tmp_path / "submission" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(source)
    return path


def _run_without(capabilities: list[str], code: str, **env: str) -> subprocess.CompletedProcess:
    """``python -c code`` as root with ``capabilities`` dropped, in this checkout."""
    return subprocess.run([*capabilities, sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=project_root(), env={**os.environ, **env}, timeout=600)


@requires_setpriv
def test_without_cap_sys_admin_the_ladder_picks_the_uid_mode():
    done = _run_without(WITHOUT_SYS_ADMIN, "from autograder.sandbox.launch import choose_mode; "
                                           "import json; print(json.dumps(choose_mode(None)))")

    assert done.returncode == 0, done.stderr
    mode, notice = json.loads(done.stdout)
    assert mode == "uid"
    assert notice.startswith("sandbox mode uid: an unprivileged uid of its own in a minimal root (chroot)")
    assert "jail mode: namespaces are unavailable here" in notice


@requires_setpriv
def test_as_root_with_no_rung_that_works_the_sandbox_refuses_to_start(tmp_path):
    code = textwrap.dedent(f"""
        from pathlib import Path
        from autograder.errors import GraderFault
        from autograder.sandbox import Sandbox
        from tests.sandbox.helpers import FORBIDDEN, FUNCTIONS, LIMITS
        try:
            Sandbox(Path({str(_write(tmp_path, IDENTITY))!r}), module="cnn", functions=FUNCTIONS, limits=LIMITS,
                    forbidden=FORBIDDEN)
        except GraderFault as fault:
            print(fault)
    """)

    done = _run_without(WITHOUT_ANY_RUNG, code, **{MODE_VARIABLE: "auto"})

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("the sandbox cannot isolate student code here, and never runs it as root: "
                                  "jail mode: namespaces are unavailable here")
    assert "uid mode: the grader lacks CAP_SYS_CHROOT" in done.stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="the grader is root here")
def test_a_grader_that_is_not_root_runs_in_process_mode_with_the_notice():
    assert choose_mode("auto") == ("process", "sandbox mode process: file isolation needs root: "
                                              "running with process isolation and limits only")


@requires_isolation
@rungs
def test_worker_is_an_unprivileged_uid_of_its_own_in_a_small_root(open_box, tmp_path, isolation):
    box = open_box(_write(tmp_path, IDENTITY), isolation=isolation)

    uids, gids, groups, no_new_privileges, capabilities, top, cwd = box.call("conv2d", X, X).value

    assert box.mode == isolation and box.notices[0].startswith(f"sandbox mode {isolation}: ")
    assert len(set(uids)) == 1 and uids[0] == box._launcher.uid != 0
    assert gids == uids and groups == ()
    assert no_new_privileges == 1 and capabilities == 0
    assert "proc" not in top and "sys" not in top and "home" not in top
    assert cwd == (WORK_ROOT if isolation == "jail" else f"{WORK_ROOT}/{uids[0]}")


@requires_isolation
@rungs
def test_walking_the_whole_tree_at_import_ends_and_grading_goes_on(open_box, tmp_path, isolation):
    box = open_box(_write(tmp_path, WALK_AT_IMPORT), isolation=isolation,
                   limits=limits(import_seconds=30, call_seconds=10))

    reply = box.call("relu", X)

    assert isinstance(reply, Returned), reply
    np.testing.assert_array_equal(reply.value, np.maximum(X, 0))
    assert 0 < box.call("pool2d", X).value < 10_000


@requires_isolation
@rungs
def test_the_stage_config_with_host_paths_is_on_no_command_line(open_box, tmp_path, isolation):
    box = open_box(_write(tmp_path, IDENTITY), isolation=isolation)
    assert isinstance(box.call("relu", X), Returned)

    assert processes_with(str(box._launcher.folder)) == []
    assert processes_with(str(box._launcher.tree)) == []
    assert processes_with(str(tmp_path)) == []


@requires_isolation
def test_uid_mode_folder_is_the_uids_own_and_gone_after_close(open_box, tmp_path):
    box = open_box(_write(tmp_path, IDENTITY), isolation="uid")
    box.call("relu", X)
    folder, uid = box._launcher.folder, box._launcher.uid

    assert (folder.stat().st_uid, folder.stat().st_mode & 0o777) == (uid, 0o700)
    assert (folder / "cnn.py").is_file()
    box.close()
    assert not folder.exists()


@requires_isolation
def test_uid_mode_sandboxes_cannot_read_each_others_folder(open_box):
    first = open_box("honest", isolation="uid")
    first.call("relu", X)
    second = open_box("read_secrets", isolation="uid")

    reply = second.call("pool2d", f"{WORK_ROOT}/{first._launcher.uid}")

    assert isinstance(reply, Raised) and reply.type_name == "PermissionError"
    assert isinstance(second.call("conv2d", f"{WORK_ROOT}/{first._launcher.uid}/cnn.py", None), Raised)


@requires_setpriv
@pytest.mark.slow
def test_hostile_tests_pass_again_in_the_uid_mode_without_cap_sys_admin():
    files = ["tests/sandbox/test_hostile.py", "tests/test_hostile_grading.py"]
    command = [*WITHOUT_SYS_ADMIN, sys.executable, "-m", "pytest", *files, "-q", "-x", "-p", "no:randomly",
               "-p", "no:cacheprovider", "-n", "2"]  # two at a time: most of it is waiting for time limits

    done = subprocess.run(command, capture_output=True, text=True, cwd=project_root(), timeout=1200,
                          env={**os.environ, MODE_VARIABLE: "uid"})  # a GraderFault if the uid mode fails

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout


@requires_setpriv
@pytest.mark.slow
def test_without_cap_sys_admin_a_file_that_walks_the_disk_gets_nothing_hidden(tmp_path):
    assignment = load_assignment("cnn")
    file = _write(tmp_path, assignment.reference.read_text() + STEAL_AT_IMPORT)
    command = [*WITHOUT_SYS_ADMIN, sys.executable, "-m", "autograder", "check", "cnn", str(file), "--json"]

    done = subprocess.run(command, capture_output=True, text=True, cwd=project_root(), timeout=600,
                          env={k: v for k, v in os.environ.items() if k != MODE_VARIABLE})

    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(done.stdout)
    notes = next(t["output"] for t in document["tests"] if t["name"] == "Notes for staff")
    assert notes.startswith("sandbox mode uid: ")
    secrets = [assignment.reference, *assignment.hidden_tests.glob("*.py")]
    lines = {line.strip() for path in secrets for line in path.read_text().splitlines() if len(line.strip()) > 30}
    shown = document["output"] + "".join(test.get("output", "") for test in document["tests"])
    leaked = [line for line in lines if line in shown]
    assert not leaked, leaked[:3]
    assert document["score"] == 100
