"""Fixtures of the batch tests."""

from __future__ import annotations

import shutil

import pytest

from autograder.spec import Assignment, load_assignment, project_root


@pytest.fixture(scope="session")
def cnn(tmp_path_factory) -> Assignment:
    """The cnn assignment, copied once per session: a rerun in a test must see the very
    suite the first run graded with, even while the checkout's suites are being edited."""
    root = tmp_path_factory.mktemp("frozen")
    shutil.copytree(project_root() / "assignments" / "cnn", root / "assignments" / "cnn",
                    ignore=shutil.ignore_patterns("samples", "__pycache__"))
    shutil.copytree(project_root() / "solutions" / "cnn", root / "solutions" / "cnn",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return load_assignment(root / "assignments" / "cnn")
