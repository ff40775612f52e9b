"""The zip's entry point, called directly on an autograder folder of Gradescope's shape."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from autograder.gradescope.entry import main
from autograder.runner import GRADER_FAILED

pytestmark = [pytest.mark.otter, pytest.mark.slow]


def test_an_autograder_without_its_config_still_writes_a_valid_results_json(
        tmp_path: Path, results_schema: jsonschema.Draft202012Validator) -> None:
    for folder in ("source", "submission"):
        (tmp_path / folder).mkdir()
    (tmp_path / "submission" / "cnn.py").write_text("def relu(x):\n    return x\n")
    assert main(tmp_path) == 0
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    results_schema.validate(document)
    assert document["score"] == 0 and GRADER_FAILED in document["output"]
    staff = [t for t in document["tests"] if t["visibility"] == "hidden"]
    assert "otter_config.json" in staff[0]["output"]
