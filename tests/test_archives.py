"""Unpacking a zip nobody vouches for (autograder.archives): each limit and each kind of
member left out, on real zip files."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from autograder.archives import MAX_DEPTH, ArchiveError, ArchiveLimits, extract_zip

ROOMY = ArchiveLimits(max_bytes=10_000_000, max_members=100, max_ratio=100)


def make_zip(path: Path, members: dict[str, bytes], *, link: str = "") -> Path:
    """A zip of ``members``; ``link`` adds a symbolic-link member of that name."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/shadow")
    return path


def extract(archive: Path, dest: Path, limits: ArchiveLimits = ROOMY):
    with open(archive, "rb") as handle:
        return extract_zip(handle, dest, limits, shown=archive.name)


def test_files_and_folders_are_unpacked(tmp_path):
    archive = make_zip(tmp_path / "a.zip", {"hw/cnn.py": b"x = 1\n", "README": b"hi"})

    extracted = extract(archive, tmp_path / "out")

    assert (extracted.folder / "hw" / "cnn.py").read_bytes() == b"x = 1\n"
    assert extracted.skipped == ()


def test_a_link_member_is_never_created(tmp_path):
    archive = make_zip(tmp_path / "a.zip", {"cnn.py": b"x = 1\n"}, link="secret")

    extracted = extract(archive, tmp_path / "out")

    assert not (extracted.folder / "secret").exists() and not (extracted.folder / "secret").is_symlink()
    assert extracted.skipped == ("secret (a symbolic link, not followed)",)


@pytest.mark.parametrize("name", ["../escaped.py", "/abs.py", "a/../../escaped.py"])
def test_a_member_whose_path_leaves_the_folder_is_skipped(tmp_path, name):
    archive = make_zip(tmp_path / "a.zip", {name: b"x"})

    extracted = extract(archive, tmp_path / "deep" / "out")

    assert extracted.skipped == (f"{name} (its path leaves the folder)",)
    assert sorted(p.name for p in tmp_path.rglob("*.py")) == []


def test_a_second_member_of_the_same_name_does_not_replace_the_first(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr("cnn.py", "first")
        zf.writestr("cnn.py", "second")

    extracted = extract(archive, tmp_path / "out")

    assert (extracted.folder / "cnn.py").read_text() == "first"
    assert extracted.skipped == ("cnn.py (a second member of the same name)",)


def test_more_members_than_the_limit_stop_before_anything_is_written(tmp_path):
    archive = make_zip(tmp_path / "a.zip", {f"{i}.txt": b"" for i in range(101)})

    with pytest.raises(ArchiveError, match=r"^a.zip holds more than 100 files and folders$"):
        extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_bytes_written_past_the_limit_stop_the_extraction(tmp_path):
    archive = make_zip(tmp_path / "a.zip", {"a.bin": bytes(600_000), "b.bin": bytes(600_000)})
    limits = ArchiveLimits(max_bytes=1_000_000, max_members=100, max_ratio=10_000)

    with pytest.raises(ArchiveError, match=r"^a.zip unpacks to more than 1 MB$"):
        extract(archive, tmp_path / "out", limits)
    assert sum(p.stat().st_size for p in (tmp_path / "out").iterdir()) <= 1_000_000 + 65_536


def test_a_ratio_past_the_limit_stops_the_extraction_after_the_grace(tmp_path):
    archive = make_zip(tmp_path / "a.zip", {"zeros.bin": bytes(5_000_000)})  # about 5 kB packed

    with pytest.raises(ArchiveError, match=r"^a.zip unpacks to more than 100 times its size$"):
        extract(archive, tmp_path / "out")
    assert (tmp_path / "out" / "zeros.bin").stat().st_size < 1_100_000


def test_a_small_zip_of_zeros_within_the_grace_is_unpacked(tmp_path):
    archive = make_zip(tmp_path / "a.zip", {"zeros.bin": bytes(900_000)})

    assert (extract(archive, tmp_path / "out").folder / "zeros.bin").stat().st_size == 900_000


def test_a_file_that_is_not_a_zip_is_a_clear_error(tmp_path):
    (tmp_path / "a.zip").write_text("not a zip")

    with pytest.raises(ArchiveError, match=r"^a.zip is not a valid zip file"):
        extract(tmp_path / "a.zip", tmp_path / "out")


def test_a_member_below_a_file_of_the_same_name_is_skipped(tmp_path):
    archive = make_zip(tmp_path / "a.zip", {"hw": b"a file", "hw/cnn.py": b"x = 1\n"})

    extracted = extract(archive, tmp_path / "out")

    assert (extracted.folder / "hw").read_bytes() == b"a file"
    assert extracted.skipped == ("hw/cnn.py (a file is in the way of its folder)",)


def test_a_member_nested_deeper_than_the_limit_is_skipped(tmp_path):
    deep = "/".join(["d"] * MAX_DEPTH) + "/cnn.py"  # MAX_DEPTH folders, then the file
    archive = make_zip(tmp_path / "a.zip", {"/".join(["d"] * (MAX_DEPTH - 1)) + "/ok.py": b"", deep: b""})

    extracted = extract(archive, tmp_path / "out")

    assert extracted.skipped == (f"{deep} (more than {MAX_DEPTH} folders deep)",)
