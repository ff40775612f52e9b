"""The release's notebooks, built from readable sources kept in the assignment's folder.

An assignment may have a folder ``notebook/`` beside its ``assignment.toml``. Each ``*.py``
file in it is a notebook in jupytext's percent format (``# %%`` starts a code cell,
``# %% [markdown]`` a markdown cell written as comments, ``# %% tags=["figure"]`` a cell
with tags) and becomes ``<stem>.ipynb`` in the student release; every other file in it
(a photograph, its licence) ships as it is, next to the notebook. Sub-folders and hidden
files are left out.

A notebook is built, never run: no outputs, no execution counts, each cell's id its
position, and only its tags kept of a cell's metadata. The same source always gives the
same bytes, so ``autograder template NAME --check`` notices a stale notebook as it notices
a stale stub. The notebook imports the student's file and ``autograder_local.py`` (which
bundles ``autograder.explorer``), never this package.
"""

from __future__ import annotations

import jupytext
import nbformat

from autograder.errors import ConfigError
from autograder.spec import Assignment

FOLDER = "notebook"
SOURCE_SUFFIX = ".py"
NOTEBOOK_SUFFIX = ".ipynb"
SOURCE_FORMAT = "py:percent"
KEPT_METADATA = ("tags",)
METADATA = {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
}


def notebook_files(assignment: Assignment) -> dict[str, bytes]:
    """The release files the assignment's ``notebook/`` folder makes, by name (none without one)."""
    folder = assignment.folder / FOLDER
    if not folder.is_dir():
        return {}
    files: dict[str, bytes] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        name = path.stem + NOTEBOOK_SUFFIX if path.suffix == SOURCE_SUFFIX else path.name
        if name in files:
            raise ConfigError(f"{path}: makes {name}, as another file of {folder} does")
        is_source = path.suffix == SOURCE_SUFFIX
        files[name] = build_notebook(path.read_text(encoding="utf-8"), str(path)) if is_source else path.read_bytes()
    return files


def build_notebook(source: str, origin: str) -> bytes:
    """The ``.ipynb`` bytes of a percent-format source, without outputs and with stable ids."""
    try:
        parsed = jupytext.reads(source, fmt=SOURCE_FORMAT)
    except Exception as exc:  # jupytext raises several kinds for a malformed cell header
        raise ConfigError(f"{origin}: not a percent-format notebook: {exc}") from exc
    cells = [_cell(cell, index) for index, cell in enumerate(parsed.cells, start=1)]
    if not cells:
        raise ConfigError(f"{origin}: holds no cell (start one with '# %%')")
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=METADATA)
    nbformat.validate(notebook)
    return nbformat.writes(notebook).encode() + b"\n"


def _cell(cell: nbformat.NotebookNode, index: int) -> nbformat.NotebookNode:
    """A fresh cell of the same type and source, with id ``cell-<index>`` and its tags only."""
    metadata = {key: cell.metadata[key] for key in KEPT_METADATA if key in cell.metadata}
    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}.get(cell.cell_type)
    if make is None:
        raise ConfigError(f"cell {index} is a {cell.cell_type} cell; only code and markdown cells are built")
    return make(cell.source, id=f"cell-{index}", metadata=metadata)
