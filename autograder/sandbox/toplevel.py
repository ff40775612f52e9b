"""A student's file run one top-level statement at a time: failing demo code is skipped.

The grader's worker and the student's local ``pytest`` (through the module the release
ships, generated from this one) import ``cnn.py`` the same way: the file must compile as a
whole, then each top-level statement runs on its own, in order, in the module's namespace
(with the file's ``from __future__`` flags). A statement that raises an ``Exception`` (a
print of a comparison with scipy, a plot without matplotlib) is skipped with a note; one
that exits (``sys.exit``) ends the import, as it would for any program.
"""

from __future__ import annotations

import __future__
import ast
import functools
import operator
import os
from types import CodeType
from typing import Any

NOTE_CHARS = 300


def compile_statements(source: bytes, path: str) -> list[tuple[int, CodeType]]:
    """Each top-level statement of ``source``, compiled on its own, with its line; raises
    ``SyntaxError`` (and what else compiling raises) for a file that does not compile."""
    tree = ast.parse(source, path)
    compile(tree, path, "exec", dont_inherit=True)  # what only the whole file shows (a late __future__)
    flags = _future_flags(tree)
    return [(node.lineno, compile(ast.Module([node], []), path, "exec", flags, True)) for node in tree.body]


def run_statements(statements: list[tuple[int, CodeType]], namespace: dict[str, Any], path: str) -> list[str]:
    """Run the statements in ``namespace``; the notes of those skipped because they raised."""
    notes = []
    for line, code in statements:
        try:
            exec(code, namespace)
        except Exception as exc:  # demo code that fails or calls a forbidden API
            notes.append(skipped_note(os.path.basename(path), line, exc))
    return notes


def skipped_note(filename: str, line: int, exc: Exception) -> str:
    """``cnn.py, line 12: skipped top-level code (NameError: name 'plt' is not defined)``."""
    try:
        message = str.__str__(str(exc))
    except Exception:
        message = "?"
    return f"{filename}, line {line}: skipped top-level code ({type(exc).__qualname__}: {message})"[:NOTE_CHARS]


def _future_flags(tree: ast.Module) -> int:
    """The compiler flags of the file's ``from __future__ import ...`` statements."""
    return functools.reduce(operator.or_, (getattr(__future__, alias.name).compiler_flag
                                           for node in tree.body
                                           if isinstance(node, ast.ImportFrom) and node.module == "__future__"
                                           for alias in node.names), 0)
