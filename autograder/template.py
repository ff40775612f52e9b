"""The student release, generated from the reference solution: stubs are never written twice.

In ``solutions/<name>/<file>.py`` the solution code of each function sits between a
``# BEGIN SOLUTION`` and an ``# END SOLUTION`` line. The student's file keeps everything
else (module docstring, imports, signatures, docstrings) and each marked block becomes
``raise NotImplementedError``. The release folder (``student_template/<name>/``) also
holds the public tests, their student-side conftest and the student README.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.errors import ConfigError
from autograder.spec import Assignment, project_root

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
STUDENT_README = "STUDENT_README.md"
MIN_SECRET_LENGTH = 12


def strip_solutions(source: str, origin: str = "solution") -> str:
    """Replace every marked solution block with ``raise NotImplementedError``."""
    out: list[str] = []
    inside_since: int | None = None
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside_since is not None:
                raise ConfigError(f"{origin}:{number}: {BEGIN} inside the block opened at line {inside_since}")
            inside_since = number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}raise NotImplementedError\n")
        elif marker == END:
            if inside_since is None:
                raise ConfigError(f"{origin}:{number}: {END} without a {BEGIN}")
            inside_since = None
        elif inside_since is None:
            out.append(line)
    if inside_since is not None:
        raise ConfigError(f"{origin}:{inside_since}: {BEGIN} is never closed")
    return "".join(out)


def solution_lines(source: str) -> set[str]:
    """The lines inside solution blocks, stripped: none may reach students.

    Lines shorter than ``MIN_SECRET_LENGTH`` (``else:``, ``)``) are too common to count.
    """
    lines: set[str] = set()
    inside = False
    for line in source.splitlines():
        marker = line.strip()
        if marker in (BEGIN, END):
            inside = marker == BEGIN
        elif inside and len(marker) >= MIN_SECRET_LENGTH and not marker.startswith("#"):
            lines.add(marker)
    return lines


def release_files(assignment: Assignment) -> dict[str, bytes]:
    """Every file of the student release, by its path inside the release folder."""
    source = assignment.reference.read_text(encoding="utf-8")
    files = {assignment.student_file: strip_solutions(source, str(assignment.reference)).encode()}
    readme = assignment.folder / STUDENT_README
    if not readme.is_file():
        raise ConfigError(f"{assignment.folder}: missing {STUDENT_README} (the students' instructions)")
    files["README.md"] = readme.read_bytes()
    for path in sorted(assignment.public_tests.glob("*.py")):
        files[path.name] = path.read_bytes()
    return files


def default_release_dir(assignment: Assignment) -> Path:
    return project_root() / "student_template" / assignment.name


def write_release(assignment: Assignment, dest: Path | None = None) -> Path:
    """(Re)generate the release folder from the solution; returns the folder."""
    dest = dest or default_release_dir(assignment)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name, content in release_files(assignment).items():
        (dest / name).write_bytes(content)
    return dest


def release_problems(assignment: Assignment, folder: Path | None = None) -> list[str]:
    """Why a committed release folder is stale or leaks the solution (empty when fine)."""
    folder = folder or default_release_dir(assignment)
    expected = release_files(assignment)
    problems: list[str] = []
    present = {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()
    for name in sorted(set(expected) - present):
        problems.append(f"{folder / name} is missing")
    for name in sorted(present - set(expected)):
        problems.append(f"{folder / name} is not part of the release")
    for name in sorted(set(expected) & present):
        if (folder / name).read_bytes() != expected[name]:
            problems.append(f"{folder / name} is out of date")
    secrets = solution_lines(assignment.reference.read_text(encoding="utf-8"))
    for name in sorted(present):
        for number, line in enumerate((folder / name).read_text(errors="replace").splitlines(), 1):
            if line.strip() in secrets:
                problems.append(f"{folder / name}:{number} holds a solution line: {line.strip()!r}")
    return problems
