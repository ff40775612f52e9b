"""Run a built autograder zip the way Gradescope runs it, on this machine (root only).

Gradescope unzips the autograder into ``/autograder/source`` and runs ``setup.sh`` once
to build the image; per submission it puts the student's files in
``/autograder/submission``, writes ``/autograder/submission_metadata.json``, runs
``/autograder/run_autograder`` and reads ``/autograder/results/results.json``.

Here the same happens in a private ``/autograder``: a tmpfs in a mount namespace of its
own (``unshare --mount``), so runs never see each other or the host's files there. One
step differs: ``setup.sh`` installs Miniforge and the conda env ``otter-env`` from the
internet, which cannot be done here, so the zip's ``environment.yml`` is installed with
pip into a virtualenv instead (same Python, same pinned packages; the few apt packages
``setup.sh`` installs are assumed present), and the three lines of ``run_autograder``
that activate the conda env activate that virtualenv;
everything else runs as shipped. The virtualenv takes minutes to install, so it is
cached, keyed by a hash of ``environment.yml`` and the Python version.

Gradescope's Docker container runs ``run_autograder`` as root without ``CAP_SYS_ADMIN``
(Docker's default capabilities), so the sandbox cannot make namespaces there. The mount
namespace this emulation needs for /autograder is made before; ``drop_capabilities``
then takes those capabilities (e.g. ``("sys_admin",)``) from ``run_autograder`` alone,
with ``setpriv``, as Docker does.

    python -m autograder.gradescope.emulate dist/cnn/autograder.zip cnn.py --out /tmp/run \
        [--drop-capability sys_admin]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Sequence

import yaml

from autograder.spec import project_root

AUTOGRADER = Path("/autograder")
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cnn-autograder" / "gradescope-venv"
GRADESCOPE_TIMEOUT = 600.0  # Gradescope's default limit, in seconds
CONDA_ACTIVATION = (
    "export PATH=/root/miniforge3/bin:$PATH:/root/.TinyTeX/bin/x86_64-linux",
    'eval "$(mamba shell hook --shell bash)"',
    "mamba activate otter-env",
)
CONDA_ONLY = {"python", "pip"}  # conda dependencies a virtualenv already has
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
RSS_SAMPLE_SECONDS = 0.1
METADATA = {
    "id": 1,
    "created_at": "2025-01-01T12:00:00.000000-08:00",
    "assignment": {"id": 1, "title": "emulated", "total_points": "100.0"},
    "submission_method": "upload",
    "users": [{"email": "student@example.edu", "id": 1, "name": "A Student"}],
    "previous_submissions": [],
}


@dataclass(frozen=True)
class EmulatedRun:
    """What one emulated Gradescope run left behind."""

    results: dict[str, Any] | None  # results.json, or None when none was written
    seconds: float  # wall clock of run_autograder alone (the environment is ready before)
    returncode: int | None  # None when it hit the time limit
    peak_rss_mb: float  # the most memory run_autograder's processes held at once (sampled)
    output: str  # run_autograder's stdout and stderr (Gradescope shows it to staff)


def emulate(zip_path: Path, submission: Path, out: Path, *, venv_cache: Path = DEFAULT_CACHE,
            timeout: float = GRADESCOPE_TIMEOUT, drop_capabilities: Sequence[str] = ()) -> EmulatedRun:
    """Grade ``submission`` (a file, or a folder of what the student uploaded) with the zip;
    ``run_autograder`` runs without ``drop_capabilities`` (names as ``setpriv`` spells them)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        raise RuntimeError("emulating Gradescope needs root and unshare (util-linux)")
    if drop_capabilities and shutil.which("setpriv") is None:
        raise RuntimeError("dropping capabilities needs setpriv (util-linux)")
    AUTOGRADER.mkdir(exist_ok=True)  # the mount point; the tmpfs on it is private to the run
    out.mkdir(parents=True, exist_ok=True)
    job = {"zip": str(zip_path.resolve()), "submission": str(submission.resolve()), "out": str(out.resolve()),
           "venv_cache": str(venv_cache), "timeout": timeout, "drop_capabilities": list(drop_capabilities)}
    env = {**os.environ, "PYTHONPATH": str(project_root())}
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", sys.executable, "-m", "autograder.gradescope.emulate",
                           "--inside", json.dumps(job)], cwd="/", env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the emulated run failed to start:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    run = json.loads((out / "run.json").read_text())
    results = out / "results.json"
    return EmulatedRun(results=json.loads(results.read_text()) if results.is_file() else None,
                       seconds=run["seconds"], returncode=run["returncode"], peak_rss_mb=run["peak_rss_mb"],
                       output=(out / "output.log").read_text(errors="replace"))


def inside(job: dict[str, Any]) -> None:
    """In the new mount namespace: lay out /autograder, install the env, run, copy out."""
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", str(AUTOGRADER)], check=True)
    with zipfile.ZipFile(job["zip"]) as zf:
        zf.extractall(AUTOGRADER / "source")
    _place_submission(Path(job["submission"]), AUTOGRADER / "submission")
    (AUTOGRADER / "results").mkdir()
    (AUTOGRADER / "submission_metadata.json").write_text(json.dumps(METADATA), encoding="utf-8")
    venv = ensure_venv(AUTOGRADER / "source" / "environment.yml", Path(job["venv_cache"]))
    script = AUTOGRADER / "run_autograder"
    script.write_text(adapt_run_autograder((AUTOGRADER / "source" / "run_autograder").read_text(), venv))
    script.chmod(0o755)
    out = Path(job["out"])
    with open(out / "output.log", "wb") as log:
        run = _run_measured(_without(job["drop_capabilities"], [str(script)]), log, job["timeout"])
    (out / "results.json").unlink(missing_ok=True)
    if (AUTOGRADER / "results" / "results.json").is_file():
        shutil.copy(AUTOGRADER / "results" / "results.json", out / "results.json")
    (out / "run.json").write_text(json.dumps(run))


def _without(capabilities: Sequence[str], command: list[str]) -> list[str]:
    """``command``, run with ``capabilities`` out of its bounding and inheritable sets (so
    root does not get them back when it execs)."""
    if not capabilities:
        return command
    dropped = ",".join(f"-{name}" for name in capabilities)
    return ["setpriv", "--bounding-set", dropped, "--inh-caps", dropped, "--", *command]


def _run_measured(command: list[str], log: BinaryIO, timeout: float) -> dict[str, Any]:
    """Run ``command`` as Gradescope would; its wall clock, exit status and peak memory.
    Past ``timeout`` everything it started is killed, as Gradescope stops the container."""
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=AUTOGRADER, stdout=log, stderr=subprocess.STDOUT,
                               env={"PATH": SYSTEM_PATH, "HOME": "/root", "LANG": "C.UTF-8"})
    peak = 0.0
    while process.poll() is None and time.monotonic() - started < timeout:
        peak = max(peak, _rss_mb(_tree(process.pid)))
        time.sleep(RSS_SAMPLE_SECONDS)
    timed_out = process.poll() is None
    for pid in _tree(process.pid) if timed_out else ():
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    returncode = process.wait()
    return {"seconds": time.monotonic() - started, "returncode": None if timed_out else returncode,
            "peak_rss_mb": peak}


def _tree(root: int) -> list[int]:
    """``root`` and every live descendant of it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{entry.name}/stat").read_text()
                children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def _rss_mb(pids: list[int]) -> float:
    """Resident memory of ``pids`` in MB (pages shared between processes count once per
    process: an upper bound)."""
    pages = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _place_submission(submission: Path, folder: Path) -> None:
    """What the student uploaded, as Gradescope puts it: a folder's contents, or one file.
    Symbolic links stay links (a GitHub upload is a clone, which can hold them)."""
    if submission.is_dir():
        shutil.copytree(submission, folder, symlinks=True)
    else:
        folder.mkdir()
        shutil.copy(submission, folder / submission.name, follow_symlinks=False)


def adapt_run_autograder(script: str, venv: Path) -> str:
    """otter's run_autograder with its conda activation replaced by the virtualenv's."""
    lines = script.splitlines()
    if any(line not in lines for line in CONDA_ACTIVATION):
        raise RuntimeError(f"run_autograder does not activate conda as expected:\n{script}")
    first = lines.index(CONDA_ACTIVATION[0])
    kept = [line for line in lines if line not in CONDA_ACTIVATION]
    kept.insert(first, f". {venv}/bin/activate")
    return "\n".join(kept) + "\n"


def ensure_venv(environment_yml: Path, cache: Path) -> Path:
    """The virtualenv for ``environment_yml``: from the cache, else installed now (locked,
    so parallel runs install it once)."""
    text = environment_yml.read_text(encoding="utf-8")
    key = hashlib.sha256(f"{sys.version}\n{text}".encode()).hexdigest()[:16]
    venv = cache / key
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / ".complete").is_file():
            shutil.rmtree(venv, ignore_errors=True)
            _install(venv, pip_arguments(yaml.safe_load(text)))
            (venv / ".complete").touch()
    return venv


def pip_arguments(environment: dict[str, Any]) -> list[str]:
    """environment.yml's packages as pip arguments; its Python must be this one."""
    arguments: list[str] = []
    for dependency in environment["dependencies"]:
        if isinstance(dependency, dict):
            for requirement in dependency.get("pip", []):
                arguments += requirement.split(" ", 1) if requirement.startswith("-e ") else [requirement]
            continue
        name, _, wanted = dependency.partition("=")
        here = f"{sys.version_info.major}.{sys.version_info.minor}"
        if name == "python" and not (here + ".").startswith(wanted.rstrip("*.") + "."):
            raise RuntimeError(f"environment.yml wants Python {wanted}; this is Python {here}")
        if name not in CONDA_ONLY:
            arguments.append(name)
    return arguments


def _install(venv: Path, arguments: list[str]) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
                           "--quiet", *arguments], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"installing the zip's environment failed:\n{done.stderr[-4000:]}")


def main(argv: list[str] | None = None) -> None:
    """``python -m autograder.gradescope.emulate ZIP SUBMISSION [--out DIR]``."""
    parser = argparse.ArgumentParser(description="Run a Gradescope autograder zip as Gradescope does.")
    parser.add_argument("zip", nargs="?", type=Path)
    parser.add_argument("submission", nargs="?", type=Path)
    parser.add_argument("--out", type=Path, default=Path("gradescope-run"))
    parser.add_argument("--drop-capability", action="append", default=[], metavar="NAME",
                        help="run run_autograder without this capability (e.g. sys_admin, as in Docker)")
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inside:
        inside(json.loads(args.inside))
        return
    if args.zip is None or args.submission is None:
        parser.error("give the autograder zip and a submission")
    run = emulate(args.zip, args.submission, args.out, drop_capabilities=args.drop_capability)
    score = run.results["score"] if run.results else "no results.json"
    print(f"score: {score}   run_autograder: {run.seconds:.1f} s, exit {run.returncode}, "
          f"peak memory {run.peak_rss_mb:.0f} MB   in {args.out}/")


if __name__ == "__main__":
    main()
