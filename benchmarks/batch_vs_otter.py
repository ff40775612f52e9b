"""Batch grading vs otter's own path, on this machine: throughput, latency, memory, scores.

    python benchmarks/batch_vs_otter.py [--count 200] [--otter-sample 8] [--jobs N] [--keep DIR]

1. Generates ``--count`` submissions into a temporary folder from the sample submissions
   (assignments/cnn/samples), mixed as a class might hand them in: mostly correct or
   nearly so, typical mistakes, a few broken files and two that loop forever. Each copy
   gets a line of its own, so no two files are the same bytes.
2. Grades them all with ``autograder grade`` (a process, as a TA runs it).
3. Builds the Gradescope zip (``autograder.otter_bridge.build_zips``) and grades an evenly
   spaced sample of the same files with ``otter run`` on it, one at a time, as a TA
   without Docker would.
4. Prints submissions per minute for both and their ratio, per-submission latency
   (median, p95), peak memory (the whole process tree, sampled from /proc), and whether
   every sampled file got the same scores both ways.
5. Prints where the batch's time went: each kind of submission's share of the grading
   seconds, and the part of the wall clock spent outside grading (start-up, similarity,
   CSV and report).

Not a test: it takes a while (about a quarter of an hour for 200 on 2 cores).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from autograder.spec import Assignment, load_assignment, project_root

SAMPLES = project_root() / "assignments" / "cnn" / "samples"
# How many of each sample in a class of 200 (scaled to --count); heidi loops forever.
MIX = {
    "alice.py": 48, "niaj/CNN.py": 20, "judy.py": 10, "trudy.py": 10,  # correct
    "carol.py": 15, "dave.py": 15, "erin.py": 15, "frank.py": 15, "grace.py": 15, "ivan.py": 10, "bob.py": 5,
    "mallory.py": 10, "olivia.py": 10,  # broken
}
LOOPERS = 2
SAMPLING_SECONDS = 0.2


@dataclass(frozen=True)
class Run:
    """How one way of grading went."""

    seconds: float  # wall clock, start to end
    graded: int
    latencies: list[float]  # per submission
    peak_rss_mb: float  # the largest total RSS of the process tree seen
    by_submission: dict[str, float] | None = None  # latency of each, by id (the batch only)

    @property
    def per_minute(self) -> float:
        return self.graded / self.seconds * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="submissions in the batch")
    parser.add_argument("--otter-sample", type=int, default=8, help="of them, graded again with otter run")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="for autograder grade")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    console = Console()
    assignment = load_assignment("cnn")
    with tempfile.TemporaryDirectory(prefix="batch-vs-otter-") as temporary:
        work = (args.keep or Path(temporary)).resolve()
        kinds = generate(work / "submissions", args.count)
        ids = list(kinds)
        console.print(f"[bold]{len(ids)} submissions[/] in {work / 'submissions'}; grading them with "
                      f"autograder grade --jobs {args.jobs}")
        batch = run_batch(assignment, work, args.jobs)
        sample = ids[:: max(1, len(ids) // args.otter_sample)][: args.otter_sample]
        console.print(f"[bold]otter run[/] on {len(sample)} of them, one at a time: {', '.join(sample)}")
        otter, scores = run_otter(assignment, work, sample)
        report(console, batch, otter, compare(work, scores))
        breakdown(console, batch, kinds, args.jobs)


def generate(folder: Path, count: int) -> dict[str, str]:
    """Write ``count`` submissions mixed as ``MIX`` (plus ``LOOPERS``); their ids, in an
    order that interleaves the kinds, each with the sample it was made from."""
    kinds = [name for name, n in MIX.items() for _ in range(round(n * (count - LOOPERS) / sum(MIX.values())))]
    kinds = (kinds + ["alice.py"] * count)[: count - LOOPERS] + ["heidi.py"] * LOOPERS
    random.Random(480).shuffle(kinds)
    ids = {}
    for number, kind in enumerate(kinds):
        student = f"student{number:03d}"
        target = folder / student / Path(kind).name if "/" in kind else folder / f"{student}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text((SAMPLES / kind).read_text() + f"\n# {student} ({kind})\n")
        ids[student] = kind
    return ids


def run_batch(assignment: Assignment, work: Path, jobs: int) -> Run:
    """``autograder grade`` over the whole folder, in a process of its own."""
    out = work / "grades"
    command = [sys.executable, "-m", "autograder", "grade", str(assignment.folder), str(work / "submissions"),
               "--out", str(out), "--jobs", str(jobs), "--force"]
    seconds, peak = timed(command, cwd=work)
    paths = sorted((out / "results").glob("*.json"))
    latencies = {p.stem: json.loads(p.read_text())["extra_data"]["autograder"]["seconds"] for p in paths}
    return Run(seconds, len(latencies), list(latencies.values()), peak, latencies)


def run_otter(assignment: Assignment, work: Path, sample: list[str]) -> tuple[Run, dict[str, dict]]:
    """``otter run`` on the built zip for each sampled submission; the run and each results.json."""
    try:
        from autograder.otter_bridge import build_zips
    except ImportError as exc:
        raise SystemExit(f"otter's side cannot run: autograder.otter_bridge is not available ({exc})") from None
    zip_path = next(p for p in build_zips(assignment, out=work / "dist") if p.name == "autograder.zip")
    documents, latencies, peak = {}, [], 0.0
    for student in sample:
        submission = work / "submissions" / f"{student}.py"
        if not submission.exists():  # a student folder: otter run takes the file the student uploaded
            [submission] = (work / "submissions" / student).iterdir()
        target = work / "otter" / student
        target.mkdir(parents=True)
        command = [sys.executable, "-m", "otter", "run", "-a", str(zip_path), "-o", str(target), str(submission)]
        seconds, rss = timed(command, cwd=target, log=target / "otter.log")
        if not (target / "results.json").is_file():
            raise SystemExit(f"otter run wrote no results.json for {student}; see {target}")
        documents[student] = json.loads((target / "results.json").read_text())
        latencies.append(seconds)
        peak = max(peak, rss)
    return Run(sum(latencies), len(sample), latencies, peak), documents


def timed(command: list[str], *, cwd: Path, log: Path | None = None) -> tuple[float, float]:
    """Run ``command`` (its output to ``log``, else to this terminal); its wall-clock
    seconds and the peak RSS (MB) of its process tree."""
    with open(log, "wb") if log else contextlib.nullcontext() as output:
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT if log else None)
        peak = [0.0]
        sampler = threading.Thread(target=sample_memory, args=(process, peak), daemon=True)
        sampler.start()
        code = process.wait()
        seconds = time.monotonic() - started
        sampler.join()
    if code != 0:
        tail = log.read_text(errors="replace")[-2000:] if log else ""
        raise SystemExit(f"{' '.join(command[:5])} ... exited with {code}\n{tail}")
    return seconds, peak[0]


def sample_memory(process: subprocess.Popen, peak: list[float]) -> None:
    """Keep ``peak[0]`` at the largest total RSS (MB) of ``process`` and its descendants."""
    while process.poll() is None:
        tree = {process.pid} | descendants(process.pid)
        peak[0] = max(peak[0], sum(rss_kb(pid) for pid in tree) / 1024)
        time.sleep(SAMPLING_SECONDS)


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                parent = int(Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)


def compare(work: Path, otter: dict[str, dict]) -> list[tuple[str, float, float, bool]]:
    """For each sampled submission: batch score, otter score, and whether every test agrees."""
    rows = []
    for student, theirs in otter.items():
        ours = json.loads((work / "grades" / "results" / f"{student}.json").read_text())
        same = tests_by_name(ours) == tests_by_name(theirs) and ours["score"] == theirs["score"]
        rows.append((student, ours["score"], theirs["score"], same))
    return rows


def tests_by_name(document: dict) -> dict[str, tuple[str, float]]:
    return {t["name"]: (t["status"], t["score"]) for t in document["tests"] if t.get("max_score")}


def report(console: Console, batch: Run, otter: Run, scores: list[tuple[str, float, float, bool]]) -> None:
    table = Table(title="autograder grade vs otter run (no Docker), this machine")
    for column in ("", "graded", "wall s", "per min", "latency median s", "p95 s", "peak RSS MB"):
        table.add_column(column, justify="right" if column else "left")
    for name, run in (("autograder grade", batch), ("otter run", otter)):
        table.add_row(name, str(run.graded), f"{run.seconds:.0f}", f"{run.per_minute:.1f}",
                      f"{statistics.median(run.latencies):.1f}", f"{percentile(run.latencies, 95):.1f}",
                      f"{run.peak_rss_mb:.0f}")
    console.print(table)
    console.print("latency: grading one submission in its worker (autograder grade, while the other jobs run) or "
                  "one whole `otter run` process; peak RSS: the process tree, sampled every "
                  f"{SAMPLING_SECONDS:g} s")
    console.print(f"throughput ratio: [bold]{batch.per_minute / otter.per_minute:.1f}×[/] (goal: at least 20×) on "
                  f"{os.cpu_count()} cores, load average now {os.getloadavg()[0]:.1f}")
    agree = sum(same for *_, same in scores)
    console.print(f"same scores on every test: {agree} of {len(scores)}")
    for student, ours, theirs, same in scores:
        if not same:
            console.print(f"  [red]{student}: autograder {ours}, otter {theirs}[/]")


def breakdown(console: Console, batch: Run, kinds: dict[str, str], jobs: int) -> None:
    """Each kind's share of the grading seconds, and the wall clock spent outside grading."""
    seconds: dict[str, list[float]] = {}
    for student, latency in (batch.by_submission or {}).items():
        seconds.setdefault(kinds[student], []).append(latency)
    total = sum(map(sum, seconds.values()))
    table = Table(title="where the batch's grading seconds went (latency summed per kind)")
    for column in ("sample", "count", "mean s", "sum s", "share"):
        table.add_column(column, justify="left" if column == "sample" else "right")
    for kind, values in sorted(seconds.items(), key=lambda item: -sum(item[1])):
        table.add_row(kind, str(len(values)), f"{statistics.mean(values):.2f}", f"{sum(values):.1f}",
                      f"{sum(values) / total:.0%}")
    console.print(table)
    console.print(f"grading: {total:.0f} s of latency over {jobs} jobs ≈ {total / jobs:.0f} s of wall clock; "
                  f"the rest of the {batch.seconds:.0f} s (start-up, similarity, CSV, report): "
                  f"≈ {batch.seconds - total / jobs:.0f} s")


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


if __name__ == "__main__":
    main()
