"""Batch grading for TAs: every submission of a folder, a Gradescope export or one file.

``grade_batch`` finds the submissions, skips those already graded, grades the rest in the
worker processes of ``autograder.pool`` (each submission in its own sandbox, as the engine
does), writes each result the moment it arrives, and at the end rebuilds ``grades.csv``
and ``report.html`` from every result. The output folder holds::

    grades.csv, report.html      rebuilt from results/ at the end of every run
    results/<submission>.json    Gradescope's results.json: SubmissionResult.to_gradescope()
    .state/<submission>.json     what that result was graded from (see below)

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
import signal
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

from autograder.errors import AutograderError
from autograder.pool import WORKER_DIED, SandboxFactory, WorkerPool
from autograder.report import Row, write_csv, write_html
from autograder.results import SubmissionResult, write_json_atomic
from autograder.spec import Assignment, suite_fingerprint

GRADESCOPE_METADATA = "submission_metadata.yml"
SUBMISSION_SUFFIXES = (".py", ".ipynb", ".zip")
IGNORED_NAMES = {"__MACOSX", "__pycache__"}
RESULTS_DIR, STATE_DIR = "results", ".state"


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
    submissions, out = submissions.resolve(), out.resolve()
    out.mkdir(parents=True, exist_ok=True)
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
        yield lambda done: progress.update(task, advance=1, last=f"last: {escape(done)}")  # ids are file names


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
    """The submissions in ``source``, sorted by id.

    ``source`` is a Gradescope "Export Submissions" folder or zip (folders plus
    ``submission_metadata.yml``, which gives names and emails), a folder with one entry per
    student (a ``.py``/``.ipynb``/``.zip`` file: id = its stem; a folder: id = its name), or
    one file. A zip export is extracted into ``staging``; ``exclude`` (the output folder)
    is never taken for a submission.
    """
    if source.is_file():
        if zipfile.is_zipfile(source) and _zip_is_export(source):
            with zipfile.ZipFile(source) as archive:
                archive.extractall(staging / "export")  # drops absolute and ".." member paths
            source = staging / "export"
        else:
            return [Submission(source.stem, source)]
    metadata = _find_metadata(source)
    if metadata is not None:
        return _export_submissions(metadata)
    return _folder_submissions(source, exclude)


def _zip_is_export(archive: Path) -> bool:
    with zipfile.ZipFile(archive) as zf:
        return any(name.count("/") <= 1 and name.rsplit("/", 1)[-1] == GRADESCOPE_METADATA for name in zf.namelist())


def _find_metadata(folder: Path) -> Path | None:
    """The export's metadata file: in ``folder``, or in its only sub-folder (an unzipped
    export holds one ``assignment_<id>_export`` folder)."""
    entries = _entries(folder)
    candidates = [folder] + ([entries[0]] if len(entries) == 1 and entries[0].is_dir() else [])
    return next((c / GRADESCOPE_METADATA for c in candidates if (c / GRADESCOPE_METADATA).is_file()), None)


def _export_submissions(metadata: Path) -> list[Submission]:
    """One submission per folder of the export, named from the metadata when it knows them."""
    people = read_gradescope_metadata(metadata)
    folders = [p for p in _entries(metadata.parent) if p.is_dir()]
    return [Submission(f.name, f, *people.get(f.name, ("", ""))) for f in folders]


def read_gradescope_metadata(path: Path) -> dict[str, tuple[str, str]]:
    """``{submission folder: (names, emails)}`` from ``submission_metadata.yml``.

    Gradescope writes it from Ruby, so keys may be symbols (``:submitters:``, ``:name:``);
    both spellings are read. Members of a group are joined with "; ".
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise AutograderError(f"{path}: not a readable Gradescope metadata file: {exc}") from None
    if not isinstance(data, dict):
        raise AutograderError(f"{path}: expected one entry per submission folder, got {type(data).__name__}")
    people = {}
    for folder, entry in data.items():
        submitters = [_plain_keys(s) for s in _plain_keys(entry).get("submitters") or () if isinstance(s, dict)]
        people[str(folder).lstrip(":")] = tuple(
            "; ".join(str(s[field]) for s in submitters if s.get(field)) for field in ("name", "email")
        )
    return people


def _plain_keys(entry: Any) -> dict[str, Any]:
    """A YAML mapping with Ruby-symbol keys (``:name``) read as plain ones (``name``)."""
    return {str(k).lstrip(":"): v for k, v in entry.items()} if isinstance(entry, dict) else {}


def _folder_submissions(folder: Path, exclude: Path | None) -> list[Submission]:
    """One submission per student file or folder; when two entries share a stem (``ann.py``
    and ``ann/``), both keep their full names as ids."""
    skip = exclude.resolve() if exclude else None
    entries = [p for p in _entries(folder)
               if p.resolve() != skip and (p.is_dir() or p.suffix.lower() in SUBMISSION_SUFFIXES)]
    stems = [p.name if p.is_dir() else p.stem for p in entries]
    return [Submission(stem if stems.count(stem) == 1 else p.name, p) for p, stem in zip(entries, stems)]


def _entries(folder: Path) -> list[Path]:
    """The visible entries of a folder, sorted (no dot-files, no ``__MACOSX``)."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in IGNORED_NAMES)


# ---------------------------------------------------------------- results on disk


def input_digest(path: Path) -> str:
    """sha256 of a submission as submitted: a file's bytes, or each file of a folder with
    its relative path. Decides "same submission bytes" before anything is graded."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        name = file.relative_to(path).as_posix().encode() if file != path else b""
        with file.open("rb") as handle:
            digest.update(b"%d:%s" % (len(name), name) + hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


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
