"""What a flood of prints costs a grading: judy (correct code that prints 200,000 lines at
import and more on every call) against alice (correct code of the same shape that prints
nothing), graded in turn in this process after a warm-up grading, with the real sandbox;
the medians in seconds and their ratio. To compare two checkouts, run this script with
each one's interpreter, in turn (``--rounds 1``), and take the medians of the runs::

    python benchmarks/output_flood.py [--rounds 5] [--assignment cnn]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from autograder.runner import grade_file
from autograder.spec import Assignment, load_assignment

FLOOD, QUIET = "judy", "alice"


def grading_seconds(assignment: Assignment, sample: str) -> float:
    """Wall-clock seconds of one grading of ``sample``, which must score full marks."""
    begin = time.perf_counter()
    result = grade_file(assignment, assignment.samples / f"{sample}.py")
    seconds = time.perf_counter() - begin
    if result.score != result.max_score:
        raise RuntimeError(f"{sample} scored {result.score} / {result.max_score}: the benchmark needs full marks")
    return seconds


def measure(assignment: Assignment, rounds: int) -> dict[str, float]:
    """Median seconds of the flooding and the quiet sample, graded alternately."""
    grading_seconds(assignment, QUIET)  # warm-up: the plan, the suites' collection, the first worker
    times: dict[str, list[float]] = {FLOOD: [], QUIET: []}
    for _ in range(rounds):
        for sample in times:
            times[sample].append(grading_seconds(assignment, sample))
    medians = {sample: statistics.median(seconds) for sample, seconds in times.items()}
    return {**medians, "ratio": medians[FLOOD] / medians[QUIET]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--assignment", default="cnn")
    options = parser.parse_args()
    print(json.dumps(measure(load_assignment(options.assignment), options.rounds)))


if __name__ == "__main__":
    main()
