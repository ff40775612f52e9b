"""What the sandbox boundary costs: per call, and per submission.

Per call: ``relu`` on a small array many times through a ``Sandbox`` and in this process;
the medians in microseconds and their ratio. Per submission: the whole public + hidden
suite on a correct, loop-based submission (tests/reference_impls/loops_cnn.py), graded
with the real sandbox and with the in-process stand-in of the tests, in turn, in the
same run, each with the suites' plan (``autograder.plan``: the hypothesis inputs
replayed) and without it (drawn anew); the medians and the overhead in percent. The
sandbox is measured twice: as in a batch (``Spares``: the worker was started while the
previous submission was graded) and cold (the worker starts when the first call needs
it, as for a lone Gradescope submission). The floor is the student's own compute: every
call the grading made, made again directly on the submission's module (the time inside
its functions, nothing else). Per worker: the machine's busy CPU time (from /proc/stat, as
the jail's processes are not the benchmark's children) of one worker's whole life (start,
import, one call, close), workers forked by the fork server and exec'd afresh
(``AUTOGRADER_FORK_SERVER=off``) in turn, in the isolated mode and in process mode; the
machine's other load counts too, so run it on a quiet machine::

    python benchmarks/sandbox_overhead.py [--calls 2000] [--size 8] [--isolation auto|jail|uid|process] [--rounds 5]
                                          [--lifecycles 20]
"""

from __future__ import annotations

import argparse
import copy
import functools
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from autograder.sandbox import Returned, Sandbox, Spares, forkserver
from autograder.spec import ForbiddenApis, Limits

SUBMISSION = "import numpy as np\n\n\ndef relu(x):\n    return np.maximum(x, 0)\n"


def measure_calls(submission: Path, function: str, args: Sequence[Any], *, calls: int = 2000,
                  isolation: str | None = None, limits: Limits | None = None) -> dict[str, Any]:
    """Median microseconds per call of ``function(*args)`` in a sandbox and in process.

    The first sandboxed call (worker start and import) is timed apart as ``start_ms``.
    """
    with Sandbox(submission, module="cnn", functions=(function,), limits=limits or Limits(), forbidden=ForbiddenApis(),
                 isolation=isolation) as box:
        begin = time.perf_counter()
        first = box.call(function, *args)
        start_ms = (time.perf_counter() - begin) * 1e3
        if not isinstance(first, Returned):
            raise RuntimeError(f"the benchmark call did not return: {first}")
        sandboxed = _timings(lambda: box.call(function, *args), calls)
        mode = box.mode
    direct = getattr(_import(submission), function)
    in_process = _timings(lambda: direct(*args), calls)
    sandbox_us, in_process_us = statistics.median(sandboxed) * 1e6, statistics.median(in_process) * 1e6
    return {"mode": mode, "calls": calls, "start_ms": start_ms, "sandbox_us": sandbox_us,
            "in_process_us": in_process_us, "overhead_us": sandbox_us - in_process_us,
            "ratio": sandbox_us / in_process_us}


def measure_lifecycles(submission: Path, *, lifecycles: int = 20, rounds: int = 3,
                       isolation: str | None = None) -> dict[str, Any]:
    """Median over ``rounds`` of the machine's busy CPU seconds, and wall seconds, per worker
    lifecycle (a ``Sandbox``, one ``relu`` call, close), for forked and exec'd workers in turn."""
    x = np.ones((8, 8))
    samples: dict[str, list[tuple[float, float]]] = {"forked": [], "exec": []}
    mode, before = "", os.environ.get(forkserver.VARIABLE)
    for _ in range(rounds):
        for path in samples:
            os.environ[forkserver.VARIABLE] = "on" if path == "forked" else "off"
            busy, begin = _busy_cpu_seconds(), time.perf_counter()
            for _ in range(lifecycles):
                with Sandbox(submission, module="cnn", functions=("relu",), limits=Limits(),
                             forbidden=ForbiddenApis(), isolation=isolation) as box:
                    if not isinstance(box.call("relu", x), Returned):
                        raise RuntimeError("the benchmark call did not return")
                    mode = box.mode
            samples[path].append(((_busy_cpu_seconds() - busy) / lifecycles,
                                  (time.perf_counter() - begin) / lifecycles))
    os.environ.pop(forkserver.VARIABLE)
    if before is not None:
        os.environ[forkserver.VARIABLE] = before
    return {"mode": mode, "lifecycles": lifecycles} | {
        f"{path}_{kind}_s": statistics.median(sample[i] for sample in values)
        for path, values in samples.items() for i, kind in enumerate(("cpu", "wall"))}


def _busy_cpu_seconds() -> float:
    """The machine's busy CPU time so far, all cores (every /proc/stat field but idle and iowait)."""
    with open("/proc/stat") as stat:
        ticks = [int(field) for field in stat.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def measure_submission(rounds: int = 5) -> dict[str, float]:
    """Median seconds to grade a correct loop-based submission, with and without the plan:
    in a batch (a spare worker ready), cold, and in process; the overheads in percent; and
    the submission's own compute for the same calls."""
    from autograder.runner import current_plan, grade_file
    from autograder.spec import load_assignment, project_root

    sys.path.insert(0, str(project_root()))
    from tests.support.inprocess import InProcessSandbox

    assignment = load_assignment("cnn")
    submission = project_root() / "tests" / "reference_impls" / "loops_cnn.py"
    kinds = [(name, replay) for name in ("batch", "cold", "in_process") for replay in (True, False)]
    timings: dict[str, list[float]] = {_label(name, replay): [] for name, replay in kinds}
    with Spares() as spares:
        factories = {"batch": functools.partial(Sandbox, spares=spares), "cold": Sandbox,
                     "in_process": InProcessSandbox}
        current_plan(assignment, factories["batch"])  # read or recorded once, as in any grading process
        grade_file(assignment, submission, sandbox_factory=factories["batch"])  # imports, collection, a spare
        for _ in range(rounds):
            for name, replay in kinds:
                begin = time.perf_counter()
                result = grade_file(assignment, submission, sandbox_factory=factories[name], replay=replay)
                timings[_label(name, replay)].append(time.perf_counter() - begin)
                if result.score != result.max_score:
                    raise RuntimeError(f"loops_cnn.py scored {result.score} with {name}")
        calls = _calls_made(assignment, submission, InProcessSandbox)
    medians = {f"{label}_s": statistics.median(values) for label, values in timings.items()}
    overheads = {f"{_label(name, replay)}_overhead_pct":
                 100 * (medians[f"{_label(name, replay)}_s"] / medians[f"{_label('in_process', replay)}_s"] - 1)
                 for name, replay in kinds if name != "in_process"}
    return medians | overheads | {"own_compute_s": _own_compute(submission, calls, rounds), "calls": len(calls)}


def _label(name: str, replay: bool) -> str:
    return f"{name}_{'plan' if replay else 'drawn'}"


def _calls_made(assignment: Any, submission: Path, stand_in: type) -> list[tuple[str, Any, Any]]:
    """Every call grading ``submission`` (with the plan) makes: function, args, kwargs."""
    from autograder.runner import grade_file

    calls = []

    class Logging(stand_in):  # type: ignore[misc, valid-type]
        def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
            calls.append((function, copy.deepcopy(args), copy.deepcopy(kwargs)))
            return super().call(function, *args, **kwargs)

    grade_file(assignment, submission, sandbox_factory=Logging)
    return calls


def _own_compute(submission: Path, calls: list[tuple[str, Any, Any]], rounds: int) -> float:
    """Median over ``rounds`` of the seconds the submission's functions take for ``calls``
    (arguments copied outside the clock; exceptions are answers too)."""
    module = _import(submission)
    totals = []
    for _ in range(rounds):
        total = 0.0
        for function, args, kwargs in calls:
            args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
            begin = time.perf_counter()
            try:
                getattr(module, function)(*args, **kwargs)
            except Exception:  # noqa: BLE001 -- a ValueError the tests ask for
                pass
            total += time.perf_counter() - begin
        totals.append(total)
    return statistics.median(totals)


def _timings(call: Any, calls: int) -> list[float]:
    timings = []
    for _ in range(calls):
        begin = time.perf_counter()
        call()
        timings.append(time.perf_counter() - begin)
    return timings


def _import(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location("benchmark_submission", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--size", type=int, default=8, help="the array is size x size")
    parser.add_argument("--isolation", choices=("auto", "jail", "uid", "process"), default=None)
    parser.add_argument("--rounds", type=int, default=5, help="whole-submission gradings of each kind")
    parser.add_argument("--lifecycles", type=int, default=20, help="worker lifecycles per sample")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        submission = Path(folder) / "cnn.py"
        submission.write_text(SUBMISSION)
        x = np.random.default_rng(0).standard_normal((options.size, options.size))
        result = measure_calls(submission, "relu", (x,), calls=options.calls, isolation=options.isolation)
        lives = [measure_lifecycles(submission, lifecycles=options.lifecycles, isolation=isolation)
                 for isolation in dict.fromkeys([options.isolation, "process"])]
    print(f"relu on a {options.size}x{options.size} array, median of {result['calls']} calls "
          f"({result['mode']} mode)")
    print(f"  first worker + import: {result['start_ms']:9.1f} ms  (the fork server's own start included)")
    print(f"  through the sandbox:   {result['sandbox_us']:9.1f} us")
    print(f"  in process:            {result['in_process_us']:9.1f} us")
    print(f"  boundary overhead:     {result['overhead_us']:9.1f} us  (x{result['ratio']:.0f})")
    print(f"one worker's life (start, import, one call, close), median of 3 x {options.lifecycles}: "
          "machine CPU (all cores) and wall")
    for life in lives:
        print(f"  {life['mode'] + ' mode':14} forked {life['forked_cpu_s']:6.3f} s CPU {life['forked_wall_s']:6.3f} s wall"
              f" | exec'd {life['exec_cpu_s']:6.3f} s CPU {life['exec_wall_s']:6.3f} s wall"
              f" | CPU /{life['exec_cpu_s'] / life['forked_cpu_s']:.1f} forked")
    whole = measure_submission(options.rounds)
    own = whole["own_compute_s"]
    print(f"whole suite on loops_cnn.py ({whole['calls']} calls), median of {options.rounds}; "
          "x = times the submission's own compute")
    print(f"  {'':24}{'with the plan':>22}{'inputs drawn anew':>22}")
    for name, title in (("batch", "sandbox, in a batch"), ("cold", "sandbox, cold start"), ("in_process", "in process")):
        cells = []
        for replay in (True, False):
            label = _label(name, replay)
            extra = f" +{whole[label + '_overhead_pct']:.0f}%" if name != "in_process" else ""
            cells.append(f"{whole[label + '_s']:6.3f} s x{whole[label + '_s'] / own:<4.0f}{extra}")
        print(f"  {title:24}{cells[0]:>22}{cells[1]:>22}")
    print(f"  the submission's own compute: {own * 1e3:.1f} ms")
    print(f"  the plan saves: {1 - whole['in_process_plan_s'] / whole['in_process_drawn_s']:.0%} in process, "
          f"{1 - whole['batch_plan_s'] / whole['batch_drawn_s']:.0%} sandboxed in a batch")

if __name__ == "__main__":
    sys.exit(main())
