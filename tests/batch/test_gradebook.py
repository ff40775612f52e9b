"""grades.csv and changes.csv, from hand-made results."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.discovery import Person
from autograder.gradebook import compare, describe_changes, grade_columns, rounded, write_changes, write_grades
from autograder.report import Row
from autograder.results import QuestionScore, SubmissionResult, error_result
from autograder.spec import load_assignment
from tests.batch.helpers import make_toy
from tests.batch.test_report import result


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def toy(tmp_path):
    return load_assignment(make_toy(tmp_path / "toy"))


def test_the_columns_are_the_same_whatever_the_input_knows(toy, tmp_path):
    write_grades(tmp_path / "a.csv", toy, [Row("bob", result((1, 3), (2, 2)))])
    write_grades(tmp_path / "b.csv", toy, [Row("s_1", result((1, 3), (2, 2)), (Person("Ada", "a@x.edu", "7"),),
                                               "2024-10-02T02:52:07Z", (("s_2", 0.93),))])

    headers = [next(csv.reader(open(tmp_path / name, newline=""))) for name in ("a.csv", "b.csv")]
    assert headers[0] == headers[1] == grade_columns(toy) == [
        "submission", "name", "email", "sid", "submitted_at", "double", "negate", "total", "max_total", "status",
        "reason", "similar_to"]


def test_a_row_has_status_and_reason_apart_and_the_file_name_for_a_name(toy, tmp_path):
    rows = [Row("bob", result((1, 3), (2, 2))),
            Row("ann", error_result("toy", toy.points, "no toy.py in the submission")),
            Row("cy", replace(result((0, 3), (0, 1)), status="not importable: SyntaxError: invalid syntax (line 1)"))]

    write_grades(tmp_path / "grades.csv", toy, rows)

    assert [(r["submission"], r["name"], r["total"], r["status"], r["reason"]) for r in read(tmp_path / "grades.csv")] == [
        ("ann", "ann", "0", "error", "no toy.py in the submission"),
        ("bob", "bob", "3.33", "graded", ""),
        ("cy", "cy", "0", "not importable", "SyntaxError: invalid syntax (line 1)"),
    ]


def test_each_member_of_a_group_gets_the_groups_row_with_their_sid_and_the_time(toy, tmp_path):
    group = (Person("Alan Turing", "alan@example.edu", "06754968"), Person("Grace Hopper", "grace@example.edu", "0682"))
    write_grades(tmp_path / "grades.csv", toy,
                 [Row("submission_9002", result((3, 3), (1, 1)), group, "2024-10-02T04:04:59Z", (("submission_9001", 1.0),))])

    rows = read(tmp_path / "grades.csv")
    assert [(r["name"], r["email"], r["sid"]) for r in rows] == [("Alan Turing", "alan@example.edu", "06754968"),
                                                                 ("Grace Hopper", "grace@example.edu", "0682")]
    assert {(r["submission"], r["submitted_at"], r["total"], r["similar_to"]) for r in rows} == {
        ("submission_9002", "2024-10-02T04:04:59Z", "6", "submission_9001 (100%)")}


@pytest.mark.parametrize("scores, total", [
    ((1.555555, 1.555555, 1.555555), 4.67),  # 1.56 × 3 = 4.68: one question gives a cent back
    ((0.333333, 0.333333, 0.333334), 1.0),  # 0.33 × 3 = 0.99: one question takes a cent
    ((14.0, 9.333333, 0.0), 23.33),
    ((59.888889 - 40, 40.0, 0.0), 59.89),
], ids=["rounded-up-thrice", "rounded-down-thrice", "one-fraction", "the-issue's-59.8889"])
def test_question_scores_add_up_to_the_total_as_shown(scores, total):
    questions = tuple(QuestionScore(f"q{i}", s, 20.0, 0, 1) for i, s in enumerate(scores))
    graded = SubmissionResult("x", "graded", sum(scores), 60.0, questions)

    parts, shown = rounded(graded, [q.name for q in questions])

    assert shown == total
    assert round(sum(parts.values()), 2) == total
    assert all(abs(parts[q.name] - q.score) < 0.01 + 1e-9 for q in questions)


@pytest.mark.parametrize("text, cell", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Ada = Lovelace", "Ada = Lovelace"), ("ada@example.edu", "ada@example.edu"),
], ids=["equals", "plus", "minus", "at", "tab", "carriage-return", "inside", "email"])
def test_a_text_cell_that_would_start_a_formula_is_quoted(toy, tmp_path, text, cell):
    write_grades(tmp_path / "grades.csv", toy, [Row(text, result((3, 3), (1, 1)), (Person(text, text, text),))])

    [row] = read(tmp_path / "grades.csv")
    assert (row["submission"], row["name"], row["email"], row["sid"]) == (cell, cell, cell, cell)
    assert row["total"] == "6"


def test_a_change_names_the_tests_whose_outcome_changed():
    old, new = result((1, 3), (1, 1)), result((2, 3), (0, 1))

    change = compare(Row("ann", new), old)

    assert change is not None
    assert change.tests == ("double: test 1", "negate: test 0")
    assert round(change.difference, 2) == -0.66  # of the totals as shown: 2.67 - 3.33


def test_the_same_result_again_is_no_change():
    assert compare(Row("ann", result((1, 3), (1, 1))), result((1, 3), (1, 1))) is None


def test_changes_csv_lists_old_and_new_totals_biggest_drop_first(tmp_path):
    up = compare(Row("up", result((3, 3), (1, 1))), result((1, 3), (1, 1)))
    down = compare(Row("down", result((0, 3), (1, 1))), result((3, 3), (1, 1)))

    write_changes(tmp_path / "changes.csv", [up, down])

    assert [(r["submission"], r["old_total"], r["new_total"], r["difference"], r["tests_changed"])
            for r in read(tmp_path / "changes.csv")] == [
        ("down", "6", "2", "-4", "double: test 0; double: test 1; double: test 2"),
        ("up", "3.33", "6", "2.67", "double: test 1; double: test 2"),
    ]
    assert describe_changes([up, down]) == "2 scores changed: 1 up, 1 down"
    assert describe_changes([]) == "no score changed"
