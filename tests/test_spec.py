"""The assignment spec: loading, validation messages, fingerprints."""

from pathlib import Path

import pytest

from autograder.errors import ConfigError
from autograder.spec import load_assignment, project_root, suite_fingerprint


def test_cnn_assignment_loads_by_name():
    assignment = load_assignment("cnn")
    assert assignment.student_file == "cnn.py"
    assert assignment.module_name == "cnn"
    assert assignment.reference == project_root() / "solutions" / "cnn" / "cnn.py"


def test_cnn_questions_are_the_ten_functions_and_total_100():
    assignment = load_assignment("cnn")
    assert assignment.questions == (
        "zero_pad", "cross_correlate2d", "conv_output_size", "conv2d", "conv_stage",
        "pool2d", "relu", "conv_layer", "conv_param_count", "conv_output_shape",
    )
    assert assignment.total_points == 100


def test_assignment_loads_by_folder_path():
    folder = project_root() / "assignments" / "cnn"
    assert load_assignment(folder).folder == folder


def test_unknown_assignment_lists_the_known_ones():
    with pytest.raises(ConfigError, match="no assignment 'nope'.*cnn"):
        load_assignment("nope")


def _copy_assignment(tmp_path: Path, config_edit) -> Path:
    source = project_root() / "assignments" / "cnn"
    folder = tmp_path / "assignments" / "cnn"
    folder.mkdir(parents=True)
    for name in ("public", "hidden"):
        (folder / name).mkdir()
    reference = tmp_path / "solutions" / "cnn" / "cnn.py"
    reference.parent.mkdir(parents=True)
    reference.write_text("")
    (folder / "assignment.toml").write_text(config_edit((source / "assignment.toml").read_text()))
    return folder


def test_negative_points_name_the_file_and_key(tmp_path):
    folder = _copy_assignment(tmp_path, lambda text: text.replace("relu = 4", "relu = -4"))
    with pytest.raises(ConfigError, match=r"assignment\.toml: \[points\] relu must be a positive number, got -4"):
        load_assignment(folder)


def test_unknown_limit_is_rejected(tmp_path):
    folder = _copy_assignment(tmp_path, lambda text: text.replace("[limits]", "[limits]\nwall_seconds = 3"))
    with pytest.raises(ConfigError, match=r"unknown key\(s\) in \[limits\]: wall_seconds"):
        load_assignment(folder)


def test_bad_visibility_lists_the_allowed_values(tmp_path):
    folder = _copy_assignment(
        tmp_path, lambda text: text.replace('"after_published"', '"sometimes"', 1)
    )
    with pytest.raises(ConfigError, match="hidden_visibility must be one of visible, hidden"):
        load_assignment(folder)


def test_fingerprint_changes_when_a_hidden_test_changes(tmp_path):
    folder = _copy_assignment(tmp_path, lambda text: text)
    (folder / "hidden" / "test_a.py").write_text("def test_a(): pass\n")
    before = suite_fingerprint(load_assignment(folder))
    (folder / "hidden" / "test_a.py").write_text("def test_a(): assert True\n")
    assert suite_fingerprint(load_assignment(folder)) != before


def test_fingerprint_is_stable(tmp_path):
    folder = _copy_assignment(tmp_path, lambda text: text)
    assert suite_fingerprint(load_assignment(folder)) == suite_fingerprint(load_assignment(folder))


def test_the_submission_budget_and_the_cap_on_aborted_calls_are_read_from_the_config(tmp_path):
    folder = _copy_assignment(tmp_path, lambda text: text.replace("submission_seconds = 180.0", "submission_seconds = 42")
                              .replace("aborts_per_function = 2", "aborts_per_function = 3"))
    limits = load_assignment(folder).limits
    assert (limits.submission_seconds, limits.aborts_per_function) == (42.0, 3)


@pytest.mark.parametrize("value", ["0", "-5", "true", '"300"'])
def test_a_submission_budget_that_is_not_a_positive_number_is_rejected(tmp_path, value):
    folder = _copy_assignment(tmp_path, lambda text: text.replace("submission_seconds = 180.0",
                                                                  f"submission_seconds = {value}"))
    with pytest.raises(ConfigError, match=r"\[limits\] submission_seconds must be a positive number"):
        load_assignment(folder)


def test_the_cnn_budget_leaves_room_for_every_function_to_use_up_its_time_limits():
    """A submission whose every function loops forever is graded in full, not cut short."""
    assignment = load_assignment("cnn")
    limits = assignment.limits
    worst_honest = len(assignment.questions) * limits.aborts_per_function * limits.call_seconds
    assert limits.submission_seconds >= 2 * worst_honest
