"""Similar submissions: pairs whose code is the same or nearly so, for a human to look at.

``copydetect`` does the work (Stanford MOSS's winnowing over k-grams): each file is
tokenised with pygments and normalised (every identifier becomes ``V`` or ``F``, every
string and docstring ``S``, comments and whitespace dropped), so renamed variables,
reformatting and new comments change nothing, and fingerprints are compared as sets, so
reordered functions change nothing either. The starter code (the assignment's template)
is boilerplate: its fingerprints are removed from every file, so the signatures and
docstrings everyone received make nobody similar.

A pair is flagged when the shared code covers at least ``SIMILAR_AT`` of *both* files'
own code (what is left after the template), which keeps a short file that copies a part
of a long one, and two files that share only idioms, out. It is a signal, never a score
change: grading never reads it.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from typing import Mapping

from copydetect import CodeFingerprint, compare_files

NOISE_CHARS = 25  # copydetect's k: matches shorter than this many normalised characters are noise
GUARANTEE_CHARS = 30  # any match at least this long is found (winnowing window = this - k + 1)
SIMILAR_AT = 0.7  # share of both files' own code that must match to flag a pair
MIN_OWN_CHARS = 200  # normalised characters of a file's own code (beyond the template) to compare it at all
MAX_PAIRS = 200  # pairs kept, most similar first: beyond that the class has a bigger problem


@dataclass(frozen=True)
class Segment:
    """A run of one file's source, and whether it is part of the match."""

    text: str
    matched: bool


@dataclass(frozen=True)
class Pair:
    """Two submissions whose code is nearly the same."""

    left: str
    right: str
    similarity: float  # the smaller of the two files' shares of matched code
    left_code: tuple[Segment, ...]
    right_code: tuple[Segment, ...]


def similar_pairs(sources: Mapping[str, str], template: str = "", *, file_name: str = "submission.py",
                  threshold: float = SIMILAR_AT) -> list[Pair]:
    """Pairs of ``sources`` (``{submission: code}``) at least ``threshold`` similar, most
    similar first; ``template`` is the starter code everyone received; ``file_name``
    tells pygments the language."""
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


def _fingerprint(file_name: str, code: str, boilerplate: list[int] | None = None) -> CodeFingerprint:
    """copydetect's normalised fingerprint of ``code``."""
    return CodeFingerprint(file_name, NOISE_CHARS, GUARANTEE_CHARS - NOISE_CHARS + 1, boilerplate,
                           fp=io.StringIO(code))


def _segments(code: str, slices: object) -> tuple[Segment, ...]:
    """``code`` cut into matched and unmatched runs, from copydetect's [starts, ends] slices."""
    starts, ends = ([int(v) for v in row] for row in slices) if len(slices[0]) else ([], [])  # type: ignore[index]
    segments, position = [], 0
    for start, end in sorted(zip(starts, ends)):
        if start > position:
            segments.append(Segment(code[position:start], False))
        if end > max(start, position):
            segments.append(Segment(code[max(start, position):end], True))
        position = max(position, end)
    if position < len(code):
        segments.append(Segment(code[position:], False))
    return tuple(segments)
