"""The worker's whole file system: a small tree of copies, built once per machine.

Both isolated modes run the worker with this tree as its root: the ``jail`` binds it
read-only into a mount namespace, the ``uid`` mode (no ``CAP_SYS_ADMIN``, so no mounts)
``chroot``s into it as it is. It holds copies of exactly what the worker needs, at the
paths they have on the host: the Python interpreter and its standard library (without
its tests, site-packages and GUI modules), numpy, this package's ``__init__.py`` and
``sandbox`` folder, the shared libraries those load (found with ``ldd``), the loader's
cache, ``/dev/null`` and its like, and the empty work folder ``WORK_ROOT``. Nothing else exists for the worker: no hidden
tests, reference, grader files, ``/proc``, ``/etc/shadow`` or other submissions, and a
walk of the whole tree is short and finite (a few thousand files, no loops).

Copies belong to root and are world-readable, never writable by the sandbox uids; the
``uid`` mode makes each worker's writable folder under ``WORK_ROOT`` (see ``launch``).

The tree is keyed by what went into it (Python's version and paths, numpy's version and
path, this package's sandbox files, the private paths left out), kept in
``STATE_FOLDER``, and shared by every grader on the machine; each holds a shared lock on
the tree it uses, and a grader that builds a new tree removes the ones nobody holds.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import functools
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import numpy

import autograder
from autograder.errors import GraderFault
from autograder.sandbox.jail import DEVICES

FORMAT = 3  # bump when the layout changes: old trees are then rebuilt
STATE_FOLDER = Path("/run" if os.path.isdir("/run") else tempfile.gettempdir()) / "autograder-sandbox"
STDLIB_LEFT_OUT = ("site-packages", "dist-packages", "test", "idlelib", "tkinter", "turtledemo", "ensurepip",
                   "lib2to3", "config-*")  # what no worker needs at the top of the standard library
LEFT_OUT_FOLDERS = ("tests",)  # anywhere: numpy's own tests
LEFT_OUT_FILES = ("*.opt-1.pyc", "*.opt-2.pyc", "_tkinter*")  # bytecode for -O, Tk (needs X11)
LOADER_CACHE = "/etc/ld.so.cache"
WORK_ROOT = "/autograder-work"  # mode 711: each uid-mode worker gets a folder of its own in it,
# the jail a tmpfs over it. Not /tmp: a copied host path may lie under /tmp (a checkout or venv there),
# and a tmpfs over /tmp would hide it
LDD_SECONDS = 120.0
_LIBRARY = re.compile(r"(/\S+) \(0x[0-9a-f]+\)")


def interpreter() -> str:
    """The Python executable the worker runs, as a path inside the tree (the real file:
    a virtualenv's ``python`` is a symlink to it)."""
    return os.path.realpath(sys.executable)


def left_out(private_paths: tuple[Path, ...]) -> tuple[str, ...]:
    """The private paths that lie inside what the tree copies: they are left out of it."""
    folders, files = _sources()
    return tuple(sorted({str(path) for path in private_paths
                         if any(_inside(str(path), source) for source in folders + files)}))


@functools.cache
def tree(omitted: tuple[str, ...] = ()) -> Path:
    """The tree for this Python, numpy and package, without the paths ``omitted`` (private
    paths that lie inside a copied folder); built if missing. Held for this process's life."""
    key = _key(omitted)
    STATE_FOLDER.mkdir(mode=0o700, exist_ok=True)
    folder = STATE_FOLDER / f"root-{key}"
    lock = os.open(STATE_FOLDER / f"root-{key}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_SH)  # held until exit: no other grader removes it meanwhile
    if not folder.is_dir():
        with open(STATE_FOLDER / "build.lock", "w") as build_lock:
            fcntl.flock(build_lock, fcntl.LOCK_EX)
            if not folder.is_dir():
                _build(folder, omitted)
                _remove_unused_trees(keep=folder)
    return folder


def _sources() -> tuple[list[str], list[str]]:
    """The folders copied whole and the single files copied, as real host paths."""
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    numpy_package = os.path.dirname(os.path.realpath(numpy.__file__))
    package = Path(autograder.__file__).resolve().parent
    folders = [stdlib, numpy_package, str(package / "sandbox")]
    vendored = numpy_package + ".libs"  # the wheels' OpenBLAS and Fortran runtime
    if os.path.isdir(vendored):
        folders.append(vendored)
    files = [interpreter(), str(package / "__init__.py")]
    return folders, files + ([LOADER_CACHE] if os.path.isfile(LOADER_CACHE) else [])


def _key(omitted: tuple[str, ...]) -> str:
    """What the tree depends on: versions and paths, and the exact state of this package's
    files (they change while the grader is developed; the standard library and numpy
    change only with their versions)."""
    folders, files = _sources()
    package = sorted(Path(folders[2]).glob("*.py")) + [Path(files[1])]
    parts = [str(FORMAT), sys.version, numpy.__version__, *folders, *files, *omitted]
    parts += [f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in package]
    parts += [f"{f}:{os.stat(f).st_mtime_ns}" for f in files]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _build(folder: Path, omitted: tuple[str, ...]) -> None:
    """Copy everything into a fresh folder beside ``folder``, then rename it into place
    (so a tree exists only once complete)."""
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    partial.chmod(0o755)  # the worker's "/", whatever the umask
    folders, files = _sources()
    for source in folders:
        _copy_folder(source, partial, omitted)
    for source in files + _libraries(folders):
        if not any(_inside(source, outer) for outer in folders):
            _copy_file(source, partial)
    _make_dir(partial, WORK_ROOT, 0o711)
    _make_devices(partial)
    partial.rename(folder)


def _copy_folder(source: str, root: Path, omitted: tuple[str, ...]) -> None:
    """``source`` and what it holds (following symlinks), minus what no worker needs."""
    for folder, subfolders, names in os.walk(source):
        subfolders[:] = [name for name in subfolders
                         if not _is_left_out(os.path.join(folder, name), source, omitted)]
        _make_dir(root, folder, 0o755)
        for name in names:
            path = os.path.join(folder, name)
            if not _is_left_out(path, source, omitted):
                _copy_file(path, root)


def _is_left_out(path: str, source: str, omitted: tuple[str, ...]) -> bool:
    parts = Path(os.path.relpath(path, source)).parts
    stdlib = source == os.path.realpath(sysconfig.get_paths()["stdlib"])
    return (any(_inside(path, private) for private in omitted)
            or (stdlib and any(fnmatch.fnmatch(parts[0], pattern) for pattern in STDLIB_LEFT_OUT))
            or any(part in LEFT_OUT_FOLDERS for part in parts)
            or any(fnmatch.fnmatch(parts[-1], pattern) for pattern in LEFT_OUT_FILES))


def _copy_file(source: str, root: Path) -> None:
    """A copy of ``source``'s content at the same path in ``root``: root's, world-readable,
    with the same modification time (bytecode caches are valid only for their source's)."""
    target = str(root) + os.path.normpath(source)
    _make_dir(root, os.path.dirname(os.path.normpath(source)), 0o755)
    shutil.copyfile(source, target)
    os.chmod(target, 0o755 if os.access(source, os.X_OK) else 0o644)
    status = os.stat(source)
    os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns))


def _make_dir(root: Path, path: str, mode: int) -> None:
    """``path`` inside ``root`` with ``mode``; missing parents get 755 (whatever the umask)."""
    target = Path(str(root) + path)
    for folder in [*reversed(target.parents), target]:
        if folder.is_relative_to(root) and not folder.is_dir():
            folder.mkdir()
            folder.chmod(0o755)
    target.chmod(mode)


def _make_devices(root: Path) -> None:
    """/dev with the harmless devices (``jail.DEVICES``) for the uid mode, where none can be
    bound in; without CAP_MKNOD it stays empty (the jail mounts its own /dev over it)."""
    _make_dir(root, "/dev", 0o755)
    for name in DEVICES:
        with contextlib.suppress(PermissionError):
            os.mknod(root / "dev" / name, stat.S_IFCHR | 0o666, os.stat(f"/dev/{name}").st_rdev)
            os.chmod(root / "dev" / name, 0o666)


def _libraries(folders: list[str]) -> list[str]:
    """The shared libraries the interpreter, its extension modules and numpy's load, and the
    loader itself, as ``ldd`` resolves them (the loader finds them at those paths again)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        raise GraderFault("the sandbox's root cannot be built: it needs ldd (glibc's libc-bin)")
    objects = [interpreter()] + [str(p) for folder in folders for p in Path(folder).rglob("*.so")
                                 if not _is_left_out(str(p), folder, ())]
    listed = subprocess.run([ldd, *objects], capture_output=True, text=True, timeout=LDD_SECONDS,
                            env={"PATH": os.defpath, "LC_ALL": "C"}).stdout
    return sorted({os.path.normpath(path) for path in _LIBRARY.findall(listed)})


def _remove_unused_trees(keep: Path) -> None:
    """Remove the trees of other keys that no grader holds (older versions of this package)."""
    for other in STATE_FOLDER.glob("root-*"):
        if other == keep or not other.is_dir():
            continue
        lock = os.open(other.with_name(other.name.removesuffix(".partial") + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(other, ignore_errors=True)
        except BlockingIOError:
            continue
        finally:
            os.close(lock)


def _inside(path: str, outer: str) -> bool:
    return path == outer or path.startswith(outer.rstrip("/") + "/")
