"""Finding the student's file in whatever was submitted, without touching the original.

Students submit ``cnn.py``, but also ``CNN.py``, ``cnn (1).py``, a zip with the file in a
sub-folder, a notebook, or several files. ``prepare_submission`` picks the file to grade
the way a TA would, copies it as ``<workdir>/cnn.py`` and says what it did in ``notes``
(shown to the student). What cannot be graded raises ``SubmissionError`` with one line
the student can act on. A file given on its own (``autograder check cnn alice.py``, a
class folder of files named by student) is graded whatever its name, without a note; a
file found in an uploaded folder or zip gets a note when it is misnamed or in a
sub-folder. Source that is not UTF-8 is read as Windows-1252 (or Latin-1) with a note
(``decode_source``); the copy is always UTF-8.

What a submission may make the grader read is decided here, where its files are opened,
by a grader that may run as root. A symbolic link is never followed: a submission that is
one is refused, links inside a submitted folder or zip are skipped with a note (a link in
a git clone or an unpacked archive could point at the reference solution), and files are
opened with ``O_NOFOLLOW``. Only regular files are read (a FIFO or a device would block
or never end). A regular file with more than one hard link is refused too: it cannot be
told apart from a link to a file outside the submission (uploads, clones and unpacked
zips never make one). A zip is unpacked by ``archives.extract_zip`` within
``SUBMISSION_ZIP``; a folder is walked up to ``MAX_FOLDER_ENTRIES`` entries; a file is
read up to ``MAX_FILE_BYTES``; a notebook is parsed only when its JSON nests at most
``MAX_NOTEBOOK_DEPTH`` deep.
"""

from __future__ import annotations

import ast
import codecs
import errno
import json
import os
import re
import stat
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

from autograder.archives import ArchiveError, ArchiveLimits, extract_zip
from autograder.errors import SubmissionError
from autograder.report import printable

MAX_FILE_BYTES = 1_000_000
SUBMISSION_ZIP = ArchiveLimits(max_bytes=50_000_000, max_members=10_000, max_ratio=100)
MAX_FOLDER_ENTRIES = 10_000  # files and folders walked in one submitted folder
MAX_NOTEBOOK_DEPTH = 64  # nesting of a notebook's JSON (a real one nests about 6 deep)
SHOWN_SKIPPED = 3  # skipped entries named in a note
IGNORED_PARTS = {"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git"}
IGNORED_PY = {"__init__.py", "conftest.py"}
COPY_SUFFIX = re.compile(r"(\s*\(\d+\)|[-_ ]\d+|[-_ ](final|copy|v\d+))$")
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
CODING_COOKIE = re.compile(r"^([ \t\f]*#.*?coding[:=][ \t]*)([-\w.]+)", re.MULTILINE)  # PEP 263
BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")  # control bytes no source text holds (a binary file)


@dataclass(frozen=True)
class Prepared:
    """The file to grade (a private copy) and what was done to find it."""

    file: Path
    original: str  # the name as submitted, relative to the submission (printable)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Listing:
    """What a walk of a submitted folder found, relative to it; nothing was followed."""

    files: tuple[Path, ...]  # regular files, outside ignored folders
    links: tuple[Path, ...]  # symbolic links (to files or folders), never followed


def prepare_submission(
    submission: Path, student_file: str, workdir: Path, functions: Sequence[str] = ()
) -> Prepared:
    """Pick the file to grade in ``submission`` (a file, folder or zip); copy it to ``workdir``."""
    kind = _kind(submission)
    notes: list[str] = []
    if kind == stat.S_IFDIR:
        root = submission
    elif submission.suffix.lower() == ".zip":
        root, notes = _unzip(submission, workdir / "unzipped")
    else:
        root = None
    chosen, found_notes = (submission, []) if root is None else _choose(root, student_file, functions)
    notes += found_notes
    original = printable(submission.name if root is None else chosen.relative_to(root).as_posix())
    text, decoded_note = _read_source(chosen, original)
    notes += [decoded_note] if decoded_note else []
    if chosen.suffix.lower() == ".ipynb":
        text = notebook_to_script(text, original)
        notes.append(f"graded the code cells of the notebook {original}; please submit {student_file}")
    elif root is not None:
        notes += _placement_notes(chosen.relative_to(root), original, student_file)
    if not text.strip():
        raise SubmissionError(f"{original} is empty")
    target = workdir / student_file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return Prepared(file=target, original=original, notes=tuple(notes))


def submission_path(path: Path) -> Path:
    """``path`` made absolute with its folders resolved but its last part as named: a
    submission that is a symbolic link must reach ``prepare_submission`` as one."""
    path = Path(os.path.abspath(path))
    return path.parent.resolve() / path.name if path.name else path


def _kind(submission: Path) -> int:
    """The file type of the submission itself (``stat.S_IFDIR``, ...); a link is refused."""
    try:
        mode = os.lstat(submission).st_mode
    except FileNotFoundError:
        raise SubmissionError(f"{printable(str(submission))} does not exist") from None
    if stat.S_ISLNK(mode):
        raise SubmissionError(f"{printable(submission.name)} is a symbolic link, which is not followed: "
                              "submit the file itself")
    return stat.S_IFMT(mode)


def walk_submission(root: Path) -> Listing:
    """Every regular file and symbolic link under the folder ``root``, sorted, without
    following a link or entering an ignored folder; at most ``MAX_FOLDER_ENTRIES``."""
    files: list[Path] = []
    links: list[Path] = []
    todo, seen = [Path()], 0
    while todo:
        folder = todo.pop()
        for entry in _scan(root, folder):
            seen += 1
            if seen > MAX_FOLDER_ENTRIES:
                raise SubmissionError(f"the submission holds more than {MAX_FOLDER_ENTRIES} files and folders")
            relative = folder / entry.name
            if _ignored(relative):
                continue
            if entry.is_symlink():
                links.append(relative)
            elif entry.is_dir(follow_symlinks=False):
                todo.append(relative)
            elif entry.is_file(follow_symlinks=False):
                files.append(relative)
    return Listing(tuple(sorted(files)), tuple(sorted(links)))


def _scan(root: Path, folder: Path) -> Iterator[os.DirEntry[str]]:
    """The entries of ``root / folder``; a folder that cannot be read is the student's error."""
    try:
        with os.scandir(root / folder) as entries:
            yield from entries
    except OSError as exc:
        raise SubmissionError(f"{printable(folder.as_posix())} cannot be read ({exc.strerror})") from None


def _choose(root: Path, student_file: str, functions: Sequence[str]) -> tuple[Path, list[str]]:
    """Exact name first, then a decorated name, then the only (or most complete) .py."""
    listing = walk_submission(root)
    chosen, notes = _pick(root, listing, student_file, functions)
    if listing.links:
        notes.append(_skipped("skipped symbolic links (links are not followed; submit the files themselves)",
                              [printable(p.as_posix()) for p in listing.links]))
    return chosen, notes


def _pick(root: Path, listing: Listing, student_file: str, functions: Sequence[str]) -> tuple[Path, list[str]]:
    files = [root / p for p in sorted(listing.files, key=lambda p: (len(p.parts), str(p)))]
    wanted = Path(student_file)
    for matches in (
        [p for p in files if p.name == wanted.name],
        [p for p in files if p.suffix.lower() == wanted.suffix and _normalized(p.stem) == wanted.stem.lower()],
    ):
        if matches:
            return matches[0], ([f"found several {wanted.name} files; graded "
                                 f"{printable(matches[0].relative_to(root).as_posix())}"]
                                if len(matches) > 1 else [])
    scripts = [p for p in files if p.suffix == ".py" and p.name not in IGNORED_PY and not p.name.startswith("test_")]
    if len(scripts) == 1:
        return scripts[0], []
    if scripts:
        return _most_complete(scripts, root, student_file, functions), []
    notebooks = [p for p in files if p.suffix.lower() == ".ipynb"]
    if len(notebooks) == 1:
        return notebooks[0], []
    found = [printable(p.as_posix()) for p in (*listing.files, *listing.links)]
    message = f"no {student_file} in the submission" + (f" (found: {', '.join(found[:8])})" if found else "")
    if listing.links:
        message += "; symbolic links are not followed: submit the files themselves"
    raise SubmissionError(message)


def _skipped(what: str, names: Sequence[str]) -> str:
    """A note naming the first few of ``names``."""
    shown = ", ".join(names[:SHOWN_SKIPPED])
    return f"{what}: {shown}" + (f" and {len(names) - SHOWN_SKIPPED} more" if len(names) > SHOWN_SKIPPED else "")


def _most_complete(scripts: list[Path], root: Path, student_file: str, functions: Sequence[str]) -> Path:
    """Among several .py files, the one that defines the most graded functions, if unique."""
    counts = {p: len(_defined_functions(p) & set(functions)) for p in scripts}
    best = max(counts.values())
    winners = [p for p, n in counts.items() if n == best]
    if best == 0 or len(winners) > 1:
        names = ", ".join(printable(p.relative_to(root).as_posix()) for p in scripts)
        raise SubmissionError(f"several .py files ({names}) and none is named {student_file}: submit one {student_file}")
    return winners[0]


def _defined_functions(path: Path) -> set[str]:
    try:
        return defined_functions(decode_source(_read_bytes(path, printable(path.name)), "")[0])
    except SubmissionError:
        return set()


def defined_functions(source: str) -> set[str]:
    """The functions ``source`` defines at its top level (none when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def _ignored(relative: Path) -> bool:
    return any(part in IGNORED_PARTS or part.startswith(".") for part in relative.parts)


def _normalized(stem: str) -> str:
    """``CNN (1)`` / ``cnn-2`` / ``cnn_final`` -> ``cnn``."""
    stem = stem.strip().lower()
    while (shorter := COPY_SUFFIX.sub("", stem)) != stem:
        stem = shorter
    return stem


def open_regular(path: Path, shown: str) -> BinaryIO:
    """``path`` opened for reading when it is a regular file with one link: never through
    a symbolic link, never a FIFO or device, never a second name of another file."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SubmissionError(f"{shown} is a symbolic link, which is not followed: submit the file itself") from None
        raise SubmissionError(f"{shown} cannot be read ({exc.strerror})") from None
    handle = os.fdopen(descriptor, "rb")
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
        handle.close()
        raise SubmissionError(f"{shown} is not a regular file" if not stat.S_ISREG(info.st_mode) else
                              f"{shown} is a hard link to another file ({info.st_nlink} names): submit a copy")
    return handle


def _read_bytes(path: Path, shown: str) -> bytes:
    """The bytes of a regular file (see ``open_regular``), at most ``MAX_FILE_BYTES``."""
    with open_regular(path, shown) as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise SubmissionError(f"{shown} is larger than {MAX_FILE_BYTES // 1000} kB")
    return data


def _placement_notes(relative: Path, original: str, student_file: str) -> list[str]:
    """What to tell a student whose file was found in their upload under another name or
    in a sub-folder. A file given on its own (``check cnn alice.py``, a class folder of
    files named by student) is named by whoever laid the files out: no note."""
    if relative.name != student_file:
        return [f"graded {original} as {student_file}; please name your file {student_file}"]
    if len(relative.parts) > 1:
        return [f"graded {original}, found in a sub-folder; you may submit {student_file} on its own"]
    return []


def _read_source(path: Path, shown: str) -> tuple[str, str | None]:
    """The text of a source file, and a note when it had to be read as something else than UTF-8."""
    return decode_source(_read_bytes(path, shown), shown)


def decode_source(data: bytes, shown: str) -> tuple[str, str | None]:
    """``data`` as text, and a note when it was not UTF-8.

    UTF-8 (a BOM dropped); else UTF-16 when it starts with a UTF-16 BOM (Notepad's
    "Unicode"); else Windows-1252, or Latin-1 for the five bytes Windows-1252 leaves
    unassigned: what editors on Windows and old Macs save. Only bytes with control
    characters no source text holds (NUL, ...) are refused, as a binary file.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not len(data) % 2:
        return data.decode("utf-16", errors="replace"), f"{shown} is UTF-16 text: please save it as UTF-8"
    data = data.removeprefix(codecs.BOM_UTF8)
    if declared := _declared_text(data):
        return declared, None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        first = exc.start
    if binary := BINARY_BYTES.search(data):
        raise SubmissionError(f"{shown} is not a text file (it holds byte 0x{binary[0][0]:02x} at position "
                              f"{binary.start()}): submit the .py file itself")
    try:
        text, encoding = data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "Latin-1"
    line = data.count(b"\n", 0, first) + 1
    return text, (f"{shown} is not UTF-8 text: it was read as {encoding} (byte 0x{data[first]:02x} on line {line} "
                  f"as {text[first]!r}); please save it as UTF-8")


def _declared_text(data: bytes) -> str | None:
    """``data`` decoded as its PEP 263 coding declaration says (``# -*- coding: latin-1 -*-``),
    with the declaration rewritten to utf-8, as the copy for the worker is written; None
    when the file declares nothing other than UTF-8, or something Python cannot decode.

    Python reads a declared file that way, so the student's own runs and ours agree; left
    as it was, the declaration would make Python misread the UTF-8 copy.
    """
    head = b"\n".join(data.split(b"\n", 2)[:2]).decode("latin-1")
    match = CODING_COOKIE.search(head)
    if match is None:
        return None
    try:
        codec = codecs.lookup(match[2])
        if codec.name == "utf-8" or not codec._is_text_encoding:
            return None
        text = data.decode(codec.name)
    except (LookupError, UnicodeDecodeError):
        return None
    return CODING_COOKIE.sub(lambda m: m[1] + "utf-8", text, count=1)


def _unzip(archive: Path, dest: Path) -> tuple[Path, list[str]]:
    """Unpack a submitted zip within ``SUBMISSION_ZIP``; the folder, and a note on what was left out."""
    shown = printable(archive.name)
    with open_regular(archive, shown) as handle:
        try:
            extracted = extract_zip(handle, dest, SUBMISSION_ZIP, shown=shown)
        except ArchiveError as exc:
            raise SubmissionError(str(exc)) from None
    notes = [_skipped(f"skipped in {shown}", [printable(s) for s in extracted.skipped])] if extracted.skipped else []
    return extracted.folder, notes


def notebook_to_script(text: str, shown: str) -> str:
    """The code cells of a notebook as one script; IPython magics and shell lines dropped."""
    unreadable = SubmissionError(f"{shown} is not a readable Jupyter notebook")
    if _json_depth(text) > MAX_NOTEBOOK_DEPTH:
        raise SubmissionError(f"{shown} is not a readable Jupyter notebook (its JSON nests more than "
                              f"{MAX_NOTEBOOK_DEPTH} deep)")
    try:
        document = json.loads(text)
    except ValueError:
        raise unreadable from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise unreadable
    chunks = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            if isinstance(source, list) and all(isinstance(line, str) for line in source):
                source = "".join(source)
            if not isinstance(source, str):
                raise unreadable
            lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
            chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + "\n"


def _json_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest (strings skipped), without
    parsing it: Python's parser recurses once per level."""
    brackets = NOT_A_BRACKET.sub("", JSON_STRING.sub("", text))
    return max(accumulate(1 if b in "[{" else -1 for b in brackets), default=0)
