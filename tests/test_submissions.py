"""Finding the file to grade in what a student submitted."""

import json
import os
import zipfile

import pytest

from autograder.errors import SubmissionError
from autograder.submissions import (MAX_FOLDER_ENTRIES, MAX_NOTEBOOK_DEPTH, notebook_to_script, prepare_submission,
                                    submission_path)

CODE = "def relu(x):\n    return x\n"
FUNCTIONS = ("relu", "zero_pad")


def prepare(submission, tmp_path):
    return prepare_submission(submission, "cnn.py", tmp_path / "work", FUNCTIONS)


def test_a_plain_cnn_py_is_copied_unchanged(tmp_path):
    (tmp_path / "cnn.py").write_text(CODE)
    prepared = prepare(tmp_path / "cnn.py", tmp_path)
    assert prepared.file.read_text() == CODE and prepared.notes == ()


@pytest.mark.parametrize("name", ["CNN.py", "cnn (1).py", "cnn-2.py", "cnn_final.py"])
def test_a_decorated_name_is_graded_with_a_note(tmp_path, name):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / name).write_text(CODE)
    prepared = prepare(tmp_path / "sub", tmp_path)
    assert prepared.file.name == "cnn.py"
    assert prepared.notes == (f"graded {name} as cnn.py; please name your file cnn.py",)


def test_the_only_py_file_is_graded_whatever_its_name(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "hw.py").write_text(CODE)
    assert prepare(tmp_path / "sub", tmp_path).original == "hw.py"


def test_cnn_py_in_a_zip_subfolder_is_found_with_a_note(tmp_path):
    archive = tmp_path / "submission.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("homework/src/cnn.py", CODE)
        zf.writestr("__MACOSX/homework/src/._cnn.py", "junk")
    prepared = prepare(archive, tmp_path)
    assert prepared.original == "homework/src/cnn.py"
    assert prepared.notes == ("graded homework/src/cnn.py, found in a sub-folder; you may submit cnn.py on its own",)


def test_cnn_py_at_the_top_of_a_folder_gets_no_note(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "cnn.py").write_text(CODE)
    assert prepare(tmp_path / "sub", tmp_path).notes == ()


@pytest.mark.parametrize("name", ["alice.py", "CNN.py", "bob_smith_12345.py"])
def test_a_file_given_on_its_own_is_graded_without_a_naming_note(tmp_path, name):
    """A class folder of files named by student is the documented layout: no "please name
    your file cnn.py" for each of them."""
    (tmp_path / name).write_text(CODE)
    prepared = prepare(tmp_path / name, tmp_path)
    assert prepared.file.name == "cnn.py" and prepared.original == name and prepared.notes == ()


def test_zip_entries_that_escape_the_folder_are_skipped(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../escaped.py", "x = 1\n")
        zf.writestr("cnn.py", CODE)
    prepare(archive, tmp_path)
    assert not (tmp_path.parent / "escaped.py").exists()


def test_an_empty_file_is_an_error(tmp_path):
    (tmp_path / "cnn.py").write_text("  \n")
    with pytest.raises(SubmissionError, match="^cnn.py is empty$"):
        prepare(tmp_path / "cnn.py", tmp_path)


@pytest.mark.parametrize("encoded, text, note", [
    ("# résumé\n".encode("latin-1"), "# résumé\n", "Windows-1252 (byte 0xe9 on line 2 as 'é')"),
    ("# it’s done\n".encode("cp1252"), "# it’s done\n", "Windows-1252 (byte 0x92 on line 2 as '’')"),
    (b"# \x81\n", "# \x81\n", "Latin-1 (byte 0x81 on line 2 as '\\x81')"),  # unassigned in Windows-1252
], ids=["latin-1 accent", "cp1252 quote", "byte only latin-1 reads"])
def test_a_file_that_is_not_utf8_is_read_as_windows_1252_with_a_note(tmp_path, encoded, text, note):
    (tmp_path / "cnn.py").write_bytes(b"x = 1\n" + encoded + CODE.encode())
    prepared = prepare(tmp_path / "cnn.py", tmp_path)
    assert prepared.file.read_text(encoding="utf-8") == "x = 1\n" + text + CODE
    assert prepared.notes == (f"cnn.py is not UTF-8 text: it was read as {note}; please save it as UTF-8",)


def test_a_file_that_declares_its_encoding_is_read_as_declared_and_its_copy_declares_utf8(tmp_path):
    (tmp_path / "cnn.py").write_bytes('# -*- coding: latin-1 -*-\nGREETING = "café"\n'.encode("latin-1") + CODE.encode())
    prepared = prepare(tmp_path / "cnn.py", tmp_path)
    namespace: dict = {}
    exec(compile(prepared.file.read_bytes(), "cnn.py", "exec"), namespace)  # how Python reads the copy
    assert namespace["GREETING"] == "café" and prepared.notes == ()


def test_a_utf8_bom_is_dropped_and_windows_line_ends_kept_without_a_note(tmp_path):
    (tmp_path / "cnn.py").write_bytes(b"\xef\xbb\xbf" + CODE.replace("\n", "\r\n").encode())
    prepared = prepare(tmp_path / "cnn.py", tmp_path)
    assert prepared.file.read_bytes() == CODE.replace("\n", "\r\n").encode() and prepared.notes == ()


def test_a_utf16_file_is_read_with_a_note(tmp_path):
    (tmp_path / "cnn.py").write_bytes(CODE.encode("utf-16"))
    prepared = prepare(tmp_path / "cnn.py", tmp_path)
    assert prepared.file.read_text(encoding="utf-8") == CODE
    assert prepared.notes == ("cnn.py is UTF-16 text: please save it as UTF-8",)


def test_a_binary_file_is_an_error_naming_the_byte(tmp_path):
    (tmp_path / "cnn.py").write_bytes(b"\x7fELF\x02\x01\x01\x00\xff")
    with pytest.raises(SubmissionError, match=r"cnn.py is not a text file \(it holds byte 0x02 at position 4\)"):
        prepare(tmp_path / "cnn.py", tmp_path)


def test_no_python_file_at_all_is_an_error_listing_what_was_found(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "notes.txt").write_text("hi")
    with pytest.raises(SubmissionError, match=r"no cnn.py in the submission \(found: notes.txt\)"):
        prepare(tmp_path / "sub", tmp_path)


def test_several_py_files_pick_the_one_defining_the_graded_functions(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "helpers.py").write_text("def util():\n    pass\n")
    (tmp_path / "sub" / "mine.py").write_text(CODE)
    assert prepare(tmp_path / "sub", tmp_path).original == "mine.py"


def test_several_equally_plausible_py_files_are_an_error(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.py").write_text(CODE)
    (tmp_path / "sub" / "b.py").write_text(CODE)
    with pytest.raises(SubmissionError, match=r"several .py files \(a.py, b.py\) and none is named cnn.py"):
        prepare(tmp_path / "sub", tmp_path)


def test_a_notebook_is_graded_from_its_code_cells(tmp_path):
    notebook = {"cells": [
        {"cell_type": "markdown", "source": ["# Title"]},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "def relu(x):\n", "    return x\n"]},
    ]}
    (tmp_path / "cnn.ipynb").write_text(json.dumps(notebook))
    prepared = prepare(tmp_path / "cnn.ipynb", tmp_path)
    assert prepared.file.read_text() == "def relu(x):\n    return x\n"
    assert "notebook" in prepared.notes[0]


def test_a_broken_notebook_is_an_error():
    with pytest.raises(SubmissionError, match="not a readable Jupyter notebook"):
        notebook_to_script("{not json", "cnn.ipynb")


def test_the_original_submission_is_never_modified(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "CNN.py").write_text(CODE)
    before = sorted(p.name for p in (tmp_path / "sub").iterdir())
    prepare(tmp_path / "sub", tmp_path)
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == before


def test_a_folder_with_more_entries_than_the_limit_is_an_error(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "cnn.py").write_text(CODE)
    for i in range(MAX_FOLDER_ENTRIES):
        (folder / f"{i}.txt").touch()

    with pytest.raises(SubmissionError, match=f"^the submission holds more than {MAX_FOLDER_ENTRIES} files and folders$"):
        prepare(folder, tmp_path)


@pytest.mark.parametrize("depth, readable", [(MAX_NOTEBOOK_DEPTH, True), (MAX_NOTEBOOK_DEPTH + 1, False)])
def test_a_notebook_nesting_past_the_limit_is_refused_before_it_is_parsed(depth, readable):
    nested = "[" * (depth - 4) + "]" * (depth - 4)  # inside the document, its cells, a cell and its metadata
    notebook = json.dumps({"cells": [{"cell_type": "code", "source": "x = 1", "metadata": {"n": "NESTED"}}]})
    text = notebook.replace('"NESTED"', nested)

    if readable:
        assert notebook_to_script(text, "cnn.ipynb") == "x = 1\n"
    else:
        with pytest.raises(SubmissionError, match=f"its JSON nests more than {MAX_NOTEBOOK_DEPTH} deep"):
            notebook_to_script(text, "cnn.ipynb")


def test_brackets_inside_strings_do_not_count_as_nesting():
    notebook = json.dumps({"cells": [{"cell_type": "code", "source": "x = " + "[" * 1000 + "]" * 1000}]})

    assert notebook_to_script(notebook, "cnn.ipynb").startswith("x = [[[")


def test_a_fifo_is_never_opened(tmp_path):
    os.mkfifo(tmp_path / "cnn.py")  # reading it would block for ever

    with pytest.raises(SubmissionError, match="^cnn.py is not a regular file$"):
        prepare(tmp_path / "cnn.py", tmp_path)


def test_a_submission_path_names_a_link_without_following_it(tmp_path):
    (tmp_path / "real.py").write_text(CODE)
    (tmp_path / "link.py").symlink_to(tmp_path / "real.py")

    assert submission_path(tmp_path / "link.py") == tmp_path.resolve() / "link.py"
    with pytest.raises(SubmissionError, match="^link.py is a symbolic link, which is not followed"):
        prepare(submission_path(tmp_path / "link.py"), tmp_path)
