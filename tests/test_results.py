"""The result model: results.json keeps each text once, stays under its bound, and shows
what the student's code printed only with the hidden tests."""

from __future__ import annotations

import json
from decimal import Decimal

import jsonschema
import pytest

from autograder import results
from autograder.results import MAX_OUTPUT_CHARS, MAX_RESULTS_BYTES, PRINTED, PRINTED_NOTE, QuestionScore, SubmissionResult
from autograder.runner import grade_file
from autograder.spec import load_assignment, project_root

SCHEMA = jsonschema.Draft202012Validator(
    json.loads((project_root() / "autograder" / "schemas" / "gradescope_results.schema.json").read_text()))


def failed_test(number: int, output: str, public: bool = False) -> results.TestResult:
    return results.TestResult(name=f"relu: test {number}", question="relu", public=public, passed=False, score=0.0,
                      max_score=1.0, output=output)


def result_of(tests: list[results.TestResult], printed: str = "", notes: tuple[str, ...] = ()) -> SubmissionResult:
    return SubmissionResult(assignment="cnn", status="graded", score=0.0, max_score=float(len(tests)),
                            questions=(QuestionScore("relu", 0.0, float(len(tests)), 0, len(tests)),),
                            tests=tuple(tests), summary="Score: 0", student_output=printed, staff_notes=notes)


def written(document: dict) -> str:
    return json.dumps(document, indent=2)


def test_a_test_output_is_cut_to_its_bound_with_a_mark():
    output = failed_test(1, "x" * 100_000).output

    assert len(output) == MAX_OUTPUT_CHARS and output.endswith("[... cut]")


def test_each_test_output_and_the_printed_output_are_stored_once():
    document = result_of([failed_test(1, "expected 3, got 4 MARKER-ONE")], printed="MARKER-TWO").to_gradescope()

    assert written(document).count("MARKER-ONE") == 1 and written(document).count("MARKER-TWO") == 1


@pytest.mark.parametrize("character", ["x", "\x00", "\U0001F600"], ids=["ascii", "6-byte escape", "12-byte escape"])
def test_a_result_too_long_for_results_json_is_cut_to_fit_valid_and_says_so(character):
    tests = [failed_test(n, character * MAX_OUTPUT_CHARS) for n in range(300)]
    document = result_of(tests, printed=character * 50_000, notes=(character * 50_000,)).to_gradescope()

    assert len(written(document).encode()) <= MAX_RESULTS_BYTES
    SCHEMA.validate(document)
    assert "too long for the results file" in document["output"]
    assert all(test["output"].endswith("[... cut]") for test in document["tests"])


def test_a_result_read_back_from_results_json_gives_the_same_document():
    tests = [failed_test(n, f"output {n}" * 2000) for n in range(300)]
    for result in (result_of(tests[:3], printed="hello", notes=("a note",)), result_of(tests, printed="x" * 9000)):
        document = json.loads(written(result.to_gradescope()))

        assert json.loads(written(SubmissionResult.from_gradescope(document).to_gradescope())) == document


def test_what_the_code_printed_is_shown_only_with_the_hidden_tests():
    document = result_of([failed_test(1, "public", public=True)], printed="SECRET INPUT").to_gradescope()

    printed = [test for test in document["tests"] if test["name"] == PRINTED]
    assert [(t["visibility"], t["output"], t["max_score"]) for t in printed] == [("after_published", "SECRET INPUT", 0)]
    assert "SECRET INPUT" not in visible_text(document)
    assert PRINTED_NOTE in document["output"]


def visible_text(document: dict) -> str:
    """Everything of a results.json a student sees before grades are published."""
    visible = [test for test in document["tests"] if test.get("visibility", "visible") == "visible"]
    return written({"output": document["output"], "tests": visible})


PRINT_EVERY_CALL = """

def _printing(function):
    def printing(*args, **kwargs):
        print("ARGUMENTS", function.__name__, args, kwargs)
        return function(*args, **kwargs)
    return printing


for _name in {questions!r}:
    globals()[_name] = _printing(globals()[_name])
"""


@pytest.mark.slow
@pytest.mark.sandbox
def test_a_file_that_prints_its_arguments_shows_none_of_them_before_the_hidden_tests(tmp_path):
    """Issue 9 item 3: printing each call's arguments revealed every hidden explicit input."""
    cnn = load_assignment("cnn")
    student = tmp_path / "submission" / "cnn.py"
    student.parent.mkdir()
    student.write_text(cnn.reference.read_text() + PRINT_EVERY_CALL.format(questions=cnn.questions))

    document = json.loads(written(grade_file(cnn, student, private_paths=(tmp_path,)).to_gradescope()))

    SCHEMA.validate(document)
    assert document["score"] == 100
    assert "ARGUMENTS" in next(test["output"] for test in document["tests"] if test["name"] == PRINTED)
    assert "ARGUMENTS" not in visible_text(document)


@pytest.mark.parametrize("points, count", [(6, 7), (14, 9), (14, 13), (100, 3), (4, 1), (8, 6), (2.5, 4)])
def test_a_questions_points_split_in_hundredths_that_add_up_to_exactly_its_points(points, count):
    shares = results.split_points(points, count)
    assert len(shares) == count
    assert sum(Decimal(str(s)) for s in shares) == Decimal(str(points))  # as written in results.json
    assert all(Decimal(str(s)) == Decimal(str(s)).quantize(Decimal("0.01")) for s in shares)
    assert max(shares) - min(shares) <= 0.01 + 1e-12 and list(shares) == sorted(shares, reverse=True)


def test_seven_tests_for_six_points_are_worth_086_and_085():
    assert results.split_points(6, 7) == (0.86,) * 5 + (0.85,) * 2
