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

At class scale the pairs are not compared one by one with ``copydetect.compare_files``
(a few milliseconds each, for every pair that shares a single fingerprint: nearly all of
them). Files with the same normalised code are one group, all of it matched both ways,
and every group's matched code against every other's is counted at once from an index of
who holds each fingerprint (``_matched_characters``), to the character that
``compare_files`` counts, so the same pairs come out with the same similarities.
``compare_files`` then runs only for the pairs reported, for the code they show.
"""

from __future__ import annotations

import heapq
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

import numpy as np
if TYPE_CHECKING:
    from copydetect import CodeFingerprint

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
    groups = _same_code(comparable)
    kept = heapq.nsmallest(MAX_PAIRS, _ranked_pairs(groups, [comparable[group[0]] for group in groups], threshold))
    return [_pair(left, right, comparable[left], comparable[right]) for _, left, right in kept]


def _fingerprint(file_name: str, code: str, boilerplate: list[int] | None = None) -> CodeFingerprint:
    """copydetect's normalised fingerprint of ``code``. (copydetect is imported here, not at the
    top: it imports matplotlib, a second of ``autograder grade``'s start.)"""
    from copydetect import CodeFingerprint

    return CodeFingerprint(file_name, NOISE_CHARS, GUARANTEE_CHARS - NOISE_CHARS + 1, boilerplate,
                           fp=io.StringIO(code))


def _same_code(prints: Mapping[str, CodeFingerprint]) -> list[list[str]]:
    """The submissions grouped by normalised code, names in order. The fingerprints, their
    positions and the coverage are functions of the normalised code alone, so a group's
    members compare with anyone exactly as each other do, and with each other they share
    every fingerprint."""
    groups: dict[str, list[str]] = {}
    for name, fp in prints.items():
        groups.setdefault(fp.filtered_code, []).append(name)
    return list(groups.values())


def _ranked_pairs(groups: Sequence[Sequence[str]], prints: Sequence[CodeFingerprint],
                  threshold: float) -> Iterator[tuple[float, str, str]]:
    """``(-similarity, left, right)`` for every pair of submissions that shares a fingerprint
    and is at least ``threshold`` similar; ``prints`` holds one fingerprint per group.

    Inside a group every fingerprint is shared, so the matched code is the whole coverage
    and the similarity is exactly 1.0, as ``compare_files`` computes it (coverage / coverage).
    Across groups the similarity is ``compare_files``'s: the same integer counts divided by
    the same float coverage, the smaller share of the two."""
    if 1.0 >= threshold:
        for group in groups:
            yield from ((-1.0, left, right) for left, right in itertools.combinations(group, 2))
    matched = _matched_characters(prints)
    shares = matched / np.array([fp.token_coverage for fp in prints])[:, np.newaxis]
    similarity = np.minimum(shares, shares.T)
    for i, j in zip(*np.nonzero(np.triu((matched > 0) & (similarity >= threshold), k=1))):
        yield from ((-float(similarity[i, j]), *sorted((left, right)))
                    for left, right in itertools.product(groups[i], groups[j]))


def _matched_characters(prints: Sequence[CodeFingerprint]) -> np.ndarray:
    """``matched[i, j]``: how many characters of file ``i``'s normalised code lie in
    fingerprints that file ``j`` shares, which is the count ``compare_files(i, j)`` divides
    by ``i``'s coverage: exactly, neither more nor less.

    Why it is the same count: ``compare_files`` takes the positions (in ``i``'s normalised
    code) of every fingerprint of ``i`` that is also ``j``'s; each stands for the ``k``
    characters from its position. ``get_copied_slices`` sorts the positions and cuts them
    into slices wherever two neighbours are ``k`` or more apart; a slice runs from its
    first position to its last plus ``k``, and the count is the sum of the slices' lengths.
    Inside a slice neighbours are under ``k`` apart, so their windows overlap and the slice
    is exactly their union; distinct slices do not overlap. So the count is the size of the
    union of the windows. For sorted positions ``p_1 <= ... <= p_m`` that union is
    ``sum(min(k, p_{t+1} - p_t))`` with ``p_{m+1} = p_m + k``: each window adds what lies
    before the next one starts (a repeated position adds 0), which is what is summed here,
    per pair of files, from one index of which files hold each fingerprint."""
    holders = _Holders(prints)
    matched = np.zeros((len(prints), len(prints)), dtype=np.int64)
    for i, fp in enumerate(prints):
        starts, hashes = _windows(fp)
        holder, window = holders.of(hashes)  # sorted by holder, then by position
        next_same_holder = np.append(holder[1:] == holder[:-1], False)
        next_start = starts[np.roll(window, -1)]
        added = np.where(next_same_holder, np.minimum(next_start - starts[window], fp.k), fp.k)
        # integer sums far below 2**53, so the float sums are exact
        matched[i] = np.bincount(holder, weights=added, minlength=len(prints)).astype(np.int64)
    return matched


def _windows(fp: CodeFingerprint) -> tuple[np.ndarray, np.ndarray]:
    """Every kept fingerprint of ``fp`` by position: the positions, sorted, and their hashes."""
    hashes = np.array(list(fp.hash_idx), dtype=np.int64)
    counts = [len(positions) for positions in fp.hash_idx.values()]
    starts = np.fromiter(itertools.chain.from_iterable(fp.hash_idx.values()), dtype=np.int64, count=sum(counts))
    order = np.argsort(starts, kind="stable")
    return starts[order], np.repeat(hashes, counts)[order]


class _Holders:
    """Which files hold each fingerprint hash: an inverted index over ``prints``."""

    def __init__(self, prints: Sequence[CodeFingerprint]) -> None:
        keys = [np.array(list(fp.hash_idx), dtype=np.int64) for fp in prints]
        flat = np.concatenate([np.zeros(0, dtype=np.int64), *keys])
        order = np.argsort(flat, kind="stable")
        self.hashes, self.first, self.count = np.unique(flat[order], return_index=True, return_counts=True)
        self.files = np.repeat(np.arange(len(prints)), [len(k) for k in keys])[order]

    def of(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(holder, window)``: one entry per file holding ``hashes[window]``, ordered by
        holder, then by window (every hash must be in the index)."""
        found = np.searchsorted(self.hashes, hashes)
        count = self.count[found]
        entry = np.repeat(self.first[found] - (np.cumsum(count) - count), count) + np.arange(count.sum())
        holder, window = self.files[entry], np.repeat(np.arange(len(hashes)), count)
        order = np.argsort(holder, kind="stable")
        return holder[order], window[order]


def _pair(left: str, right: str, a: CodeFingerprint, b: CodeFingerprint) -> Pair:
    """The reported pair, with ``compare_files``'s similarity and matched code."""
    from copydetect import compare_files

    _overlap, (share_a, share_b), (slices_a, slices_b) = compare_files(a, b)
    return Pair(left, right, min(float(share_a), float(share_b)), _segments(a.raw_code, slices_a),
                _segments(b.raw_code, slices_b))


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
