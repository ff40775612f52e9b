"""Finding the submissions of an input, and who each belongs to: no grading here.

An input is a Gradescope "Export Submissions" folder or zip, a folder with one entry per
student, or one file (``find_submissions``). Submissions and exports come from students:
discovery never follows a symbolic link (an entry that is one gets a row saying it was
refused), an export is recognised by its real shape and its metadata validated before use
(``read_gradescope_metadata``), a zip export is unpacked by ``archives.extract_zip``
within ``EXPORT_ZIP``, and ids are unique by construction (``_unique_ids``).
"""

from __future__ import annotations

import math
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import yaml

from autograder.archives import ArchiveLimits, extract_zip
from autograder.errors import AutograderError

GRADESCOPE_METADATA = "submission_metadata.yml"
EXPORT_FOLDER = re.compile(r"submission_\d+")
EXPORT_ZIP = ArchiveLimits(max_bytes=1_000_000_000, max_members=200_000, max_ratio=100)
MAX_METADATA_BYTES = 20_000_000
MAX_METADATA_NODES = 2_000_000  # after aliases are expanded
MAX_PERSON_CHARS = 1_000  # a name, email or SID of one submitter
PERSON_FIELDS = ("name", "email", "sid")
SUBMISSION_SUFFIXES = (".py", ".ipynb", ".zip")
IGNORED_NAMES = {"__MACOSX", "__pycache__"}


@dataclass(frozen=True)
class Person:
    """One submitter, as Gradescope's metadata names them (any field may be empty)."""

    name: str = ""
    email: str = ""
    sid: str = ""  # the course's student id


@dataclass(frozen=True)
class Submission:
    """One student's submission as found in the input, and who it belongs to."""

    id: str  # names results/<id>.json and the CSV row
    path: Path  # the file, folder or zip handed to the engine
    people: tuple[Person, ...] = ()  # from Gradescope's metadata: one per member of a group
    submitted_at: str = ""  # from Gradescope's metadata, ISO 8601 in UTC


@dataclass(frozen=True)
class ExportEntry:
    """What Gradescope's metadata says of one submission folder."""

    people: tuple[Person, ...] = ()
    submitted_at: str = ""


def find_submissions(source: Path, staging: Path, *, exclude: Path | None = None) -> list[Submission]:
    """The submissions in ``source``, sorted by id; ids are unique.

    ``source`` is a Gradescope "Export Submissions" folder or zip (see ``_is_export``), a
    folder with one entry per student (a ``.py``/``.ipynb``/``.zip`` file: id = its stem; a
    folder: id = its name), or one file. A zip export is extracted into ``staging`` within
    ``EXPORT_ZIP``; ``exclude`` (the output folder) is never taken for a submission.
    Nothing is followed through a symbolic link: an entry that is one is judged by its
    name, and grading it says that links are refused (``source`` itself is the TA's: a
    link to a folder is followed, a link to a file is a submission).
    """
    if not source.is_dir():  # one file; a link to a file is a submission, refused when graded
        if not source.is_symlink() and zipfile.is_zipfile(source) and _zip_is_export(source):
            with open(source, "rb") as archive:
                source = extract_zip(archive, staging / "export", EXPORT_ZIP, shown=source.name).folder
        else:
            return [Submission(_text(source.stem), source)]
    export = _find_export(source)
    if export is not None:
        return _export_submissions(export)
    return _folder_submissions(source, exclude)


def _zip_is_export(archive: Path) -> bool:
    """Whether the zip's members have an export's shape (see ``_is_export``), at its root
    or in one top folder."""
    with zipfile.ZipFile(archive) as zf:
        names = [n for n in zf.namelist() if n.split("/", 1)[0] not in IGNORED_NAMES]
    tops = {n.split("/", 1)[0] for n in names}
    prefix = f"{tops.pop()}/" if len(tops) == 1 and all("/" in n for n in names) else ""
    inner = [n[len(prefix):] for n in names if n != prefix]
    return GRADESCOPE_METADATA in inner and all(
        n == GRADESCOPE_METADATA or ("/" in n and EXPORT_FOLDER.fullmatch(n.split("/", 1)[0])) for n in inner)


def _find_export(folder: Path) -> Path | None:
    """The export in ``folder``: the folder itself, or its only sub-folder (an unzipped
    export holds one ``assignment_<id>_export`` folder)."""
    entries = _entries(folder)
    candidates = [folder] + ([entries[0]] if len(entries) == 1 and is_folder(entries[0]) else [])
    return next((c for c in candidates if _is_export(c)), None)


def _is_export(folder: Path) -> bool:
    """An export's real shape: ``submission_metadata.yml`` (a regular file) and folders
    named ``submission_<digits>``, nothing else."""
    entries = _entries(folder)
    metadata = folder / GRADESCOPE_METADATA
    return metadata in entries and stat.S_ISREG(os.lstat(metadata).st_mode) and all(
        p == metadata or (is_folder(p) and EXPORT_FOLDER.fullmatch(p.name)) for p in entries)


def _export_submissions(export: Path) -> list[Submission]:
    """One submission per folder of the export, with its people and time from the metadata."""
    entries = read_gradescope_metadata(export / GRADESCOPE_METADATA)
    folders = [p for p in _entries(export) if is_folder(p)]
    return [Submission(f.name, f, (entry := entries.get(f.name, ExportEntry())).people, entry.submitted_at)
            for f in folders]


def read_gradescope_metadata(path: Path) -> dict[str, ExportEntry]:
    """``{submission folder: its submitters and time}`` from ``submission_metadata.yml``.

    Gradescope writes it from Ruby, so keys may be symbols (``:submitters:``, ``:name:``);
    both spellings are read. The file is read only when it is at most
    ``MAX_METADATA_BYTES``, and parsed by ``yaml.safe_load``'s loader with its aliases
    expanding to at most ``MAX_METADATA_NODES`` nodes; every value used is checked for its
    type and a name, email or SID for its length.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_METADATA_BYTES + 1)
        if len(data) > MAX_METADATA_BYTES:
            raise AutograderError(f"{path}: larger than {MAX_METADATA_BYTES // 1_000_000} MB")
        document = yaml.load(data.decode("utf-8"), Loader=_MetadataLoader)  # noqa: S506 -- safe_load's loader
    except (OSError, yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
        raise AutograderError(f"{path}: not a readable Gradescope metadata file: {type(exc).__name__}: {exc}") from None
    if not isinstance(document, dict):
        raise AutograderError(f"{path}: expected one entry per submission folder, got {type(document).__name__}")
    entries = {}
    for key, entry in document.items():
        folder = key.lstrip(":") if isinstance(key, str) else ""
        if not EXPORT_FOLDER.fullmatch(folder):
            raise AutograderError(f"{path}: an entry is not named submission_<digits>: {str(key)[:40]!r}")
        submitters = _plain_keys(entry).get("submitters") or []
        if not isinstance(submitters, list) or not all(isinstance(s, dict) for s in submitters):
            raise AutograderError(f"{path}: {folder}: submitters are not a list of people")
        people = tuple(Person(*(_field(path, folder, _plain_keys(s), f) for f in PERSON_FIELDS)) for s in submitters)
        entries[folder] = ExportEntry(people, _timestamp(_plain_keys(entry).get("created_at")))
    return entries


def _field(path: Path, folder: str, submitter: dict[str, Any], field: str) -> str:
    """A submitter's name, email or SID, checked to be text (or a number, as a SID may be
    written) of at most ``MAX_PERSON_CHARS``; empty when absent."""
    value = submitter.get(field)
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) > MAX_PERSON_CHARS:
        raise AutograderError(f"{path}: {folder}: a submitter's {field} is not text of at most "
                              f"{MAX_PERSON_CHARS} characters")
    return value


def _timestamp(value: Any) -> str:
    """A submission's ``created_at`` as ISO 8601 in UTC to the second; empty when it is not a time."""
    if not isinstance(value, datetime):
        return ""
    moment = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _plain_keys(entry: Any) -> dict[str, Any]:
    """A YAML mapping with Ruby-symbol keys (``:name``) read as plain ones (``name``);
    keys that are not text are left out."""
    return {k.lstrip(":"): v for k, v in entry.items() if isinstance(k, str)} if isinstance(entry, dict) else {}


class _MetadataLoader(yaml.SafeLoader):
    """``yaml.safe_load``'s loader, refusing a document whose aliases expand it past
    ``MAX_METADATA_NODES`` nodes (a kilobyte of nested aliases is a billion nodes)."""

    def compose_document(self) -> yaml.Node:
        node = super().compose_document()
        if _expanded_size(node) > MAX_METADATA_NODES:
            raise yaml.YAMLError(f"its aliases expand it past {MAX_METADATA_NODES} nodes")
        return node


def _expanded_size(root: yaml.Node) -> float:
    """The number of nodes ``root`` stands for once every alias is expanded (infinite for a
    recursive one), counted once per distinct node."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # the ancestors of the node being counted
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, counted = stack.pop()
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else (
            node.value if isinstance(node, yaml.SequenceNode) else [])
        if counted:
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
            open_nodes.discard(id(node))
        elif id(node) in open_nodes:
            return math.inf
        elif id(node) not in sizes:
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in children)
    return sizes[id(root)]


def _folder_submissions(folder: Path, exclude: Path | None) -> list[Submission]:
    """One submission per student file or folder, with a unique id (see ``_unique_ids``)."""
    skip = exclude.resolve() if exclude else None
    entries = [p for p in _entries(folder) if _is_submission(p) and not (is_folder(p) and p.resolve() == skip)]
    return [Submission(id_, p) for id_, p in zip(_unique_ids(entries), entries)]


def _unique_ids(entries: Sequence[Path]) -> list[str]:
    """Each entry's stem (a folder's name), or its full name when the stem is another
    entry's stem or name (``ann.py`` and ``ann/``; ``y.zip`` and ``y.zip.py``). Names in
    one folder differ, and a stem is kept only when it is nobody else's stem or name, so
    ids are unique by construction. A name that is not UTF-8 is shown with its odd bytes
    escaped (``\\xff``); should that meet another name, ``~2``, ``~3``... tell them apart."""
    readable = [Path(_text(p.name)) for p in entries]
    stems = [name.name if is_folder(p) else name.stem for p, name in zip(entries, readable)]
    names = {name.name for name in readable}
    ids: list[str] = []
    for name, stem in zip(readable, stems):
        wanted = stem if stems.count(stem) == 1 and (stem == name.name or stem not in names) else name.name
        ids.append(next(i for i in (wanted, *(f"{wanted}~{n}" for n in range(2, len(entries) + 2))) if i not in ids))
    return ids


def _text(name: str) -> str:
    """A file name as text that can be written anywhere: bytes that are not UTF-8 escaped."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _is_submission(entry: Path) -> bool:
    """A folder, or a file or link named like a submission (a link with no suffix may be a
    folder's): links are never followed, their grading says so."""
    suffix = entry.suffix.lower()
    return is_folder(entry) or suffix in SUBMISSION_SUFFIXES or (entry.is_symlink() and not suffix)


def is_folder(entry: Path) -> bool:
    """A real folder, not a link to one."""
    return stat.S_ISDIR(os.lstat(entry).st_mode)


def _entries(folder: Path) -> list[Path]:
    """The visible entries of a folder, sorted (no dot-files, no ``__MACOSX``)."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in IGNORED_NAMES)
