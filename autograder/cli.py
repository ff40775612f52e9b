"""The ``autograder`` command: a thin click layer over the library.

Each verb parses its arguments, calls one library function and turns the framework's
``AutograderError`` into a clean message (exit code 2); everything else is a bug and
keeps its traceback. Paths are taken relative to where the command is run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from autograder.errors import AutograderError
from autograder.spec import Assignment, load_assignment

ASSIGNMENT_HELP = "An assignment name (e.g. cnn) or the path of an assignment folder."


class _Group(click.Group):
    """Print ``AutograderError`` as one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except AutograderError as exc:
            from autograder.report import printable  # the message may quote a submission's file name

            click.secho(f"error: {printable(str(exc), lines=True)}", fg="red", err=True)
            sys.exit(2)


@click.group(cls=_Group)
@click.version_option(package_name="cnn-autograder")
def main() -> None:
    """Autograder for the CNN homework: build releases, grade submissions, report."""


def _assignment(_ctx: click.Context, _param: click.Parameter, value: str) -> Assignment:
    return load_assignment(value)


assignment_argument = click.argument("assignment", callback=_assignment, metavar="ASSIGNMENT")


@main.command()
@assignment_argument
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Release folder to write (default: student_template/<assignment> of the checkout).")
@click.option("--check", is_flag=True, help="Only check that the committed release is up to date.")
def template(assignment: Assignment, out: Path | None, check: bool) -> None:
    """Regenerate the student release (stubs, public tests, README) from the solution."""
    from autograder.template import release_problems, write_release

    if check:
        problems = release_problems(assignment, out)
        for problem in problems:
            click.echo(problem)
        if problems:
            raise AutograderError(f"the release is stale: run `autograder template {assignment.name}`")
        click.echo("the student release is up to date")
        return
    click.echo(f"wrote {write_release(assignment, out)}")


@main.command()
@assignment_argument
@click.argument("submission", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print results.json instead of the report.")
@click.option("--all", "every_failure", is_flag=True,
              help="Show every failed test (default: the first failure of each question).")
def check(assignment: Assignment, submission: Path, as_json: bool, every_failure: bool) -> None:
    """Grade one submission (a file, folder or zip) and print its report: the table of
    questions and each failing question's first failed test."""
    from autograder.report import print_result
    from autograder.runner import grade_submission
    from autograder.submissions import submission_path

    result = grade_submission(assignment, submission_path(submission))
    if as_json:
        import json

        click.echo(json.dumps(result.to_gradescope(), indent=2))
    else:
        print_result(result, every_failure=every_failure)


@main.command()
@assignment_argument
@click.argument("submissions", type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("grades"),
              show_default=True, help="Folder for grades.csv, results/ and report.html.")
@click.option("--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="all cores",
              help="Submissions graded at once.")
@click.option("--force", is_flag=True, help="Regrade submissions that already have a current result.")
def grade(assignment: Assignment, submissions: Path, out: Path, jobs: int, force: bool) -> None:
    """Grade a folder of submissions, a Gradescope export (folder or zip) or one file."""
    from autograder.batch import grade_batch
    from autograder.submissions import submission_path

    summary = grade_batch(assignment, submission_path(submissions), out=out.resolve(), jobs=jobs, force=force)
    if summary.interrupted:
        sys.exit(130)  # the shell's code for "stopped by Ctrl-C"


@main.command()
@assignment_argument
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: ./dist/<assignment>).")
def build(assignment: Assignment, out: Path | None) -> None:
    """Build the Gradescope autograder zip (with otter-grader) and the student zip."""
    from autograder.otter_bridge import build_zips

    built = build_zips(assignment, out=(out or Path("dist") / assignment.name).resolve())
    for path in built:
        click.echo(f"wrote {path}")
