"""What the sandbox boundary costs: per call, and per submission.

Per call: ``relu`` on a small array many times through a ``Sandbox`` and in this process;
the medians in microseconds and their ratio. Per submission: the whole public + hidden
suite on a correct, loop-based submission (tests/reference_impls/loops_cnn.py), graded
with the real sandbox and with the in-process stand-in of the tests, in turn, in the
same run; the medians and the overhead in percent. The sandbox is measured twice: as in
a batch (``Spares``: the worker was started while the previous submission was graded) and
cold (the worker starts when the first call needs it, as for a lone Gradescope
submission)::

    python benchmarks/sandbox_overhead.py [--calls 2000] [--size 8] [--isolation auto|jail|uid|process] [--rounds 5]
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from autograder.sandbox import Returned, Sandbox, Spares
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


def measure_submission(rounds: int = 5) -> dict[str, float]:
    """Median seconds to grade a correct loop-based submission: in a batch (a spare worker
    ready), cold, and in process; and the overheads in percent."""
    from autograder.runner import grade_file
    from autograder.spec import load_assignment, project_root

    sys.path.insert(0, str(project_root()))
    from tests.support.inprocess import InProcessSandbox

    assignment = load_assignment("cnn")
    submission = project_root() / "tests" / "reference_impls" / "loops_cnn.py"
    timings: dict[str, list[float]] = {"batch": [], "cold": [], "in_process": []}
    with Spares() as spares:
        factories = {"batch": functools.partial(Sandbox, spares=spares), "cold": Sandbox,
                     "in_process": InProcessSandbox}
        grade_file(assignment, submission, sandbox_factory=factories["batch"])  # imports, collection, a spare
        for _ in range(rounds):
            for name, factory in factories.items():
                begin = time.perf_counter()
                result = grade_file(assignment, submission, sandbox_factory=factory)
                timings[name].append(time.perf_counter() - begin)
                if result.score != result.max_score:
                    raise RuntimeError(f"loops_cnn.py scored {result.score} with {name}")
    medians = {f"{name}_s": statistics.median(values) for name, values in timings.items()}
    return medians | {f"{name}_overhead_pct": 100 * (medians[f"{name}_s"] / medians["in_process_s"] - 1)
                      for name in ("batch", "cold")}


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
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        submission = Path(folder) / "cnn.py"
        submission.write_text(SUBMISSION)
        x = np.random.default_rng(0).standard_normal((options.size, options.size))
        result = measure_calls(submission, "relu", (x,), calls=options.calls, isolation=options.isolation)
    print(f"relu on a {options.size}x{options.size} array, median of {result['calls']} calls "
          f"({result['mode']} mode)")
    print(f"  worker start + import: {result['start_ms']:9.1f} ms")
    print(f"  through the sandbox:   {result['sandbox_us']:9.1f} us")
    print(f"  in process:            {result['in_process_us']:9.1f} us")
    print(f"  boundary overhead:     {result['overhead_us']:9.1f} us  (x{result['ratio']:.0f})")
    whole = measure_submission(options.rounds)
    print(f"whole suite on loops_cnn.py, median of {options.rounds}")
    print(f"  sandbox, in a batch:   {whole['batch_s']:9.2f} s  (+{whole['batch_overhead_pct']:.0f} %)")
    print(f"  sandbox, cold start:   {whole['cold_s']:9.2f} s  (+{whole['cold_overhead_pct']:.0f} %)")
    print(f"  in process:            {whole['in_process_s']:9.2f} s")


if __name__ == "__main__":
    sys.exit(main())
