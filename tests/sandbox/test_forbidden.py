"""Forbidden APIs: found statically in the source, and stopped at run time in the worker."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.runner import grade_file
from autograder.sandbox import Failed, Returned, find_forbidden_uses
from autograder.spec import load_assignment
from tests.sandbox.helpers import FORBIDDEN, FUNCTIONS, HOSTILE

pytestmark = pytest.mark.sandbox

X = np.arange(16.0).reshape(4, 4)
W = np.ones((2, 2))
ASSIGNMENT = load_assignment("cnn")
LOOPS = HOSTILE.parent / "reference_impls" / "loops_cnn.py"


def uses(source: str, functions=("conv2d",)) -> dict[str, tuple[str, ...]]:
    return find_forbidden_uses(source, functions, FORBIDDEN)


# ---------------------------------------------------------------- static


def test_static_check_charges_each_graded_function_with_what_it_reaches():
    source = (HOSTILE / "forbidden_apis.py").read_text()

    assert find_forbidden_uses(source, FUNCTIONS, FORBIDDEN) == {
        "cross_correlate2d": ("scipy.signal.correlate2d",),
        "conv2d": ("numpy.fft.fft2",),
        "conv_stage": ("scipy.signal.convolve2d",),
    }


@pytest.mark.parametrize("source, expected", [
    ("import numpy as np\ndef conv2d(x, w): return np.convolve(x, w)", "numpy.convolve"),
    ("import numpy\ndef conv2d(x, w): return numpy.correlate(x, w)", "numpy.correlate"),
    ("from numpy import convolve as c\ndef conv2d(x, w): return c(x, w)", "numpy.convolve"),
    ("from numpy import fft\ndef conv2d(x, w): return fft.ifft2(x)", "numpy.fft.ifft2"),
    ("import numpy.fft as F\ndef conv2d(x, w): return F.rfft(x)", "numpy.fft.rfft"),
    ("import scipy.signal\ndef conv2d(x, w): return scipy.signal.correlate2d(x, w)", "scipy.signal.correlate2d"),
    ("from scipy import ndimage as nd\ndef conv2d(x, w): return nd.convolve(x, w)", "scipy.ndimage.convolve"),
    ("import torch\ndef conv2d(x, w): return torch.nn.functional.conv2d(x, w)", "torch.nn.functional.conv2d"),
    ("from numpy import *\ndef conv2d(x, w): return convolve(x, w)", "numpy.convolve"),
    ("import numpy as np\ndef conv2d(x, w): return getattr(np, 'convolve')(x, w)", "numpy.convolve"),
    ("import importlib\ndef conv2d(x, w): return importlib.import_module('scipy.signal')", "scipy.signal"),
    ("import numpy as np\nf = np.convolve\ndef conv2d(x, w): return f(x, w)", "numpy.convolve"),
    ("import numpy as np\nclass K:\n def run(self, x): return np.fft.fft(x)\ndef conv2d(x, w): return K().run(x)",
     "numpy.fft.fft"),
    ("def conv2d(x, w):\n import scipy.signal as s\n return s.correlate(x, w)", "scipy.signal.correlate"),
])
def test_static_check_sees_through_aliases_and_indirection(source, expected):
    assert uses(source) == {"conv2d": (expected,)}


def test_static_check_follows_helpers_transitively_and_survives_cycles():
    source = """
import numpy as np
def a(x): return b(x)
def b(x): return a(x) + c(x)
def c(x): return np.correlate(x, x)
def conv2d(x, w): return a(x)
def relu(x): return np.maximum(x, 0)
"""
    assert uses(source, ("conv2d", "relu")) == {"conv2d": ("numpy.correlate",)}


@pytest.mark.parametrize("source", [
    "import numpy as np\nfrom numpy.lib.stride_tricks import sliding_window_view as sw\n"
    "def conv2d(x, w): return np.einsum('ijkl,kl->ij', sw(x, w.shape), w)",
    "import numpy as np\ndef conv2d(x, w): return np.tensordot(x, w, axes=0)",
    "import numpy as np\ndef conv2d(x, w): return np.corrcoef(x)",  # not numpy.correlate
    "import numpy as np\ndef conv2d(np, w): return np.convolve(w)",  # a parameter shadows the import
    "import numpy as np\ndef helper(x): return np.convolve(x, x)\ndef conv2d(x, w): return x",  # unused helper
])
def test_static_check_allows_what_is_allowed(source):
    assert uses(source) == {}


@pytest.mark.parametrize("source", [
    "def conv2d(x, w) return x",
    "x = (" * 200_000,
    "-" * 1_000_000 + "1",
    "1+" * 1_000_000 + "1",
    "\x00",
    "import numpy as np\n" + "def conv2d(x, w): return np.convolve(x, w)\n" * 5_000 + "def broken(:",
], ids=["syntax error", "deep parentheses", "deep unary", "deep binary", "null byte", "huge and broken"])
def test_static_check_returns_nothing_for_source_that_does_not_parse(source):
    assert uses(source) == {}


def test_static_check_copes_with_a_huge_but_valid_file():
    source = "import numpy as np\n" + "".join(f"def f{i}(x): return f{i + 1}(x)\n" for i in range(5_000))
    source += "def f5000(x): return np.fft.fft(x)\ndef conv2d(x, w): return f0(x)\n"

    assert uses(source) == {"conv2d": ("numpy.fft.fft",)}


# ---------------------------------------------------------------- run time


def test_forbidden_modules_still_import_so_allowed_functions_work(open_box):
    box = open_box("forbidden_apis")

    reply = box.call("pool2d", X)

    assert isinstance(reply, Returned)
    np.testing.assert_array_equal(reply.value, [[2.5, 4.5], [10.5, 12.5]])


@pytest.mark.parametrize("function, api", [
    ("cross_correlate2d", "scipy.signal.correlate2d"),
    ("conv2d", "numpy.fft.fft2"),
    ("conv_stage", "scipy.signal.convolve2d"),  # even though the student catches the error
])
def test_calling_a_forbidden_api_fails_the_call(open_box, function, api):
    box = open_box("forbidden_apis")

    reply = box.call(function, X, W)

    assert reply == Failed("forbidden", f"{api} is not allowed in this assignment (called from {function})",
                           reply.seconds)
    assert isinstance(box.call("relu", X), Returned)


def test_forbidden_numpy_functions_are_stand_ins_in_the_worker_only(open_box, tmp_path):
    source = tmp_path / "uses_convolve.py"
    source.write_text("import numpy as np\ndef relu(x):\n    return np.convolve(x, x)\n"
                      "def zero_pad(x, pad):\n    from numpy.fft import fft\n    return fft(x)\n")
    from autograder.sandbox import Sandbox
    from tests.sandbox.helpers import LIMITS

    with Sandbox(source, module="cnn", functions=("relu", "zero_pad"), limits=LIMITS, forbidden=FORBIDDEN) as box:
        assert box.call("relu", np.ones(3)).kind == "forbidden"
        assert box.call("zero_pad", np.ones(3), 1).message == \
            "numpy.fft.fft is not allowed in this assignment (called from zero_pad)"
    np.testing.assert_array_equal(np.convolve(np.ones(2), np.ones(2)), [1, 2, 1])  # the grader's numpy


# ---------------------------------------------------------------- identity and introspection


@pytest.mark.parametrize("source, expected", [
    ("import numpy as np\ndef conv2d(x, w): return np._core.numeric.correlate(x, w)",
     "numpy._core.numeric.correlate (the same function as numpy.correlate)"),
    ("from numpy._core.numeric import correlate as c\ndef conv2d(x, w): return c(x, w)",
     "numpy._core.numeric.correlate (the same function as numpy.correlate)"),
    ("import numpy as np\ndef conv2d(x, w): return np._core.multiarray.correlate2(x, w, 1)",
     "numpy._core.multiarray.correlate2 (the same function as numpy.correlate)"),
    ("import numpy as np\ndef conv2d(x, w): return np.convolve._implementation(x, w)",
     "numpy.convolve._implementation"),
    ("import numpy.fft._pocketfft as p\ndef conv2d(x, w): return p.fft2(x)", "numpy.fft._pocketfft.fft2"),
    ("import numpy as np\ndef conv2d(x, w): return np.fft._pocketfft_umath.fft", "numpy.fft._pocketfft_umath.fft"),
], ids=["another module", "imported from another module", "compiled core", "implementation", "private module",
        "compiled fft"])
def test_static_check_matches_forbidden_functions_by_identity_not_spelling(source, expected):
    assert uses(source) == {"conv2d": (expected,)}


@pytest.mark.parametrize("source, expected", [
    ("import gc\ndef conv2d(x, w): return [o for o in gc.get_objects() if callable(o)]", "gc.get_objects"),
    ("from gc import get_referents as r\ndef conv2d(x, w): return r(x)", "gc.get_referents"),
    ("import ctypes\ndef conv2d(x, w): return ctypes.py_object(x)", "ctypes.py_object"),
    ("def conv2d(x, w): return ().__class__.__base__.__subclasses__()", "__subclasses__"),
    ("def conv2d(x, w): return getattr(type(x), '__subclasses__')()", "__subclasses__"),
    ("def conv2d(x, w): return conv2d.__globals__['np']", "__globals__"),
    ("import sys\ndef conv2d(x, w): return sys.modules['numpy']", "sys.modules"),
    ("import sys\ndef conv2d(x, w): return sys._getframe(1).f_globals", "f_globals"),
], ids=["gc objects", "gc referents", "ctypes", "subclasses", "getattr subclasses", "globals", "sys.modules",
        "frames"])
def test_static_check_counts_reaching_into_the_object_graph_as_forbidden(source, expected):
    assert expected in uses(source)["conv2d"]


def test_introspection_in_code_run_at_import_is_charged_to_every_graded_function():
    source = ("import gc\nimport numpy as np\nTOOLS = {}\n"
              "def _collect():\n    TOOLS['fft'] = [o for o in gc.get_objects() if callable(o)]\n"
              "_collect()\n"
              "def conv2d(x, w): return TOOLS['fft'][0](x)\ndef relu(x): return np.maximum(x, 0)\n")

    assert uses(source, ("conv2d", "relu")) == {"conv2d": ("gc.get_objects (in code run at import)",),
                                               "relu": ("gc.get_objects (in code run at import)",)}


def test_a_main_block_is_not_code_run_at_import():
    source = ("import gc\nimport numpy as np\ndef relu(x): return np.maximum(x, 0)\n"
              "if __name__ == '__main__':\n    print(len(gc.get_objects()))\n")

    assert uses(source, ("relu",)) == {}


@pytest.mark.parametrize("path", [ASSIGNMENT.reference, LOOPS], ids=["reference", "loops"])
def test_correct_implementations_use_nothing_forbidden(path):
    assert find_forbidden_uses(path.read_text(), ASSIGNMENT.questions, ASSIGNMENT.forbidden) == {}


def test_a_forbidden_function_under_another_path_is_a_stand_in_at_run_time(open_box):
    box = open_box("forbidden_alias")

    reply = box.call("cross_correlate2d", X, W)

    assert reply == Failed("forbidden", "numpy.correlate is not allowed in this assignment "
                                        "(called from cross_correlate2d)", reply.seconds)
    np.testing.assert_array_equal(np._core.numeric.correlate([1.0, 2.0], [1.0]), [1.0, 2.0])  # the grader's


# ---------------------------------------------------------------- graded end to end


@pytest.mark.slow
@pytest.mark.parametrize("attack", ["forbidden_alias", "forbidden_from_memory"])
def test_a_forbidden_function_by_another_path_or_from_memory_scores_zero_on_its_question(tmp_path, attack):
    submission = tmp_path / "submission" / "cnn.py"
    submission.parent.mkdir()
    submission.write_text(ASSIGNMENT.reference.read_text() + "\n\n" + (HOSTILE / f"{attack}.py").read_text())

    result = grade_file(ASSIGNMENT, submission, private_paths=(tmp_path,))

    lost = {"cross_correlate2d", "conv2d"}  # conv2d is built on cross_correlate2d
    for question in result.questions:
        assert question.score == pytest.approx(0 if question.name in lost else question.max_score), question.name
    assert result.question("cross_correlate2d").forbidden


@pytest.mark.slow
def test_a_correct_file_still_scores_full_marks(tmp_path):
    submission = tmp_path / "submission" / "cnn.py"
    submission.parent.mkdir()
    submission.write_text(LOOPS.read_text())

    result = grade_file(ASSIGNMENT, submission, private_paths=(tmp_path,))

    assert result.score == result.max_score, result.summary
