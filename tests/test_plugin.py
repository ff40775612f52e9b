"""The grading plugin's settings, as students meet them too."""

import importlib.util

from hypothesis import settings

from autograder import plugin
from autograder.spec import load_assignment
from autograder.template import default_release_dir

SETTINGS = ("derandomize", "database", "deadline", "max_examples", "phases",
            "report_multiple_bugs", "suppress_health_check")


def _profile() -> dict:
    profile = settings.get_profile(plugin.HYPOTHESIS_PROFILE)
    return {name: getattr(profile, name) for name in SETTINGS}


def test_students_public_tests_run_with_the_graders_hypothesis_settings(monkeypatch):
    graders = _profile()
    release = default_release_dir(load_assignment("cnn"))
    monkeypatch.syspath_prepend(str(release))  # its conftest imports the release's autograder_local.py
    conftest = release / "conftest.py"
    spec = importlib.util.spec_from_file_location("student_conftest", conftest)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))  # registers its own profile
    assert _profile() == graders


def test_grading_is_derandomized_without_an_example_database():
    profile = _profile()
    assert profile["derandomize"] and profile["database"] is None and profile["deadline"] is None
