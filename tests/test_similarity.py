"""Similar submissions, measured on a corpus: disguised copies are found, independent
solutions in different styles are not; and the fast comparison gives exactly what comparing
every pair with ``copydetect.compare_files`` gives (``exhaustive_pairs``, the oracle).

Independent solutions: the sample ``alice.py``, ``tests/reference_impls/loops_cnn.py``,
the reference solution, and the six ``tests/corpus/style_*.py`` files (each the graded
functions it rewrites in its own style). Copies: each whole independent file with its
variables and arguments renamed, with its functions in reverse order, and with both plus
comments and blank lines added and the code reformatted (``ast.unparse``).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Mapping

import numpy as np
import pytest
from copydetect import compare_files
from hypothesis import given, settings, strategies as st

from autograder.similarity import (MAX_PAIRS, MIN_OWN_CHARS, SIMILAR_AT, Pair, _fingerprint, _matched_characters,
                                   _segments, similar_pairs)
from autograder.spec import load_assignment, project_root

ROOT = project_root()
WHOLE = {"alice": ROOT / "assignments/cnn/samples/alice.py", "loops": ROOT / "tests/reference_impls/loops_cnn.py",
         "solution": ROOT / "solutions/cnn/cnn.py"}
STYLES = sorted((ROOT / "tests/corpus").glob("style_*.py"))
TEMPLATE = ROOT / "student_template/cnn/cnn.py"


def exhaustive_pairs(sources: Mapping[str, str], template: str = "", *, file_name: str = "submission.py",
                     threshold: float = SIMILAR_AT) -> list[Pair]:
    """The oracle: ``compare_files`` on every pair that shares a fingerprint, as
    ``similar_pairs`` did before it grouped and indexed (also the "before" of
    benchmarks/similarity_scale.py)."""
    boilerplate = _fingerprint(file_name, template).hashes if template.strip() else set()
    prints = {name: _fingerprint(file_name, code, list(boilerplate)) for name, code in sorted(sources.items())}
    comparable = {name: fp for name, fp in prints.items() if fp.token_coverage >= MIN_OWN_CHARS}
    pairs = []
    for (left, a), (right, b) in itertools.combinations(comparable.items(), 2):
        if not a.hashes & b.hashes:
            continue
        _overlap, (share_a, share_b), (slices_a, slices_b) = compare_files(a, b)
        similarity = min(float(share_a), float(share_b))
        if similarity >= threshold:
            pairs.append(Pair(left, right, similarity, _segments(a.raw_code, slices_a),
                              _segments(b.raw_code, slices_b)))
    pairs.sort(key=lambda p: (-p.similarity, p.left, p.right))
    return pairs[:MAX_PAIRS]


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


def test_matched_code_is_counted_exactly_as_compare_files_counts_it_on_every_corpus_pair(corpus):
    """The count that decides which pairs are compared is never below copydetect's share
    (nor above: it is the same number), on both sides of every pair."""
    sources, _ = corpus
    boilerplate = list(_fingerprint("cnn.py", TEMPLATE.read_text()).hashes)
    prints = [_fingerprint("cnn.py", code, boilerplate) for _, code in sorted(sources.items())]

    matched = _matched_characters(prints)

    for (i, a), (j, b) in itertools.combinations(enumerate(prints), 2):
        _overlap, (share_a, share_b), _slices = compare_files(a, b)
        assert (matched[i, j] / a.token_coverage, matched[j, i] / b.token_coverage) == (share_a, share_b), (i, j)
    assert np.diag(matched).tolist() == [fp.token_coverage for fp in prints]  # a file matches all of itself


@pytest.mark.parametrize("threshold", [SIMILAR_AT, 0.0])
def test_the_corpus_gives_the_pairs_comparing_every_pair_gives(corpus, threshold):
    """At 0 every pair that shares a fingerprint qualifies (153 of the 351), so the order
    by similarity is exercised on every value there is."""
    sources, _ = corpus
    template = TEMPLATE.read_text()

    fast = similar_pairs(sources, template, file_name="cnn.py", threshold=threshold)

    assert fast == exhaustive_pairs(sources, template, file_name="cnn.py", threshold=threshold)
    assert len(fast) == {SIMILAR_AT: 18, 0.0: 153}[threshold]


def test_identical_copies_beyond_the_cap_are_the_pairs_comparing_every_pair_gives():
    """22 copies of one file that differ only in a comment are one group: 231 pairs at
    100 %, cut at ``MAX_PAIRS`` in name order, each with its own file's text marked."""
    original = (ROOT / "tests/corpus/style_own_exception_class.py").read_text()
    sources = {f"copy{n:02d}": f"{original}\n# copy {n}\n" for n in range(22)}
    sources["edited"] = original.replace("raise", "return")
    template = TEMPLATE.read_text()

    fast = similar_pairs(sources, template, file_name="cnn.py")

    assert fast == exhaustive_pairs(sources, template, file_name="cnn.py")
    assert len(fast) == MAX_PAIRS and {p.similarity for p in fast} == {1.0}
    assert (fast[-1].left, fast[-1].right) == ("copy13", "copy18")  # 21 + 20 + ... + 9 + 5 pairs
    assert all("".join(s.text for s in p.right_code) == sources[p.right] for p in fast)


BASES = [ROOT / "assignments/cnn/samples/alice.py", ROOT / "tests/reference_impls/loops_cnn.py",
         *(ROOT / f"tests/corpus/style_{s}.py" for s in ("own_exception_class", "pure_python_fsum", "float32_results"))]
EDITS = st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "comment", "swap"]), st.floats(0, 1)), max_size=6)


def edited(source: str, edits: list[tuple[str, float]]) -> str:
    """``source`` with whole lines deleted, duplicated, commented after or swapped with the next."""
    lines = source.splitlines()
    for kind, where in edits:
        at = min(int(where * len(lines)), len(lines) - 2)
        if kind == "delete":
            del lines[at]
        elif kind == "duplicate":
            lines.insert(at, lines[at])
        elif kind == "comment":
            lines.insert(at + 1, "# a comment of my own")
        else:
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
    return "\n".join(lines)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(files=st.lists(st.tuples(st.sampled_from(BASES), EDITS), min_size=2, max_size=6),
       threshold=st.sampled_from([0.0, 0.5, SIMILAR_AT, 0.95, 1.0]))
def test_edited_files_give_the_pairs_comparing_every_pair_gives(files, threshold):
    """Random line edits of whole and partial solutions, some only commented (so the same
    normalised code), at thresholds from 0 to 1."""
    sources = {f"student{n}": edited(base.read_text(), edits) for n, (base, edits) in enumerate(files)}
    template = TEMPLATE.read_text()

    assert (similar_pairs(sources, template, file_name="cnn.py", threshold=threshold)
            == exhaustive_pairs(sources, template, file_name="cnn.py", threshold=threshold))
