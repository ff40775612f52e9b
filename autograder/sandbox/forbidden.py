"""The static forbidden-API check: which graded functions use which forbidden APIs.

Runs in the grader on the source text and never executes it. Names are resolved through
the file's imports (``import scipy.signal as ss``, ``from numpy import convolve as c``,
``from numpy import *``), ``getattr(np, "convolve")`` and ``importlib.import_module("scipy")``;
a graded function is charged with what it uses directly and with what every top-level
function, class or variable it refers to uses, transitively.

Forbidden functions are matched by identity, not by spelling: each attribute chain rooted
in the package of a forbidden function (``np._core.numeric.correlate``) is resolved here,
by importing the same modules and walking ``getattr``, and compared with the forbidden
objects and their aliases (``banned_objects``). Forbidden modules the grader does not
import (scipy, torch) are matched by name. Reaching into the object graph (``gc``,
``ctypes``, ``__subclasses__``, frames: ``INTROSPECTION``) recovers any function past
every guard, so it counts as a forbidden API too, and when code run at import does it,
every graded function is charged. This is the defence; the worker's run-time stand-ins
(``autograder.sandbox.guards``) are a convenience that names the API at once.

Not resolved: names computed at run time (``getattr(np, name)`` with a variable) and
attributes a submission adds to a module at run time.
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib
import sys
import warnings
from types import ModuleType
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

if TYPE_CHECKING:
    from autograder.spec import ForbiddenApis

_IMPORTERS = {"__import__", "importlib.import_module"}
# Modules and names that reach objects by walking memory or frames (prefix match).
INTROSPECTION = ("gc", "ctypes", "_ctypes", "sys._getframe", "sys.modules", "inspect.currentframe",
                 "inspect.stack", "inspect.getmembers")
# Attributes that lead from any object to modules, frames or every class (exact match).
INTROSPECTION_ATTRIBUTES = frozenset({"__subclasses__", "__globals__", "__closure__", "__builtins__",
                                      "f_globals", "f_locals", "f_back", "tb_frame", "gi_frame", "cr_frame"})
# The compiled functions that do the whole work of a forbidden numpy function, per numpy
# version (the first that exists is taken): calling them is calling the forbidden one.
CORES = {
    "numpy.correlate": ("numpy._core.multiarray.correlate2", "numpy.core.multiarray.correlate2"),
    "numpy.convolve": ("numpy._core.multiarray.correlate", "numpy.core.multiarray.correlate"),
}
_MISSING = object()
Banned = dict[int, tuple[str, object]]


def find_forbidden_uses(source: str, functions: Sequence[str], forbidden: ForbiddenApis) -> dict[str, tuple[str, ...]]:
    """For each graded function that uses forbidden APIs, those APIs (sorted).

    Functions that use none are left out, and so is everything when the source does not
    parse (its import failure is reported by the sandbox).
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    check = _Checker(forbidden)
    aliases, star_modules = _imports(tree)
    bindings = _top_level_bindings(tree)

    @functools.cache
    def read(name: str) -> tuple[frozenset[str], frozenset[str]]:
        """The forbidden APIs a top-level name uses directly, and the top-level names it uses."""
        return uses(bindings[name])

    def uses(nodes: Iterable[ast.AST]) -> tuple[frozenset[str], frozenset[str]]:
        used = {dotted for node in nodes for dotted in _references(node, aliases, star_modules, bindings)}
        return frozenset(filter(None, map(check.api, used))), frozenset(used & bindings.keys())

    def reached(names: Iterable[str]) -> set[str]:
        return set().union(*(read(name)[0] for start in names for name in _reachable(start, lambda n: read(n)[1],
                                                                                      bindings)))

    direct, helpers = uses(_import_time(tree))
    at_import = {api for api in direct | reached(helpers) if _is_introspection(api)}
    found = {}
    for function in functions:
        apis = reached([function])
        apis |= {f"{api} (in code run at import)" for api in at_import - apis}
        if apis:
            found[function] = tuple(sorted(apis))
    return found


@functools.lru_cache(maxsize=8)
def banned_objects(functions: tuple[str, ...]) -> Banned:
    """``id -> (forbidden name, object)`` for every object that is a forbidden function or
    module under some name, resolved by importing the modules they live in.

    A forbidden function brings its aliases (the dispatcher's ``_implementation``, the
    compiled core of ``CORES``); a forbidden module brings its loaded submodules and every
    callable defined in them (``numpy.fft._pocketfft.fft2`` is ``numpy.fft.fft2``).
    """
    found: Banned = {}

    def add(name: str, value: object) -> None:
        found.setdefault(id(value), (name, value))

    for dotted in functions:
        target = _resolve(dotted, lambda module: True)
        if target is _MISSING:
            continue
        add(dotted, target)
        if isinstance(target, ModuleType):
            for module in _submodules(target):
                add(module.__name__, module)
                for attr, value in list(vars(module).items()):
                    if callable(value) and _defined_under(value, dotted):
                        add(f"{module.__name__}.{attr}", value)
            continue
        for inner in (getattr(target, "_implementation", None), getattr(target, "__wrapped__", None)):
            if inner is not None:
                add(dotted, inner)
        cores = (_resolve(core, lambda module: True) for core in CORES.get(dotted, ()))
        core = next((value for value in cores if value is not _MISSING), _MISSING)
        if core is not _MISSING:
            add(dotted, core)
    return found


def _submodules(module: ModuleType) -> list[ModuleType]:
    """``module`` first, then its loaded submodules."""
    prefix = module.__name__ + "."
    return [module] + [sub for name, sub in sorted(sys.modules.items())
                       if name.startswith(prefix) and isinstance(sub, ModuleType)]


def _defined_under(value: object, package: str) -> bool:
    """Whether ``value`` was defined in ``package`` (compiled functions often say nothing)."""
    module = getattr(value, "__module__", None)
    return module is None or module == package or (isinstance(module, str) and module.startswith(package + "."))


def _resolve(dotted: str, importable: Callable[[str], bool]) -> object:
    """The object ``dotted`` names, or ``_MISSING``."""
    parts = dotted.split(".")
    steps = list(_walk(parts, importable))
    return steps[-1] if len(steps) == len(parts) else _MISSING


def _walk(parts: list[str], importable: Callable[[str], bool]) -> Iterator[object]:
    """The objects along a dotted name: the modules of its longest prefix that is a module
    (imported if ``importable`` allows it), then one per attribute, until one is missing."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cut = next((cut for cut in range(len(parts), 0, -1) if _module(".".join(parts[:cut]), importable)), 0)
        for i in range(1, cut + 1):
            module = sys.modules.get(".".join(parts[:i]))
            if module is None:
                return
            yield module
        value: object = sys.modules.get(".".join(parts[:cut]))
        for attr in parts[cut:] if cut else ():
            try:
                value = getattr(value, attr)
            except Exception:
                return
            yield value


def _module(name: str, importable: Callable[[str], bool]) -> ModuleType | None:
    module = sys.modules.get(name)
    if module is None and importable(name):
        try:
            module = importlib.import_module(name)
        except Exception:  # not a module, or one that fails to import here
            return None
    return module if isinstance(module, ModuleType) else None


class _Checker:
    """Tells whether a dotted name a submission uses is a forbidden API, and which."""

    def __init__(self, forbidden: ForbiddenApis) -> None:
        self.by_name = (*forbidden.modules, *forbidden.functions, *INTROSPECTION)
        self.banned = banned_objects(tuple(forbidden.functions))
        self.roots = {name.split(".")[0] for name in forbidden.functions}
        self.api = functools.cache(self._api)

    def _api(self, dotted: str) -> str | None:
        """The API as the student sees it named, or None if ``dotted`` is allowed."""
        if dotted in INTROSPECTION_ATTRIBUTES or _is_banned(dotted, self.by_name):
            return dotted
        if dotted.split(".")[0] not in self.roots:
            return None  # only the forbidden functions' own packages are imported here
        canonical = _identify(dotted, self.banned, lambda module: module.split(".")[0] in self.roots)
        if canonical is None:
            return None
        if dotted == canonical or dotted.startswith(canonical + "."):
            return dotted
        return f"{dotted} (the same function as {canonical})"


def _identify(dotted: str, banned: Banned, importable: Callable[[str], bool]) -> str | None:
    """The forbidden name of the first object along ``dotted`` that is forbidden, if any
    (an attribute of a forbidden function or module is forbidden too)."""
    for value in _walk(dotted.split("."), importable):
        entry = banned.get(id(value))
        if entry is not None and entry[1] is value:
            return entry[0]
    return None


def _is_introspection(api: str) -> bool:
    return api in INTROSPECTION_ATTRIBUTES or _is_banned(api, INTROSPECTION)


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


def _import_time(node: ast.AST) -> Iterator[ast.AST]:
    """The parts of ``node`` (the module) that run when it is imported: everything but
    function bodies (their decorators and defaults run) and ``if __name__ == "__main__":``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from child.decorator_list
            yield from child.args.defaults
            yield from (default for default in child.args.kw_defaults if default is not None)
        elif isinstance(child, ast.If) and _is_main_guard(child.test):
            for statement in child.orelse:
                yield from _import_time(ast.Module(body=[statement], type_ignores=[]))
        elif isinstance(child, (ast.ClassDef, ast.If, ast.For, ast.While, ast.Try, ast.With, ast.ExceptHandler)):
            yield from _import_time(child)
        else:
            yield child


def _is_main_guard(test: ast.expr) -> bool:
    """``__name__ == "__main__"``: a block the worker never runs (the module has another name)."""
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
            and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value == "__main__")


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
        if isinstance(child, ast.Attribute) and child.attr in INTROSPECTION_ATTRIBUTES:
            yield child.attr  # on any object: ``().__class__.__base__.__subclasses__()``


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
        if args[1].value in INTROSPECTION_ATTRIBUTES:
            yield args[1].value
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
