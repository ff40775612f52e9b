"""How long the Gradescope zip takes in Gradescope's layout, per kind of submission.

    sudo python benchmarks/gradescope_zip.py [--repeat 3] [--drop-capability sys_admin]

Builds the zip (``autograder build``'s code), then runs it as Gradescope does with
``autograder.gradescope.emulate`` (root: a private /autograder in a mount namespace, the
zip's environment in a cached virtualenv; the first run installs it, outside the timing)
on three submissions:

- ``nothing``: an empty upload, so nothing is graded: what otter itself costs;
- ``correct``: the reference solution as cnn.py (goal: under 15 s);
- ``loops``: every function ``while True: pass`` (goal: under 2 minutes; Gradescope's
  default limit is 10 minutes, after which the student gets no result at all).

Prints, per submission, the wall clock of ``run_autograder`` (median and range over
``--repeat`` runs; ``loops`` runs once), the engine's own grading time (results.json's
``execution_time``) and the score, plus the machine's cores and load average, since a
busy machine slows every figure. ``--drop-capability sys_admin`` runs ``run_autograder``
without that capability, as Docker (so Gradescope) does: the sandbox then takes its uid
mode. The worker's tree is built once on this machine and reused by later runs; in a fresh
Gradescope container it is built on every run, and the benchmark prints what that costs.
Not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from autograder.gradescope.emulate import emulate
from autograder.otter_bridge import build_zips
from autograder.sandbox import rootfs
from autograder.spec import Assignment, load_assignment
from autograder.template import strip_solutions

GOALS = {"correct": 15.0, "loops": 120.0}


def submissions(assignment: Assignment, folder: Path) -> dict[str, Path]:
    """One upload folder per kind of submission."""
    reference = assignment.reference.read_text(encoding="utf-8")
    contents = {
        "nothing": None,
        "correct": reference,
        "loops": strip_solutions(reference).replace("raise NotImplementedError", "while True:\n        pass"),
    }
    uploads = {}
    for kind, text in contents.items():
        upload = folder / kind
        upload.mkdir()
        if text is not None:
            (upload / assignment.student_file).write_text(text, encoding="utf-8")
        uploads[kind] = upload
    return uploads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of 'nothing' and 'correct' (median reported)")
    parser.add_argument("--drop-capability", action="append", default=[], metavar="NAME",
                        help="run run_autograder without this capability (setpriv's spelling), e.g. sys_admin")
    args = parser.parse_args()
    dropped = tuple(args.drop_capability)
    assignment = load_assignment("cnn")
    with tempfile.TemporaryDirectory(prefix="gradescope-bench-") as tmp:
        work = Path(tmp)
        zip_path = build_zips(assignment, work / "dist")[0]
        uploads = submissions(assignment, work)
        emulate(zip_path, uploads["nothing"], work / "warm-up")  # installs the venv if needed; untimed
        if dropped:
            print(f"the worker's tree, built as in a fresh container: {tree_build_seconds():.1f} s")
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
        print(f"{'submission':<10} {'run_autograder (s)':>24} {'grading (s)':>12} {'score':>7}  goal")
        for kind, upload in uploads.items():
            runs = [emulate(zip_path, upload, work / f"{kind}-{i}", drop_capabilities=dropped)
                    for i in range(1 if kind == "loops" else args.repeat)]
            seconds = [run.seconds for run in runs]
            last = runs[-1].results or {}
            spread = f"{statistics.median(seconds):6.1f} ({min(seconds):.1f}-{max(seconds):.1f})"
            goal = f"< {GOALS[kind]:g} s: {'met' if max(seconds) < GOALS[kind] else 'MISSED'}" if kind in GOALS else ""
            print(f"{kind:<10} {spread:>24} {last.get('execution_time', float('nan')):12.1f} "
                  f"{last.get('score', float('nan')):7g}  {goal}")
            staff = "\n".join(t.get("output", "") for t in last.get("tests", []) if t.get("visibility") == "hidden")
            plan = [line for line in staff.splitlines() if line.startswith("hypothesis inputs from the plan")]
            if plan:
                print(f"{'':<10} {plan[0]}")
        print(f"load average {os.getloadavg()[0]:.1f} at the end")


def tree_build_seconds() -> float:
    """How long building the uid mode's tree of Python and numpy takes, into a fresh folder."""
    with tempfile.TemporaryDirectory(prefix="tree-bench-") as tmp:
        started = time.monotonic()
        rootfs._build(Path(tmp) / "root", ())
        return time.monotonic() - started


if __name__ == "__main__":
    main()
