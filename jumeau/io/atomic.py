"""Atomic file writing: a result is either complete on disk or absent.

Writers produce their output in a temporary sibling path and rename it over the
target only once it is complete, so a crash or an error never leaves a half-written
file that a later run could mistake for a result. A write that the system refuses
(a path through a file, no permission, a full disk) is an :class:`OutputError` naming
the path and the fix; :func:`output_folder` checks a location before any computing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from jumeau.errors import OutputError

HINTS = {
    errno.ENOSPC: "the disk is full: free some space or write elsewhere",
    errno.EDQUOT: "the disk quota is used up: free some space or write elsewhere",
    errno.EACCES: "no permission to write there: choose a folder of yours",
    errno.EPERM: "no permission to write there: choose a folder of yours",
    errno.EROFS: "the disk is read-only: choose another folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder: choose another path",
    errno.EEXIST: "a part of the path is a file, not a folder: choose another path",
}


def output_error(path: str | os.PathLike, exc: OSError) -> OutputError:
    """The :class:`OutputError` for a system error writing ``path``."""
    hint = HINTS.get(exc.errno or 0, "check the path and the disk")
    return OutputError(f"{path}: cannot write ({exc.strerror or exc}); {hint}.")


def output_folder(folder: str | os.PathLike) -> Path:
    """Create ``folder`` if needed and check that files can be written in it, before any long computing."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file, not a folder; give a folder for the results (-o).")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _probe(folder)
    except OSError as exc:
        raise output_error(folder, exc) from None
    return folder


def _probe(folder: Path) -> None:
    """Write and remove a file in ``folder`` (permissions alone do not tell: ACLs, read-only mounts, root)."""
    with tempfile.TemporaryFile(dir=folder):
        pass


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success rename it onto ``target``.

    The temporary path keeps the target's suffix so libraries that pick a driver
    from the extension (GDAL, matplotlib) behave as for the real name. On any
    exception the temporary file (or directory) is removed and ``target`` is left
    as it was.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent)
    except OSError as exc:
        raise output_error(target, exc) from None
    os.close(fd)
    tmp = Path(tmp_name)
    # Some writers (GeoPackage, NetCDF) refuse to open an existing empty file.
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException as exc:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise output_error(target, exc) from exc
        raise


def write_text(target: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it replaces ``target`` (a folder) whole.

    Readers see the old complete folder or the new one (or, for an instant between two
    renames, none: a reader takes that as "not computed"), never a mix. Two writers
    finishing the same target together both succeed, the last one's folder stays, and
    neither leaves a temporary folder behind. The folder gets the permissions the user's
    umask gives (``mkdtemp`` alone makes it private, unreadable by a web server's account).
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise output_error(target, exc) from None
    try:
        tmp.chmod(0o777 & ~_umask())
        yield tmp
        _swap_in(tmp, target)
    except OSError as exc:
        raise output_error(target, exc) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone already if swapped in


SWAP_ATTEMPTS = 100  # each failed attempt means another writer put its folder in between


def _swap_in(folder: Path, target: Path) -> None:
    """Rename ``folder`` onto ``target``, moving aside (then deleting) whatever complete folder is there."""
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    try:
        for attempt in range(SWAP_ATTEMPTS):
            try:
                os.replace(folder, target)
                return
            except OSError as error:
                if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
            with contextlib.suppress(FileNotFoundError):  # another writer may have moved it first
                os.replace(target, aside / str(attempt))
        raise OSError(errno.EBUSY, f"{target}: other writers kept replacing it; try again", str(target))
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
