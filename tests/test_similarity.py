"""Similar submissions, measured on a corpus: disguised copies are found, independent
solutions in different styles are not.

Independent solutions: the sample ``alice.py``, ``tests/reference_impls/loops_cnn.py``,
the reference solution, and the six ``tests/corpus/style_*.py`` files (each the graded
functions it rewrites in its own style). Copies: each whole independent file with its
variables and arguments renamed, with its functions in reverse order, and with both plus
comments and blank lines added and the code reformatted (``ast.unparse``).
"""

from __future__ import annotations

import ast
import itertools

import pytest

from autograder.similarity import SIMILAR_AT, similar_pairs
from autograder.spec import load_assignment, project_root

ROOT = project_root()
WHOLE = {"alice": ROOT / "assignments/cnn/samples/alice.py", "loops": ROOT / "tests/reference_impls/loops_cnn.py",
         "solution": ROOT / "solutions/cnn/cnn.py"}
STYLES = sorted((ROOT / "tests/corpus").glob("style_*.py"))
TEMPLATE = ROOT / "student_template/cnn/cnn.py"


class _Rename(ast.NodeTransformer):
    """Every argument and local variable of every function gets another name."""

    def __init__(self, names: set[str]) -> None:
        self.names = {name: f"renamed_{i}_{name[::-1]}" for i, name in enumerate(sorted(names))}

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.names.get(node.arg, node.arg)
        return node

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.names.get(node.id, node.id)
        return node


def _locals(tree: ast.Module) -> set[str]:
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    names = {a.arg for f in functions for a in ast.walk(f.args) if isinstance(a, ast.arg)}
    names |= {n.id for f in functions for n in ast.walk(f) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return names - {f.name for f in functions}


def renamed(source: str) -> str:
    tree = ast.parse(source)
    return ast.unparse(_Rename(_locals(tree)).visit(tree))


def reordered(source: str) -> str:
    """The same text with the top-level functions in reverse order (comments kept)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    chunks = ["".join(lines[min([f.lineno, *(d.lineno for d in f.decorator_list)]) - 1:f.end_lineno]) for f in functions]
    head = "".join(lines[:min(f.lineno for f in functions) - 1])
    return head + "\n\n".join(reversed(chunks)) + "\n"


def commented(source: str) -> str:
    out = []
    for number, line in enumerate(renamed(reordered(source)).splitlines()):
        out.append(line)
        if number % 4 == 0:
            out.append(f"{' ' * (len(line) - len(line.lstrip()))}# step {number}: see the lecture notes\n")
    return "\n".join(out)


@pytest.fixture(scope="module")
def corpus() -> tuple[dict[str, str], set[frozenset[str]]]:
    """``{submission: code}`` and the pairs that are copies of each other."""
    sources = {name: path.read_text() for name, path in WHOLE.items()}
    sources |= {path.stem: path.read_text() for path in STYLES}
    families = []
    for name, path in WHOLE.items():
        original = path.read_text()
        copies = {f"{name}_renamed": renamed(original), f"{name}_reordered": reordered(original),
                  f"{name}_disguised": commented(original)}
        sources |= copies
        families.append([name, *copies])
    copied = {frozenset(pair) for family in families for pair in itertools.combinations(family, 2)}
    return sources, copied


@pytest.fixture(scope="module")
def flagged(corpus) -> set[frozenset[str]]:
    sources, _ = corpus
    pairs = similar_pairs(sources, TEMPLATE.read_text(), file_name=load_assignment("cnn").student_file)
    return {frozenset((p.left, p.right)) for p in pairs}


def test_the_disguises_really_change_the_text(corpus):
    sources, copied = corpus
    assert sources["alice_renamed"] != sources["alice"] and "renamed_" in sources["alice_renamed"]
    assert sources["alice_reordered"].index("def relu") < sources["alice_reordered"].index("def zero_pad")
    assert "# step 0" in sources["loops_disguised"]
    assert len(copied) == 18


def test_every_disguised_copy_is_found(corpus, flagged):
    _, copied = corpus
    found = copied & flagged
    print(f"\nrecall: {len(found)}/{len(copied)} copied pairs flagged at {SIMILAR_AT:.0%}")
    assert found == copied


def test_independent_solutions_in_different_styles_are_not_flagged(corpus, flagged):
    sources, copied = corpus
    independent = {frozenset(p) for p in itertools.combinations(sources, 2)} - copied
    wrong = independent & flagged
    print(f"\nfalse positives: {len(wrong)}/{len(independent)} independent pairs flagged at {SIMILAR_AT:.0%}")
    assert wrong == set()


def test_the_starter_code_alone_makes_nobody_similar():
    template = TEMPLATE.read_text()

    assert similar_pairs({"ann": template, "bob": template + "\n# nothing done yet\n"}, template,
                         file_name="cnn.py") == []


def test_a_pair_shows_both_files_whole_with_the_matching_code_marked(corpus):
    sources, _ = corpus

    [pair] = similar_pairs({k: sources[k] for k in ("alice", "alice_reordered")}, TEMPLATE.read_text(),
                           file_name="cnn.py")

    assert "".join(s.text for s in pair.left_code) == sources["alice"]
    assert "".join(s.text for s in pair.right_code) == sources["alice_reordered"]
    assert any(s.matched and "for " in s.text for s in pair.left_code)  # her loops
