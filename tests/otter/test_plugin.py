"""The otter plugin's events, called directly with otter's own config and results objects."""

from __future__ import annotations

import json
from pathlib import Path

import dill
import jsonschema
import nbformat
import pytest
from otter.run.run_autograder.autograder_config import AutograderConfig
from otter.test_files import GradingResults

from autograder.otter_plugin import AutograderPlugin, EngineResults, submission_to_grade
from autograder.runner import GRADER_FAILED

pytestmark = [pytest.mark.otter, pytest.mark.slow]

DOCUMENT = {"score": 1.0, "output": "ours", "tests": []}


def _autograder_dir(tmp_path: Path) -> Path:
    for folder in ("source", "submission", "results"):
        (tmp_path / folder).mkdir()
    (tmp_path / "submission" / "cnn.py").write_text("def relu(x):\n    return x\n")
    return tmp_path


def test_a_fault_of_the_grader_still_writes_a_valid_results_json(
        tmp_path: Path, results_schema: jsonschema.Draft202012Validator) -> None:
    root = _autograder_dir(tmp_path)
    plugin = AutograderPlugin(str(root / "submission" / "cnn.py"), {}, {"assignment": "no/such/assignment"})
    plugin.before_grading(AutograderConfig({"autograder_dir": str(root)}))
    document = json.loads((root / "results" / "results.json").read_text())
    results_schema.validate(document)
    assert document["score"] == 0 and GRADER_FAILED in document["output"]
    assert [t["visibility"] for t in document["tests"]] == ["hidden"]


def test_otters_copy_of_the_submission_becomes_a_placeholder(tmp_path: Path) -> None:
    root = _autograder_dir(tmp_path)
    submission = root / "submission" / "cnn.py"
    AutograderPlugin(str(submission), {}, {"assignment": "missing"}).before_grading(
        AutograderConfig({"autograder_dir": str(root)}))
    assert "def relu" not in submission.read_text()


def test_the_kernel_gets_an_empty_notebook() -> None:
    student = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os; os.system('id')")])
    assert AutograderPlugin("cnn.py", {}, {}).before_execution(student).cells == []


def test_otter_reports_our_document_and_can_still_pickle_its_results() -> None:
    plugin = AutograderPlugin("cnn.py", {}, {})
    plugin.document = DOCUMENT
    results = GradingResults([])
    plugin.after_grading(results)
    assert isinstance(results, EngineResults)
    assert results.to_gradescope_dict(AutograderConfig({})) == DOCUMENT
    assert dill.loads(dill.dumps(results)).to_gradescope_dict(AutograderConfig({})) == DOCUMENT


def test_a_folder_holding_only_a_zip_means_the_zip(tmp_path: Path) -> None:
    (tmp_path / "hw.zip").write_bytes(b"PK")
    assert submission_to_grade(tmp_path) == tmp_path / "hw.zip"


def test_a_folder_with_other_files_is_graded_as_a_folder(tmp_path: Path) -> None:
    (tmp_path / "hw.zip").write_bytes(b"PK")
    (tmp_path / "cnn.py").write_text("")
    assert submission_to_grade(tmp_path) == tmp_path
