"""Shared pieces of the batch tests: small submissions, a toy assignment, folder snapshots
and /proc look-ups for processes left behind."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import zipfile
from pathlib import Path

from autograder.spec import load_assignment, project_root

SAMPLES = project_root() / "assignments" / "cnn" / "samples"

# Real-engine submissions that grade in about a second: their module does not import.
SYNTAX_ERROR = "def relu(x:\n    return x\n"
EXITS_AT_IMPORT = "import sys\nprint('bye')\nsys.exit(3)\n"
# Every graded function raises it, so that its message is among the report's most common.
SCRIPT_IN_FEEDBACK = "".join(f"def {name}(*args, **kwargs):\n    raise RuntimeError(\"<script>alert('pwned')</script>\")\n\n"
                             for name in load_assignment("cnn").questions)

# The shape of a real "Export Submissions" metadata file: written by Ruby, so keys are
# symbols with a leading colon; a group submission lists two submitters; resubmissions
# are kept under :history:.
METADATA = """\
---
submission_9001:
  :submitters:
  - :name: Ada Lovelace
    :sid: '06758767'
    :email: ada@example.edu
  :created_at: 2024-10-02 02:52:07.938335000 Z
  :score: 0.0
  :status: processed
  :results:
    score: 0.0
    tests: []
    output: This assignment does not have an autograder configured.
  :history: []
submission_9002:
  :submitters:
  - :name: Alan Turing
    :sid: '06754968'
    :email: alan@example.edu
  - :name: Grace Hopper
    :sid: '06828527'
    :email: grace@example.edu
  :created_at: 2024-10-02 04:04:59.089605000 Z
  :score: 0.0
  :status: processed
  :history:
  - :submitters: []
    :created_at: 2024-10-01 07:30:05.262325000 Z
    :score: 0.0
    :status: processed
    :id: 217383000
"""


def hostile_source(input_folder: Path, out: Path) -> str:
    """A submission that, at import, tries to damage the input and output folders (whose
    paths it is given), to raise another student's grade, and leaves a busy child behind."""
    return f"""
import os
ATTEMPTS = [
    lambda: open({str(input_folder / 'HACKED')!r}, "w").write("x"),
    lambda: open({str(input_folder / 'alice.py')!r}, "w").write("def relu(x):\\n    return 0\\n"),
    lambda: os.makedirs({str(out / 'results')!r}, exist_ok=True),
    lambda: open({str(out / 'results' / 'alice.json')!r}, "w").write('{{"score": 0}}'),
    lambda: open({str(out / 'grades.csv')!r}, "w").write("pwned"),
]
for attempt in ATTEMPTS:
    try:
        attempt()
    except OSError:
        pass
if os.fork() == 0:
    while True:
        pass
"""


def write_files(folder: Path, files: dict[str, str]) -> Path:
    """Create ``folder`` with ``{relative path: text}``; returns the folder."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def make_export(folder: Path, metadata: str = METADATA) -> Path:
    """An "Export Submissions" folder whose submissions grade fast (none imports)."""
    return write_files(folder, {"submission_metadata.yml": metadata, "submission_9001/cnn.py": SYNTAX_ERROR,
                                "submission_9002/cnn.py": EXITS_AT_IMPORT})


def zip_folder(folder: Path, archive: Path) -> Path:
    """``folder`` zipped with its own name as the top folder, as Gradescope zips an export."""
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*")):
            zf.write(path, path.relative_to(folder.parent).as_posix())
    return archive


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every entry under ``folder``: file contents hash and mtime (folders: "dir")."""
    found = {}
    for path in sorted(folder.rglob("*")):
        stat = path.stat()
        digest = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
        found[path.relative_to(folder).as_posix()] = (digest, stat.st_mtime_ns)
    return found


def mtimes(folder: Path) -> dict[str, int]:
    """``{file name: mtime in ns}`` of the files directly in ``folder``."""
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}


def copy_tree(source: Path, target: Path) -> Path:
    """A copy that keeps mtimes (what a rerun's skip check is judged by)."""
    shutil.copytree(source, target, copy_function=shutil.copy2)
    return target


# ---------------------------------------------------------------- processes


def descendants(pid: int) -> set[int]:
    """Live (non-zombie) descendants of ``pid``, from a scan of /proc, except
    multiprocessing's resource tracker: one per process that ever spawned a process, it
    lives as long as that process (the test runner here), by design."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat and stat[0] != "Z":
                children.setdefault(int(stat[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return {p for p in found if b"resource_tracker" not in _command(p)}


def _command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def wait_until_gone(pids: set[int], seconds: float) -> set[int]:
    """The pids still alive after waiting up to ``seconds`` for all of them to end."""
    deadline = time.monotonic() + seconds
    while (left := {p for p in pids if alive(p)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _stat(pid: int) -> list[str] | None:
    """State and parent pid of ``pid`` (fields 3 and 4 of /proc/<pid>/stat), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[:2]
    except OSError:
        return None


# ---------------------------------------------------------------- a toy assignment

TOY_CONFIG = """\
name = "toy"
student_file = "toy.py"
reference = "reference.py"
[points]
double = 4
negate = 2
"""

TOY_PUBLIC = '''\
import pytest

@pytest.mark.question("double")
def test_double(student):
    """double(2) is 4"""
    assert student.double(2) == 4, f"double(2) returned {student.double(2)!r}; expected 4"
'''

TOY_HIDDEN = '''\
import pytest

@pytest.mark.question("negate")
def test_negate(student, reference):
    """negate(3) is -3"""
    assert student.negate(3) == reference.negate(3), "negate(3) should be -3"
'''

TOY_CORRECT = "def double(x):\n    return 2 * x\n\ndef negate(x):\n    return -x\n"


def make_toy(folder: Path) -> Path:
    """An assignment folder with two questions that grades in milliseconds in-process."""
    return write_files(folder, {"assignment.toml": TOY_CONFIG, "reference.py": TOY_CORRECT,
                                "public/test_public_toy.py": TOY_PUBLIC, "hidden/test_hidden_toy.py": TOY_HIDDEN})
