"""Corpus submissions: the reference with one bug, kept as only the functions that differ.

A corpus file holds its three header lines and the top-level definitions it replaces (or
adds); ``build`` puts them into the current reference, so every corpus submission follows
the reference as it changes and nothing is written twice.
"""

from __future__ import annotations

import ast
from pathlib import Path

from autograder.spec import load_assignment


def build(mutation: Path, reference: Path | None = None) -> str:
    """The whole ``cnn.py``: the reference with the mutation's definitions swapped in."""
    reference_source = (reference or load_assignment("cnn").reference).read_text(encoding="utf-8")
    mutation_source = mutation.read_text(encoding="utf-8")
    replacements = {node.name: ast.get_source_segment(mutation_source, node, padded=True)
                    for node in ast.parse(mutation_source).body
                    if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    lines = reference_source.splitlines(keepends=True)
    for node in sorted(ast.parse(reference_source).body, key=lambda n: n.lineno, reverse=True):
        if isinstance(node, ast.FunctionDef) and node.name in replacements:
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            lines[start:node.end_lineno] = [replacements.pop(node.name) + "\n"]
    extra = "\n\n".join(replacements.values())  # helpers the bug adds
    return "".join(lines) + ("\n\n" + extra + "\n" if extra else "")
