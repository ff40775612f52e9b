"""Lets you run the public tests on your own cnn.py: run ``pytest`` in this folder.

It does what the autograder does, with the autograder's own code (``autograder_local.py``):
it imports ``cnn.py`` from this folder one top-level statement at a time (a statement that
raises, such as demo code, is skipped with a warning and costs no function its points),
fails every test of a question whose function uses a forbidden API (that question scores
0 on Gradescope), sets hypothesis up the same way, and shows a failed check in the words
Gradescope uses. The autograder does not use this file.
"""

import importlib.util
import warnings
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, Phase, settings

import autograder_local as grading

HERE = Path(__file__).resolve().parent
STUDENT_FILE = HERE / "cnn.py"
PROFILE = "autograder"

settings.register_profile(
    PROFILE,
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=30,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
    report_multiple_bugs=False,
    print_blob=False,
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large),
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "question(name): the graded question (function) a test checks")
    settings.load_profile(PROFILE)


@pytest.fixture(scope="session")
def student() -> ModuleType:
    """Your cnn.py, imported from this folder the way the autograder imports it."""
    if not STUDENT_FILE.is_file():
        pytest.fail(f"no cnn.py in {HERE}: put the public tests next to your cnn.py")
    spec = importlib.util.spec_from_file_location("cnn", STUDENT_FILE)
    module = importlib.util.module_from_spec(spec)
    statements = grading.compile_statements(STUDENT_FILE.read_bytes(), str(STUDENT_FILE))
    for note in grading.run_statements(statements, module.__dict__, str(STUDENT_FILE)):
        warnings.warn(note, stacklevel=1)
    return module


@lru_cache(maxsize=1)
def forbidden_uses() -> dict:
    """The forbidden APIs each function of cnn.py uses, found as the autograder finds them."""
    source = STUDENT_FILE.read_text(encoding="utf-8", errors="replace") if STUDENT_FILE.is_file() else ""
    return grading.find_forbidden_uses(source, grading.QUESTIONS, grading.FORBIDDEN)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """Fail a test whose question's function uses a forbidden API, as the autograder scores it."""
    marker = item.get_closest_marker("question")
    question = marker.args[0] if marker and marker.args else None
    if forbidden_uses().get(question):
        names = ", ".join(forbidden_uses()[question])
        pytest.fail(f"{question} uses {names}, which this assignment does not allow: 0 points.", pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> None:
    """Show a failed check as the autograder's message, and the misconception it is sure of."""
    outcome = yield
    failure = call.excinfo.value if call.excinfo is not None else None
    if isinstance(failure, grading.Feedback):
        named = f"\nMisconception: {failure.misconception}" if failure.misconception else ""
        outcome.get_result().longrepr = failure.message + named
