"""Hostile submissions graded end to end, with the real sandbox and the real cnn suites.

Each submission is the reference solution with one function (or the module's top level)
replaced by something hostile. For each: the grader survives, every honest function
still gets full marks, the hostile ones earn nothing, and nothing hidden reaches the
feedback. (tests/sandbox checks the same attacks one call at a time.)
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from autograder.runner import grade_file
from autograder.spec import load_assignment

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

ASSIGNMENT = load_assignment("cnn")
REFERENCE = ASSIGNMENT.reference.read_text()
# Questions whose reference function calls another graded function.
BUILT_ON = {"relu": {"conv_layer"}, "conv_stage": {"conv_layer"}, "conv_param_count": set(),
            "conv_output_size": {"conv2d", "conv_stage", "conv_layer", "conv_output_shape"}}


def with_function(name: str, code: str, source: str = REFERENCE) -> str:
    """``source`` with the top-level function ``name`` replaced by ``code``."""
    pattern = re.compile(rf"^def {name}\(.*?(?=^def |\Z)", re.S | re.M)
    assert pattern.search(source), f"no function {name} in the reference"
    return pattern.sub(lambda _: code.strip() + "\n\n\n", source, count=1)


def grade(tmp_path: Path, source: str):
    path = tmp_path / "submission" / "cnn.py"
    path.parent.mkdir()
    path.write_text(source)
    return grade_file(ASSIGNMENT, path, private_paths=(tmp_path,))


def assert_only_lost(result, lost: set[str]) -> None:
    """Full marks on every question but ``lost``, which earn nothing."""
    for question in result.questions:
        expected = 0 if question.name in lost else question.max_score
        assert question.score == pytest.approx(expected), (question.name, result.summary)


def hidden_lines() -> set[str]:
    """Distinctive lines of the hidden tests and the reference, which must never leak."""
    files = [*ASSIGNMENT.hidden_tests.glob("*.py"), ASSIGNMENT.reference]
    return {ln.strip() for f in files for ln in f.read_text().splitlines() if len(ln.strip()) > 30}


def assert_nothing_hidden_in(result) -> None:
    document = str(result.to_gradescope()["tests"]) + result.summary
    leaked = [line for line in hidden_lines() if line in document]
    assert not leaked, leaked[:3]


def test_an_infinite_loop_costs_only_that_function_and_those_built_on_it(tmp_path):
    started = time.monotonic()
    result = grade(tmp_path, with_function("relu", "def relu(x):\n    while True:\n        pass\n"))
    assert_only_lost(result, {"relu", *BUILT_ON["relu"]})
    assert time.monotonic() - started < 120
    assert "did not finish" in next(t.output for t in result.tests if t.question == "relu")


@pytest.mark.skipif(os.geteuid() != 0, reason="file isolation needs root")
def test_reading_the_hidden_tests_and_reference_gets_nothing(tmp_path):
    paths = [str(p) for p in ASSIGNMENT.hidden_tests.glob("*.py")] + [str(ASSIGNMENT.reference)]
    code = f'''
def conv_param_count(d_in, f, n_k, bias=True):
    stolen = []
    for path in {paths!r}:
        try:
            stolen.append(open(path).read())
        except OSError:
            pass
    if stolen:
        raise RuntimeError("".join(stolen)[:5000])
    return -1
'''
    result = grade(tmp_path, with_function("conv_param_count", code))
    assert_only_lost(result, {"conv_param_count"})
    assert not any("RuntimeError" in t.output for t in result.tests)
    assert_nothing_hidden_in(result)


def test_objects_equal_to_everything_earn_nothing(tmp_path):
    code = '''
class Anything:
    def __eq__(self, other):
        return True
    __ne__ = lambda self, other: False

def conv_output_shape(input_shape, n_k, f, padding=0, stride=1):
    return Anything()
'''
    result = grade(tmp_path, with_function("conv_output_shape", code))
    assert_only_lost(result, {"conv_output_shape"})


def test_monkeypatching_numpy_and_pytest_in_the_worker_changes_no_grade(tmp_path):
    patches = """
import numpy
numpy.allclose = lambda *a, **k: True
numpy.array_equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
try:
    import pytest
    pytest.approx = lambda *a, **k: True
except ImportError:
    pass
"""
    wrong = with_function("relu", "def relu(x):\n    return x * 0 + 7.0\n")
    (tmp_path / "plain").mkdir()
    (tmp_path / "patched").mkdir()
    plain = grade(tmp_path / "plain", wrong)
    patched = grade(tmp_path / "patched", wrong + patches)
    assert [q.score for q in patched.questions] == [q.score for q in plain.questions]
    assert patched.question("relu").score < patched.question("relu").max_score


def test_killing_the_parent_does_not_stop_grading(tmp_path):
    code = '''
def relu(x):
    import os, signal
    for target in (os.getppid(), -1, 1):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    return np.maximum(x, 0).astype(float)
'''
    result = grade(tmp_path, with_function("relu", code))
    assert result.graded
    assert_only_lost(result, set())  # the kills failed, and relu itself is right


def test_writing_a_results_file_changes_nothing(tmp_path):
    code = f'''
def conv_param_count(d_in, f, n_k, bias=True):
    import json, os
    fake = {{"score": 100, "tests": []}}
    for folder in ("/autograder/results", {str(tmp_path)!r}, os.getcwd(), "/tmp"):
        try:
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "results.json"), "w") as handle:
                json.dump(fake, handle)
        except OSError:
            pass
    return 0
'''
    result = grade(tmp_path, with_function("conv_param_count", code))
    assert_only_lost(result, {"conv_param_count"})
    if os.geteuid() == 0:
        assert not (tmp_path / "results.json").exists()


def test_sys_exit_at_import_scores_zero_with_a_clear_message(tmp_path):
    result = grade(tmp_path, REFERENCE + "\nimport sys\nsys.exit(0)\n")
    assert result.status == "not importable: SystemExit: 0" and result.score == 0
    assert all("could not be imported" in t.output for t in result.tests)


def test_a_forbidden_call_at_run_time_zeroes_its_question(tmp_path):
    code = '''
def relu(x):
    import numpy
    getattr(numpy, "conv" + "olve")([1.0], [1.0])
    return numpy.maximum(x, 0).astype(float)
'''
    result = grade(tmp_path, with_function("relu", code))
    assert_only_lost(result, {"relu", "conv_layer"})
    assert "not allowed" in next(t.output for t in result.tests if t.question == "relu")
