"""A link to the reference in what the student uploaded, graded the way Gradescope runs the
zip (autograder.gradescope.emulate): the grader runs as root in /autograder, where the
reference lies at a path every student can guess."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from autograder.gradescope.emulate import EmulatedRun
from autograder.otter_bridge import GRADESCOPE_PROJECT

pytestmark = [pytest.mark.otter, pytest.mark.slow]

REFERENCE_IN_THE_ZIP = f"{GRADESCOPE_PROJECT}/solutions/cnn/cnn.py"


@pytest.mark.parametrize("target", [REFERENCE_IN_THE_ZIP, "../source/files/project/solutions/cnn/cnn.py"],
                         ids=["absolute", "relative"])
def test_an_uploaded_link_to_the_reference_scores_nothing(
        gradescope: Callable[..., EmulatedRun], results_schema: jsonschema.Draft202012Validator, tmp_path: Path,
        target: str) -> None:
    upload = tmp_path / "upload"
    upload.mkdir()
    (upload / "cnn.py").symlink_to(target)

    run = gradescope(upload)

    assert run.returncode == 0 and run.results is not None, run.output[-3000:]
    results_schema.validate(run.results)
    assert run.results["score"] == 0
    assert ("no cnn.py in the submission (found: cnn.py); symbolic links are not followed: submit the files "
            "themselves") in run.results["output"]
    assert "def conv2d" not in json.dumps(run.results)
