"""Lets you run the public tests on your own cnn.py: run ``pytest`` in this folder.

It imports ``cnn.py`` from this folder as the ``student`` fixture the tests use, and sets
hypothesis up the way the autograder does. The autograder does not use this file.
"""

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, Phase, settings

HERE = Path(__file__).resolve().parent
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
    """Your cnn.py, imported afresh from this folder."""
    path = HERE / "cnn.py"
    if not path.is_file():
        pytest.fail(f"no cnn.py in {HERE}: put the public tests next to your cnn.py")
    spec = importlib.util.spec_from_file_location("cnn", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
