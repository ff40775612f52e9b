"""What goes into a gradebook: grades.csv, and changes.csv after a regrade.

grades.csv has one row per student (each member of a group gets the group's row), the
same columns in the same order on every run (``grade_columns``), totals to 2 decimals and
per-question scores rounded so that they add up to the total as shown (``rounded``).
changes.csv lists the submissions a regrade changed: old and new total, and the tests
whose outcome changed (``compare``), so that an instructor who loosens one test sees
exactly whom it affected.

Every text cell a student controls (a name, a file name, a message quoting their code)
that would start a spreadsheet formula is quoted (``cell``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from autograder.discovery import Person
from autograder.report import Row, write_atomic
from autograder.results import SubmissionResult
from autograder.spec import Assignment

DIGITS = 2  # decimals of every score in the CSVs
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads such a cell as a formula
PEOPLE_COLUMNS = ("submission", "name", "email", "sid", "submitted_at")
RESULT_COLUMNS = ("total", "max_total", "status", "reason", "similar_to")
CHANGE_COLUMNS = ("submission", "name", "old_total", "new_total", "difference", "old_status", "new_status",
                  "tests_changed")


def grade_columns(assignment: Assignment) -> list[str]:
    """grades.csv's header: who, one column per question, then the totals and status."""
    return [*PEOPLE_COLUMNS, *assignment.questions, *RESULT_COLUMNS]


def write_grades(path: Path, assignment: Assignment, rows: Sequence[Row]) -> None:
    """grades.csv: one row per student of every result, sorted by submission then name."""
    table = [grade_columns(assignment)]
    for row in sorted(rows, key=lambda r: r.submission):
        scores, total = rounded(row.result, assignment.questions)
        similar = "; ".join(f"{other} ({share:.0%})" for other, share in row.similar_to)
        result = [*(_number(scores[q]) for q in assignment.questions), _number(total),
                  _number(round(row.result.max_score, DIGITS)), row.result.kind, cell(row.result.reason),
                  cell(similar)]
        for person in row.people or (Person(name=row.name),):
            table.append([cell(row.submission), cell(person.name), cell(person.email), cell(person.sid),
                          row.submitted_at, *result])
    write_csv(path, table)


def rounded(result: SubmissionResult, questions: Sequence[str]) -> tuple[dict[str, float], float]:
    """Per-question scores and the total to ``DIGITS`` decimals, the questions' adding up
    to the total exactly: the cents lost or gained by rounding each question go to the
    questions whose rounding moved them most (largest remainder)."""
    unit = 10 ** DIGITS
    exact = {q.name: q.score * unit for q in result.questions if q.name in questions}
    cents = {name: round(value) for name, value in exact.items()}
    total = round(sum(exact.values()))
    short = total - sum(cents.values())
    by_error = sorted(exact, key=lambda name: (exact[name] - cents[name]) * (1 if short > 0 else -1), reverse=True)
    for name in by_error[:abs(short)]:
        cents[name] += 1 if short > 0 else -1
    return {q: cents.get(q, 0) / unit for q in questions}, total / unit


@dataclass(frozen=True)
class Change:
    """How a regrade changed one submission's result."""

    submission: str
    name: str
    old: SubmissionResult
    new: SubmissionResult
    tests: tuple[str, ...]  # tests that passed and now fail, fail and now pass, or appeared or went

    @property
    def difference(self) -> float:
        return round(self.new.score, DIGITS) - round(self.old.score, DIGITS)


def compare(row: Row, old: SubmissionResult) -> Change | None:
    """What changed between ``old`` and the row's new result; None when no score, status
    or test outcome did."""
    before = {t.name: t.passed for t in old.tests}
    after = {t.name: t.passed for t in row.result.tests}
    tests = tuple(name for name in dict.fromkeys([*before, *after]) if before.get(name) != after.get(name))
    change = Change(row.submission, row.name, old, row.result, tests)
    same = change.difference == 0 and old.status == row.result.status
    return None if same and not tests else change


def write_changes(path: Path, changes: Sequence[Change]) -> None:
    """changes.csv: one row per submission a regrade changed, biggest drop first."""
    table = [list(CHANGE_COLUMNS)]
    for change in sorted(changes, key=lambda c: (c.difference, c.submission)):
        table.append([cell(change.submission), cell(change.name), _number(round(change.old.score, DIGITS)),
                      _number(round(change.new.score, DIGITS)), _number(round(change.difference, DIGITS)),
                      change.old.kind, change.new.kind, cell("; ".join(change.tests))])
    write_csv(path, table)


def describe_changes(changes: Sequence[Change]) -> str:
    """One line for the terminal: "12 scores changed: 9 up, 3 down" (and the rest)."""
    up = sum(c.difference > 0 for c in changes)
    down = sum(c.difference < 0 for c in changes)
    moved = up + down
    line = f"{moved} score{'' if moved == 1 else 's'} changed: {up} up, {down} down" if moved else "no score changed"
    if len(changes) > moved:
        line += f"; {len(changes) - moved} more with other test outcomes or status, same total"
    return line


def cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: one starting like a formula (``=HYPERLINK(...)``,
    ``+``, ``-``, ``@``, tab, carriage return) gets a leading quote (OWASP's CSV injection advice)."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _number(value: float) -> str:
    """A score as people and spreadsheets want it: 14, 9.33, 0."""
    return f"{value:.{DIGITS}f}".rstrip("0").rstrip(".") if value else "0"


def write_csv(path: Path, table: Sequence[Sequence[str]]) -> None:
    """Write a whole CSV file or nothing: a reader never sees half of it."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    write_atomic(path, buffer.getvalue())
