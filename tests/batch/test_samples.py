"""Every assignment's samples score what their headers declare, graded by the command an
instructor runs (``autograder grade NAME NAME/samples``) from a folder outside the checkout.

A sample declares its score in its header comment: ``Expected score: 93.6 / 100`` (exactly)
or ``Expected score: about 53 / 100`` (rounded to a whole point).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.spec import load_assignment, project_root

pytestmark = pytest.mark.slow

ASSIGNMENTS = sorted(p.parent.name for p in (project_root() / "assignments").glob("*/assignment.toml"))
DECLARED = re.compile(r"Expected score: (about )?([\d.]+) / ([\d.]+)")


def declared_scores(samples: Path) -> dict[str, tuple[float, float, bool]]:
    """Each sample's (score, out of, approximate), by submission name (a file's stem or a folder)."""
    declared = {}
    for path in sorted(samples.iterdir()):
        source = path if path.is_file() else next(path.glob("*.py"))
        match = DECLARED.search(" ".join(line.lstrip("# ") for line in source.read_text().splitlines()[:8]))
        assert match, f"{source} declares no expected score"
        declared[path.stem] = (float(match[2]), float(match[3]), bool(match[1]))
    return declared


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_samples_score_what_they_declare(name, tmp_path, monkeypatch):
    samples = load_assignment(name).samples
    monkeypatch.chdir(tmp_path)  # the command works from any folder
    done = CliRunner().invoke(main, ["grade", name, str(samples), "--out", "grades", "--jobs", "2"])
    assert done.exit_code == 0, done.output
    with open(tmp_path / "grades" / "grades.csv", newline="") as handle:
        graded = {row["submission"]: (float(row["total"]), float(row["max_total"])) for row in csv.DictReader(handle)}
    declared = declared_scores(samples)
    assert set(graded) == set(declared)
    for sample, (score, out_of, approximate) in declared.items():
        got, got_out_of = graded[sample]
        assert (round(got) if approximate else got, got_out_of) == pytest.approx((score, out_of)), sample
