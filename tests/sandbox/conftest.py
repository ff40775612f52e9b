"""Fixtures for the sandbox tests: hostile files from ``tests/hostile`` in a real worker.

Limits are small so that the whole folder runs quickly; ``open_box`` makes a Sandbox in
the default mode (the jail as root) or in the mode a test asks for, and closes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from autograder.sandbox import Sandbox
from autograder.spec import Limits
from tests.sandbox.helpers import FORBIDDEN, FUNCTIONS, HOSTILE, LIMITS

OpenBox = Callable[..., Sandbox]


@pytest.fixture
def open_box(tmp_path: Path) -> Iterator[OpenBox]:
    """``open_box("infinite_loop", **overrides)``: a Sandbox for ``tests/hostile/<name>.py``
    (or for the file at ``name`` if it is a Path)."""
    boxes: list[Sandbox] = []

    def make(name: str | Path, *, limits: Limits = LIMITS, isolation: str | None = None,
             private_paths: tuple[Path, ...] = ()) -> Sandbox:
        path = name if isinstance(name, Path) else HOSTILE / f"{name}.py"
        box = Sandbox(path, module="cnn", functions=FUNCTIONS, limits=limits,
                      forbidden=FORBIDDEN, private_paths=(tmp_path, *private_paths), isolation=isolation)
        boxes.append(box)
        return box

    yield make
    for box in boxes:
        box.close()
