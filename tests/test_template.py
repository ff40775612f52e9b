"""Student stubs are generated from the solution and never leak it; the release's public
tests run with numpy, pytest and hypothesis only and fail with the grader's words."""

import importlib.util
import inspect
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from autograder import checks
from autograder.errors import ConfigError
from autograder.notebook import notebook_files
from autograder.runner import grade_file, load_reference
from autograder.sandbox import forbidden, toplevel
from autograder.spec import load_assignment, project_root
from autograder.template import (
    LOCAL_MODULE,
    bundle,
    release_files,
    release_problems,
    solution_lines,
    strip_solutions,
    write_release,
)
from tests.support import corpus

ASSIGNMENTS = sorted(p.parent.name for p in (project_root() / "assignments").glob("*/assignment.toml"))

SOLUTION = '''\
def area(w, h):
    """Area of a w×h rectangle."""
    # BEGIN SOLUTION
    result = w * h
    return result
    # END SOLUTION
'''


def test_solution_block_becomes_raise_not_implemented_at_its_indent():
    assert strip_solutions(SOLUTION) == (
        'def area(w, h):\n    """Area of a w×h rectangle."""\n    raise NotImplementedError\n'
    )


def test_unclosed_block_names_its_line():
    with pytest.raises(ConfigError, match="sol.py:2: # BEGIN SOLUTION is never closed"):
        strip_solutions("x = 1\n# BEGIN SOLUTION\ny = 2\n", "sol.py")


def test_end_without_begin_is_an_error():
    with pytest.raises(ConfigError, match="without a # BEGIN SOLUTION"):
        strip_solutions("# END SOLUTION\n")


def test_solution_lines_are_what_the_blocks_hold():
    assert solution_lines(SOLUTION) == {"result = w * h", "return result"}


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_committed_student_template_is_up_to_date_and_leaks_nothing(name):
    assert release_problems(load_assignment(name)) == []


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_holds_stubs_readme_and_public_tests_only(name):
    student_file = load_assignment(name).student_file
    files = release_files(load_assignment(name))
    assert student_file in files and "README.md" in files and "conftest.py" in files
    assert LOCAL_MODULE in files
    notebook = notebook_files(load_assignment(name))  # explore.ipynb and its data, tested in test_notebook
    assert all(f in (student_file, "README.md") or f.endswith(".py") or f in notebook for f in files)
    assert not any("hidden" in name for name in files)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_conftest_imports_the_assignments_own_student_file(name):
    assignment = load_assignment(name)
    conftest = release_files(assignment)["conftest.py"].decode()
    assert f'STUDENT_FILE = HERE / "{assignment.student_file}"' in conftest
    assert f'spec_from_file_location("{assignment.module_name}", STUDENT_FILE)' in conftest


def test_check_reports_a_conftest_that_loads_another_file(tmp_path):
    assignment = load_assignment("architecture")
    folder = write_release(assignment, tmp_path / "release")
    conftest = folder / "conftest.py"
    conftest.write_text(conftest.read_text().replace('"architecture.py"', '"cnn.py"'))
    assert release_problems(assignment, folder) == [f"{conftest} is out of date"]


def test_a_hand_written_public_conftest_is_refused(tmp_path):
    assignment = load_assignment("architecture")
    public = tmp_path / "public"
    public.mkdir()
    (public / "conftest.py").write_text("STUDENT_FILE = 'cnn.py'\n")
    with pytest.raises(ConfigError, match="the student conftest is generated"):
        release_files(replace(assignment, public_tests=public))


def test_a_readme_that_never_names_the_student_file_is_refused(tmp_path):
    assignment = load_assignment("architecture")
    (tmp_path / "STUDENT_README.md").write_text("# Homework\n\nUpload your file.\n")
    with pytest.raises(ConfigError, match="never names architecture.py"):
        release_files(replace(assignment, folder=tmp_path))


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_stub_function_raises_not_implemented(name):
    assignment = load_assignment(name)
    stub = release_files(assignment)[assignment.student_file].decode()
    namespace: dict = {}
    exec(compile(stub, assignment.student_file, "exec"), namespace)
    for question in assignment.questions:
        with pytest.raises(NotImplementedError):
            namespace[question](*([None] * namespace[question].__code__.co_argcount))


# The release's public tests, run as a student runs them: numpy, pytest and hypothesis only.

FLIPPED = Path(__file__).parent / "corpus" / "flipped_kernel_cross_correlate2d.py"
ASSERTION_REWRITE_NOISE = ("assert False", "where False", "<function allclose")


def student_folder(tmp_path: Path, source: str | None, name: str = "cnn") -> Path:
    """The release of assignment ``name`` in a folder of its own, with ``source`` as the
    student's file (None: the stubs)."""
    assignment = load_assignment(name)
    folder = tmp_path / "release"
    folder.mkdir()
    for file, content in release_files(assignment).items():
        (folder / file).write_bytes(content)
    if source is not None:
        (folder / assignment.student_file).write_text(source, encoding="utf-8")
    return folder


def run_without_autograder(folder: Path, *command: str) -> subprocess.CompletedProcess:
    """Run python in ``folder`` with this interpreter's site-packages but not its .pth files,
    so numpy, pytest and hypothesis import and the (editable) autograder package does not."""
    site_packages = str(Path(np.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": site_packages, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run([sys.executable, "-S", *command], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def flipped_release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The release with the flipped-kernel cnn.py, and what its local ``pytest`` printed."""
    folder = student_folder(tmp_path_factory.mktemp("flipped"), corpus.build(FLIPPED))
    assert run_without_autograder(folder, "-c", "import autograder").returncode != 0  # really without it
    run = run_without_autograder(folder, "-m", "pytest", "-p", "no:cacheprovider", "-q")
    assert run.returncode == 1, run.stdout + run.stderr
    return folder, run.stdout


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_passes_its_public_tests_with_the_reference_only(name, tmp_path):
    source = load_assignment(name).reference.read_text(encoding="utf-8")
    run = run_without_autograder(student_folder(tmp_path, source, name), "-m", "pytest", "-p", "no:cacheprovider",
                                 "-q")
    assert run.returncode == 0 and " passed" in run.stdout and "warning" not in run.stdout, run.stdout + run.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_fails_every_public_test_with_the_stubs(name, tmp_path):
    run = run_without_autograder(student_folder(tmp_path, None, name), "-m", "pytest", "-p", "no:cacheprovider", "-q")
    assert run.returncode == 1 and " passed" not in run.stdout and " error" not in run.stdout, run.stdout
    assert "NotImplementedError" in run.stdout


@pytest.mark.slow
def test_local_public_tests_name_a_certain_misconception_without_assertion_noise(flipped_release):
    _, printed = flipped_release
    assert "Misconception: flipped kernel (true convolution)" in printed
    assert "Your answer is the true convolution, with the kernel flipped." in printed
    assert not [noise for noise in ASSERTION_REWRITE_NOISE if noise in printed], printed


@pytest.mark.slow
def test_local_public_tests_fail_with_the_graders_text(flipped_release):
    folder, printed = flipped_release
    result = grade_file(load_assignment("cnn"), folder / "cnn.py")
    [public] = [t for t in result.tests
                if t.public and t.question == "cross_correlate2d" and "d2l 3×3 example" in t.name]
    assert not public.passed and public.misconceptions == ("flipped kernel (true convolution)",)
    assert public.output in printed


@pytest.mark.slow
def test_local_public_tests_fail_a_question_whose_function_uses_a_forbidden_api(tmp_path):
    source = load_assignment("cnn").reference.read_text(encoding="utf-8").replace(
        "    return cross_correlate2d(zero_pad(image, padding), kernel)[::sh, ::sw]",
        "    import scipy.signal\n"
        "    return scipy.signal.correlate2d(zero_pad(image, padding), kernel, 'valid')[::sh, ::sw]")
    run = run_without_autograder(student_folder(tmp_path, source), "-m", "pytest", "-p", "no:cacheprovider", "-q")
    assert "1 failed, 11 passed" in run.stdout, run.stdout
    assert "FAILED test_public_cnn.py::test_conv2d_d2l_stride_figure" in run.stdout
    assert "conv2d uses scipy.signal.correlate2d, which this assignment does not allow: 0 points." in run.stdout


@pytest.mark.slow
def test_local_public_tests_name_a_missing_function_as_the_grader_does(tmp_path):
    source = load_assignment("cnn").reference.read_text(encoding="utf-8").replace("def relu(", "def ReLU(").replace(
        "= relu(conv_stage(", "= ReLU(conv_stage(")
    run = run_without_autograder(student_folder(tmp_path, source), "-m", "pytest", "-p", "no:cacheprovider", "-q")
    assert "1 failed, 11 passed" in run.stdout, run.stdout
    assert "cnn.py defines no function `relu`; did you mean `ReLU`?" in run.stdout
    assert "AttributeError" not in run.stdout


@pytest.mark.slow
def test_local_public_tests_skip_failing_top_level_demo_code_with_a_warning(tmp_path):
    source = load_assignment("cnn").reference.read_text(encoding="utf-8") + "\nprint(undefined_demo_name)\n"
    run = run_without_autograder(student_folder(tmp_path, source), "-m", "pytest", "-p", "no:cacheprovider", "-q")
    assert "12 passed" in run.stdout, run.stdout
    assert "skipped top-level code (NameError: name 'undefined_demo_name' is not defined)" in run.stdout


def test_local_module_is_the_bundle_of_the_graders_modules():
    local = release_files(load_assignment("cnn"))[LOCAL_MODULE].decode()
    namespace: dict = {}
    exec(compile(local, LOCAL_MODULE, "exec"), namespace)
    assert namespace["QUESTIONS"] == load_assignment("cnn").questions
    assert inspect.getsource(checks.expect_array) in local
    assert inspect.getsource(checks.Call) in local  # decorators included
    assert inspect.getsource(forbidden.find_forbidden_uses) in local
    assert inspect.getsource(toplevel.run_statements) in local


def test_bundle_refuses_a_name_that_no_bundled_module_defines():
    with pytest.raises(ConfigError, match="nothing defines Feedback"):
        bundle(("autograder.checks",))


@pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")  # the public tests' question marker
def test_public_misconception_answers_are_the_references():
    assignment = load_assignment("cnn")
    reference = load_reference(assignment.reference)
    public = load_module(assignment.public_tests / "test_public_cnn.py")
    hidden = load_module(assignment.hidden_tests / "cnn_checks.py")
    assert public.FLIPPED_ADVICE == hidden.ADVICE[public.FLIPPED_KERNEL]
    np.testing.assert_array_equal(public.FLIPPED_D2L, reference.cross_correlate2d(public.X, public.K[::-1, ::-1]))
    second = public.FLIPPED_SECOND
    image, kernel = second.call.kwargs["image"], second.call.kwargs["kernel"]
    np.testing.assert_array_equal(second.expected, reference.cross_correlate2d(image, kernel))
    flipped = reference.cross_correlate2d(image, kernel[::-1, ::-1])
    np.testing.assert_array_equal(second.misconceptions[0].answer, flipped)


def load_module(path: Path):
    spec = importlib.util.spec_from_file_location(f"loaded_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
