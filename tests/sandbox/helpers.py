"""Shared pieces of the sandbox tests: the hostile files, small limits, /proc look-ups."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from autograder.sandbox.launch import RUNGS, _jail_problem, _processes_of, _uid_problem
from autograder.spec import ForbiddenApis, Limits

HOSTILE = Path(__file__).resolve().parent.parent / "hostile"
FUNCTIONS = ("relu", "zero_pad", "conv2d", "pool2d", "conv_stage", "cross_correlate2d", "conv_output_size")
LIMITS = Limits(call_seconds=1.0, import_seconds=2.0, memory_mb=512, cpu_seconds=20, processes=16,
                output_bytes=2000)


def limits(**changes: float) -> Limits:
    """The tests' small limits with some of them changed."""
    return dataclasses.replace(LIMITS, **changes)


FORBIDDEN = ForbiddenApis(
    modules=("scipy", "torch", "tensorflow", "jax", "cv2", "skimage", "numba", "keras"),
    functions=("numpy.convolve", "numpy.correlate", "numpy.fft"),
)

jail_available = os.geteuid() == 0 and _jail_problem() is None
requires_jail = pytest.mark.skipif(not jail_available, reason="the jail needs root and working namespaces")
ISOLATED = RUNGS  # the modes that keep the worker from the grader's files: jail, uid
isolation_available = os.geteuid() == 0 and (jail_available or _uid_problem() is None)
requires_isolation = pytest.mark.skipif(not isolation_available, reason="file isolation needs root")


def processes_with(marker: str) -> list[int]:
    """Pids of the host's processes whose command line contains ``marker``."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                command = Path(entry.path, "cmdline").read_bytes()
                state = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if marker.encode() in command and state != "Z":
                found.append(int(entry.name))
    return found


def processes_in(folder: Path) -> list[int]:
    """Pids of the host's live processes whose working folder is ``folder``."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                cwd = os.readlink(Path(entry.path, "cwd"))
                state = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if cwd == str(folder) and state != "Z":
                found.append(int(entry.name))
    return found


def sandbox_processes(box) -> list[int]:
    """Pids of the processes ``box``'s workers run the student's code in: those of its uid
    in the isolated modes, else those that work in its folder."""
    launcher = box._launcher
    return _processes_of(launcher.uid) if launcher.uid is not None else processes_in(launcher.folder)
