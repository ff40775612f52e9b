"""Spare workers: a worker started ahead of time for the next sandbox.

Starting a worker (a fork of the fork server and, as root, the jail; Python and numpy too
where it is exec'd afresh) takes wall time the grader need not wait for. A batch grades one submission after another with the same
settings, so the next submission's worker can start while this one is graded. A worker
needs nothing of the student's until it is sent the file, so a spare is an ordinary
worker that has not been sent one yet: it has run no one's code, and it is handed to
exactly one sandbox, which owns it (and its uid and folder) from then on.
"""

from __future__ import annotations

from autograder.sandbox.channel import OutputCapture
from autograder.sandbox.launch import Launcher, Settings, WorkerProcess


class Spares:
    """Holds at most one started, unused worker; ``close`` (or the ``with`` block) kills it."""

    def __init__(self) -> None:
        self._spare: tuple[Launcher, WorkerProcess] | None = None

    def take(self, mode: str, settings: Settings) -> tuple[Launcher, WorkerProcess] | None:
        """The spare, if it was started for ``mode`` and ``settings`` and is still running."""
        spare, self._spare = self._spare, None
        if spare is None:
            return None
        launcher, worker = spare
        if launcher.mode == mode and launcher.settings == settings and worker.exit_status(0) is None:
            return spare
        _close(spare)
        return None

    def prepare(self, mode: str, settings: Settings) -> None:
        """Start a spare for the next sandbox, in place of any other."""
        self.close()
        launcher = Launcher(mode, settings)
        try:
            worker = launcher.start(OutputCapture(settings.limits.output_bytes))
        except BaseException:
            launcher.close()
            raise
        self._spare = (launcher, worker)

    def close(self) -> None:
        """Kill the spare, if any, and give its uid and folder back."""
        spare, self._spare = self._spare, None
        if spare is not None:
            _close(spare)

    def __enter__(self) -> Spares:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _close(spare: tuple[Launcher, WorkerProcess]) -> None:
    launcher, worker = spare
    worker.kill()
    launcher.close()
