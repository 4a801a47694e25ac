"""A throwaway PostgreSQL server for the store's tests: Debian's ``postgresql`` package, a cluster in a
temporary folder, listening on a free local port, stopped and deleted afterwards.

``.ci/run`` installs the package and sets ``JUMEAU_REQUIRE_POSTGRES=1``, so that in CI a missing
server fails the tests instead of skipping them.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

USER = "jumeau"  # the cluster's superuser, trusted on the local port only


def binaries() -> Path | None:
    """The newest installed PostgreSQL's programs, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def postgres_server(database: str = "atelier") -> Iterator[str]:
    """Start a server with an empty ``database``; yield its SQLAlchemy URL (pg8000 driver)."""
    import pg8000.native

    programs = binaries()
    if programs is None:
        raise FileNotFoundError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    # PostgreSQL refuses to run as root: there, its own system user runs it
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="jumeau-pg-"))
    try:
        if as_user:
            shutil.chown(folder, "postgres")
        data, port = folder / "data", _free_port()
        subprocess.run([*as_user, str(programs / "initdb"), "-D", str(data), "-U", USER, "-A", "trust",
                        "--no-sync", "-E", "UTF8"], check=True, capture_output=True)
        subprocess.run([*as_user, str(programs / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
                        "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                        "start"], check=True, capture_output=True)
        try:
            connection = pg8000.native.Connection(USER, host="127.0.0.1", port=port, database="postgres")
            connection.run(f"CREATE DATABASE {database}")
            connection.close()
            yield f"postgresql+pg8000://{USER}@127.0.0.1:{port}/{database}"
        finally:
            subprocess.run([*as_user, str(programs / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                           capture_output=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
