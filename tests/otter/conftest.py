"""Fixtures for the otter tests: one build of the zips per session, real otter runs, the
Gradescope layout, the results.json schema, and submissions to grade."""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from autograder.gradescope.emulate import EmulatedRun, emulate
from autograder.otter_bridge import build_zips
from autograder.spec import Assignment, load_assignment, project_root

if TYPE_CHECKING:
    import jsonschema

SCHEMA = project_root() / "autograder" / "schemas" / "gradescope_results.schema.json"

if not all(importlib.util.find_spec(name) for name in ("otter", "jsonschema")):  # no dev extra
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def assignment() -> Assignment:
    return load_assignment("cnn")


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory, assignment: Assignment) -> Path:
    """``autograder build``'s output, built once per session (shared by xdist workers)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "dist-cnn"
    with open(shared / "dist-cnn.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "done").is_file():
            shutil.rmtree(folder, ignore_errors=True)
            build_zips(assignment, folder)
            (folder / "done").touch()
    return folder


@pytest.fixture(scope="session")
def results_schema() -> jsonschema.Draft202012Validator:
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="session")
def otter_run(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], dict]:
    """``otter run`` (the real CLI) of the built zip on one submission; its results.json."""

    def run(submission: Path) -> dict:
        out = tmp_path_factory.mktemp("otter-run")
        done = subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(dist / "autograder.zip"),
                               "-o", str(out), str(submission)], cwd=out, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return json.loads((out / "results.json").read_text())

    return run


@pytest.fixture(scope="session")
def gradescope(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], EmulatedRun]:
    """The built zip run as Gradescope runs it (see autograder.gradescope.emulate)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("running the zip in Gradescope's layout needs root and unshare")

    def run(submission: Path, zip_path: Path = dist / "autograder.zip") -> EmulatedRun:
        return emulate(zip_path, submission, tmp_path_factory.mktemp("gradescope"))

    return run
