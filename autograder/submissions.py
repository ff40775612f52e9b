"""Finding the student's file in whatever was submitted, without touching the original.

Students submit ``cnn.py``, but also ``CNN.py``, ``cnn (1).py``, a zip with the file in a
sub-folder, a notebook, or several files. ``prepare_submission`` picks the file to grade
the way a TA would, copies it as ``<workdir>/cnn.py`` and says what it did in ``notes``
(shown to the student). What cannot be graded raises ``SubmissionError`` with one line
the student can act on.
"""

from __future__ import annotations

import ast
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Sequence

from autograder.errors import SubmissionError

MAX_FILE_BYTES = 1_000_000
MAX_ZIP_BYTES = 50_000_000
IGNORED_PARTS = {"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git"}
IGNORED_PY = {"__init__.py", "conftest.py"}
COPY_SUFFIX = re.compile(r"(\s*\(\d+\)|[-_ ]\d+|[-_ ](final|copy|v\d+))$")


@dataclass(frozen=True)
class Prepared:
    """The file to grade (a private copy) and what was done to find it."""

    file: Path
    original: str  # the name as submitted, relative to the submission
    notes: tuple[str, ...] = ()


def prepare_submission(
    submission: Path, student_file: str, workdir: Path, functions: Sequence[str] = ()
) -> Prepared:
    """Pick the file to grade in ``submission`` (a file, folder or zip); copy it to ``workdir``."""
    if not submission.exists():
        raise SubmissionError(f"{submission} does not exist")
    root = submission
    if submission.is_file() and submission.suffix.lower() == ".zip":
        root = _unzip(submission, workdir / "unzipped")
    chosen, notes = (submission, []) if root.is_file() else _choose(root, student_file, functions)
    original = chosen.name if root.is_file() else chosen.relative_to(root).as_posix()
    text = _read_source(chosen, original)
    if chosen.suffix.lower() == ".ipynb":
        text = notebook_to_script(text, original)
        notes.append(f"graded the code cells of the notebook {original}; please submit {student_file}")
    elif chosen.name != student_file:
        notes.append(f"graded {original} as {student_file}; please name your file {student_file}")
    if not text.strip():
        raise SubmissionError(f"{original} is empty")
    target = workdir / student_file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return Prepared(file=target, original=original, notes=tuple(notes))


def _choose(root: Path, student_file: str, functions: Sequence[str]) -> tuple[Path, list[str]]:
    """Exact name first, then a decorated name, then the only (or most complete) .py."""
    files = sorted(
        (p for p in root.rglob("*") if p.is_file() and not _ignored(p.relative_to(root))),
        key=lambda p: (len(p.relative_to(root).parts), str(p)),
    )
    wanted = Path(student_file)
    for matches in (
        [p for p in files if p.name == wanted.name],
        [p for p in files if p.suffix.lower() == wanted.suffix and _normalized(p.stem) == wanted.stem.lower()],
    ):
        if matches:
            return matches[0], ([f"found several {wanted.name} files; graded {matches[0].relative_to(root)}"]
                                if len(matches) > 1 else [])
    scripts = [p for p in files if p.suffix == ".py" and p.name not in IGNORED_PY and not p.name.startswith("test_")]
    if len(scripts) == 1:
        return scripts[0], []
    if scripts:
        return _most_complete(scripts, root, student_file, functions), []
    notebooks = [p for p in files if p.suffix.lower() == ".ipynb"]
    if len(notebooks) == 1:
        return notebooks[0], []
    raise SubmissionError(f"no {student_file} in the submission" + (
        f" (found: {', '.join(p.relative_to(root).as_posix() for p in files[:8])})" if files else ""))


def _most_complete(scripts: list[Path], root: Path, student_file: str, functions: Sequence[str]) -> Path:
    """Among several .py files, the one that defines the most graded functions, if unique."""
    counts = {p: len(_defined_functions(p) & set(functions)) for p in scripts}
    best = max(counts.values())
    winners = [p for p, n in counts.items() if n == best]
    if best == 0 or len(winners) > 1:
        names = ", ".join(p.relative_to(root).as_posix() for p in scripts)
        raise SubmissionError(f"several .py files ({names}) and none is named {student_file}: submit one {student_file}")
    return winners[0]


def _defined_functions(path: Path) -> set[str]:
    try:
        tree = ast.parse(path.read_bytes()[:MAX_FILE_BYTES])
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


def _read_source(path: Path, shown: str) -> str:
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise SubmissionError(f"{shown} is larger than {MAX_FILE_BYTES // 1000} kB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubmissionError(
            f"{shown} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}): save it as UTF-8"
        ) from None


def _unzip(archive: Path, dest: Path) -> Path:
    """Extract a zip safely: no paths outside ``dest``, no links, bounded size."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise SubmissionError(f"{archive.name} unpacks to more than {MAX_ZIP_BYTES // 1_000_000} MB")
            for member in members:
                parts = PurePosixPath(member.filename.replace("\\", "/")).parts
                if not parts or any(p in ("..", "") for p in parts) or parts[0].startswith("/"):
                    continue  # a path that would escape the folder: skipped
                target = dest.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(member))
    except zipfile.BadZipFile:
        raise SubmissionError(f"{archive.name} is not a valid zip file") from None
    dest.mkdir(parents=True, exist_ok=True)
    return dest


def notebook_to_script(text: str, shown: str) -> str:
    """The code cells of a notebook as one script; IPython magics and shell lines dropped."""
    try:
        cells = json.loads(text)["cells"]
    except (ValueError, KeyError, TypeError):
        raise SubmissionError(f"{shown} is not a readable Jupyter notebook") from None
    chunks = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
            chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + "\n"
