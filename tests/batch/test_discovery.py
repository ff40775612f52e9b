"""Finding submissions and deciding whether they changed: no grading here."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from autograder.batch import input_digest
from autograder.discovery import (EXPORT_ZIP, MAX_METADATA_BYTES, ExportEntry, Person, Submission, find_submissions,
                                  read_gradescope_metadata)
from autograder.errors import AutograderError
from tests.batch.helpers import METADATA, write_files


def make_export(folder: Path) -> Path:
    """A Gradescope export: one folder per submission, plus the metadata file."""
    return write_files(folder, {
        "submission_metadata.yml": METADATA,
        "submission_9001/cnn.py": "def relu(x):\n    return x\n",
        "submission_9002/cnn.py": "def relu(x):\n    return -x\n",
    })


def ids(found: list[Submission]) -> list[str]:
    return [s.id for s in found]


def test_a_folder_of_files_gives_one_submission_per_file_named_by_its_stem(tmp_path):
    folder = write_files(tmp_path / "in", {"bob.py": "", "ann.py": "", "cy.ipynb": "{}", "notes.txt": "",
                                           ".DS_Store": "", "__MACOSX/ann.py": ""})

    found = find_submissions(folder, tmp_path / "staging")

    assert ids(found) == ["ann", "bob", "cy"]
    assert found[0].path == folder / "ann.py"
    assert (found[0].people, found[0].submitted_at) == ((), "")


def test_a_folder_of_student_folders_gives_one_submission_per_folder(tmp_path):
    folder = write_files(tmp_path / "in", {"ann/CNN.py": "", "bob/hw.zip": "", "bob/notes.md": ""})

    found = find_submissions(folder, tmp_path / "staging")

    assert [(s.id, s.path) for s in found] == [("ann", folder / "ann"), ("bob", folder / "bob")]


def test_entries_sharing_a_stem_keep_their_full_names(tmp_path):
    folder = write_files(tmp_path / "in", {"ann.py": "", "ann/cnn.py": "", "bob.py": ""})

    assert ids(find_submissions(folder, tmp_path / "staging")) == ["ann", "ann.py", "bob"]


def test_the_output_folder_inside_the_input_is_not_a_submission(tmp_path):
    folder = write_files(tmp_path / "in", {"ann.py": "", "grades/results/ann.json": "{}"})

    assert ids(find_submissions(folder, tmp_path / "staging", exclude=folder / "grades")) == ["ann"]


def test_a_single_file_is_one_submission(tmp_path):
    file = write_files(tmp_path, {"ann_hw3.py": ""}) / "ann_hw3.py"

    assert find_submissions(file, tmp_path / "staging") == [Submission("ann_hw3", file)]


def test_a_gradescope_export_folder_gives_names_and_emails(tmp_path):
    export = make_export(tmp_path / "assignment_4242_export")

    found = find_submissions(export, tmp_path / "staging")

    assert found == [
        Submission("submission_9001", export / "submission_9001", (Person("Ada Lovelace", "ada@example.edu", "06758767"),),
                   "2024-10-02T02:52:07Z"),
        Submission("submission_9002", export / "submission_9002",
                   (Person("Alan Turing", "alan@example.edu", "06754968"),
                    Person("Grace Hopper", "grace@example.edu", "06828527")), "2024-10-02T04:04:59Z"),
    ]


def test_an_unzipped_export_is_found_inside_its_single_folder(tmp_path):
    make_export(tmp_path / "download" / "assignment_4242_export")

    assert ids(find_submissions(tmp_path / "download", tmp_path / "staging")) == ["submission_9001",
                                                                                   "submission_9002"]


def test_a_gradescope_export_zip_is_extracted_into_staging(tmp_path):
    export = make_export(tmp_path / "assignment_4242_export")
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(export.rglob("*")):
            zf.write(path, path.relative_to(tmp_path).as_posix())

    found = find_submissions(archive, tmp_path / "staging")

    assert [(s.id, [p.name for p in s.people]) for s in found] == [
        ("submission_9001", ["Ada Lovelace"]), ("submission_9002", ["Alan Turing", "Grace Hopper"])]
    assert all(s.path.is_relative_to(tmp_path / "staging") for s in found)
    assert (found[1].path / "cnn.py").read_text() == "def relu(x):\n    return -x\n"


def test_a_zip_that_is_not_an_export_is_one_submission(tmp_path):
    archive = tmp_path / "ann.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hw/cnn.py", "")

    assert find_submissions(archive, tmp_path / "staging") == [Submission("ann", archive)]


def test_metadata_with_plain_keys_reads_the_same(tmp_path):
    path = write_files(tmp_path, {"m.yml": METADATA.replace(":submitters:", "submitters:")
                                  .replace(":name:", "name:").replace(":email:", "email:").replace(":sid:", "sid:")
                                  .replace(":created_at:", "created_at:")}) / "m.yml"

    assert read_gradescope_metadata(path)["submission_9001"] == ExportEntry(
        (Person("Ada Lovelace", "ada@example.edu", "06758767"),), "2024-10-02T02:52:07Z")


def test_metadata_gives_each_group_member_with_their_sid_and_the_submission_time(tmp_path):
    path = write_files(tmp_path, {"m.yml": METADATA}) / "m.yml"

    assert read_gradescope_metadata(path)["submission_9002"] == ExportEntry(
        (Person("Alan Turing", "alan@example.edu", "06754968"), Person("Grace Hopper", "grace@example.edu", "06828527")),
        "2024-10-02T04:04:59Z")


def test_unreadable_metadata_is_a_clear_error(tmp_path):
    path = write_files(tmp_path, {"submission_metadata.yml": "submission_1: [unclosed"}) / "submission_metadata.yml"

    with pytest.raises(AutograderError, match="not a readable Gradescope metadata file"):
        read_gradescope_metadata(path)


def test_input_digest_changes_with_content_and_names_but_not_with_mtime(tmp_path):
    folder = write_files(tmp_path / "ann", {"cnn.py": "x = 1\n", "data/notes.txt": "hi"})
    before = input_digest(folder)

    (folder / "cnn.py").touch()
    assert input_digest(folder) == before
    (folder / "cnn.py").write_text("x = 2\n")
    assert input_digest(folder) != before
    (folder / "cnn.py").write_text("x = 1\n")
    (folder / "data" / "notes.txt").rename(folder / "data" / "other.txt")
    assert input_digest(folder) != before


def test_ids_are_unique_when_a_stem_is_another_entrys_name(tmp_path):
    folder = write_files(tmp_path / "in", {"y.py": "", "y.zip": "", "y.zip.py": "", "y/cnn.py": "", "z.py": ""})

    assert ids(find_submissions(folder, tmp_path / "staging")) == ["y", "y.py", "y.zip", "y.zip.py", "z"]


def test_a_folder_with_metadata_and_other_entries_is_not_an_export(tmp_path):
    folder = write_files(tmp_path / "in", {"submission_metadata.yml": METADATA, "submission_9001/cnn.py": "",
                                           "ann.py": ""})

    assert ids(find_submissions(folder, tmp_path / "staging")) == ["ann", "submission_9001"]


def test_a_linked_entry_is_a_submission_judged_by_its_name_and_never_followed(tmp_path):
    folder = write_files(tmp_path / "in", {"ann.py": ""})
    (folder / "bob.py").symlink_to("/etc/passwd")
    (folder / "cy").symlink_to(tmp_path)
    (folder / "notes.txt").symlink_to("/etc/passwd")

    found = find_submissions(folder, tmp_path / "staging")

    assert [(s.id, s.path) for s in found] == [("ann", folder / "ann.py"), ("bob", folder / "bob.py"),
                                               ("cy", folder / "cy")]


def test_input_digest_hashes_a_link_as_its_target_text_never_its_target(tmp_path):
    folder = write_files(tmp_path / "ann", {"cnn.py": "x = 1\n"})
    target = write_files(tmp_path, {"target.txt": "secret"}) / "target.txt"
    (folder / "data").symlink_to(target)
    before = input_digest(folder)

    target.write_text("changed")

    assert input_digest(folder) == before


def test_metadata_larger_than_the_limit_is_refused(tmp_path):
    path = tmp_path / "submission_metadata.yml"
    path.write_text(METADATA + "#" * MAX_METADATA_BYTES)

    with pytest.raises(AutograderError, match=f"larger than {MAX_METADATA_BYTES // 1_000_000} MB"):
        read_gradescope_metadata(path)


@pytest.mark.parametrize("document, message", [
    ("a: &a [*a]\nsubmission_1: {}\n", "its aliases expand it past 2000000 nodes"),
    ("[" * 100_000 + "]" * 100_000, "not a readable Gradescope metadata file: RecursionError"),
    ("submission_1:\n  :submitters:\n  - :name: " + "x" * 1001 + "\n", "a submitter's name is not text of at most"),
    ("submission_1:\n  :submitters:\n    :name: Ann\n", "submission_1: submitters are not a list of people"),
    ("../../etc: {}\n", "an entry is not named submission_<digits>: '../../etc'"),
], ids=["recursive-alias", "nested-100000-deep", "name-too-long", "submitters-not-a-list", "not-a-folder-name"])
def test_metadata_that_is_not_an_exports_is_refused_with_a_reason(tmp_path, document, message):
    path = write_files(tmp_path, {"submission_metadata.yml": document}) / "submission_metadata.yml"

    with pytest.raises(AutograderError, match=re.escape(message)):
        read_gradescope_metadata(path)


@pytest.mark.slow
def test_an_export_zip_with_more_members_than_the_limit_is_refused_before_extraction(tmp_path):
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("export/submission_metadata.yml", METADATA)
        for i in range(EXPORT_ZIP.max_members):
            zf.writestr(f"export/submission_9001/{i}", "")

    with pytest.raises(AutograderError, match=f"holds more than {EXPORT_ZIP.max_members} files and folders"):
        find_submissions(archive, tmp_path / "staging")
    assert not (tmp_path / "staging").exists()
