"""Top-level code of a student's file: demo lines that fail are skipped, the functions are graded.

The worker runs the file's top-level statements one at a time; one that raises (a print of
a comparison with scipy, whose stand-in raises; a name the grader does not have) is skipped
with a note among what the code printed. Only a file that does not compile fails to import.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autograder.runner import grade_file
from autograder.sandbox import Failed, Returned
from autograder.spec import load_assignment

pytestmark = pytest.mark.sandbox

DEMO = """\
import numpy as np
import scipy.signal

def relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)

print(scipy.signal.convolve2d(np.ones((3, 3)), np.ones((2, 2))))
plt.imshow(relu(np.eye(3)))
print("demo done")

def zero_pad(x, pad):
    return np.pad(x, pad)
"""


def write(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "submitted" / "cnn.py"
    path.parent.mkdir()
    path.write_text(source, encoding="utf-8")
    return path


def test_failing_top_level_statements_are_skipped_and_every_function_answers(open_box, tmp_path):
    box = open_box(write(tmp_path, DEMO))

    before, after = box.call("relu", np.array([-1.0, 2.0])), box.call("zero_pad", np.ones((1, 1)), 1)

    assert isinstance(before, Returned) and before.value.tolist() == [0.0, 2.0]
    assert isinstance(after, Returned) and after.value.shape == (3, 3)


def test_each_skipped_statement_is_noted_with_its_line_among_what_the_code_printed(open_box, tmp_path):
    box = open_box(write(tmp_path, DEMO))
    box.call("relu", np.zeros(1))

    printed = box.output()

    assert ("cnn.py, line 7: skipped top-level code (ForbiddenApiError: scipy.signal.convolve2d is not allowed "
            "in this assignment)") in printed
    assert "cnn.py, line 8: skipped top-level code (NameError: name 'plt' is not defined)" in printed
    assert "demo done" in printed


def test_future_imports_apply_to_every_statement(open_box, tmp_path):
    source = "from __future__ import annotations\n\ndef relu(x: NotDefinedHere) -> AlsoNot:\n    return x * 0\n"
    box = open_box(write(tmp_path, source))

    assert isinstance(box.call("relu", np.ones(2)), Returned)


@pytest.mark.parametrize("source", ["def relu(x:\n    return x\n", "x = 1\nfrom __future__ import annotations\n"],
                         ids=["syntax error", "late __future__ import"])
def test_a_file_that_does_not_compile_still_fails_to_import(open_box, tmp_path, source):
    box = open_box(write(tmp_path, source))

    reply = box.call("relu", np.ones(2))

    assert isinstance(reply, Failed) and reply.kind == "import"
    assert "SyntaxError" in reply.message


@pytest.mark.slow
def test_correct_file_with_a_scipy_demo_at_the_top_level_gets_full_marks(tmp_path):
    assignment = load_assignment("cnn")
    demo = ("\n\nimport scipy.signal\n\nprint(scipy.signal.convolve2d(np.eye(3), np.ones((2, 2)), mode='valid'))\n"
            "print(conv2d(np.eye(3), np.ones((2, 2))))\n")
    path = write(tmp_path, assignment.reference.read_text(encoding="utf-8") + demo)

    result = grade_file(assignment, path)

    assert result.score == result.max_score, result.summary
    assert "skipped top-level code (ForbiddenApiError: scipy.signal.convolve2d" in result.student_output
