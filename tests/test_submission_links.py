"""What a submission can make the grader read: attacks run through the real ``autograder
check`` command (click's CliRunner, the real engine and sandbox) on real files.

A grader that follows a symbolic link, or reads a second name of a file, reads whatever
it points at as root, outside the jail: a ``cnn.py`` that points at the reference solution
scored 100 with no code. Every attack here must score nothing and say why.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.runner import GRADER_FAILED
from autograder.spec import load_assignment

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

CNN = load_assignment("cnn")
REFERENCE = CNN.reference  # the file an attack points at: full marks if it is read
NOT_FOLLOWED = "symbolic links are not followed: submit the files themselves"


def check(submission: Path) -> dict:
    """``autograder check cnn SUBMISSION --json``: the results.json it prints."""
    done = CliRunner().invoke(main, ["check", str(CNN.folder), str(submission), "--json"])
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


def folder_with(tmp_path: Path, name: str, points_to: str) -> Path:
    """A submission folder whose ``name`` is a symbolic link to ``points_to``."""
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / name).symlink_to(points_to)
    return folder


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_a_cnn_py_linked_to_the_reference_scores_nothing(tmp_path, relative):
    folder = tmp_path / "submission"
    target = os.path.relpath(REFERENCE, folder) if relative else str(REFERENCE)
    folder_with(tmp_path, "cnn.py", target)

    result = check(folder)

    assert result["score"] == 0
    assert f"no cnn.py in the submission (found: cnn.py); {NOT_FOLLOWED}" in result["output"]


def test_a_submission_that_is_itself_a_link_is_refused(tmp_path):
    (tmp_path / "cnn.py").symlink_to(REFERENCE)

    result = check(tmp_path / "cnn.py")

    assert result["score"] == 0
    assert "cnn.py is a symbolic link, which is not followed: submit the file itself" in result["output"]


def test_a_linked_folder_is_not_entered(tmp_path):
    folder = folder_with(tmp_path, "hw3", str(REFERENCE.parent))

    result = check(folder)

    assert result["score"] == 0
    assert f"no cnn.py in the submission (found: hw3); {NOT_FOLLOWED}" in result["output"]


def test_a_link_beside_the_real_file_is_skipped_with_a_note(tmp_path):
    folder = folder_with(tmp_path, "helpers.py", str(REFERENCE))
    (folder / "cnn.py").write_text("def relu(x:\n")

    result = check(folder)

    assert result["score"] == 0 and "SyntaxError" in json.dumps(result["tests"])
    assert ("Note: skipped symbolic links (links are not followed; submit the files themselves): helpers.py"
            in result["output"])


def test_a_hard_link_to_a_file_outside_the_submission_is_refused(tmp_path):
    outside = tmp_path / "course" / "cnn.py"  # a copy of the reference, as a file the student may not read
    outside.parent.mkdir()
    shutil.copy(REFERENCE, outside)
    (tmp_path / "submission").mkdir()
    os.link(outside, tmp_path / "submission" / "cnn.py")

    result = check(tmp_path / "submission")

    assert result["score"] == 0
    assert "cnn.py is a hard link to another file (2 names): submit a copy" in result["output"]


def test_a_link_member_of_a_zip_is_never_created_nor_graded(tmp_path):
    archive = tmp_path / "hw3.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        link = zipfile.ZipInfo("cnn.py")
        link.external_attr = 0o120777 << 16  # a symbolic link, as `zip --symlinks` stores it
        zf.writestr(link, str(REFERENCE))
        zf.writestr("src/cnn.py", "def relu(x:\n")

    result = check(archive)

    assert result["score"] == 0 and "SyntaxError" in json.dumps(result["tests"])  # src/cnn.py was graded
    assert "Note: skipped in hw3.zip: cnn.py (a symbolic link, not followed)" in result["output"]


@pytest.mark.parametrize("notebook", [
    '{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"cells": [{"cell_type": "code", "source": [1, 2]}]}',
    '{"cells": 7}',
], ids=["nested-100000-deep", "source-not-text", "cells-not-a-list"])
def test_a_malformed_notebook_is_the_students_error_not_a_grader_fault(tmp_path, notebook):
    (tmp_path / "cnn.ipynb").write_text(notebook)

    result = check(tmp_path / "cnn.ipynb")

    assert result["score"] == 0
    assert "cnn.ipynb is not a readable Jupyter notebook" in result["output"]
    assert GRADER_FAILED not in result["output"]


def test_a_submission_zip_with_too_many_members_is_refused(tmp_path):
    archive = tmp_path / "hw3.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("cnn.py", "def relu(x:\n")
        for i in range(10_000):
            zf.writestr(f"junk/{i}.txt", "")

    result = check(archive)

    assert result["score"] == 0
    assert "hw3.zip holds more than 10000 files and folders" in result["output"]


def test_a_submission_zip_that_expands_past_its_ratio_is_refused(tmp_path):
    archive = tmp_path / "hw3.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("cnn.py", "def relu(x:\n")
        with zf.open("data.npy", "w") as member:  # 40 MB of zeros, 40 kB packed: under the 50 MB cap
            for _ in range(40):
                member.write(bytes(1_000_000))

    result = check(archive)

    assert result["score"] == 0
    assert "hw3.zip unpacks to more than 100 times its size" in result["output"]
