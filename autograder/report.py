"""Grades as people read them: one result in the terminal, a batch as report.html.

Everything here reads ``SubmissionResult`` objects and writes text; nothing grades (the
CSVs are ``autograder.gradebook``'s). The report is for triage: who needs attention
first, with one-line reasons, then what the class got wrong, then everything, in a
table sortable by any column; each submission links to a page of its own feedback,
exactly what Gradescope shows the student (``feedback/<submission>.html``). Both are
self-contained: inline CSS, SVG and a few lines of script, nothing fetched.

All text a student controls (feedback quoting their values, what their code printed,
file names, their code) goes into the terminal as plain ``rich.text.Text`` (never markup)
with its control characters replaced (no escape sequence reaches the TA's terminal;
``printable`` for a name on one line), and into the HTML through jinja2's autoescaping
(never ``|safe``).
"""

from __future__ import annotations

import functools
import os
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import jinja2
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from autograder.discovery import Person
from autograder.results import ERROR, NOT_IMPORTABLE, SubmissionResult, TestResult
from autograder.spec import Assignment

if TYPE_CHECKING:  # copydetect (and the matplotlib it imports) only where similarity is computed
    from autograder.similarity import Pair

TEMPLATES = Path(__file__).resolve().parent / "templates"
HISTOGRAM_BINS = 10
TOP_FAILURES = 15
TOP_SLOWEST = 10
EXAMPLE_CHARS = 600
NUMBER = re.compile(r"-?\d+(\.\d+)?")
# Control characters but tab and newline, bidi overrides, and the lone surrogates that stand
# for bytes of a file name that are not UTF-8 (no terminal, file or JSON reader wants them).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
NAME_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")  # no line breaks either
SHOWN_NAMES = 4  # names of tests shown per group of identical failures
FEEDBACK_DIR = "feedback"  # beside report.html: one page per submission
LOW_SCORE_SHARE = 0.5  # a graded score under this share of the total needs attention
SIDE_BY_SIDE_PAIRS = 20  # similar pairs shown side by side (all are listed)
ABORT_WORDS = {"timeout": "calls timed out", "memory": "calls ran out of memory", "crash": "calls crashed"}
# What the student sees of a test, by its visibility (Gradescope's four values).
VISIBILITY = {"visible": "", "after_due_date": "hidden until the due date",
              "after_published": "hidden until grades are published", "hidden": "never shown to the student"}


@dataclass(frozen=True)
class Row:
    """One submission of a batch: its id, its result, who submitted it and when (when the
    input says), and the submissions its code is nearly the same as."""

    submission: str
    result: SubmissionResult
    people: tuple[Person, ...] = ()
    submitted_at: str = ""
    similar_to: tuple[tuple[str, float], ...] = ()  # (other submission, similarity)

    @property
    def name(self) -> str:
        """The submitters' names, or the file or folder name when the input names nobody."""
        return "; ".join(p.name for p in self.people if p.name) or self.submission

    @property
    def email(self) -> str:
        return "; ".join(p.email for p in self.people if p.email)


# ---------------------------------------------------------------- one result, in the terminal


def print_result(result: SubmissionResult, console: Console | None = None, *, every_failure: bool = False) -> None:
    """Print one result for a TA: score, per-question table, failed tests with their
    feedback, misconceptions, notes and what the code printed. A failing question shows
    its first failed test and how many more failed; ``every_failure`` shows them all,
    grouped by message."""
    console = console or Console()
    style = "green" if result.graded and result.score == result.max_score else "yellow" if result.graded else "red"
    console.print(Text(f"{result.assignment}: {_points(result.score, 2)} / {_points(result.max_score)}",
                       style=f"bold {style}"))
    if not result.graded:
        console.print(_text(result.status, "red"))
    for line in result.summary.splitlines():
        if line.startswith("Note: "):
            console.print(_text(line, "cyan"))
    console.print(_question_table(result))
    failed = [t for t in result.tests if not t.passed] if result.kind != ERROR else []
    panels = ([_message_panel(tests) for tests in _failures_by_message(failed)] if every_failure else
              [_first_failure_panel(firsts) for firsts in _first_failures(failed)])
    for panel in panels:
        console.print(panel)
    if not every_failure and len(panels) < len(failed):
        console.print(_text(f"Shown: the first failed test of each question; {len(failed)} tests failed in all "
                            "(--all shows every one).", "dim"))
    if result.misconceptions():
        console.print(Text("Misconceptions found:", style="bold magenta"))
        for misconception in result.misconceptions():
            console.print(_text(f"  - {misconception}"))
    if result.student_output:
        console.print(Panel(_text(result.student_output), title="What the code printed (truncated)",
                            title_align="left", border_style="dim"))
    if result.staff_notes:
        console.print(Panel(Group(*(_text(n) for n in result.staff_notes)), title="Notes for staff",
                            title_align="left", border_style="dim"))


def printable(text: str, *, lines: bool = False) -> str:
    """Text from a submission (a file name, an id, a message quoting one) safe to print in
    a terminal or write to a file: control characters, bidi overrides and bytes that are
    not UTF-8 become U+FFFD, and so do line breaks unless ``lines`` (a name stays on one
    line)."""
    return (CONTROL if lines else NAME_CONTROL).sub("\ufffd", text)


def _text(text: str, style: str = "") -> Text:
    """``text`` shown as written: no markup, and control characters as U+FFFD."""
    return Text(printable(text, lines=True), style=style)


def _failures_by_message(failed: Sequence[TestResult]) -> list[list[TestResult]]:
    """Failed tests grouped by the first line of their feedback (a module that does not
    import fails every test the same way: one panel, not seventy)."""
    groups: dict[str, list[TestResult]] = defaultdict(list)
    for test in failed:
        groups[_first_line(test.output)].append(test)
    return list(groups.values())


def _first_failures(failed: Sequence[TestResult]) -> list[list[list[TestResult]]]:
    """Failed tests by question, in test order; questions whose first failures begin with
    the same line (a module that does not import) together."""
    by_question: dict[str, list[TestResult]] = defaultdict(list)
    for test in failed:
        by_question[test.question].append(test)
    together: dict[str, list[list[TestResult]]] = defaultdict(list)
    for tests in by_question.values():
        together[_first_line(tests[0].output)].append(tests)
    return list(together.values())


def _message_panel(tests: Sequence[TestResult]) -> Panel:
    """Tests that failed with one message: their names (the first few), the message and
    the misconceptions they show."""
    names = [t.name for t in tests[:SHOWN_NAMES]] + ([f"... and {len(tests) - SHOWN_NAMES} more"]
                                                      if len(tests) > SHOWN_NAMES else [])
    body = _text("\n".join(names), "bold")
    body.append(_text("\n" + (tests[0].output or "(no message)")))
    for misconception in dict.fromkeys(m for t in tests for m in t.misconceptions):
        body.append(_text(f"\nmisconception: {misconception}", "magenta"))
    title = f"{len(tests)} tests failed with this message" if len(tests) > 1 else None
    return Panel(body, title=title, title_align="left", border_style="red")


def _first_failure_panel(questions: Sequence[Sequence[TestResult]]) -> Panel:
    """The first failed test of one or more questions, with its feedback, titled with the
    questions, and how many more of their tests failed."""
    first = questions[0][0]
    body = _text(first.name, "bold")
    body.append(_text("\n" + (first.output or "(no message)")))
    for misconception in first.misconceptions:
        body.append(_text(f"\nmisconception: {misconception}", "magenta"))
    more = sum(len(tests) for tests in questions) - 1
    names = [tests[0].question for tests in questions]
    title = ", ".join(names) if len(names) <= SHOWN_NAMES else f"{len(names)} questions: {', '.join(names[:2])}, ..."
    return Panel(body, title=printable(title), title_align="left",
                 subtitle=f"and {more} more failing test{'s' * (more > 1)}" if more else None, subtitle_align="left",
                 border_style="red")


def _question_table(result: SubmissionResult) -> Table:
    """Points and tests passed per question; a column of forbidden APIs when one was used."""
    forbidden = any(q.forbidden for q in result.questions)
    table = Table(title="Per question", title_justify="left")
    table.add_column("question")
    for column in ("points", "of", "tests passed"):
        table.add_column(column, justify="right")
    if forbidden:
        table.add_column("forbidden API")
    for q in result.questions:
        style = "green" if q.score == q.max_score else "red" if q.score == 0 else "yellow"
        cells = [q.name, Text(f"{q.score:.2f}", style=style), _points(q.max_score), f"{q.passed}/{q.tests}"]
        table.add_row(*cells, *([_text(", ".join(q.forbidden), "red")] if forbidden else []))
    return table


def _points(value: float, digits: int = 4) -> str:
    """Points as people want them: 14, 9.3333."""
    return f"{round(value, digits):g}"


def write_atomic(path: Path, text: str) -> None:
    """Write a whole file or nothing: a reader never sees half of it."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8", newline="")
    os.replace(temporary, path)


# ---------------------------------------------------------------- a batch, as HTML


def write_html(out: Path, assignment: Assignment, rows: Sequence[Row], pairs: Sequence[Pair] = ()) -> None:
    """``out/report.html`` and one ``out/feedback/<submission>.html`` per row."""
    feedback = out / FEEDBACK_DIR
    feedback.mkdir(exist_ok=True)
    for row in rows:
        write_atomic(feedback / f"{row.submission}.html", render_feedback(row))
    write_atomic(out / "report.html", render_html(assignment, rows, pairs))


@functools.cache
def _environment() -> jinja2.Environment:
    """One environment per process: it compiles each template once (a class's feedback
    pages are rendered from one)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(assignment: Assignment, rows: Sequence[Row], pairs: Sequence[Pair] = ()) -> str:
    """The report page for ``rows``; every string from a submission is escaped."""
    graded = [r for r in rows if r.result.graded]
    scores = [r.result.score for r in graded]
    return _environment().get_template("report.html.j2").render(
        assignment=assignment,
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        rows=sorted(rows, key=lambda r: r.submission),
        feedback_dir=FEEDBACK_DIR,
        graded=len(graded),
        not_importable=sum(r.result.kind == NOT_IMPORTABLE for r in rows),
        errors=sum(r.result.kind == ERROR for r in rows),
        mean=statistics.fmean(scores) if scores else None,
        median=statistics.median(scores) if scores else None,
        attention=needs_attention(rows),
        histogram=histogram(scores, assignment.total_points),
        questions=question_stats(assignment, graded),
        failed_tests=failed_tests(graded)[:TOP_FAILURES],
        messages=failure_messages(graded)[:TOP_FAILURES],
        misconceptions=misconception_groups(graded),
        pairs=pairs,
        shown_pairs=pairs[:SIDE_BY_SIDE_PAIRS],
        slowest=sorted(rows, key=lambda r: r.result.seconds, reverse=True)[:TOP_SLOWEST],
    )


def render_feedback(row: Row) -> str:
    """What Gradescope shows the student of ``row``, read from the very results.json document
    it is given: the top-level output, then every test with its score and output; a test
    the student does not see yet (or ever) is marked so."""
    document = row.result.to_gradescope()
    tests = [{**test, "seen": VISIBILITY[test.get("visibility", document["visibility"])]} for test in document["tests"]]
    return _environment().get_template("feedback.html.j2").render(row=row, document=document, tests=tests)


@dataclass(frozen=True)
class Attention:
    """A submission a TA should look at, and why, in one line."""

    submission: str
    name: str
    reason: str
    rank: int  # which kind of problem: the lower, the more urgent


def needs_attention(rows: Sequence[Row]) -> list[Attention]:
    """Errors, then files that did not import, calls that did not finish, forbidden APIs,
    and scores under ``LOW_SCORE_SHARE`` of the total (lowest first); one entry per
    submission, its reasons joined."""
    found = []
    for row in rows:
        reasons = _reasons(row.result)
        if reasons:
            found.append(Attention(row.submission, row.name, "; ".join(text for _, text in reasons),
                                   min(rank for rank, _ in reasons)))
    scores = {r.submission: r.result.score for r in rows}
    return sorted(found, key=lambda a: (a.rank, scores[a.submission], a.submission))


def _reasons(result: SubmissionResult) -> list[tuple[int, str]]:
    """(rank, one line) for each reason to look at ``result``."""
    if result.kind == ERROR:
        return [(0, f"error: {result.reason}")]
    if result.kind == NOT_IMPORTABLE:
        return [(1, f"not importable: {result.reason}")]
    reasons = []
    aborted: dict[str, dict[str, None]] = defaultdict(dict)
    for test in result.tests:
        if test.aborted in ABORT_WORDS:
            aborted[test.aborted][test.question] = None
    for kind, questions in aborted.items():
        reasons.append((2, f"{ABORT_WORDS[kind]} in {', '.join(questions)}"))
    forbidden = [f"{q.name} ({', '.join(q.forbidden)})" for q in result.questions if q.forbidden]
    if forbidden:
        reasons.append((3, f"forbidden API: {'; '.join(forbidden)}"))
    if result.score < LOW_SCORE_SHARE * result.max_score:
        reasons.append((4, f"low score: {_points(result.score, 2)} / {_points(result.max_score)}"))
    return reasons


@dataclass(frozen=True)
class Bin:
    """One bar of the score distribution: scores in [low, high) (the last bin includes high)."""

    low: float
    high: float
    count: int


def histogram(scores: Sequence[float], max_score: float, bins: int = HISTOGRAM_BINS) -> list[Bin]:
    """Equal-width bins from 0 to ``max_score``; a score outside is put in the nearest bin."""
    width = max_score / bins
    counts = [0] * bins
    for score in scores:
        counts[min(bins - 1, max(0, int(score / width)))] += 1
    return [Bin(i * width, (i + 1) * width, n) for i, n in enumerate(counts)]


@dataclass(frozen=True)
class QuestionStat:
    """How a question went across the graded submissions."""

    name: str
    points: float
    mean: float
    full_marks: float  # fraction of submissions with every test of the question passed
    tests_passed: float  # fraction of the question's tests passed, over all submissions


def question_stats(assignment: Assignment, graded: Sequence[Row]) -> list[QuestionStat]:
    stats = []
    for name, points in assignment.points:
        scores = [r.result.question(name) for r in graded]
        tests = sum(q.tests for q in scores)
        stats.append(QuestionStat(
            name, points,
            mean=statistics.fmean(q.score for q in scores) if scores else 0.0,
            full_marks=sum(q.passed == q.tests for q in scores) / len(scores) if scores else 0.0,
            tests_passed=sum(q.passed for q in scores) / tests if tests else 0.0,
        ))
    return stats


@dataclass(frozen=True)
class Failure:
    """A test, or a kind of message, that failed in several submissions, with an example."""

    what: str  # the test's name, or the message's first line
    submissions: list[str]
    distinct: int  # distinct submitted files among them (a copied file counts once)
    tests: int  # failed tests counted in
    example: str  # one full message


def failed_tests(graded: Sequence[Row]) -> list[Failure]:
    """The tests that fail in the most distinct submissions, most first."""
    return _most_common(graded, lambda test: test.name, lambda test: test.name)


def failure_messages(graded: Sequence[Row]) -> list[Failure]:
    """Feedback messages by how many distinct submissions get them, most first; messages whose
    first lines differ only in their numbers (the generated inputs) count as one."""
    return _most_common(graded, lambda test: NUMBER.sub("#", _first_line(test.output)),
                        lambda test: _first_line(test.output))


def _most_common(graded: Sequence[Row], key: Callable[[TestResult], str],
                 label: Callable[[TestResult], str]) -> list[Failure]:
    """Failed tests grouped by ``key``, counted once per distinct submitted file (the
    engine's hash of it); each group shown by the ``label`` of its first test."""
    submissions: dict[str, dict[str, None]] = defaultdict(dict)  # an ordered set
    files: dict[str, set[str]] = defaultdict(set)
    tests: dict[str, int] = defaultdict(int)
    first: dict[str, TestResult] = {}
    counted: set[str] = set()
    for row in graded:
        file = row.result.fingerprint.get("submission") or row.submission
        for test in row.result.tests:
            if not test.passed:
                group = key(test)
                submissions[group][row.submission] = None
                files[group].add(file)
                tests[group] += file not in counted
                first.setdefault(group, test)
        counted.add(file)
    ranked = sorted(submissions, key=lambda group: (-len(files[group]), -tests[group]))
    return [Failure(label(first[g]), list(submissions[g]), len(files[g]), tests[g], first[g].output[:EXAMPLE_CHARS])
            for g in ranked]


def _first_line(text: str) -> str:
    return text.partition("\n")[0]


@dataclass(frozen=True)
class Misconception:
    """A misconception, the questions it showed in and the submissions that show it."""

    name: str
    questions: list[str]
    submissions: list[str]


def misconception_groups(graded: Sequence[Row]) -> list[Misconception]:
    """Each misconception with its questions and submissions, most common first."""
    questions: dict[str, dict[str, None]] = defaultdict(dict)
    submissions: dict[str, dict[str, None]] = defaultdict(dict)
    for row in graded:
        for test in row.result.tests:
            for misconception in test.misconceptions:
                questions[misconception][test.question] = None
                submissions[misconception][row.submission] = None
    found = [Misconception(m, list(questions[m]), list(submissions[m])) for m in submissions]
    return sorted(found, key=lambda m: -len(m.submissions))
