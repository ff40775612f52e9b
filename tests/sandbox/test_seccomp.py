"""The worker's syscall filter: what a homework never needs fails with EPERM, in every mode.

Each attempt is made by a real worker (in the jail as root, and in process mode) through
``tests/hostile/syscalls.py``; the grader process is never filtered.
"""

from __future__ import annotations

import platform

import pytest

from autograder.sandbox import Returned
from autograder.sandbox.rootfs import WORK_ROOT
from tests.sandbox.helpers import limits, requires_jail

pytestmark = [pytest.mark.sandbox,
              pytest.mark.skipif(platform.machine() != "x86_64", reason="the hostile file uses x86-64 syscall numbers")]

DENIED = ["io_uring_setup", "vsock", "inet", "netlink", "abstract_socket", "add_key", "msgget", "shmget", "mq_open",
          "unshare_user", "ptrace_attach", "process_vm_readv", "bpf", "perf_event_open", "userfaultfd"]
ISOLATIONS = [pytest.param(None, marks=requires_jail, id="jail"), pytest.param("process", id="process")]


@pytest.fixture(params=ISOLATIONS)
def box(request, open_box):
    """One worker per mode for all the attempts (a denied call does not end it)."""
    return open_box("syscalls", isolation=request.param)


@pytest.mark.parametrize("attempt", DENIED)
def test_denied_syscall_fails_with_eperm_and_the_worker_goes_on(box, attempt):
    reply = box.call("conv2d", attempt, None)

    assert (reply.type_name, reply.builtin, reply.message) == \
        ("PermissionError", "PermissionError", "[Errno 1] Operation not permitted")
    assert isinstance(box.call("relu", 1.0), Returned)


@pytest.mark.parametrize("attempt", ["socketpair", "thread"])
def test_what_numpy_and_python_need_still_works(box, attempt):
    assert box.call("conv2d", attempt, None).value == "allowed"


@requires_jail
def test_the_only_folder_the_jailed_worker_can_write_is_its_private_tmp(open_box):
    reply = open_box("syscalls", limits=limits(call_seconds=60)).call("conv_stage")

    assert reply.value == (WORK_ROOT,)
