"""What the sandbox boundary costs per call: a round trip to the worker vs a direct call.

Calls ``relu`` on a small array many times through a ``Sandbox`` and in this process,
and prints the medians in microseconds and their ratio::

    python benchmarks/sandbox_overhead.py [--calls 2000] [--size 8] [--isolation auto|jail|process]

``measure_calls`` is reusable (e.g. by a per-submission benchmark).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from autograder.sandbox import Returned, Sandbox
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
    parser.add_argument("--isolation", choices=("auto", "jail", "process"), default=None)
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


if __name__ == "__main__":
    sys.exit(main())
