"""The static forbidden-API check: which graded functions use which forbidden APIs.

Runs in the grader on the source text and never executes it. Names are resolved through
the file's imports (``import scipy.signal as ss``, ``from numpy import convolve as c``,
``from numpy import *``), ``getattr(np, "convolve")`` and ``importlib.import_module("scipy")``;
a graded function is charged with what it uses directly and with what every top-level
function, class or variable it refers to uses, transitively. This is the first line;
the worker's run-time guards (``autograder.sandbox.guards``) are the second.
"""

from __future__ import annotations

import ast
import builtins
import functools
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

if TYPE_CHECKING:
    from autograder.spec import ForbiddenApis

_IMPORTERS = {"__import__", "importlib.import_module"}


def find_forbidden_uses(source: str, functions: Sequence[str], forbidden: ForbiddenApis) -> dict[str, tuple[str, ...]]:
    """For each graded function that uses forbidden APIs, those APIs (sorted).

    Functions that use none are left out, and so is everything when the source does not
    parse (its import failure is reported by the sandbox).
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    banned = (*forbidden.modules, *forbidden.functions)
    aliases, star_modules = _imports(tree)
    bindings = _top_level_bindings(tree)

    @functools.cache
    def read(name: str) -> tuple[frozenset[str], frozenset[str]]:
        """The forbidden APIs a top-level name uses directly, and the top-level names it uses."""
        used = {dotted for node in bindings[name] for dotted in _references(node, aliases, star_modules, bindings)}
        return frozenset(d for d in used if _is_banned(d, banned)), frozenset(used & bindings.keys())

    found = {}
    for function in functions:
        apis = set().union(*(read(name)[0] for name in _reachable(function, lambda name: read(name)[1], bindings)))
        if apis:
            found[function] = tuple(sorted(apis))
    return found


def _imports(tree: ast.Module) -> tuple[dict[str, str], list[str]]:
    """Local name -> dotted name for every import in the file, and star-imported modules."""
    aliases: dict[str, str] = {}
    stars: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name == "*":
                    stars.append(node.module)
                else:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases, stars


def _top_level_bindings(tree: ast.Module) -> dict[str, list[ast.AST]]:
    """Module-level names (functions, classes, assigned variables) -> defining statements,
    looking inside module-level ``if``/``try``/``with`` blocks too."""
    bindings: dict[str, list[ast.AST]] = {}
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bindings.setdefault(node.name, []).append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        bindings.setdefault(name.id, []).append(node)
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                todo.extend(getattr(node, field, []))
        elif isinstance(node, ast.ExceptHandler):
            todo.extend(node.body)
    return bindings


def _references(node: ast.AST, aliases: dict[str, str], stars: list[str], bindings: dict) -> Iterator[str]:
    """Dotted names (and top-level names) an AST node reads; names it binds itself
    (parameters, local variables) shadow the imports and top-level names they match."""
    nodes = list(ast.walk(node))
    own = {child.arg for child in nodes if isinstance(child, ast.arg)}
    own |= {child.id for child in nodes if isinstance(child, ast.Name) and not isinstance(child.ctx, ast.Load)}
    inner = {id(child.value) for child in nodes if isinstance(child, ast.Attribute)}
    for child in nodes:
        if isinstance(child, ast.Call):
            yield from _dynamic(child, aliases, own)
        if isinstance(child, (ast.Attribute, ast.Name)) and id(child) not in inner and isinstance(child.ctx, ast.Load):
            yield from _chain(child, aliases, stars, bindings, own)


def _chain(node: ast.expr, aliases: dict[str, str], stars: list[str], bindings: dict,
           own: set[str]) -> Iterator[str]:
    """``np.fft.fft2`` -> ``numpy.fft.fft2``; a bare top-level name -> that name.
    Names in ``own`` are local to the code being read and resolve to nothing."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id in own:
        return
    parts.reverse()
    if node.id in aliases:
        yield ".".join([aliases[node.id], *parts])
    elif node.id in bindings:
        yield node.id
    elif not hasattr(builtins, node.id):
        yield from (".".join([module, node.id, *parts]) for module in stars)


def _dynamic(call: ast.Call, aliases: dict[str, str], own: set[str]) -> Iterator[str]:
    """``getattr(np, "convolve")`` and ``importlib.import_module("scipy")`` as dotted names."""
    args = call.args
    name = next(_chain(call.func, aliases, [], {}, own), None)
    name = name or (call.func.id if isinstance(call.func, ast.Name) else "")
    constant = len(args) > 1 and isinstance(args[1], ast.Constant) and isinstance(args[1].value, str)
    if name == "getattr" and constant:
        yield from (f"{base}.{args[1].value}" for base in _chain(args[0], aliases, [], {}, own))
    elif name in _IMPORTERS and args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
        yield args[0].value


def _is_banned(dotted: str, banned: Sequence[str]) -> bool:
    return any(dotted == name or dotted.startswith(name + ".") for name in banned)


def _reachable(start: str, refers: Callable[[str], frozenset[str]], bindings: dict) -> set[str]:
    """Top-level names reachable from ``start`` through references (cycles are fine)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in bindings:
            continue
        seen.add(name)
        todo.extend(refers(name))
    return seen
