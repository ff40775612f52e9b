"""The result model: what grading one submission produced, and results.json.

This is the only module that knows Gradescope's results.json keys. Grading builds a
``SubmissionResult``; the Gradescope zip and local grading both write it with
``to_gradescope``; batch grading reads it back with ``from_gradescope`` (our own fields
travel in ``extra_data``), so one file is the record of a grade everywhere.

Much of a result is text the student's code decides (messages that quote its values,
what it printed), so the model bounds it: each test's output holds at most
``MAX_OUTPUT_CHARS`` characters, each such text is stored once in results.json
(``extra_data`` holds everything but the texts the test entries show), and the whole document
stays under ``MAX_RESULTS_BYTES``: a result that would be larger has its long texts cut
to one common length, with a note saying so. What the student's code printed is shown
only when the hidden tests are (its own zero-point test with their visibility): printing
the arguments of each call would otherwise reveal the hidden inputs at once.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

GRADED = "graded"
ERROR = "error"  # nothing could be graded
NOT_IMPORTABLE = "not importable"  # the student's file did not import: every test failed on it
MAX_OUTPUT_CHARS = 8000  # one test's feedback: a call, the expected and the actual answer fit in 4000
MAX_RESULTS_BYTES = 1_000_000  # results.json as written (indented); a graded cnn result takes 50 to 100 kB
CUT = "\n[... cut]"
PRINTED = "What your code printed"
PRINTED_NOTE = "What your code printed is shown with the hidden tests."
STAFF = "Notes for staff"
POINT_PLACES = 2  # points are split, stored and shown in hundredths (see split_points)


@dataclass(frozen=True)
class TestResult:
    """One pytest test of the suite, as the student sees it."""

    name: str  # human title, e.g. "conv2d: stride applies to the window start"
    question: str  # the question (function) whose points it carries
    public: bool  # shipped to students (always visible on Gradescope)
    passed: bool
    score: float
    max_score: float
    output: str  # student-facing feedback; empty when passed
    misconceptions: tuple[str, ...] = ()
    seconds: float = 0.0
    aborted: str = ""  # the sandbox failure kind (timeout, crash, import...) when a call could not finish

    def __post_init__(self) -> None:
        object.__setattr__(self, "output", _shorten(self.output, MAX_OUTPUT_CHARS))


@dataclass(frozen=True)
class QuestionScore:
    """The points of one question, summed over its tests."""

    name: str
    score: float
    max_score: float
    passed: int
    tests: int
    forbidden: tuple[str, ...] = ()  # forbidden APIs this question's function used


@dataclass(frozen=True)
class SubmissionResult:
    """Everything grading one submission produced."""

    assignment: str
    status: str  # "graded", "not importable: <reason>", or "error: <reason>" when nothing could be graded
    score: float
    max_score: float
    questions: tuple[QuestionScore, ...] = ()
    tests: tuple[TestResult, ...] = ()
    summary: str = ""  # the top-level text shown to the student
    student_output: str = ""  # what the student's code printed (when the config allows)
    staff_notes: tuple[str, ...] = ()  # for staff only (grader notices, internal errors)
    hidden_visibility: str = "after_published"
    seconds: float = 0.0
    fingerprint: dict[str, str] = field(default_factory=dict)  # submission and suite hashes

    @property
    def graded(self) -> bool:
        return self.status == GRADED

    @property
    def kind(self) -> str:
        """The status without its reason: graded, not importable or error."""
        return self.status.partition(": ")[0]

    @property
    def reason(self) -> str:
        """Why the submission was not graded; empty when it was."""
        return self.status.partition(": ")[2]

    def question(self, name: str) -> QuestionScore:
        return next(q for q in self.questions if q.name == name)

    def misconceptions(self) -> tuple[str, ...]:
        """Each misconception found, once, in test order."""
        return tuple(dict.fromkeys(m for t in self.tests for m in t.misconceptions))

    def to_gradescope(self) -> dict[str, Any]:
        """The results.json document Gradescope reads, at most ``MAX_RESULTS_BYTES`` long."""
        document = self._document()
        if _size(document) <= MAX_RESULTS_BYTES:
            return document
        room = self._room_per_text()
        while True:  # JSON escapes make a character up to 12 bytes: halve until it fits
            document = self._cut(room)._document()
            if _size(document) <= MAX_RESULTS_BYTES or room == 0:
                return document
            room //= 2

    def _document(self) -> dict[str, Any]:
        tests = [_gradescope_test(t, self.hidden_visibility, *points)
                 for t, points in zip(self.tests, _gradescope_points(self.tests))]
        output = self.summary
        if self.student_output:
            tests.append(_extra_test(PRINTED, self.hidden_visibility, self.student_output))
            output += "\n\n" + PRINTED_NOTE
        if self.staff_notes:
            tests.append(_extra_test(STAFF, "hidden", "\n".join(self.staff_notes)))
        mine = asdict(self)
        del mine["student_output"]  # each text once: these are in the test entries
        for test in mine["tests"]:
            del test["output"]
        return {
            "score": round(self.score, POINT_PLACES),
            "execution_time": round(self.seconds, 3),
            "output": output,
            "output_format": "text",
            "test_output_format": "text",
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": tests,
            "extra_data": {"autograder": mine},
        }

    def _room_per_text(self) -> int:
        """Characters each long text may keep so that the document about fits the bound."""
        texts = [t.output for t in self.tests] + [self.student_output, *self.staff_notes]
        fixed = _size(self._cut(0)._document())
        return max((MAX_RESULTS_BYTES - fixed) // len(texts), 0)

    def _cut(self, room: int) -> SubmissionResult:
        """This result with every long text cut to ``room`` characters, and a note saying so."""
        note = (f"Note: this result was too long for the results file (at most {MAX_RESULTS_BYTES} bytes): "
                f"the output of each test was cut to {room} characters.")
        return replace(
            self,
            tests=tuple(replace(t, output=_shorten(t.output, room)) for t in self.tests),
            student_output=_shorten(self.student_output, room),
            staff_notes=tuple(_shorten(n, room) for n in self.staff_notes),
            summary=note + "\n\n" + self.summary,
        )

    @classmethod
    def from_gradescope(cls, document: dict[str, Any]) -> SubmissionResult:
        """Rebuild a result from a results.json this module wrote."""
        data = dict(document["extra_data"]["autograder"])
        entries = document["tests"]
        data["questions"] = tuple(
            QuestionScore(**{**q, "forbidden": tuple(q["forbidden"])}) for q in data["questions"]
        )
        data["tests"] = tuple(
            TestResult(**{**t, "misconceptions": tuple(t["misconceptions"]), "output": entry["output"]})
            for t, entry in zip(data["tests"], entries, strict=False)
        )
        printed = [entry["output"] for entry in entries[len(data["tests"]):] if entry["name"] == PRINTED]
        data["student_output"] = printed[0] if printed else ""
        data["staff_notes"] = tuple(data["staff_notes"])
        return cls(**data)


def _size(document: dict[str, Any]) -> int:
    """Bytes of ``document`` as ``write_json_atomic`` writes it."""
    return len(json.dumps(document, indent=2).encode("utf-8"))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:max(limit - len(CUT), 0)] + CUT


def _extra_test(name: str, visibility: str, output: str) -> dict[str, Any]:
    """A zero-point entry that only carries text."""
    return {"name": name, "score": 0, "max_score": 0, "status": "passed", "visibility": visibility, "output": output}


def split_points(points: float, count: int) -> tuple[float, ...]:
    """``points`` split over ``count`` tests in hundredths that add up to exactly ``points``
    (to the hundredth) as Gradescope and a gradebook show them: 6 points over 7 tests are
    five shares of 0.86 and two of 0.85, the larger ones first."""
    unit = 10**POINT_PLACES
    base, extra = divmod(round(points * unit), count)
    return tuple((base + (i < extra)) / unit for i in range(count))


def _gradescope_points(tests: tuple[TestResult, ...]) -> list[tuple[float, float]]:
    """Each test's (score, max_score) in hundredths, a question's rounding remainder on its
    last test, so that its tests' max_scores add up to exactly its points on Gradescope
    even for a result stored before shares were split in hundredths (``split_points``)."""
    maxima = [round(t.max_score, POINT_PLACES) for t in tests]
    last = {t.question: i for i, t in enumerate(tests)}
    for question, i in last.items():
        mine = [j for j, t in enumerate(tests) if t.question == question and j != i]
        total = round(sum(t.max_score for t in tests if t.question == question), POINT_PLACES)
        maxima[i] = round(total - sum(maxima[j] for j in mine), POINT_PLACES)
    return [(m if t.score == t.max_score else round(t.score, POINT_PLACES), m) for t, m in zip(tests, maxima)]


def _gradescope_test(test: TestResult, hidden_visibility: str, score: float, max_score: float) -> dict[str, Any]:
    return {
        "name": test.name,
        "score": score,
        "max_score": max_score,
        "status": "passed" if test.passed else "failed",
        "visibility": "visible" if test.public else hidden_visibility,
        "output": test.output,
        "tags": [test.question, *test.misconceptions],
    }


def write_json_atomic(path: Path, document: dict[str, Any]) -> None:
    """Write JSON so a reader never sees half a file: temp file, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def error_result(
    assignment: str, points: tuple[tuple[str, float], ...], reason: str, **extra: Any
) -> SubmissionResult:
    """A result for a submission nothing could be graded in: every question 0, one reason."""
    tests = tuple(
        TestResult(name=f"{q}: not graded", question=q, public=True, passed=False, score=0.0,
                   max_score=p, output=reason)
        for q, p in points
    )
    return SubmissionResult(
        assignment=assignment,
        status=f"{ERROR}: {reason}",
        score=0.0,
        max_score=sum(p for _, p in points),
        questions=tuple(QuestionScore(q, 0.0, p, 0, 1) for q, p in points),
        tests=tests,
        summary=f"Your submission could not be graded: {reason}",
        **extra,
    )
