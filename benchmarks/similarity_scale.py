"""Similar pairs at class scale: ``similar_pairs`` against comparing every pair, same run.

    python benchmarks/similarity_scale.py [--count 200] [--class-size 300] [--seed 14]

Two sets of submissions:

1. The batch benchmark's mix (``batch_vs_otter.generate``): copies of 13 samples, each with
   a comment line of its own, so a few distinct normalised codes and thousands of pairs at
   100 % (``MAX_PAIRS`` are kept).
2. A class: each student's file takes every function from a random one of the whole files
   there are (the reference, ``tests/reference_impls``, the samples, the corpus's mutants and
   styles built whole), has a few lines of some functions deleted, repeated or swapped and
   its variables renamed; one student in ten copies an earlier one's file, renamed again
   and with a comment added. Most pairs share some fingerprints but are not similar.

For each set it prints the seconds ``similar_pairs`` takes now and the seconds the
exhaustive comparison takes (``compare_files`` on every pair that shares a fingerprint:
``exhaustive_pairs`` in tests/test_similarity.py, what ``similar_pairs`` did before), and
whether the two gave equal pairs (names, similarities, marked code, order). Fingerprinting
(tokenising each file with pygments: the same work both ways) is timed once on its own;
both ways are then timed comparing, taking each file's fingerprint made then, and "in all"
adds the two.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import itertools
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from rich.console import Console
from rich.table import Table

from copydetect import CodeFingerprint

from autograder import similarity
from autograder.similarity import MIN_OWN_CHARS, _fingerprint, similar_pairs
from autograder.spec import load_assignment, project_root
from batch_vs_otter import generate

ROOT = project_root()
sys.path.insert(0, str(ROOT))  # the oracle and the corpus builder live with the tests
from tests import test_similarity  # noqa: E402
from tests.support.corpus import build  # noqa: E402
from tests.test_similarity import exhaustive_pairs, renamed  # noqa: E402

EDITED_FUNCTIONS = 0.5  # share of a student's functions with a few lines changed
LINES_EDITED = 3  # at most, in such a function
COPIERS = 0.1  # share of the class whose file is an earlier student's, disguised


def batch_mix(count: int) -> dict[str, str]:
    """The batch benchmark's submissions, ``{id: code}`` as ``autograder grade`` reads them."""
    with tempfile.TemporaryDirectory(prefix="similarity-scale-") as folder:
        generate(Path(folder), count)
        return {(path.parent.name if path.parent != Path(folder) else path.stem): path.read_text()
                for path in sorted(Path(folder).rglob("*.py"))}


def whole_files() -> list[tuple[str, ast.Module]]:
    """Every whole submission the repository has for the CNN assignment that parses, with
    its text."""
    samples = ROOT / "assignments/cnn/samples"
    files = [load_assignment("cnn").reference, ROOT / "tests/reference_impls/loops_cnn.py",
             *sorted(samples.glob("*.py")), *sorted(samples.glob("*/*.py"))]
    sources = [path.read_text() for path in files]
    sources += [build(path) for path in sorted((ROOT / "tests/corpus").glob("*.py"))]
    parsed = []
    for source in sources:
        with contextlib.suppress(SyntaxError):
            parsed.append((source, ast.parse(source)))
    return parsed


def class_like(size: int, seed: int) -> dict[str, str]:
    """``size`` students' files mixed from ``whole_files`` (see the module docstring)."""
    rng = random.Random(seed)
    variants: dict[str, list[str]] = {}  # each distinct way a function is written, once
    for source, tree in whole_files():
        for node in tree.body:
            text = ast.get_source_segment(source, node)
            if isinstance(node, ast.FunctionDef) and text not in variants.setdefault(node.name, []):
                variants[node.name].append(text)
    graded = [name for name in variants if not name.startswith("_")]
    sources: dict[str, str] = {}
    for number in range(size):
        if sources and rng.random() < COPIERS:
            original = rng.choice(sorted(sources.values()))
            code = renamed(original) + f"\n# checked {number}\n"
        else:
            functions = [_edited(rng.choice(variants[name]), rng) for name in graded]
            code = renamed("import math\nimport numpy as np\n\n\n" + "\n\n\n".join(functions) + "\n")
        sources[f"student{number:03d}"] = code
    return sources


def _edited(function: str, rng: random.Random) -> str:
    """``function`` with up to ``LINES_EDITED`` body lines deleted, repeated or swapped, in
    ``EDITED_FUNCTIONS`` of the calls; the result still parses, or ``function`` comes back."""
    if rng.random() >= EDITED_FUNCTIONS:
        return function
    lines = function.splitlines()
    for _ in range(rng.randint(1, LINES_EDITED)):
        at = rng.randrange(1, max(2, len(lines) - 1))
        kind = rng.choice(["delete", "repeat", "swap"])
        if kind == "delete" and len(lines) > 2:
            del lines[at]
        elif kind == "repeat":
            lines.insert(at, lines[at])
        elif at + 1 < len(lines):
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
    candidate = "\n".join(lines)
    try:
        ast.parse(candidate)
    except SyntaxError:
        return function
    return candidate


def timed(run: Callable[[], object]) -> tuple[float, object]:
    """Seconds ``run`` takes, and what it returns."""
    started = time.perf_counter()
    value = run()
    return time.perf_counter() - started, value


def measure(sources: dict[str, str], template: str, file_name: str) -> dict[str, str]:
    """One row of the table for ``sources``."""
    boilerplate = list(_fingerprint(file_name, template).hashes)
    fingerprinting, prints = timed(lambda: [_fingerprint(file_name, code, boilerplate) for code in sources.values()])
    comparable = [fp for fp in prints if fp.token_coverage >= MIN_OWN_CHARS]
    sharing = sum(1 for a, b in itertools.combinations([fp.hashes for fp in comparable], 2) if a & b)
    with made_once(dict(zip(sources.values(), prints))):
        after, fast = timed(lambda: similar_pairs(sources, template, file_name=file_name))
        before, slow = timed(lambda: exhaustive_pairs(sources, template, file_name=file_name))
    return {"files": str(len(sources)), "distinct code": str(len({fp.filtered_code for fp in comparable})),
            "pairs sharing a fingerprint": str(sharing), "pairs kept": str(len(fast)),
            "fingerprinting (s)": f"{fingerprinting:.1f}",
            "comparing before → after (s)": f"{before:.1f} → {after:.2f} ({before / after:.0f}×)",
            "in all before → after (s)": f"{fingerprinting + before:.1f} → {fingerprinting + after:.1f} "
                                         f"({(fingerprinting + before) / (fingerprinting + after):.1f}×)",
            "same pairs": "yes" if fast == slow else "NO"}


@contextlib.contextmanager
def made_once(made: dict[str, CodeFingerprint]) -> Iterator[None]:
    """Within, both ways take each file's fingerprint from ``made`` (``{code: fingerprint}``,
    made with the template's fingerprints removed), so comparing is timed apart from
    tokenising, which is the same work in both."""
    real = similarity._fingerprint

    def made_already(file_name: str, code: str, boilerplate: list[int] | None = None) -> CodeFingerprint:
        return made[code] if boilerplate is not None and code in made else real(file_name, code, boilerplate)

    similarity._fingerprint = test_similarity._fingerprint = made_already
    try:
        yield
    finally:
        similarity._fingerprint = test_similarity._fingerprint = real


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="submissions in the batch benchmark's mix")
    parser.add_argument("--class-size", type=int, default=300, help="students in the class-like set")
    parser.add_argument("--seed", type=int, default=14, help="for the class-like set")
    args = parser.parse_args()
    assignment = load_assignment("cnn")
    template = (ROOT / "student_template/cnn" / assignment.student_file).read_text()
    rows = {f"batch mix ({args.count})": measure(batch_mix(args.count), template, assignment.student_file),
            f"class-like ({args.class_size})": measure(class_like(args.class_size, args.seed), template,
                                                        assignment.student_file)}
    table = Table(title="similar_pairs: exhaustive (before) vs grouped and indexed (after), same run")
    table.add_column("set")
    for column in next(iter(rows.values())):
        table.add_column(column, justify="right")
    for name, row in rows.items():
        table.add_row(name, *row.values())
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
