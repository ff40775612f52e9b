"""Batch grading for TAs: every submission of a folder, a Gradescope export or one file.

``grade_batch`` finds the submissions, skips those already graded, grades the rest in the
worker processes of ``autograder.pool`` (each submission in its own sandbox, as the engine
does), writes each result the moment it arrives, finds similar submissions
(``autograder.similarity``, in a thread while the pool grades: they depend on the code
alone) and at the end rebuilds ``grades.csv`` and ``report.html`` from every result. The
output folder holds::

    grades.csv, report.html      rebuilt from results/ at the end of every run
    feedback/<submission>.html   what Gradescope shows each student, rebuilt with the report
    changes.csv                  what the last run that replaced results changed (``gradebook.compare``)
    results/<submission>.json    Gradescope's results.json: SubmissionResult.to_gradescope()
    .state/<submission>.json     what that result was graded from (see below)
    .input.json                  the input these results belong to (see ``claim_output``)

One output folder, one input. Ids name results only within their input (two exports both
have a ``submission_1001``; a student's zip can be made to look like an export), so a run
whose ``--out`` already holds results of another input stops before anything is graded
and asks for another folder (``claim_output``): grading something else never overwrites
or drops a stored result. Running the same input again (a folder that gained late
submissions, a re-downloaded export at the same path) resumes as described below.

Untrusted input. Submissions and exports come from students: how they are found, and
what of them is trusted, is ``autograder.discovery``'s.

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
import os
import signal
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from autograder.discovery import Submission, find_submissions, is_folder
from autograder.errors import AutograderError, SubmissionError
from autograder.gradebook import Change, compare, describe_changes, write_changes, write_grades
from autograder.pool import WORKER_DIED, SandboxFactory, WorkerPool
from autograder.report import FEEDBACK_DIR, Row, printable, write_html
from autograder.results import ERROR, NOT_IMPORTABLE, SubmissionResult, write_json_atomic
from autograder.similarity import Pair, similar_pairs
from autograder.spec import Assignment, suite_fingerprint
from autograder.submissions import open_regular, prepare_submission, submission_path, walk_submission
from autograder.template import default_release_dir

RESULTS_DIR, STATE_DIR, INPUT_RECORD = "results", ".state", ".input.json"
GRADES_CSV, CHANGES_CSV, REPORT_HTML = "grades.csv", "changes.csv", "report.html"
LISTED_PROBLEMS = 10  # submissions not graded listed by name at the end of a run


@dataclass(frozen=True)
class BatchSummary:
    """What one run did."""

    found: int
    graded: int  # graded in this run
    skipped: int  # already graded from the same bytes by the same suite
    errors: int  # submissions (of all found) whose result is an error
    interrupted: bool
    seconds: float
    not_importable: int = 0  # submissions (of all found) whose file did not import
    similar_pairs: int = 0
    changes: tuple[Change, ...] | None = None  # what regrading changed; None when no result was replaced


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
    remove_unfinished_writes(out)
    with tempfile.TemporaryDirectory(prefix="autograder-batch-") as staging:
        found = find_submissions(submissions, Path(staging), exclude=out)
        suite = suite_fingerprint(assignment)
        keys = {s.id: {"input": input_digest(s.path), "suite": suite} for s in found}
        todo = [s for s in found if force or not is_current(out, s.id, keys[s.id])]
        previous = {s.id: old for s in todo if (old := load_result(out, s.id)) is not None}
        private = (out, submissions if submissions.is_dir() else submissions.parent, Path(staging))
        regraded: list[str] = []
        interrupted = False
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="similarity") as background:
            similar = background.submit(_similar_pairs, assignment, found, Path(staging) / "similarity")
            try:
                with _interrupt_on_sigterm(), _progress(console, len(todo)) as advance:
                    if todo:
                        with WorkerPool(assignment, min(jobs, len(todo)), private, sandbox_factory,
                                        scratch=Path(staging)) as pool:
                            for submission, result in pool.grade(todo):
                                store_result(out, submission.id, result, keys[submission.id])
                                regraded.append(submission.id)
                                advance(submission.id)
            except KeyboardInterrupt:
                interrupted = True
            pairs = similar.result()
        rows = load_rows(out, found, pairs)
    changes = _record_changes(out, rows, {i: previous[i] for i in regraded if i in previous})
    write_grades(out / GRADES_CSV, assignment, rows)
    write_html(out, assignment, rows, pairs)
    summary = BatchSummary(found=len(found), graded=len(regraded), skipped=len(found) - len(todo),
                           errors=sum(r.result.kind == ERROR for r in rows), interrupted=interrupted,
                           seconds=time.monotonic() - started,
                           not_importable=sum(r.result.kind == NOT_IMPORTABLE for r in rows),
                           similar_pairs=len(pairs), changes=changes)
    _print_summary(console, assignment, rows, summary, out)
    return summary


def _record_changes(out: Path, rows: Sequence[Row],
                    previous: dict[str, SubmissionResult]) -> tuple[Change, ...] | None:
    """Compare the results this run replaced with the new ones; when there were any, write
    changes.csv (the last regrade's changes stay until the next regrade)."""
    if not previous:
        return None
    changes = tuple(c for row in rows if row.submission in previous and (c := compare(row, previous[row.submission])))
    write_changes(out / CHANGES_CSV, changes)
    return changes


def _similar_pairs(assignment: Assignment, found: Sequence[Submission], scratch: Path) -> list[Pair]:
    """The similar pairs among ``found``. They depend on the code alone, not on the grades,
    so they are found in a thread while the pool grades: the main process only waits for
    results meanwhile, and reading a class's files (tokenising them) takes seconds."""
    return similar_pairs(_sources(assignment, found, scratch), _template(assignment), file_name=assignment.student_file)


def _sources(assignment: Assignment, found: Sequence[Submission], scratch: Path) -> dict[str, str]:
    """The code each submission would be graded from (the file the engine picks), as text;
    a submission with no such file is left out."""
    sources = {}
    for number, submission in enumerate(found):
        try:
            prepared = prepare_submission(submission.path, assignment.student_file, scratch / str(number),
                                          assignment.questions)
            sources[submission.id] = prepared.file.read_text(encoding="utf-8", errors="replace")
        except (SubmissionError, OSError):
            continue
    return sources


def _template(assignment: Assignment) -> str:
    """The starter code students received (empty when the release was never generated)."""
    try:
        return (default_release_dir(assignment) / assignment.student_file).read_text(encoding="utf-8")
    except OSError:
        return ""


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
    """What a TA reads when the run ends: counts, scores, time, where things are, then the
    submissions that were not graded with their reasons, and what a regrade changed."""
    scores = [r.result.score for r in rows if r.result.graded]
    table = Table(title=f"{assignment.name}: batch grading " + ("interrupted" if summary.interrupted else "done"),
                  show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("submissions", str(summary.found))
    table.add_row("graded in this run", str(summary.graded))
    table.add_row("already graded (skipped)", str(summary.skipped))
    table.add_row("not graded yet", str(summary.found - len(rows)))
    table.add_row("not importable", str(summary.not_importable))
    table.add_row("errors", str(summary.errors))
    table.add_row("similar pairs", str(summary.similar_pairs))
    if scores:
        table.add_row("mean / median score", f"{statistics.fmean(scores):.1f} / {statistics.median(scores):.1f}"
                      f" of {assignment.total_points:g} (graded submissions)")
    rate = f" ({summary.graded / summary.seconds * 60:.1f} per minute)" if summary.graded else ""
    table.add_row("time", f"{summary.seconds:.1f} s{rate}")
    written = [GRADES_CSV, *([CHANGES_CSV] if summary.changes is not None else []), REPORT_HTML]
    table.add_row("written", "\n".join(printable(str(out / name)) for name in written) + f"\n{out / RESULTS_DIR}/")
    console.print(table)
    problems = [r for r in rows if not r.result.graded]
    for row in problems[:LISTED_PROBLEMS]:
        console.print(f"{escape(printable(row.submission))}: {row.result.kind}: {escape(printable(row.result.reason))}",
                      style="red" if row.result.kind == ERROR else "yellow", highlight=False)
    if len(problems) > LISTED_PROBLEMS:
        console.print(f"... and {len(problems) - LISTED_PROBLEMS} more: see {REPORT_HTML}")
    if summary.changes is not None:
        console.print(f"Regrade: {describe_changes(summary.changes)} (see {CHANGES_CSV})", style="bold")
    if summary.interrupted:
        console.print("Interrupted: run the same command again to grade the rest.", style="yellow")


# ---------------------------------------------------------------- results on disk


def remove_unfinished_writes(out: Path) -> None:
    """Remove the temporary files of writes a killed run left half done (every file here is
    written to ``.<name>.*tmp`` first and renamed into place): they are no result."""
    for folder in (out, out / RESULTS_DIR, out / STATE_DIR, out / FEEDBACK_DIR):
        for leftover in folder.glob(".*.tmp") if folder.is_dir() else ():
            leftover.unlink(missing_ok=True)


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
        elif is_folder(path):
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


def load_result(out: Path, submission_id: str) -> SubmissionResult | None:
    """The stored result of a submission; None when there is none or it cannot be read."""
    try:
        return SubmissionResult.from_gradescope(json.loads(result_path(out, submission_id).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_rows(out: Path, submissions: Sequence[Submission], pairs: Sequence[Pair] = ()) -> list[Row]:
    """The stored result of each submission that has one, for the CSV and the report, with
    the submissions each one's code is nearly the same as."""
    similar: dict[str, list[tuple[str, float]]] = {}
    for pair in pairs:
        similar.setdefault(pair.left, []).append((pair.right, pair.similarity))
        similar.setdefault(pair.right, []).append((pair.left, pair.similarity))
    rows = []
    for submission in submissions:
        result = load_result(out, submission.id)
        if result is not None:
            rows.append(Row(submission.id, result, submission.people, submission.submitted_at,
                            tuple(similar.get(submission.id, ()))))
    return rows
