"""How many threads the compiled kernels may use: the cores that other work leaves free.

On a shared machine, threads beyond the free cores make the step's kernels wait at each
barrier for a descheduled thread: with two busy neighbours a flood run took 50 minutes and
776 s of CPU instead of 68 s. Waits at the barriers are passive (``OMP_WAIT_POLICY``, set by
the CLI and the runner's workers) so that waiting threads give their core back.
"""

from __future__ import annotations

import os


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
