"""What a submission costs the grader is bounded: huge strings, huge tuples, deep nesting
and forged frames cost it little time and memory, results.json stays small, and a
function whose calls keep crashing is not run again.

Issue 9, item 7: before the bounds a function returning a 250,000-character string made
results.json 35 MB, an 8-million-character one took 19 GB of the grader's memory, and a
forged reply holding two million items 59 s of its CPU. (The whole submission's time
budget is tested in tests/test_runner.py.)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc

import jsonschema
import numpy as np
import pytest

from autograder.results import MAX_OUTPUT_CHARS, MAX_RESULTS_BYTES
from autograder.sandbox import Failed, Returned, Unsupported
from autograder.spec import project_root
from autograder.student import CallAborted, StudentFunctions
from tests.sandbox.helpers import FUNCTIONS, HOSTILE

pytestmark = pytest.mark.sandbox

SCHEMA = project_root() / "autograder" / "schemas" / "gradescope_results.schema.json"
GRADER_MB = 250  # the grader's peak resident memory: about 60 MB for any of these files
GRADER_CPU_SECONDS = 30  # and its CPU time about 1.5 s


def call_measured(box, *args):
    """The reply of ``box.call(*args)`` and the peak of Python memory the grader used for it."""
    tracemalloc.start()
    try:
        reply = box.call(*args)
        return reply, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("kind, type_name", [
    ("string", "str of 250000 characters"),
    ("string_8m", "str of 8000000 characters"),
    ("tuple", "tuple of 2000000 items"),
])
def test_a_returned_value_over_a_bound_comes_back_unsupported_and_small(open_box, kind, type_name):
    reply, peak = call_measured(open_box("huge_values"), "relu", kind)

    assert isinstance(reply, Returned) and isinstance(reply.value, Unsupported)
    assert reply.value.type_name == type_name and len(reply.value.preview) <= 200
    assert peak < 2**20


def test_a_deeply_nested_return_value_comes_back_cut_at_the_depth_bound(open_box):
    reply = open_box("huge_values").call("relu", "deep")

    depth, value = 0, reply.value
    while type(value) is tuple:
        depth, value = depth + 1, value[0]
    assert isinstance(value, Unsupported) and value.type_name == "tuple" and depth < 32


def test_a_forged_reply_of_two_million_items_is_refused_without_decoding_it(open_box):
    reply, peak = call_measured(open_box("huge_values"), "relu", "forged")

    assert isinstance(reply, Failed) and reply.kind == "protocol"
    assert "exceeds the 1024-item cap" in reply.message
    assert peak < 16 * 2**20  # the frame itself is 2 MB


def test_a_function_whose_calls_crash_is_not_run_again_after_the_cap(open_box):
    """Each crash costs a new worker and a new import, so crashes count like timeouts."""
    student = StudentFunctions(open_box("exits"), FUNCTIONS, max_aborts=2)

    messages = []
    for _ in range(4):
        with pytest.raises(CallAborted) as aborted:
            student.conv2d(np.ones(2), np.ones(1))
        messages.append(aborted.value.message)

    assert [("not run again" in m) for m in messages] == [False, False, True, True]
    assert messages[3] == "conv2d ended the worker process (exit status 3) (not run again after 2 calls that did " \
                          "not finish)"
    assert student.relu(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]


GRADE = """
import json, resource, sys
from pathlib import Path
from autograder.runner import grade_file
from autograder.spec import load_assignment
result = grade_file(load_assignment("cnn"), Path(sys.argv[1]), private_paths=(Path(sys.argv[2]),))
Path(sys.argv[3]).write_text(json.dumps(result.to_gradescope(), indent=2))
usage = resource.getrusage(resource.RUSAGE_SELF)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so it would report the parent's
# size when it forked this process (a pytest worker's, hundreds of MB late in a run)
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"peak_mb": peak_kb / 1024, "cpu_seconds": usage.ru_utime + usage.ru_stime}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("attack", ["string", "string_8m", "tuple", "deep", "forged"])
def test_grading_a_file_whose_every_function_returns_a_huge_value_costs_little(tmp_path, attack):
    """Every graded function of the file answers with the attack; the whole cnn suite runs."""
    submission = tmp_path / "submission" / "cnn.py"
    submission.parent.mkdir()
    submission.write_text((HOSTILE / "huge_values.py").read_text().replace("ATTACK = None", f"ATTACK = {attack!r}"))
    results = tmp_path / "results.json"

    done = subprocess.run([sys.executable, "-c", GRADE, str(submission), str(tmp_path), str(results)],
                          capture_output=True, text=True, check=True, timeout=600)

    usage = json.loads(done.stdout)
    document = json.loads(results.read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(document)
    assert all(len(test["output"]) <= MAX_OUTPUT_CHARS for test in document["tests"])
    assert results.stat().st_size <= MAX_RESULTS_BYTES
    assert usage["peak_mb"] < GRADER_MB and usage["cpu_seconds"] < GRADER_CPU_SECONDS, usage
