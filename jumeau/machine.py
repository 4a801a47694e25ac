"""What this machine leaves us: the cores other work leaves free, and the memory available.

On a shared machine, threads beyond the free cores make the step's kernels wait at each
barrier for a descheduled thread: with two busy neighbours a flood run took 50 minutes and
776 s of CPU instead of 68 s. Waits at the barriers are passive (``OMP_WAIT_POLICY``, set by
the CLI and the runner's workers) so that waiting threads give their core back.

A grid or a model that would need more memory than is available is refused before it is
allocated (:func:`shortfall`), with the figures: swapping, or the kernel killing the process
hours later, is worse than a clear refusal.
"""

from __future__ import annotations

import os

from jumeau.errors import ModelError


def free_cores() -> int:
    """Cores this process may run on, less the machine's one-minute load average (at least 1)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return max(1, min(cores, round(cores - busy)))


def use_threads(count: int) -> int:
    """Run numba's parallel kernels on ``count`` threads (within numba's pool); returns the number set.

    Starts numba's threading layer, so the wait policy must be set before (see the module docstring).
    """
    import numba

    threads = max(1, min(count, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    numba.set_num_threads(threads)
    return threads


GIB = 2.0**30


def available_memory() -> float | None:
    """Bytes of memory available to a new allocation without swapping (Linux ``MemAvailable``); None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def shortfall(needed: float, what: str) -> str | None:
    """A sentence saying that ``what`` needs more than the available memory, or None if it fits (or is unknown)."""
    available = available_memory()
    if available is None or needed <= available:
        return None
    return f"{what} needs about {needed / GIB:.1f} GiB of memory and this machine has {available / GIB:.1f} GiB available"


def require_memory(cells: int, bytes_per_cell: float, model: str, other_fixes: str = "") -> None:
    """Refuse to run ``model`` on ``cells`` cells if it would need more than the available memory."""
    short = shortfall(cells * bytes_per_cell, f"{model} on {cells:,} cells")
    if short:
        raise ModelError(f"{short}. Use a coarser resolution (twice the cell size needs a quarter of it), a smaller "
                         f"area{other_fixes}.")
