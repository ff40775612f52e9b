"""The release's notebook: built from its percent-format source, deterministic, stale when
its source changed; run headless in a real kernel it draws every figure with the solution,
and runs to the end with the stubs; its checks speak as the local pytest run does."""

import dataclasses
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

from autograder.errors import ConfigError
from autograder.notebook import build_notebook, notebook_files
from autograder.spec import load_assignment, project_root
from autograder.template import STUDENT_README, release_files, release_problems, write_release
from tests.support import corpus
from tests.test_template import FLIPPED, run_without_autograder

NOTEBOOK = "explore.ipynb"
WITH_NOTEBOOK = sorted(p.parent.name for p in (project_root() / "assignments").glob("*/notebook"))
CELL_SECONDS = 120
CHECK_CALL = re.compile(r'^check\("(\w+)"\)$')
SOURCE = '''\
# %% [markdown]
# # Title
# Some *text*.

# %%
import numpy as np

# %% tags=["figure"]
show(draw)
'''


@pytest.fixture(scope="module")
def assignment():
    return load_assignment("cnn")


def cells_of(notebook_bytes: bytes) -> list[dict]:
    return json.loads(notebook_bytes)["cells"]


def test_percent_source_becomes_cells_without_outputs_and_ids_from_their_position():
    cells = cells_of(build_notebook(SOURCE, "explore.py"))
    assert [(c["cell_type"], c["id"], "".join(c["source"])) for c in cells] == [
        ("markdown", "cell-1", "# Title\nSome *text*."),
        ("code", "cell-2", "import numpy as np"),
        ("code", "cell-3", "show(draw)"),
    ]
    assert [c["metadata"] for c in cells] == [{}, {}, {"tags": ["figure"]}]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in cells if c["cell_type"] == "code")


def test_the_same_source_always_gives_the_same_bytes():
    assert build_notebook(SOURCE, "explore.py") == build_notebook(SOURCE, "explore.py")


def test_a_source_without_cells_is_refused():
    with pytest.raises(ConfigError, match="explore.py: holds no cell"):
        build_notebook("", "explore.py")


def test_the_notebook_folder_ships_the_built_notebook_and_its_data_as_they_are(assignment):
    files = notebook_files(assignment)
    assert set(files) == {NOTEBOOK, "camera.npy", "camera-LICENSE.txt"}
    assert files["camera.npy"] == (assignment.folder / "notebook" / "camera.npy").read_bytes()
    assert "CC0" in files["camera-LICENSE.txt"].decode()


def test_an_assignment_without_a_notebook_folder_ships_no_notebook(assignment, tmp_path):
    assert notebook_files(dataclasses.replace(assignment, folder=tmp_path)) == {}


def test_a_notebook_folder_file_named_like_a_release_file_is_refused(assignment, tmp_path):
    shutil.copy(assignment.folder / STUDENT_README, tmp_path)
    (tmp_path / "notebook").mkdir()
    (tmp_path / "notebook" / "README.md").write_text("The notebook's own notes")
    with pytest.raises(ConfigError, match="makes README.md, which the release already has"):
        release_files(dataclasses.replace(assignment, folder=tmp_path))


def test_template_check_finds_a_stale_notebook(assignment, tmp_path):
    folder = write_release(assignment, tmp_path / "release")
    notebook = json.loads((folder / NOTEBOOK).read_bytes())
    notebook["cells"][0]["source"] = "edited by hand"
    (folder / NOTEBOOK).write_text(json.dumps(notebook))
    assert release_problems(assignment, folder) == [f"{folder / NOTEBOOK} is out of date"]


def notebook_cells(name: str) -> list[dict]:
    """The cells of every notebook in the assignment's release, one after the other."""
    files = release_files(load_assignment(name))
    return [cell for file, content in sorted(files.items()) if file.endswith(".ipynb") for cell in cells_of(content)]


@pytest.mark.parametrize("name", WITH_NOTEBOOK)
def test_every_question_has_one_check_cell(name):
    checked = [m.group(1) for c in notebook_cells(name) if (m := CHECK_CALL.match("".join(c["source"])))]
    assert sorted(checked) == sorted(load_assignment(name).questions)


@pytest.mark.parametrize("name", WITH_NOTEBOOK)
def test_every_figure_is_followed_by_what_to_look_for(name):
    cells = notebook_cells(name)
    after_figures = [cells[i + 1] for i, c in enumerate(cells) if "figure" in c["metadata"].get("tags", [])]
    assert after_figures
    assert all(c["cell_type"] == "markdown" and "".join(c["source"]).startswith("**Look for:**")
               for c in after_figures)


# The notebook run as a student runs it: a real kernel in the release folder, without the
# autograder package.

KERNEL = "student-python"
SOLUTION_RUN = pytest.mark.xdist_group("notebook-solution")  # the tests that share one run of the notebook
STUBS_RUN = pytest.mark.xdist_group("notebook-stubs")
EDITS_RUN = pytest.mark.xdist_group("notebook-edits")


def student_kernel(kernels: Path) -> AsyncKernelManager:
    """A kernel as on a student's computer: this interpreter and its site-packages, but not
    their .pth files (so not the editable autograder package) nor pytest plugins loaded by
    entry point."""
    site_packages = str(Path(np.__file__).resolve().parent.parent)
    spec = {"argv": [sys.executable, "-S", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": KERNEL, "language": "python",
            "env": {"PYTHONPATH": site_packages, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}}
    (kernels / KERNEL).mkdir(parents=True)
    (kernels / KERNEL / "kernel.json").write_text(json.dumps(spec))
    return AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))


def execute(folder: Path) -> list:
    """Run each notebook of the folder top to bottom in a fresh student kernel; their cells,
    outputs included."""
    cells = []
    for index, path in enumerate(sorted(folder.glob("*.ipynb"))):
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(notebook, km=student_kernel(folder.parent / f"kernels-{index}"), timeout=CELL_SECONDS,
                       resources={"metadata": {"path": str(folder)}}).execute()
        cells += notebook.cells
    return cells


def release_with(tmp_path: Path, name: str, student_source: bytes | None) -> Path:
    """The assignment's release in a folder of its own, with ``student_source`` as the
    student's file (None: the stubs)."""
    assignment = load_assignment(name)
    folder = tmp_path / "release"
    folder.mkdir()
    for file, content in release_files(assignment).items():
        (folder / file).write_bytes(content)
    if student_source is not None:
        (folder / assignment.student_file).write_bytes(student_source)
    return folder


@pytest.fixture(scope="module", params=WITH_NOTEBOOK)
def with_solution(request, tmp_path_factory) -> list:
    """The cells of the assignment's notebooks, run with the reference solution."""
    reference = load_assignment(request.param).reference.read_bytes()
    return execute(release_with(tmp_path_factory.mktemp("solution"), request.param, reference))


@pytest.fixture(scope="module", params=WITH_NOTEBOOK)
def with_stubs(request, tmp_path_factory) -> list:
    """The cells of the assignment's notebooks, run with the stubs of its release."""
    return execute(release_with(tmp_path_factory.mktemp("stubs"), request.param, None))


def printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def images(cell) -> int:
    return sum("image/png" in o.get("data", {}) for o in cell.outputs)


def errors(cells) -> list:
    return [o for c in cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def figure_cells(cells) -> list:
    return [c for c in cells if "figure" in c.metadata.get("tags", [])]


def check_cells(cells) -> list:
    return [c for c in cells if c.cell_type == "code" and CHECK_CALL.match(c.source)]


@pytest.mark.slow
@SOLUTION_RUN
def test_with_the_solution_no_cell_raises_and_every_figure_cell_draws_one_image(with_solution):
    assert errors(with_solution) == []
    assert [images(c) for c in figure_cells(with_solution)] == [1] * len(figure_cells(with_solution))


@pytest.mark.slow
@SOLUTION_RUN
def test_with_the_solution_every_check_says_its_tests_pass(with_solution):
    said = [printed(c).strip() for c in check_cells(with_solution)]
    assert all(re.fullmatch(r"\w+: (its public test passes|all \d+ public tests pass)\.", s) for s in said), said


@pytest.mark.slow
@STUBS_RUN
def test_with_the_stubs_the_notebook_runs_to_the_end_with_one_line_notes(with_stubs):
    assert errors(with_stubs) == []
    assert all(re.fullmatch(r"\w+: not implemented yet\.", printed(c).strip()) for c in check_cells(with_stubs))
    for cell in figure_cells(with_stubs):
        assert images(cell) == 0
        assert re.fullmatch(r"Skipped: this figure needs \w+, which is not implemented yet\.", printed(cell).strip())


# check() and show() on a student's file as it changes, without the autograder package.

EDITS = '''\
from pathlib import Path
from autograder_local import Explorer
explorer = Explorer("cnn.py")
for step, source in enumerate(Path("versions").read_text().split("# VERSION\\n")[1:]):
    Path("cnn.py").write_text(source)
    print(f"== {step}")
    for question in ("cross_correlate2d", "conv_layer", "conv_param_count"):
        explorer.check(question)
    explorer.show(lambda cnn: cnn.conv2d(cnn.np.ones(3), cnn.np.ones((2, 2))))
'''
CONV_STAGE_STUB = "\n\ndef conv_stage(*args, **kwargs):\n    raise NotImplementedError\n"
COUNT_WITH_CONVOLVE = ("\n\ndef conv_param_count(d_in, f, n_k, bias=True):\n"
                       "    return int(np.convolve([n_k], [f * f * d_in + bias])[0])\n")


@pytest.fixture(scope="module")
def edited(tmp_path_factory, assignment) -> list[str]:
    """What check and show printed for two versions of cnn.py, saved one after the other in
    one process: a flipped kernel, conv_stage a stub and a conv_param_count that uses np.convolve; then
    the solution."""
    folder = release_with(tmp_path_factory.mktemp("edits"), "cnn", None)
    first = corpus.build(FLIPPED) + CONV_STAGE_STUB + COUNT_WITH_CONVOLVE
    (folder / "versions").write_text("# VERSION\n" + first + "# VERSION\n" + assignment.reference.read_text())
    run = run_without_autograder(folder, "-c", EDITS)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout.split("== ")[1:]


@pytest.mark.slow
@EDITS_RUN
def test_check_prints_the_graders_message_and_the_misconception_it_is_sure_of(edited):
    assert "cross_correlate2d: 2 of 2 public tests fail.\n\ntest_cross_correlate2d_d2l_example:\n" in edited[0]
    assert "    Misconception: flipped kernel (true convolution)\n" in edited[0]


@pytest.mark.slow
@EDITS_RUN
def test_check_names_the_unimplemented_function_another_one_calls(edited):
    assert "conv_layer: not implemented yet (conv_stage raises NotImplementedError).\n" in edited[0]


@pytest.mark.slow
@EDITS_RUN
def test_check_fails_a_function_that_uses_a_forbidden_api(edited):
    assert ("conv_param_count: 1 of 1 public tests fail.\n\ntest_conv_param_count_with_biases:\n"
            "    conv_param_count uses numpy.convolve, which this assignment does not allow: 0 points.\n") in edited[0]


@pytest.mark.slow
@EDITS_RUN
def test_show_skips_a_figure_whose_code_raises_with_the_students_line(edited):
    assert re.search(r"Skipped: ValueError: .* \(cnn\.py, line \d+, in \w+\)\.\n", edited[0])


@pytest.mark.slow
@EDITS_RUN
def test_every_check_reads_the_file_as_saved_since(edited):
    assert edited[1].splitlines()[1:4] == ["cross_correlate2d: all 2 public tests pass.",
                                           "conv_layer: its public test passes.",
                                           "conv_param_count: its public test passes."]
