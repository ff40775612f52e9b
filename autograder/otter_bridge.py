"""Building the Gradescope autograder zip with otter-grader's ``otter generate``, and the student zip.

``autograder.zip`` is the zip ``otter generate`` writes, with one member replaced::

    run_autograder             otter's template, untouched (activates the conda env otter-env)
    setup.sh                   ours (templates/gradescope_setup.sh.j2): Miniforge and the conda
                               env, as otter's, but none of otter's PDF tooling (Playwright's
                               Chromium and its system libraries, TeX, pandoc) or R libraries
    run_otter.py               ours: calls autograder.gradescope.entry, which keeps the raw
                               submission away from otter (see there why)
    environment.yml            otter's, from our requirements: Python as here, otter-grader and
                               the grading dependencies pinned to the versions this build ran
                               with (hypothesis' examples depend on its version: pinning keeps
                               Gradescope's grades equal to local ones), and this project
    otter_config.json          our plugin (autograder.otter_plugin) and where the assignment is
    tests/graded_by_plugin.py  the test file otter insists on; it checks nothing
    files/project/             the package, pyproject.toml, README.md, the assignment's config
                               and suites and its reference solution, laid out as in this checkout,
                               and the suites' plan (``plan.PLAN_FILE``: the hypothesis inputs,
                               recorded here so that no Gradescope run draws them)

The project is installed from ``files/project`` in editable mode rather than from a
wheel: the runner hides ``project_root()``, the folder holding the package, from the
student's worker, and for a wheel that folder would be site-packages, numpy's home.

``student.zip`` holds the student release (``template.release_files``) in a folder named
after the assignment.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import jinja2

from autograder.errors import ConfigError
from autograder.spec import Assignment, project_root
from autograder.template import release_files

AUTOGRADER_ZIP = "autograder.zip"
STUDENT_ZIP = "student.zip"
PROJECT_DIR = "project"  # files/project in the zip
GRADESCOPE_DIR = "/autograder"
GRADESCOPE_PROJECT = f"{GRADESCOPE_DIR}/source/files/{PROJECT_DIR}"
CONDA_ROOT = "/root/miniforge3"  # where otter's run_autograder finds conda
TEMPLATES = Path(__file__).resolve().parent / "templates"
SETUP_TEMPLATE = "gradescope_setup.sh.j2"
PROJECT_FILES = ("pyproject.toml", "README.md")
SKIPPED = {"__pycache__", ".pytest_cache", ".hypothesis"}
PLACEHOLDER_TEST = '''\
"""otter runs the test files in tests/ in its kernel. This assignment is graded by the
autograder plugin (autograder/otter_plugin.py) before the kernel starts, and the kernel
gets an empty notebook: this file checks nothing of the student's, and its result is
discarded."""

from otter.test_files import test_case

OK_FORMAT = False
name = "graded_by_plugin"
points = 0


@test_case(points=0)
def nothing_to_check():
    """Always passes."""
'''
RUN_OTTER = '''\
"""Gradescope's run_autograder runs this. It replaces otter's run_otter.py template, which
called otter.run.run_autograder.main("/autograder") directly: autograder.gradescope.entry
runs that same main without letting otter see the student's files."""

from autograder.gradescope.entry import main

if __name__ == "__main__":
    raise SystemExit(main("/autograder"))
'''


def build_zips(assignment: Assignment, out: Path) -> list[Path]:
    """Write ``out/autograder.zip`` (via ``otter generate``) and ``out/student.zip``."""
    out.mkdir(parents=True, exist_ok=True)
    return [build_autograder_zip(assignment, out / AUTOGRADER_ZIP), build_student_zip(assignment, out / STUDENT_ZIP)]


def build_student_zip(assignment: Assignment, path: Path) -> Path:
    """The student release, every file under ``<assignment name>/``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in release_files(assignment).items():
            zf.writestr(f"{assignment.name}/{name}", content)
    return path


def build_autograder_zip(assignment: Assignment, path: Path) -> Path:
    """Run ``otter generate`` on a staged folder, then put our ``run_otter.py`` in the zip."""
    if importlib.util.find_spec("otter") is None:
        raise ConfigError("otter-grader is not installed here: pip install -e '.[otter]'")
    from autograder.otter_plugin import PLUGIN_NAME  # imports otter
    from autograder.plan import PLAN_FILE, write_plan  # hypothesis and pytest: only when building
    from autograder.runner import current_plan

    with tempfile.TemporaryDirectory(prefix="otter-generate-") as tmp:
        work = Path(tmp)
        assignment_path = stage_project(assignment, work / PROJECT_DIR)
        write_plan(current_plan(assignment)[0], work / PROJECT_DIR / assignment_path / PLAN_FILE)
        (work / "tests").mkdir()
        (work / "tests" / "graded_by_plugin.py").write_text(PLACEHOLDER_TEST, encoding="utf-8")
        (work / "requirements.txt").write_text(requirements(), encoding="utf-8")
        config = {
            "plugins": [{PLUGIN_NAME: {"assignment": f"files/{PROJECT_DIR}/{assignment_path}"}}],
            "points_possible": assignment.total_points,
        }
        (work / "otter_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
        _otter_generate(work, path)
    _replace_members(path, {"run_otter.py": RUN_OTTER, "setup.sh": setup_script()})
    return path


def setup_script() -> str:
    """The zip's setup.sh: what grading needs of otter's (Miniforge and the conda env
    run_autograder activates, at otter's Miniforge version), no PDF or R tooling."""
    from otter.generate import MINIFORGE_VERSION, OTTER_ENV_NAME  # otter is installed: the zip is being built

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                                     keep_trailing_newline=True)
    return environment.get_template(SETUP_TEMPLATE).render(
        miniforge_version=MINIFORGE_VERSION, env_name=OTTER_ENV_NAME, conda_root=CONDA_ROOT,
        autograder_dir=GRADESCOPE_DIR)


def stage_project(assignment: Assignment, dest: Path) -> str:
    """Copy what grading needs into ``dest``; returns the assignment folder's path in it.

    The assignment keeps its place relative to the checkout, and its reference and suites
    keep theirs relative to the assignment, so its config reads the same in the zip.
    """
    root = project_root()
    _copy_tree(root / "autograder", dest / "autograder")
    for name in PROJECT_FILES:
        if not (root / name).is_file():
            raise ConfigError(f"{root / name} is missing: the zip installs the project from its pyproject.toml")
        shutil.copy2(root / name, dest / name)
    relative = _inside(assignment.folder, root, "the assignment folder")
    target = dest / relative
    target.mkdir(parents=True)
    shutil.copy2(assignment.config_path, target / assignment.config_path.name)
    for folder in (assignment.public_tests, assignment.hidden_tests):
        _copy_tree(folder, target / os.path.relpath(folder, assignment.folder))
    reference = target / os.path.relpath(assignment.reference, assignment.folder)
    _inside(reference.resolve(), dest.resolve(), "the reference solution")
    reference.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(assignment.reference, reference)
    return relative.as_posix()


def requirements() -> str:
    """The grading environment's pip requirements: pinned to this build's versions."""
    pins = [f"otter-grader[grading]=={_installed('otter-grader')}"]
    pins += [f"{name}=={_installed(name)}" for name in project_dependencies()]
    return "\n".join([*pins, f"-e {GRADESCOPE_PROJECT}", ""])


def project_dependencies() -> list[str]:
    """The distribution names in pyproject.toml's ``[project] dependencies``."""
    pyproject = tomllib.loads((project_root() / "pyproject.toml").read_text(encoding="utf-8"))
    return [re.match(r"[A-Za-z0-9._-]+", spec).group(0) for spec in pyproject["project"]["dependencies"]]


def _installed(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        raise ConfigError(f"{distribution} is not installed here, so the zip cannot pin it") from None


def _inside(path: Path, root: Path, what: str) -> Path:
    """``path`` relative to ``root``; the zip cannot hold what lies outside the checkout."""
    try:
        return path.relative_to(root)
    except ValueError:
        raise ConfigError(f"{what} {path} lies outside {root}, so the zip cannot hold it") from None


def _copy_tree(source: Path, dest: Path) -> None:
    shutil.copytree(source, dest, ignore=lambda _dir, names: [n for n in names if n in SKIPPED or n.endswith(".pyc")])


def _otter_generate(work: Path, zip_path: Path) -> None:
    """``otter generate`` in ``work``, importing our plugin from this checkout."""
    command = [
        sys.executable, "-m", "otter", "generate",
        "--tests-dir", "tests",
        "--config", "otter_config.json",
        "--requirements", "requirements.txt", "--overwrite-requirements",
        "--no-environment",
        "--python-version", f"{sys.version_info.major}.{sys.version_info.minor}",
        "--output-path", str(zip_path),
        PROJECT_DIR,
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(project_root()), os.environ.get("PYTHONPATH")])),
           "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ConfigError(f"otter generate failed (exit {done.returncode}):\n{done.stderr.strip()[-3000:]}")


def _replace_members(zip_path: Path, contents: dict[str, str]) -> None:
    """Rewrite the zip with these members' contents replaced; every other member as otter wrote it."""
    rewritten = zip_path.with_suffix(".tmp")
    with zipfile.ZipFile(zip_path) as old, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as new:
        missing = set(contents) - set(old.namelist())
        if missing:
            raise ConfigError(f"otter generate wrote no {', '.join(sorted(missing))}: is this otter-grader 7?")
        for info in old.infolist():
            new.writestr(info, contents.get(info.filename, old.read(info)))
    rewritten.replace(zip_path)
