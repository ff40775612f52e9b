"""Unpacking a zip that nobody vouches for: a student's upload, or a class export.

``extract_zip`` is the one way this project unpacks an archive (``submissions`` for a
student's zip, ``batch`` for a Gradescope export). It writes regular files and folders
only, inside the destination, and stops with ``ArchiveError`` as soon as a limit is
passed. The limits are checked on the bytes actually written while extracting: the sizes
a zip declares in its headers are never trusted (a zip bomb lies about them).

- ``max_members``: entries in the archive (files and folders), checked before anything
  is written (the count of the central directory the reader parsed, not a header field);
- ``max_bytes``: bytes written in all;
- ``max_ratio``: bytes written per byte of the archive file, past ``RATIO_GRACE_BYTES``
  (a small zip of zeros is harmless; a 2 MB zip that unpacks to 2 GB is not).

Members that are not extracted, each with the reason in ``Extracted.skipped``: a path that
would leave the destination (absolute, ``..``) or nests more than ``MAX_DEPTH`` folders, a
symbolic link (a zip can store one; it is never created, so nothing unpacked points
outside), a special file, an encrypted one, a second member of the same name, a file
where a folder is needed. Files are created with ``O_EXCL | O_NOFOLLOW`` under folder
descriptors opened with ``O_NOFOLLOW``: nothing is written through a link.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from autograder.errors import AutograderError

CHUNK_BYTES = 1 << 16
RATIO_GRACE_BYTES = 1_000_000  # written before the ratio is checked
ENCRYPTED = 0x1  # general purpose flag bit 0 of a zip member
MAX_DEPTH = 64  # folders in a member's path (each is opened to write it)


class ArchiveError(AutograderError):
    """An archive that cannot be unpacked within its limits, or is no zip at all."""


@dataclass(frozen=True)
class ArchiveLimits:
    """What unpacking one archive may cost."""

    max_bytes: int
    max_members: int
    max_ratio: float


@dataclass(frozen=True)
class Extracted:
    """The folder an archive was unpacked into and the members left out (with why)."""

    folder: Path
    skipped: tuple[str, ...] = ()


def extract_zip(archive: BinaryIO, dest: Path, limits: ArchiveLimits, *, shown: str) -> Extracted:
    """Unpack the open zip file ``archive`` into the new folder ``dest``.

    ``shown`` names the archive in messages. Raises ``ArchiveError`` for a file that is no
    zip or passes a limit; whatever was written by then stays in ``dest`` (the caller's
    temporary folder).
    """
    archive_bytes = archive.seek(0, os.SEEK_END)
    archive.seek(0)
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if len(members) > limits.max_members:
                raise ArchiveError(f"{shown} holds more than {limits.max_members} files and folders")
            dest.mkdir(parents=True, exist_ok=False)
            budget = _Budget(limits, archive_bytes, shown)
            skipped = [f"{m.filename} ({why})" for m in members if (why := _extract_member(zf, m, dest, budget))]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, EOFError, ValueError) as exc:
        raise ArchiveError(f"{shown} is not a valid zip file ({exc})") from None
    return Extracted(dest, tuple(skipped))


class _Budget:
    """Bytes written so far, against the limits; raises the moment one is passed."""

    def __init__(self, limits: ArchiveLimits, archive_bytes: int, shown: str) -> None:
        self.limits, self.archive_bytes, self.shown, self.written = limits, archive_bytes, shown, 0

    def spend(self, count: int) -> None:
        self.written += count
        if self.written > self.limits.max_bytes:
            raise ArchiveError(f"{self.shown} unpacks to more than {self.limits.max_bytes // 1_000_000} MB")
        if self.written > RATIO_GRACE_BYTES and self.written > self.limits.max_ratio * self.archive_bytes:
            raise ArchiveError(f"{self.shown} unpacks to more than {self.limits.max_ratio:g} times its size")


def _extract_member(zf: zipfile.ZipFile, member: zipfile.ZipInfo, dest: Path, budget: _Budget) -> str:
    """Write one member under ``dest``; the reason it was skipped, or "" when written."""
    parts = PurePosixPath(member.filename.replace("\\", "/")).parts
    if not parts or parts[0].startswith("/") or any(p in ("..", ".", "") or "\0" in p for p in parts):
        return "its path leaves the folder"
    if len(parts) > MAX_DEPTH:
        return f"more than {MAX_DEPTH} folders deep"
    kind = stat.S_IFMT(member.external_attr >> 16)
    if kind == stat.S_IFLNK:
        return "a symbolic link, not followed"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "not a regular file"
    if member.flag_bits & ENCRYPTED:
        return "encrypted"
    try:
        folder = _open_folders(dest, parts if member.is_dir() else parts[:-1])
    except (FileExistsError, NotADirectoryError):
        return "a file is in the way of its folder"
    except OSError as exc:
        return f"cannot be written: {exc.strerror}"
    try:
        if member.is_dir():
            return ""
        descriptor = os.open(parts[-1], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                             0o644, dir_fd=folder)
    except FileExistsError:
        return "a second member of the same name"
    except OSError as exc:
        return f"cannot be written: {exc.strerror}"
    finally:
        os.close(folder)
    with zf.open(member) as source, open(descriptor, "wb") as target:
        while chunk := source.read(CHUNK_BYTES):
            budget.spend(len(chunk))
            target.write(chunk)
    return ""


def _open_folders(dest: Path, parts: tuple[str, ...]) -> int:
    """An open descriptor of ``dest/parts...``, made where missing, never through a link."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    folder = os.open(dest, flags)
    try:
        for part in parts:
            try:
                os.mkdir(part, 0o755, dir_fd=folder)
            except FileExistsError:
                pass
            inner = os.open(part, flags, dir_fd=folder)
            os.close(folder)
            folder = inner
    except BaseException:
        os.close(folder)
        raise
    return folder
