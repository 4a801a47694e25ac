"""Atomic file writing: a result is either complete on disk or absent.

Writers produce their output in a temporary sibling path and rename it over the
target only once it is complete, so a crash or an error never leaves a half-written
file that a later run could mistake for a result.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success rename it onto ``target``.

    The temporary path keeps the target's suffix so libraries that pick a driver
    from the extension (GDAL, matplotlib) behave as for the real name. On any
    exception the temporary file (or directory) is removed and ``target`` is left
    as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    # Some writers (GeoPackage, NetCDF) refuse to open an existing empty file.
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
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
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        tmp.chmod(0o777 & ~_umask())
        yield tmp
        _swap_in(tmp, target)
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
