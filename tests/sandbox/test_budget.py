"""One budget per submission: memory and processes of the worker and all its children
together, and nothing that outlives the sandbox for the next submission to find.

With a cgroup (root on this kind of machine), children may be started but share the
memory limit, and a call during which the kernel killed one for memory is a memory
failure; without one (faked here by hiding the machine's cgroup mounts from the
grader), the worker may start no child at all.
"""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from autograder.sandbox import Failed, Returned, Sandbox, Spares, cgroup
from autograder.sandbox.cgroup import Budget
from tests.sandbox.helpers import FORBIDDEN, FUNCTIONS, HOSTILE, LIMITS, limits, processes_with, requires_jail

pytestmark = pytest.mark.sandbox

X = np.array([[-1.0, 2.0], [3.0, -4.0]])
SLOW = limits(call_seconds=60, import_seconds=60)  # filling gigabytes is slow on a loaded machine
ISOLATIONS = [pytest.param(None, marks=requires_jail, id="jail"), pytest.param("process", id="process")]
SINGLE_PROCESS_NOTICE = ("memory budget: 512 MB in one process (no writable cgroup here: the worker may not start "
                         "child processes)")


def _cgroup_available() -> bool:
    budget = Budget(f"autograder-probe-{uuid.uuid4().hex[:8]}", 64, 4)
    available = budget.children_allowed
    budget.close()
    return available


requires_cgroup = pytest.mark.skipif(not _cgroup_available(), reason="no writable memory and pids cgroup here")


@pytest.fixture
def no_cgroup(monkeypatch, tmp_path):
    """The grader sees no cgroup hierarchy, as in an unprivileged container."""
    empty = tmp_path / "mountinfo"
    empty.write_text("")
    monkeypatch.setattr(cgroup, "MOUNTINFO", empty)


@requires_cgroup
@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_children_that_together_exceed_the_memory_limit_are_a_memory_failure(open_box, isolation):
    box = open_box("memory_children", limits=SLOW, isolation=isolation)

    reply = box.call("conv2d", 8, 400)  # 3.2 GB in 8 processes, each under the 512 MB per-process limit

    assert reply == Failed("memory", "conv2d ran out of memory (limit 512 MB)", reply.seconds)
    assert box.call("relu", X).value.tolist() == np.maximum(X, 0).tolist()


@requires_cgroup
@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_children_within_the_memory_limit_are_allowed(open_box, isolation):
    box = open_box("memory_children", limits=SLOW, isolation=isolation)

    reply = box.call("conv2d", 2, 100)

    assert reply == Returned(2, (), reply.seconds)


@requires_cgroup
def test_children_exceeding_the_memory_limit_at_import_fail_the_import(open_box, tmp_path):
    source = (HOSTILE / "memory_children.py").read_text() + "\nconv2d(8, 400)\n"
    (tmp_path / "student").mkdir()
    path = tmp_path / "student" / "cnn.py"
    path.write_text(source)
    box = open_box(path, limits=SLOW)

    reply = box.call("relu", X)

    assert reply == Failed("import", "cnn.py could not be imported: it ran out of memory (limit 512 MB)",
                           reply.seconds)


@requires_cgroup
@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_the_notice_names_the_cgroup_budget(open_box, isolation):
    box = open_box("honest", isolation=isolation)

    assert box.notices[-1].startswith("memory budget: 512 MB for the worker and all its processes together, "
                                      "at most 16 processes and threads (cgroup v")


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_without_a_cgroup_the_worker_cannot_start_a_process(open_box, no_cgroup, isolation):
    box = open_box("memory_children", limits=SLOW, isolation=isolation)

    reply = box.call("conv2d", 8, 400)

    assert box.notices[-1] == SINGLE_PROCESS_NOTICE
    assert reply.type_name == "PermissionError"
    assert box.call("relu", X).value.tolist() == np.maximum(X, 0).tolist()


@requires_cgroup
def test_close_kills_a_double_forked_grandchild_of_a_process_mode_worker(open_box):
    box = open_box("orphans", isolation="process")
    token = f"orphan-{uuid.uuid4()}"
    folders = box._launcher.budget.folders

    assert box.call("conv2d", token, None).value == token
    box.close()

    assert processes_with(token) == []
    assert not any(folder.exists() for folder in folders)


def _sandbox(spares: Spares | None, isolation: str | None) -> Sandbox:
    return Sandbox(HOSTILE / "keyring.py", module="cnn", functions=FUNCTIONS, limits=LIMITS, forbidden=FORBIDDEN,
                   spares=spares, isolation=isolation)


@requires_jail
def test_a_key_stored_in_the_kernel_keyring_is_not_found_by_later_submissions_of_a_pool():
    """Three submissions graded in a row by one pool process, as ``autograder grade`` does:
    the third gets the first one's uid back."""
    name = f"autograder-test-{uuid.uuid4().hex}"
    found = []
    with Spares() as spares:
        for index in range(3):
            with _sandbox(spares, None) as box:
                if index == 0:
                    box.call("conv2d", name, "def conv2d(x, w): return 'the reference'")
                else:
                    found.append(box.call("pool2d", name))

    assert [getattr(reply, "value", None) for reply in found] == [None, None]


def test_a_key_stored_in_the_kernel_keyring_is_not_found_by_the_next_process_mode_submission():
    name = f"autograder-test-{uuid.uuid4().hex}"
    with _sandbox(None, "process") as first:
        stored = first.call("conv2d", name, "def conv2d(x, w): return 'the reference'")
    with _sandbox(None, "process") as second:
        found = second.call("pool2d", name)

    assert stored.type_name == "PermissionError"
    assert found.value is None
