"""The built zip run the way Gradescope runs it (autograder.gradescope.emulate): a private
/autograder, the zip's environment in a virtualenv, the zip's run_autograder."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from decimal import Decimal
import shutil
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import nbformat
import pytest

from autograder.gradescope.emulate import EmulatedRun, emulate
from autograder.results import SubmissionResult
from autograder.runner import GRADER_FAILED, grade_submission
from autograder.spec import Assignment
from tests.otter.helpers import (
    BUGGY_SOURCE,
    BUGGY_LOSES,
    BUGGY_MISCONCEPTION,
    SOLUTION,
    malicious_pickle,
    question_scores,
)

pytestmark = [pytest.mark.otter, pytest.mark.slow]

OTTER_FAILED = "The autograder failed to execute correctly"
GRADESCOPE_MEMORY_MB = 768
Gradescope = Callable[..., EmulatedRun]


def _folder(tmp: Path, files: dict[str, bytes]) -> Path:
    """A submission folder holding ``files`` (paths may have sub-folders)."""
    folder = tmp / "upload"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return folder


def _graded(run: EmulatedRun, schema: jsonschema.Draft202012Validator) -> dict[str, Any]:
    """The run's results.json, after checking it exists, fits the schema and the run ended."""
    assert run.returncode == 0, run.output[-3000:]
    assert run.results is not None, run.output[-3000:]
    schema.validate(run.results)
    return run.results


def _as_json(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` as read back from a file (tuples become lists)."""
    return json.loads(json.dumps(document))


@pytest.fixture(scope="module")
def buggy_upload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _folder(tmp_path_factory.mktemp("buggy"), {"cnn.py": BUGGY_SOURCE})


@pytest.fixture(scope="module")
def buggy(gradescope: Gradescope, buggy_upload: Path) -> EmulatedRun:
    return gradescope(buggy_upload)


@pytest.fixture(scope="module")
def correct(gradescope: Gradescope, tmp_path_factory: pytest.TempPathFactory) -> EmulatedRun:
    return gradescope(_folder(tmp_path_factory.mktemp("correct"), {"cnn.py": SOLUTION.read_bytes()}))


def _as_written(value: float) -> Decimal:
    """A number as results.json writes it (Gradescope adds them up as written)."""
    return Decimal(str(value))


@pytest.mark.xdist_group("gradescope-correct")  # shares one emulated run
def test_correct_submission_gets_full_marks_in_a_valid_results_json(
        correct: EmulatedRun, results_schema: jsonschema.Draft202012Validator) -> None:
    document = _graded(correct, results_schema)
    assert document["score"] == 100
    assert all(t["status"] == "passed" for t in document["tests"])


@pytest.mark.xdist_group("gradescope-correct")  # shares one emulated run
def test_per_test_max_scores_are_hundredths_that_add_up_exactly_to_each_questions_points(
        correct: EmulatedRun, assignment: Assignment) -> None:
    """Not 0.857142857... seven times (99.99999999999996 in all): 6 points over 7 tests
    are 0.86 and 0.85."""
    by_question: dict[str, Decimal] = defaultdict(Decimal)
    for test in correct.results["tests"]:
        assert _as_written(test["max_score"]) == _as_written(test["max_score"]).quantize(Decimal("0.01"))
        by_question[test["tags"][0] if test.get("tags") else ""] += _as_written(test["max_score"])
    assert by_question == {**{q: _as_written(p) for q, p in assignment.points}, "": 0}  # "": notes for staff
    assert sum(by_question.values()) == _as_written(correct.results["score"]) == 100


@pytest.mark.xdist_group("gradescope-correct")  # shares one emulated run
def test_output_log_holds_our_summary_not_otters_noise(correct: EmulatedRun, assignment: Assignment) -> None:
    assert correct.output.startswith("cnn: graded, ")
    assert "Score: 100 / 100" in correct.output and all(q in correct.output for q in assignment.questions)
    assert "Notes for staff:\nsandbox mode " in correct.output
    for noise in ("No log found with which to verify student scores", "IPKernelApp", "GRADING SUMMARY", "rows x"):
        assert noise not in correct.output


@pytest.mark.xdist_group("gradescope-correct")  # shares one emulated run
def test_grading_fits_in_gradescopes_default_memory(correct: EmulatedRun) -> None:
    assert 0 < correct.peak_rss_mb < GRADESCOPE_MEMORY_MB


@pytest.mark.xdist_group("gradescope-correct")  # shares one emulated run
def test_the_run_replays_the_plan_shipped_in_the_zip(correct: EmulatedRun) -> None:
    staff = "\n".join(t["output"] for t in correct.results["tests"] if t["visibility"] == "hidden")
    assert "hypothesis inputs from the plan in the assignment folder" in staff
    assert ", 0 handed to hypothesis" in staff


@pytest.mark.xdist_group("gradescope-buggy")  # shares one emulated run
def test_public_tests_are_visible_and_hidden_ones_follow_the_config(
        buggy: EmulatedRun, results_schema: jsonschema.Draft202012Validator, assignment: Assignment) -> None:
    tests = _graded(buggy, results_schema)["tests"]
    public = {t["visibility"] for t in tests if t["name"].endswith("(public)")}
    hidden = {t["visibility"] for t in tests if t["name"].endswith("(hidden)")}
    assert public == {"visible"}
    assert hidden == {assignment.hidden_visibility} == {"after_published"}


@pytest.mark.xdist_group("gradescope-buggy")  # shares one emulated run
def test_scores_are_all_or_nothing_of_each_tests_max_score_and_add_up_to_the_total(buggy: EmulatedRun) -> None:
    tests = buggy.results["tests"]
    assert all(t["score"] == (t["max_score"] if t["status"] == "passed" else 0) for t in tests)
    assert sum(_as_written(t["score"]) for t in tests) == _as_written(buggy.results["score"]) < 100


@pytest.mark.xdist_group("gradescope-buggy")  # shares one emulated run
def test_status_is_honest_when_only_hidden_tests_fail(
        buggy: EmulatedRun, results_schema: jsonschema.Draft202012Validator) -> None:
    tests = _graded(buggy, results_schema)["tests"]
    failed = [t for t in tests if t["status"] == "failed"]
    assert failed and all(t["name"].endswith("(hidden)") and t["score"] == 0 for t in failed)
    assert not any(t["name"] == "Public Tests" or "All test cases passed" in t.get("output", "") for t in tests)


@pytest.mark.xdist_group("gradescope-buggy")  # shares one emulated run
def test_summary_gives_the_score_by_question_and_the_misconceptions(
        buggy: EmulatedRun, results_schema: jsonschema.Draft202012Validator, assignment: Assignment) -> None:
    output = _graded(buggy, results_schema)["output"]
    assert output.startswith(f"Score: {buggy.results['score']:g} / 100")
    assert all(question in output for question in assignment.questions)
    assert f"Misconceptions found:\n  - {BUGGY_MISCONCEPTION}" in output


@pytest.fixture(scope="module")
def local_buggy(buggy_upload: Path, assignment: Assignment) -> dict[str, Any]:
    """The same upload graded in this process (``grade_submission``), as read from a file."""
    return _as_json(grade_submission(assignment, buggy_upload).to_gradescope())


@pytest.mark.xdist_group("gradescope-buggy")  # shares one emulated run
def test_zip_and_local_grading_agree_per_question(buggy: EmulatedRun, local_buggy: dict[str, Any],
                                                  assignment: Assignment) -> None:
    assert question_scores(buggy.results) == pytest.approx(question_scores(local_buggy))
    lost = {q for q, s in question_scores(local_buggy).items() if s < assignment.points_for(q) - 1e-6}
    assert lost == BUGGY_LOSES


@pytest.mark.xdist_group("gradescope-buggy")  # shares one emulated run
def test_zip_and_local_grading_agree_on_every_test(buggy: EmulatedRun, local_buggy: dict[str, Any]) -> None:
    def outcomes(document: dict[str, Any]) -> list[tuple]:
        return [(t["name"], t["status"], t["score"], t["max_score"], t["visibility"]) for t in document["tests"]]

    assert outcomes(buggy.results) == outcomes(local_buggy)


@pytest.mark.xdist_group("gradescope-buggy")  # shares one emulated run
def test_results_json_is_exactly_the_engines_document(buggy: EmulatedRun) -> None:
    """Nothing of otter's in it: it is ``to_gradescope()`` of the result it records."""
    assert _as_json(SubmissionResult.from_gradescope(buggy.results).to_gradescope()) == buggy.results


def _notebook(source: bytes) -> bytes:
    cells = [nbformat.v4.new_markdown_cell("# My CNN homework"),
             nbformat.v4.new_code_cell("%matplotlib inline\n" + source.decode())]
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells)).encode()


def _zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buffer.getvalue()


SOLVED = SOLUTION.read_bytes()
# One case for each way the Gradescope door can go: nothing to grade, several files with
# none to choose, a zip with the file in a sub-folder, a notebook. Every intake rule (CNN.py,
# cnn (1).py, the only .py, not UTF-8, an empty file, ...) is the engine's
# ``prepare_submission``, specified in tests/test_submissions.py; Gradescope reaches it
# through the same call as these cases.
BAD_SUBMISSIONS = {
    "no file": ({}, 0, "no cnn.py in the submission"),
    "several .py, none cnn.py": ({"hw_a.py": SOLVED, "hw_b.py": SOLVED}, 0, "several .py files (hw_a.py, hw_b.py)"),
    "a zip, cnn.py in its sub-folder": ({"hw3.zip": _zip_of({"hw3/cnn.py": SOLVED})}, 100,
                                        "Note: graded hw3/cnn.py, found in a sub-folder"),
    "a notebook": ({"cnn.ipynb": _notebook(SOLVED)}, 100, "graded the code cells of the notebook cnn.ipynb"),
}


@pytest.mark.parametrize("case", BAD_SUBMISSIONS)
def test_bad_submission_gets_a_clear_message_and_its_real_score(
        case: str, gradescope: Gradescope, results_schema: jsonschema.Draft202012Validator, tmp_path: Path) -> None:
    files, score, message = BAD_SUBMISSIONS[case]
    document = _graded(gradescope(_folder(tmp_path, files)), results_schema)
    assert document["score"] == score
    assert message in document["output"]
    assert OTTER_FAILED not in json.dumps(document)


def test_grader_crash_still_writes_a_valid_results_json(
        gradescope: Gradescope, results_schema: jsonschema.Draft202012Validator, dist: Path, tmp_path: Path) -> None:
    broken = tmp_path / "no-tests.zip"  # otter copies source/tests before grading: it crashes without
    with zipfile.ZipFile(dist / "autograder.zip") as old, zipfile.ZipFile(broken, "w") as new:
        for info in old.infolist():
            if not info.filename.startswith("tests/"):
                new.writestr(info, old.read(info))
    run = gradescope(_folder(tmp_path, {"cnn.py": SOLVED}), broken)
    document = _graded(run, results_schema)
    assert document["score"] == 0
    assert GRADER_FAILED in document["output"]
    staff = [t for t in document["tests"] if t["visibility"] == "hidden"]
    assert len(staff) == 1 and "Traceback" in staff[0]["output"]
    assert "Notes for staff:\nTraceback" in run.output and "What otter printed (the end):" in run.output


def test_planted_files_have_no_effect(gradescope: Gradescope, results_schema: jsonschema.Draft202012Validator,
                                      tmp_path: Path) -> None:
    marker = tmp_path / "planted-code-ran"
    plant = f"open({str(marker)!r}, 'w').write('ran')\n".encode()
    files = {"cnn.py": SOLVED, ".OTTER_LOG": malicious_pickle(marker),
             "pandas.py": plant, "nbformat.py": plant, "otter.py": plant}
    document = _graded(gradescope(_folder(tmp_path, files)), results_schema)
    assert not marker.exists()
    assert document["score"] == 100


STEAL_AT_IMPORT = textwrap.dedent("""
    import os as _os
    for _folder, _subfolders, _files in _os.walk("/autograder"):  # Gradescope's layout is no secret
        for _name in _files:
            if _folder.endswith(("solutions/cnn", "cnn/hidden")) and _name.endswith(".py"):
                try:
                    print(open(_os.path.join(_folder, _name)).read())
                except OSError:
                    pass
""").encode()


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux) to drop a capability")
def test_without_cap_sys_admin_as_in_docker_grading_runs_as_a_uid_and_hides_the_reference(
        gradescope: Gradescope, results_schema: jsonschema.Draft202012Validator, dist: Path, tmp_path: Path,
        assignment: Assignment) -> None:
    """Docker's default capabilities have no CAP_SYS_ADMIN: the sandbox's uid mode grades a
    correct file that walks the disk for the reference and the hidden tests, which finds nothing."""
    upload = _folder(tmp_path, {"cnn.py": SOLVED + STEAL_AT_IMPORT})
    run = emulate(dist / "autograder.zip", upload, tmp_path / "run", drop_capabilities=("sys_admin",))
    document = _graded(run, results_schema)
    assert document["score"] == 100
    notes = next(t["output"] for t in document["tests"] if t["name"] == "Notes for staff")
    assert notes.startswith("sandbox mode uid: ")
    secrets = [assignment.reference, *assignment.hidden_tests.glob("*.py")]
    lines = {line.strip() for path in secrets for line in path.read_text().splitlines() if len(line.strip()) > 30}
    shown = document["output"] + "".join(test.get("output", "") for test in document["tests"])
    assert not [line for line in lines if line in shown]
