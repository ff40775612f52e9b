"""The student release, generated from the reference solution: stubs are never written twice.

In ``solutions/<name>/<file>.py`` the solution code of each function sits between a
``# BEGIN SOLUTION`` and an ``# END SOLUTION`` line. The student's file keeps everything
else (module docstring, imports, signatures, docstrings) and each marked block becomes
``raise NotImplementedError``. The release folder (``student_template/<name>/``) also
holds the public tests, their student-side conftest (generated from
``templates/student_conftest.py.tmpl`` for the assignment's student file: an assignment
does not write its own), the student README (which must name the student file) and
``autograder_local.py``: the grader's own checks, top-level import and static
forbidden-API check, bundled from their modules in this package (never a hand-kept copy)
with the assignment's questions and forbidden APIs, so that the public tests fail on the
student's computer with the grader's words and need only numpy, pytest and hypothesis.
An assignment's ``notebook/`` folder adds its notebooks and their data (``autograder.notebook``).
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import string
from pathlib import Path
from typing import Sequence

from autograder.errors import ConfigError
from autograder.notebook import notebook_files
from autograder.spec import Assignment, project_root

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
STUDENT_README = "STUDENT_README.md"
CONFTEST = "conftest.py"
CONFTEST_TEMPLATE = Path(__file__).parent / "templates" / "student_conftest.py.tmpl"
MIN_SECRET_LENGTH = 12
LOCAL_MODULE = "autograder_local.py"
BUNDLED = ("autograder.feedback", "autograder.sandbox.replies", "autograder.checks",
           "autograder.sandbox.forbidden", "autograder.sandbox.toplevel", "autograder.explorer")
PACKAGE = "autograder"


def strip_solutions(source: str, origin: str = "solution") -> str:
    """Replace every marked solution block with ``raise NotImplementedError``."""
    out: list[str] = []
    inside_since: int | None = None
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside_since is not None:
                raise ConfigError(f"{origin}:{number}: {BEGIN} inside the block opened at line {inside_since}")
            inside_since = number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}raise NotImplementedError\n")
        elif marker == END:
            if inside_since is None:
                raise ConfigError(f"{origin}:{number}: {END} without a {BEGIN}")
            inside_since = None
        elif inside_since is None:
            out.append(line)
    if inside_since is not None:
        raise ConfigError(f"{origin}:{inside_since}: {BEGIN} is never closed")
    return "".join(out)


def solution_lines(source: str) -> set[str]:
    """The lines inside solution blocks, stripped: none may reach students.

    Lines shorter than ``MIN_SECRET_LENGTH`` (``else:``, ``)``) are too common to count.
    """
    lines: set[str] = set()
    inside = False
    for line in source.splitlines():
        marker = line.strip()
        if marker in (BEGIN, END):
            inside = marker == BEGIN
        elif inside and len(marker) >= MIN_SECRET_LENGTH and not marker.startswith("#"):
            lines.add(marker)
    return lines


def release_files(assignment: Assignment) -> dict[str, bytes]:
    """Every file of the student release, by its path inside the release folder."""
    source = assignment.reference.read_text(encoding="utf-8")
    files = {assignment.student_file: strip_solutions(source, str(assignment.reference)).encode()}
    readme = assignment.folder / STUDENT_README
    if not readme.is_file():
        raise ConfigError(f"{assignment.folder}: missing {STUDENT_README} (the students' instructions)")
    files["README.md"] = readme.read_bytes()
    if assignment.student_file not in readme.read_text(encoding="utf-8"):
        raise ConfigError(f"{readme}: never names {assignment.student_file}, the file students write and submit")
    for path in sorted(assignment.public_tests.glob("*.py")):
        if path.name == CONFTEST:
            raise ConfigError(f"{path}: the student conftest is generated (from {CONFTEST_TEMPLATE.name}); remove it")
        files[path.name] = path.read_bytes()
    files[CONFTEST] = student_conftest(assignment).encode()
    files[LOCAL_MODULE] = local_module(assignment).encode()
    for name, content in notebook_files(assignment).items():
        if name in files:
            raise ConfigError(f"{assignment.folder}: its notebook folder makes {name}, which the release already has")
        files[name] = content
    return files


def student_conftest(assignment: Assignment) -> str:
    """The release's ``conftest.py``: it imports the assignment's student file as the grader
    does, so that the public tests run on the student's computer."""
    return string.Template(CONFTEST_TEMPLATE.read_text(encoding="utf-8")).substitute(
        assignment=assignment.name, student_file=assignment.student_file, module_name=assignment.module_name)


def local_module(assignment: Assignment) -> str:
    """``autograder_local.py``: the ``BUNDLED`` modules in one file, and the assignment's
    questions and forbidden APIs."""
    modules = "".join(f"\n- {name}" for name in BUNDLED)
    header = (f'"""Generated by `autograder template {assignment.name}`: the checks, the import of your file\n'
              "and the forbidden-API check the autograder runs, so that the public tests fail here as\n"
              f"they fail on Gradescope. Do not edit; it is the code of these modules:{modules}\n"
              '"""\n\nfrom __future__ import annotations\n\n')
    settings = (f"QUESTIONS = {tuple(assignment.questions)!r}\n"
                f"FORBIDDEN = types.SimpleNamespace(modules={tuple(assignment.forbidden.modules)!r}, "
                f"functions={tuple(assignment.forbidden.functions)!r})\n")
    return header + bundle(BUNDLED, extra_imports=("import types",)) + "\n\n" + settings


def bundle(modules: Sequence[str], extra_imports: Sequence[str] = ()) -> str:
    """The modules' code in one file: their imports once, then each body in order.

    Imports from this package are dropped, so every name they bring must be defined by a
    bundled module; two modules may not define the same name. Module docstrings,
    ``from __future__`` lines and ``if TYPE_CHECKING:`` blocks are left out.
    """
    imports: dict[str, None] = dict.fromkeys(extra_imports)
    bodies: list[str] = []
    defined: dict[str, str] = {}
    wanted: dict[str, str] = {}
    for name in modules:
        source = Path(importlib.util.find_spec(name).origin).read_text(encoding="utf-8")
        tree = ast.parse(source)
        kept = []
        for index, node in enumerate(tree.body):
            if _left_out(node, index):
                continue
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == PACKAGE:
                    wanted.update((alias.name, name) for alias in node.names)
                else:
                    imports[ast.get_source_segment(source, node)] = None
                continue
            for bound in _bound_names(node):
                if defined.setdefault(bound, name) != name:
                    raise ConfigError(f"cannot bundle {name}: {bound} is also defined in {defined[bound]}")
            kept.append(_statement_source(source, node))
        bodies.append(f"# {name} " + "-" * (84 - len(name)) + "\n\n" + "\n\n\n".join(kept))
    missing = sorted(f"{n} (imported by {m})" for n, m in wanted.items() if n not in defined)
    if missing:
        raise ConfigError(f"cannot bundle {', '.join(modules)}: nothing defines {', '.join(missing)}")
    return "\n".join(imports) + "\n\n\n" + "\n\n\n".join(bodies) + "\n"


def _statement_source(source: str, node: ast.stmt) -> str:
    """A top-level statement's lines, decorators included."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return "".join(source.splitlines(keepends=True)[first - 1:node.end_lineno]).rstrip("\n")


def _left_out(node: ast.stmt, index: int) -> bool:
    """A module docstring, a ``from __future__`` line or an ``if TYPE_CHECKING:`` block."""
    docstring = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
    type_checking = isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
    return docstring or future or type_checking


def _bound_names(node: ast.stmt) -> list[str]:
    """The top-level names a statement defines."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return [n.id for t in targets if t is not None for n in ast.walk(t) if isinstance(n, ast.Name)]


def default_release_dir(assignment: Assignment) -> Path:
    return project_root() / "student_template" / assignment.name


def write_release(assignment: Assignment, dest: Path | None = None) -> Path:
    """(Re)generate the release folder from the solution; returns the folder."""
    dest = dest or default_release_dir(assignment)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name, content in release_files(assignment).items():
        (dest / name).write_bytes(content)
    return dest


def release_problems(assignment: Assignment, folder: Path | None = None) -> list[str]:
    """Why a committed release folder is stale or leaks the solution (empty when fine)."""
    folder = folder or default_release_dir(assignment)
    expected = release_files(assignment)
    problems: list[str] = []
    present = {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()
    for name in sorted(set(expected) - present):
        problems.append(f"{folder / name} is missing")
    for name in sorted(present - set(expected)):
        problems.append(f"{folder / name} is not part of the release")
    for name in sorted(set(expected) & present):
        if (folder / name).read_bytes() != expected[name]:
            problems.append(f"{folder / name} is out of date")
    secrets = solution_lines(assignment.reference.read_text(encoding="utf-8"))
    for name in sorted(present):
        for number, line in enumerate((folder / name).read_text(errors="replace").splitlines(), 1):
            if line.strip() in secrets:
                problems.append(f"{folder / name}:{number} holds a solution line: {line.strip()!r}")
    return problems
