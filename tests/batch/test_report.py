"""grades.csv, report.html and the terminal report, from hand-made results."""

from __future__ import annotations

import re
from dataclasses import replace


from rich.console import Console

from autograder.report import (Row, failure_messages, histogram, needs_attention, print_result, render_feedback,
                               render_html)
from autograder import results
from autograder.discovery import Person
from autograder.results import QuestionScore, SubmissionResult, error_result
from autograder.spec import load_assignment
from tests.batch.helpers import make_toy

HOSTILE_TEXT = "<script>alert('pwned')</script>"


def result(double: tuple[int, int], negate: tuple[int, int], *, output: str = "double(2) returned 5; expected 4",
           misconception: str = "", seconds: float = 1.0) -> SubmissionResult:
    """A graded toy result with ``(passed, tests)`` for each question (4 and 2 points)."""
    tests, questions = [], []
    for name, points, (passed, count) in (("double", 4.0, double), ("negate", 2.0, negate)):
        share = points / count
        for i in range(count):
            ok = i < passed
            tests.append(results.TestResult(f"{name}: test {i}", name, True, ok, share if ok else 0.0, share,
                                    "" if ok else output, (misconception,) if misconception and not ok else ()))
        questions.append(QuestionScore(name, share * passed, points, passed, count))
    return SubmissionResult("toy", "graded", sum(q.score for q in questions), 6.0, tuple(questions), tuple(tests),
                            summary="Note: graded hw.py as toy.py; please name your file toy.py\n\nScore: ...",
                            seconds=seconds)


def test_report_has_every_section_and_the_numbers(tmp_path):
    toy = load_assignment(make_toy(tmp_path / "toy"))
    rows = [Row("ann", result((3, 3), (1, 1), seconds=9.5)),
            Row("bob", result((0, 3), (1, 1), misconception="doubles by adding one")),
            Row("cy", error_result("toy", toy.points, "toy.py is empty"))]

    html = render_html(toy, rows)

    sections = re.findall(r'<section id="([a-z-]+)">', html)
    assert sections == ["summary", "attention", "misconceptions", "questions", "distribution", "similar", "failures",
                        "failed-tests", "slowest", "submissions"]
    assert "<svg" in html and "http" not in html.replace("http-equiv", "")  # no external assets
    assert re.search(r"doubles by adding one</td><td>double</td><td class=\"num\">1</td><td>bob</td>", html)
    assert "toy.py is empty" in html
    slowest = html[html.index('<section id="slowest">'):html.index('<section id="submissions">')]
    assert slowest.index(">ann<") < slowest.index(">bob<")  # ann took 9.5 s, bob 1 s


def test_report_escapes_what_a_student_wrote(tmp_path):
    toy = load_assignment(make_toy(tmp_path / "toy"))
    rows = [Row("<b>eve</b>", result((0, 3), (0, 1), output=HOSTILE_TEXT, misconception=HOSTILE_TEXT))]

    html = render_html(toy, rows)

    assert html.count("<script") == 1 and "<script>alert" not in html and "<b>eve" not in html  # only our sorter
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html
    assert "&lt;b&gt;eve&lt;/b&gt;" in html


def test_histogram_puts_full_marks_in_the_last_bin():
    bins = histogram([0.0, 5.9, 6.0, 6.0, 3.0], 6.0, bins=3)

    assert [(b.low, b.high, b.count) for b in bins] == [(0.0, 2.0, 1), (2.0, 4.0, 1), (4.0, 6.0, 3)]


def test_print_result_shows_each_failing_questions_first_failure_and_how_many_more():
    console = Console(record=True, width=120)
    graded = result((0, 4), (0, 2), output="double(2) returned 5; expected 4")
    graded = replace(graded, tests=tuple(replace(t, output=f"{t.question}(2) returned 5; {t.name}")
                                         for t in graded.tests))

    print_result(graded, console)

    text = console.export_text()
    assert re.search(r"╭─ double ─+╮\n│ double: test 0 +│\n│ double\(2\) returned 5; double: test 0 +│\n"
                     r"╰─ and 3 more failing tests ─+╯", text)
    assert re.search(r"╭─ negate ─+╮\n.*\n.*\n╰─ and 1 more failing test ─+╯", text)
    assert "double: test 1" not in text and "negate: test 1" not in text
    assert "6 tests failed in all (--all shows every one)" in text


def test_print_result_puts_questions_failing_the_same_way_in_one_panel():
    console = Console(record=True, width=120)

    print_result(result((0, 3), (0, 1), output="toy.py could not be imported: SyntaxError"), console)

    text = console.export_text()
    assert text.count("toy.py could not be imported") == 1
    assert re.search(r"╭─ double, negate ─+╮\n│ double: test 0 +│\n.*\n╰─ and 3 more failing tests ─+╯", text)


def test_print_result_of_every_failure_shows_questions_failures_misconceptions_and_notes():
    console = Console(record=True, width=120)

    print_result(result((1, 3), (1, 1), output="got [bold]5[/bold]\x1b[2J", misconception="adds instead of doubling"),
                 console, every_failure=True)

    text = console.export_text()
    assert "toy: 3.33 / 6" in text
    assert re.search(r"double\s+│\s+1\.33\s+│\s+4\s+│\s+1/3", text)
    assert "2 tests failed with this message" in text and "double: test 1" in text
    assert "got [bold]5[/bold]\ufffd[2J" in text  # as written: not markup, no escape sequence
    assert "misconception: adds instead of doubling" in text
    assert "Note: graded hw.py as toy.py" in text


def test_print_result_of_an_error_gives_its_reason(tmp_path):
    console = Console(record=True, width=120)
    toy = load_assignment(make_toy(tmp_path / "toy"))

    print_result(error_result("toy", toy.points, "no toy.py in the submission"), console)

    assert "error: no toy.py in the submission" in console.export_text()


def test_failure_messages_that_differ_only_in_numbers_count_as_one():
    rows = [Row("ann", result((0, 3), (1, 1), output="double(2) returned 5; expected 4\nCalled as double(2)")),
            Row("bob", result((2, 3), (1, 1), output="double(7) returned 15; expected 14"))]

    [message] = failure_messages(rows)

    assert (message.what, message.submissions, message.tests) == ("double(2) returned 5; expected 4", ["ann", "bob"], 4)
    assert message.example == "double(2) returned 5; expected 4\nCalled as double(2)"


def test_failures_of_identical_files_count_once():
    same = {"submission": "abc123"}
    rows = [Row(name, replace(result((0, 3), (1, 1)), fingerprint=same)) for name in ("ann", "ann_copy")]
    rows.append(Row("bob", replace(result((2, 3), (1, 1)), fingerprint={"submission": "def456"})))

    [message] = failure_messages(rows)

    assert (message.submissions, message.distinct, message.tests) == (["ann", "ann_copy", "bob"], 2, 4)


def test_attention_lists_errors_then_import_failures_timeouts_forbidden_apis_and_low_scores(tmp_path):
    toy = load_assignment(make_toy(tmp_path / "toy"))
    slow = result((3, 3), (1, 1))
    slow = replace(slow, tests=(replace(slow.tests[0], aborted="timeout"), *slow.tests[1:]))
    forbidden = result((3, 3), (1, 1))
    forbidden = replace(forbidden, questions=(replace(forbidden.questions[0], forbidden=("numpy.convolve",)),
                                              forbidden.questions[1]))
    rows = [Row("low", result((0, 3), (1, 1))), Row("fine", result((3, 3), (1, 1))), Row("slow", slow),
            Row("banned", forbidden), Row("broken", error_result("toy", toy.points, "toy.py is empty")),
            Row("exits", replace(result((0, 3), (0, 1)), status="not importable: SystemExit: 3"))]

    found = needs_attention(rows)

    assert [(a.submission, a.reason) for a in found] == [
        ("broken", "error: toy.py is empty"),
        ("exits", "not importable: SystemExit: 3"),
        ("slow", "calls timed out in double"),
        ("banned", "forbidden API: double (numpy.convolve)"),
        ("low", "low score: 2 / 6"),
    ]


def test_the_name_falls_back_to_the_file_or_folder_name():
    assert Row("alice", result((3, 3), (1, 1))).name == "alice"
    assert Row("submission_1", result((3, 3), (1, 1)), (Person("Ada"), Person("Alan"))).name == "Ada; Alan"


def test_a_feedback_page_is_the_gradescope_document_with_hidden_tests_marked():
    graded = replace(result((1, 3), (0, 1)), tests=tuple(replace(t, public=t.question == "double")
                                                         for t in result((1, 3), (0, 1)).tests),
                     staff_notes=("worker restarted",))
    document = graded.to_gradescope()

    html = render_feedback(Row("ann", graded))

    assert f"Autograder score: {document['score']:g} / 6" in html
    for test in document["tests"]:
        assert f"{test['name']}" in html
    assert html.count("hidden until grades are published") == 1  # negate's one hidden test
    assert html.count("never shown to the student") == 1  # the notes for staff
