"""The assignment spec: one folder, one ``assignment.toml``, read into frozen dataclasses.

Everything an instructor tunes lives in the config (points, limits, forbidden APIs,
visibility); everything else reads it from here, so nothing is written twice. A new
assignment is a new folder under ``assignments/``.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from autograder.errors import ConfigError

CONFIG_NAME = "assignment.toml"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


def project_root() -> Path:
    """The checkout this package lives in (holds ``assignments/`` and ``solutions/``)."""
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Limits:
    """Resource limits for the sandboxed worker that runs one submission."""

    call_seconds: float = 3.0
    import_seconds: float = 10.0
    aborts_per_function: int = 2  # after this many calls that did not finish a function is not run again
    submission_seconds: float = 180.0  # wall clock for the whole submission; then every call fails at once
    memory_mb: int = 512
    cpu_seconds: int = 120
    processes: int = 16
    output_bytes: int = 4000


@dataclass(frozen=True)
class ForbiddenApis:
    """APIs a graded function may not call: whole modules and dotted function names."""

    modules: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assignment:
    """One assignment, as its folder and config describe it."""

    name: str
    title: str
    folder: Path
    student_file: str
    reference: Path
    public_tests: Path
    hidden_tests: Path
    samples: Path
    hidden_visibility: str
    show_student_output: bool
    limits: Limits
    forbidden: ForbiddenApis
    points: tuple[tuple[str, float], ...]

    @property
    def questions(self) -> tuple[str, ...]:
        """Question names in config order; each names the student function it grades."""
        return tuple(name for name, _ in self.points)

    @property
    def total_points(self) -> float:
        return sum(points for _, points in self.points)

    def points_for(self, question: str) -> float:
        return dict(self.points)[question]

    @property
    def module_name(self) -> str:
        """The import name of the student's file (``cnn`` for ``cnn.py``)."""
        return Path(self.student_file).stem

    @property
    def config_path(self) -> Path:
        return self.folder / CONFIG_NAME


def suite_fingerprint(assignment: Assignment) -> str:
    """A hash of everything that decides a grade: config, reference, both suites, framework.

    Batch grading skips a submission whose stored result carries the same fingerprint.
    """
    from autograder import __version__

    digest = hashlib.sha256(__version__.encode())
    files = [assignment.config_path, assignment.reference]
    for folder in (assignment.public_tests, assignment.hidden_tests):
        files += sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
    for path in files:
        digest.update(os.path.relpath(path, assignment.folder).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_assignment(name_or_path: str | Path) -> Assignment:
    """Load an assignment by name (``cnn``: ``assignments/cnn`` of this checkout) or folder."""
    folder = _find_folder(name_or_path)
    config_path = folder / CONFIG_NAME
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path}: not valid TOML: {exc}") from exc
    return _parse(raw, folder, config_path)


def _find_folder(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path).expanduser()
    if (candidate / CONFIG_NAME).is_file():
        return candidate.resolve()
    by_name = project_root() / "assignments" / str(name_or_path)
    if (by_name / CONFIG_NAME).is_file():
        return by_name.resolve()
    known = sorted(p.parent.name for p in (project_root() / "assignments").glob(f"*/{CONFIG_NAME}"))
    raise ConfigError(
        f"no assignment {str(name_or_path)!r}: expected a folder with {CONFIG_NAME} "
        f"or one of: {', '.join(known) or '(none found)'}"
    )


def _parse(raw: Mapping[str, Any], folder: Path, source: Path) -> Assignment:
    where = str(source)
    limits_raw = _table(raw, "limits", where)
    forbidden_raw = _table(raw, "forbidden", where)
    points_raw = _table(raw, "points", where)
    if not points_raw:
        raise ConfigError(f"{where}: [points] must name at least one question")
    points = tuple((str(q), _positive(p, f"[points] {q}", where)) for q, p in points_raw.items())
    visibility = raw.get("hidden_visibility", "after_published")
    if visibility not in VISIBILITIES:
        raise ConfigError(
            f"{where}: hidden_visibility must be one of {', '.join(VISIBILITIES)}, got {visibility!r}"
        )
    defaults = Limits()
    limits = Limits(
        **{
            field: type(getattr(defaults, field))(
                _positive(limits_raw.get(field, getattr(defaults, field)), f"[limits] {field}", where)
            )
            for field in defaults.__dataclass_fields__
        }
    )
    unknown = set(limits_raw) - set(defaults.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) in [limits]: {', '.join(sorted(unknown))}")
    return Assignment(
        name=_string(raw, "name", where),
        title=str(raw.get("title", raw.get("name", ""))),
        folder=folder,
        student_file=_string(raw, "student_file", where),
        reference=_existing(folder / _string(raw, "reference", where), "reference", where),
        public_tests=_existing(folder / raw.get("public_tests", "public"), "public_tests", where),
        hidden_tests=_existing(folder / raw.get("hidden_tests", "hidden"), "hidden_tests", where),
        samples=(folder / raw.get("samples", "samples")).resolve(),
        hidden_visibility=visibility,
        show_student_output=bool(raw.get("show_student_output", False)),
        limits=limits,
        forbidden=ForbiddenApis(
            modules=tuple(forbidden_raw.get("modules", ())),
            functions=tuple(forbidden_raw.get("functions", ())),
        ),
        points=points,
    )


def _table(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value


def _string(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: {key} must be a non-empty string, got {value!r}")
    return value


def _positive(value: Any, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{where}: {key} must be a positive number, got {value!r}")
    return value


def _existing(path: Path, key: str, where: str) -> Path:
    if not path.exists():
        raise ConfigError(f"{where}: {key} points to {path}, which does not exist")
    return path.resolve()
