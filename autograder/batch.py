"""Batch grading for TAs: every submission of a folder, a Gradescope export or one file.

``grade_batch`` finds the submissions, skips those already graded, grades the rest in the
worker processes of ``autograder.pool`` (each submission in its own sandbox, as the engine
does), writes each result the moment it arrives, and at the end rebuilds ``grades.csv``
and ``report.html`` from every result. The output folder holds::

    grades.csv, report.html      rebuilt from results/ at the end of every run
    results/<submission>.json    Gradescope's results.json: SubmissionResult.to_gradescope()
    .state/<submission>.json     what that result was graded from (see below)
    .input.json                  the input these results belong to (see ``claim_output``)

One output folder, one input. Ids name results only within their input (two exports both
have a ``submission_1001``; a student's zip can be made to look like an export), so a run
whose ``--out`` already holds results of another input stops before anything is graded
and asks for another folder (``claim_output``): grading something else never overwrites
or drops a stored result. Running the same input again (a folder that gained late
submissions, a re-downloaded export at the same path) resumes as described below.

Untrusted input. Submissions and exports come from students: discovery never follows a
symbolic link (an entry that is one gets a row saying it was refused), an export is
recognised by its real shape and its metadata validated before use
(``read_gradescope_metadata``), a zip export is unpacked by ``archives.extract_zip``
within ``EXPORT_ZIP``, and ids are unique by construction (``_unique_ids``).

Resuming. A result is current when the same suite graded the same submission bytes. The
engine's own fingerprint hashes the *prepared* file (the ``cnn.py`` it picked and copied),
which is known only once grading has begun; so this module hashes the *raw* submission
before grading (``input_digest``: the file's bytes, or every file of a folder with its
path) and stores it with ``spec.suite_fingerprint`` in ``.state/<submission>.json``,
keeping ``results/<submission>.json`` exactly what the engine produced. The state file is
removed before a result is replaced and written after it, so a state file always
describes the result beside it, whatever moment a run is killed at. A result the grader
itself failed on gets no state file: the next run grades it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import signal
import stat
import statistics
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import yaml
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from autograder.archives import ArchiveLimits, extract_zip
from autograder.errors import AutograderError, SubmissionError
from autograder.pool import WORKER_DIED, SandboxFactory, WorkerPool
from autograder.report import Row, printable, write_csv, write_html
from autograder.results import SubmissionResult, write_json_atomic
from autograder.spec import Assignment, suite_fingerprint
from autograder.submissions import open_regular, submission_path, walk_submission

GRADESCOPE_METADATA = "submission_metadata.yml"
EXPORT_FOLDER = re.compile(r"submission_\d+")
EXPORT_ZIP = ArchiveLimits(max_bytes=1_000_000_000, max_members=200_000, max_ratio=100)
MAX_METADATA_BYTES = 20_000_000
MAX_METADATA_NODES = 2_000_000  # after aliases are expanded
MAX_PERSON_CHARS = 1_000  # a name or email list of one submission
SUBMISSION_SUFFIXES = (".py", ".ipynb", ".zip")
IGNORED_NAMES = {"__MACOSX", "__pycache__"}
RESULTS_DIR, STATE_DIR, INPUT_RECORD = "results", ".state", ".input.json"


@dataclass(frozen=True)
class Submission:
    """One student's submission as found in the input, and who it belongs to."""

    id: str  # names results/<id>.json and the CSV row
    path: Path  # the file, folder or zip handed to the engine
    name: str = ""  # from Gradescope's metadata; "; " between the members of a group
    email: str = ""


@dataclass(frozen=True)
class BatchSummary:
    """What one run did."""

    found: int
    graded: int  # graded in this run
    skipped: int  # already graded from the same bytes by the same suite
    errors: int  # submissions (of all found) whose result is an error
    interrupted: bool
    seconds: float


# ---------------------------------------------------------------- the run


def grade_batch(
    assignment: Assignment,
    submissions: Path,
    *,
    out: Path,
    jobs: int,
    force: bool,
    sandbox_factory: SandboxFactory | None = None,
    console: Console | None = None,
) -> BatchSummary:
    """Grade every submission in ``submissions`` into ``out``; see the module docstring.

    ``sandbox_factory`` replaces the real sandbox, for tests of this module only.
    Ctrl-C or SIGTERM stops the run after writing the CSV and report of what is graded;
    the summary then says ``interrupted``.
    """
    console = console or Console()
    started = time.monotonic()
    submissions, out = submission_path(submissions), out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    claim_output(out, submissions)
    with tempfile.TemporaryDirectory(prefix="autograder-batch-") as staging:
        found = find_submissions(submissions, Path(staging), exclude=out)
        suite = suite_fingerprint(assignment)
        keys = {s.id: {"input": input_digest(s.path), "suite": suite} for s in found}
        todo = [s for s in found if force or not is_current(out, s.id, keys[s.id])]
        private = (out, submissions if submissions.is_dir() else submissions.parent, Path(staging))
        graded, interrupted = 0, False
        try:
            with _interrupt_on_sigterm(), _progress(console, len(todo)) as advance:
                if todo:
                    with WorkerPool(assignment, min(jobs, len(todo)), private, sandbox_factory,
                                    scratch=Path(staging)) as pool:
                        for submission, result in pool.grade(todo):
                            store_result(out, submission.id, result, keys[submission.id])
                            graded += 1
                            advance(submission.id)
        except KeyboardInterrupt:
            interrupted = True
        rows = load_rows(out, found)
        write_csv(out / "grades.csv", assignment, rows)
        write_html(out / "report.html", assignment, rows)
    summary = BatchSummary(found=len(found), graded=graded, skipped=len(found) - len(todo),
                           errors=sum(not r.result.graded for r in rows), interrupted=interrupted,
                           seconds=time.monotonic() - started)
    _print_summary(console, assignment, rows, summary, out)
    return summary


@contextlib.contextmanager
def _progress(console: Console, total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar with an ETA; yields the function that counts one submission done."""
    columns = (TextColumn("[bold]grading[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("elapsed"),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[last]}"))
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("grading", total=total, last="")
        yield lambda done: progress.update(task, advance=1, last=f"last: {escape(printable(done))}")  # ids are file names


@contextlib.contextmanager
def _interrupt_on_sigterm() -> Iterator[None]:
    """Treat SIGTERM (``kill``) like Ctrl-C for the duration, so both end the run cleanly."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_summary(console: Console, assignment: Assignment, rows: Sequence[Row], summary: BatchSummary,
                   out: Path) -> None:
    """The table a TA reads when the run ends: counts, scores, time, and where things are."""
    scores = [r.result.score for r in rows if r.result.graded]
    table = Table(title=f"{assignment.name}: batch grading " + ("interrupted" if summary.interrupted else "done"),
                  show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("submissions", str(summary.found))
    table.add_row("graded in this run", str(summary.graded))
    table.add_row("already graded (skipped)", str(summary.skipped))
    table.add_row("not graded yet", str(summary.found - len(rows)))
    table.add_row("errors", str(summary.errors))
    if scores:
        table.add_row("mean / median score", f"{statistics.fmean(scores):.1f} / {statistics.median(scores):.1f}"
                      f" of {assignment.total_points:g}")
    rate = f" ({summary.graded / summary.seconds * 60:.1f} per minute)" if summary.graded else ""
    table.add_row("time", f"{summary.seconds:.1f} s{rate}")
    table.add_row("written", f"{out / 'grades.csv'}\n{out / 'report.html'}\n{out / RESULTS_DIR}/")
    console.print(table)
    if summary.interrupted:
        console.print("Interrupted: run the same command again to grade the rest.", style="yellow")


# ---------------------------------------------------------------- finding submissions


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
    candidates = [folder] + ([entries[0]] if len(entries) == 1 and _is_folder(entries[0]) else [])
    return next((c for c in candidates if _is_export(c)), None)


def _is_export(folder: Path) -> bool:
    """An export's real shape: ``submission_metadata.yml`` (a regular file) and folders
    named ``submission_<digits>``, nothing else."""
    entries = _entries(folder)
    metadata = folder / GRADESCOPE_METADATA
    return metadata in entries and stat.S_ISREG(os.lstat(metadata).st_mode) and all(
        p == metadata or (_is_folder(p) and EXPORT_FOLDER.fullmatch(p.name)) for p in entries)


def _export_submissions(export: Path) -> list[Submission]:
    """One submission per folder of the export, named from the metadata when it knows them."""
    people = read_gradescope_metadata(export / GRADESCOPE_METADATA)
    folders = [p for p in _entries(export) if _is_folder(p)]
    return [Submission(f.name, f, *people.get(f.name, ("", ""))) for f in folders]


def read_gradescope_metadata(path: Path) -> dict[str, tuple[str, str]]:
    """``{submission folder: (names, emails)}`` from ``submission_metadata.yml``.

    Gradescope writes it from Ruby, so keys may be symbols (``:submitters:``, ``:name:``);
    both spellings are read. Members of a group are joined with "; ". The file is read
    only when it is at most ``MAX_METADATA_BYTES``, and parsed by ``yaml.safe_load``'s
    loader with its aliases expanding to at most ``MAX_METADATA_NODES`` nodes; every value
    used is checked for its type and a name or email for its length.
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
    people = {}
    for key, entry in document.items():
        folder = key.lstrip(":") if isinstance(key, str) else ""
        if not EXPORT_FOLDER.fullmatch(folder):
            raise AutograderError(f"{path}: an entry is not named submission_<digits>: {str(key)[:40]!r}")
        submitters = _plain_keys(entry).get("submitters") or []
        if not isinstance(submitters, list) or not all(isinstance(s, dict) for s in submitters):
            raise AutograderError(f"{path}: {folder}: submitters are not a list of people")
        people[folder] = tuple("; ".join(_field(path, folder, _plain_keys(s), field) for s in submitters
                                         if _plain_keys(s).get(field)) for field in ("name", "email"))
    return people


def _field(path: Path, folder: str, submitter: dict[str, Any], field: str) -> str:
    """A submitter's name or email, checked to be text of at most ``MAX_PERSON_CHARS``."""
    value = submitter[field]
    if not isinstance(value, str) or len(value) > MAX_PERSON_CHARS:
        raise AutograderError(f"{path}: {folder}: a submitter's {field} is not text of at most "
                              f"{MAX_PERSON_CHARS} characters")
    return value


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
    entries = [p for p in _entries(folder) if _is_submission(p) and not (_is_folder(p) and p.resolve() == skip)]
    return [Submission(id_, p) for id_, p in zip(_unique_ids(entries), entries)]


def _unique_ids(entries: Sequence[Path]) -> list[str]:
    """Each entry's stem (a folder's name), or its full name when the stem is another
    entry's stem or name (``ann.py`` and ``ann/``; ``y.zip`` and ``y.zip.py``). Names in
    one folder differ, and a stem is kept only when it is nobody else's stem or name, so
    ids are unique by construction. A name that is not UTF-8 is shown with its odd bytes
    escaped (``\\xff``); should that meet another name, ``~2``, ``~3``... tell them apart."""
    readable = [Path(_text(p.name)) for p in entries]
    stems = [name.name if _is_folder(p) else name.stem for p, name in zip(entries, readable)]
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
    return _is_folder(entry) or suffix in SUBMISSION_SUFFIXES or (entry.is_symlink() and not suffix)


def _is_folder(entry: Path) -> bool:
    """A real folder, not a link to one."""
    return stat.S_ISDIR(os.lstat(entry).st_mode)


def _entries(folder: Path) -> list[Path]:
    """The visible entries of a folder, sorted (no dot-files, no ``__MACOSX``)."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in IGNORED_NAMES)


# ---------------------------------------------------------------- results on disk


def claim_output(out: Path, source: Path) -> None:
    """Make ``out`` the output folder of the input ``source``, or refuse when it holds the
    results of another input: a result is never overwritten or dropped by grading
    something else into the same folder (ids only mean something within one input).

    The input is recorded by its absolute path and by its path relative to ``out``; either
    identifies it, so the output folder alone, or a course folder holding both, can be
    moved or copied and still resume."""
    identity = {"input": str(source), "from_out": os.path.relpath(source, out)}
    recorded = _recorded_input(out)
    if recorded == identity:
        return
    results = out / RESULTS_DIR
    if not any(recorded.get(k) == v for k, v in identity.items()) and results.is_dir() and any(results.iterdir()):
        shown = recorded.get("input") or "an input it does not name"
        raise AutograderError(f"{out} already holds the results of {shown}; grade {source} into another --out folder")
    write_json_atomic(out / INPUT_RECORD, identity)


def _recorded_input(out: Path) -> dict[str, str]:
    """The input ``out`` records (``claim_output``); empty when none or unreadable."""
    try:
        recorded = json.loads((out / INPUT_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in recorded.items() if isinstance(v, str)} if isinstance(recorded, dict) else {}


def input_digest(path: Path) -> str:
    """sha256 of a submission as submitted: a file's bytes, or each file of a folder with
    its relative path, a link's target as text (never followed). Decides "same submission
    bytes" before anything is graded; what cannot be read is hashed as its error."""
    digest = hashlib.sha256()
    try:
        if path.is_symlink():
            digest.update(b"L:" + os.fsencode(os.readlink(path)))
        elif _is_folder(path):
            listing = walk_submission(path)
            for relative in listing.files:
                _digest_file(digest, path / relative, relative.as_posix())
            for relative in listing.links:
                name = os.fsencode(relative.as_posix())
                digest.update(b"L%d:%s" % (len(name), name) + os.fsencode(os.readlink(path / relative)))
        else:
            _digest_file(digest, path, "")
    except (SubmissionError, OSError) as exc:
        digest.update(os.fsencode(f"unreadable: {exc}"))
    return digest.hexdigest()


def _digest_file(digest: Any, file: Path, name: str) -> None:
    encoded = os.fsencode(name)
    with open_regular(file, name or file.name) as handle:
        digest.update(b"%d:%s" % (len(encoded), encoded) + hashlib.file_digest(handle, "sha256").digest())


def result_path(out: Path, submission_id: str) -> Path:
    return out / RESULTS_DIR / f"{submission_id}.json"


def _state_path(out: Path, submission_id: str) -> Path:
    return out / STATE_DIR / f"{submission_id}.json"


def is_current(out: Path, submission_id: str, key: dict[str, str]) -> bool:
    """Whether ``out`` holds a result graded from the submission and suite ``key`` names."""
    try:
        state = json.loads(_state_path(out, submission_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return state == key and result_path(out, submission_id).is_file()


def store_result(out: Path, submission_id: str, result: SubmissionResult, key: dict[str, str]) -> None:
    """Write the result, then (if it is final) what it was graded from; both atomically."""
    state = _state_path(out, submission_id)
    state.unlink(missing_ok=True)
    write_json_atomic(result_path(out, submission_id), result.to_gradescope())
    if _final(result):
        write_json_atomic(state, key)


def _final(result: SubmissionResult) -> bool:
    """False when the grader, not the submission, failed: such a result is retried."""
    from autograder.runner import GRADER_FAILED

    return result.status not in (f"error: {GRADER_FAILED}", f"error: {WORKER_DIED}")


def load_rows(out: Path, submissions: Sequence[Submission]) -> list[Row]:
    """The stored result of each submission that has one, for the CSV and the report."""
    rows = []
    for submission in submissions:
        try:
            document = json.loads(result_path(out, submission.id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        rows.append(Row(submission.id, SubmissionResult.from_gradescope(document), submission.name,
                        submission.email))
    return rows
