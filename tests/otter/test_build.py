"""``autograder build``: the student zip leaks nothing; the autograder zip is otter generate's."""

from __future__ import annotations

import json
import pickle
import subprocess
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from autograder.cli import main
from autograder.otter_bridge import GRADESCOPE_PROJECT, project_dependencies
from autograder.otter_plugin import PLUGIN_NAME
from autograder.plan import PLAN_FILE, plan_key
from autograder.plugin import HYPOTHESIS_PROFILE
from autograder.spec import Assignment
from autograder.template import release_files, solution_lines

pytestmark = [pytest.mark.otter, pytest.mark.slow]


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _lines(members: dict[str, bytes]) -> set[str]:
    return {line.strip() for data in members.values() for line in data.decode("utf-8", "replace").splitlines()}


def test_build_command_writes_both_zips(tmp_path: Path) -> None:
    done = CliRunner().invoke(main, ["build", "cnn", "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert {p.name for p in tmp_path.iterdir()} == {"autograder.zip", "student.zip"}


def test_student_zip_is_the_release_in_a_folder(dist: Path, assignment: Assignment) -> None:
    expected = {f"cnn/{name}": content for name, content in release_files(assignment).items()}
    assert _members(dist / "student.zip") == expected


def test_student_zip_holds_no_hidden_test(dist: Path, assignment: Assignment) -> None:
    members = _members(dist / "student.zip")
    hidden = list(assignment.hidden_tests.glob("*.py"))
    assert {Path(name).name for name in members}.isdisjoint(p.name for p in hidden)
    hidden_tests = {line.strip() for p in hidden for line in p.read_text().splitlines()
                    if line.strip().startswith("def test_")}
    assert hidden_tests and hidden_tests.isdisjoint(_lines(members))


def test_student_zip_holds_no_reference_code_or_solution_line(dist: Path, assignment: Assignment) -> None:
    members = _members(dist / "student.zip")
    reference = assignment.reference.read_bytes()
    assert all(content != reference for content in members.values())
    secrets = solution_lines(reference.decode())
    assert secrets and secrets.isdisjoint(_lines(members))


def test_autograder_zip_keeps_otters_run_autograder_and_runs_our_entry(dist: Path) -> None:
    members = _members(dist / "autograder.zip")
    assert {"run_autograder", "setup.sh", "environment.yml", "otter_config.json"} <= set(members)
    assert members["run_autograder"].decode().rstrip().endswith("python /autograder/source/run_otter.py")
    assert b"from autograder.gradescope.entry import main" in members["run_otter.py"]


def test_setup_sh_builds_the_env_run_autograder_activates_and_nothing_for_pdfs(dist: Path) -> None:
    """otter's setup.sh installs Playwright's Chromium with its system libraries, TeX and
    pandoc for PDFs, and R's build dependencies; ours only Miniforge and the conda env."""
    members = _members(dist / "autograder.zip")
    setup, run_autograder = members["setup.sh"].decode(), members["run_autograder"].decode()
    assert "mamba env create -f /autograder/source/environment.yml" in setup
    assert "bash /tmp/miniforge.sh -b -p /root/miniforge3" in setup
    assert "export PATH=/root/miniforge3/bin:$PATH" in run_autograder and "mamba activate otter-env" in run_autograder
    commands = [line.partition(" #")[0] for line in setup.splitlines() if not line.lstrip().startswith("#")]
    installed = "\n".join([*commands, members["environment.yml"].decode()]).lower()
    for heavy in ("playwright", "chromium", "texlive", "pandoc", "build-essential", "libgit2", "nb_conda_kernels"):
        assert heavy not in installed
    assert subprocess.run(["bash", "-n"], input=setup, text=True, capture_output=True).returncode == 0


def test_otters_only_test_file_checks_nothing(dist: Path) -> None:
    tests = {n: d for n, d in _members(dist / "autograder.zip").items() if n.startswith("tests/")}
    assert list(tests) == ["tests/graded_by_plugin.py"]
    assert b"points = 0" in tests["tests/graded_by_plugin.py"]


def test_environment_pins_the_grading_packages_and_installs_the_project(dist: Path) -> None:
    environment = yaml.safe_load(_members(dist / "autograder.zip")["environment.yml"])
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert f"otter-grader[grading]=={version('otter-grader')}" in pip
    for name in project_dependencies():
        assert f"{name}=={version(name)}" in pip
    assert f"-e {GRADESCOPE_PROJECT}" in pip


def test_zip_ships_config_suites_and_reference_but_no_samples(dist: Path, assignment: Assignment) -> None:
    names = set(_members(dist / "autograder.zip"))
    project = "files/project/"
    assert f"{project}assignments/cnn/assignment.toml" in names
    assert {f"{project}assignments/cnn/hidden/{p.name}" for p in assignment.hidden_tests.glob("*.py")} <= names
    assert f"{project}solutions/cnn/cnn.py" in names
    assert not any("/samples/" in name or "__pycache__" in name for name in names)


def test_zip_ships_the_plan_of_its_suites(dist: Path, assignment: Assignment) -> None:
    shipped = _members(dist / "autograder.zip")[f"files/project/assignments/cnn/{PLAN_FILE}"]
    plan = pickle.loads(shipped)  # noqa: S301 -- the zip this session built
    assert plan.key == plan_key(assignment, HYPOTHESIS_PROFILE) and plan.examples > 100
    assert not any(PLAN_FILE in name for name in _members(dist / "student.zip"))


def test_otter_config_names_our_plugin_and_the_total(dist: Path, assignment: Assignment) -> None:
    config = json.loads(_members(dist / "autograder.zip")["otter_config.json"])
    assert config["plugins"] == [{PLUGIN_NAME: {"assignment": "files/project/assignments/cnn"}}]
    assert config["points_possible"] == assignment.total_points == 100
