"""Submissions and small readers shared by the otter tests."""

from __future__ import annotations

import pickle
from pathlib import Path

from autograder.spec import project_root
from tests.support import corpus

SOLUTION = project_root() / "solutions" / "cnn" / "cnn.py"
# Passes every public test and fails hidden ones: where otter's "Public Tests" box would
# say "All test cases passed!".
BUGGY_SOURCE = corpus.build(project_root() / "tests" / "corpus" / "stride_not_at_start_conv_stage.py").encode()
BUGGY_LOSES = {"conv_stage", "conv_layer"}  # as the corpus file's header says
BUGGY_MISCONCEPTION = "stride not applied to the window start"


class _WritesMarker:
    """Unpickling this runs code: it writes ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple:
        return exec, (f"open({str(self.path)!r}, 'w').write('unpickled')",)


def malicious_pickle(marker: Path) -> bytes:
    """A pickle (as a ``.OTTER_LOG`` would hold) that writes ``marker`` when loaded."""
    return pickle.dumps(_WritesMarker(marker))


def question_scores(document: dict) -> dict[str, float]:
    """Points per question of a results.json, summed from its tests (tag 0 is the question)."""
    scores: dict[str, float] = {}
    for test in document["tests"]:
        if test.get("tags"):
            scores[test["tags"][0]] = scores.get(test["tags"][0], 0.0) + test["score"]
    return scores
