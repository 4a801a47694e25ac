"""Start the viewer as a headless Streamlit server on a free port (end-to-end tests, benchmarks)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serve(env: dict[str, str], cwd: str | os.PathLike, timeout: float = 60.0) -> Iterator[str]:
    """Run the viewer's server (``python -m viewer``, i.e. ``streamlit run app.py``) with ``env`` added to this
    process's; yield its URL once healthy.

    The server's output goes to a temporary file, shown in the error if it never answers.
    """
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "viewer", "--server.headless", "true",
             "--server.port", str(port), "--browser.gatherUsageStats", "false",
             # as .streamlit/config.toml, which a server started in another folder does not read
             "--runner.postScriptGC", "false", "--server.fileWatcherType", "none"],
            cwd=cwd, env={**os.environ, "PYTHONPATH": str(APP.parent), **env}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the scenario workers it spawns stop with it
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout
            while True:
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        log.seek(0)
                        raise RuntimeError(f"the viewer did not start:\n{log.read().decode(errors='replace')}") from None
                    time.sleep(0.05)
            yield url
        finally:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Stop the server and its workers; a server busy computing ignores SIGTERM for long, so then kill."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass
