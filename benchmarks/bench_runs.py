"""Batch benchmark: every demo scenario end to end (apply, flood, heat, indicators, files).

Run from the repository root with the project's Python::

    .venv/bin/python benchmarks/bench_runs.py            # cold with 1 and 2 workers, then warm
    .venv/bin/python benchmarks/bench_runs.py --quick    # 2 workers cold, then warm

*Cold* runs start from an empty results folder (numba's compiled kernels stay cached
on disk, as for any user after the first run); *warm* reruns the same command on the
filled folder, where every scenario comes from the cache. Scaling: the cold time with
1 worker over the cold time with 2 (the machine has 2 cores). Targets (issue 5): all
demo scenarios ≤ 3 min cold on 2 cores, ≤ 5 s warm. The table is printed and written
to ``benchmarks/results/runs.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from targets import DEMO_DIR, SCENARIO_DIR, report

RESULTS_DIR = Path(__file__).resolve().parent / "results"
COLD_TARGET_S = 180.0
WARM_TARGET_S = 5.0
WARM_RUNS = 3


def timed_run(runs: Path, workers: int) -> tuple[float, dict]:
    """Wall time of `jumeau run` in a fresh process, as a user pays it, and its statuses."""
    command = [str(Path(sys.executable).parent / "jumeau"), "run", str(DEMO_DIR / "site.yaml"),
               *map(str, sorted(SCENARIO_DIR.glob("*.yaml"))), "-o", str(runs), "--workers", str(workers)]
    start = time.perf_counter()
    done = subprocess.run(command, check=False, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"jumeau run failed:\n{done.stdout}\n{done.stderr}")
    statuses = {}
    for folder in runs.iterdir():
        provenance = folder / "provenance.json"
        if provenance.is_file():
            statuses[folder.name] = json.loads(provenance.read_text(encoding="utf-8"))["seconds"]
    return seconds, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 2 workers")
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="jumeau-bench-runs-") as scratch:
        cold = {}
        for workers in ([2] if options.quick else [1, 2]):
            runs = Path(scratch) / f"runs-{workers}"
            cold[workers], per_scenario = timed_run(runs, workers)
            rows.append({"stage": f"all {len(per_scenario)} demo scenarios, cold, {workers} worker(s)",
                         "seconds": cold[workers], "target": COLD_TARGET_S if workers == 2 else None})
            if workers == 2:
                for scenario, seconds in sorted(per_scenario.items()):
                    rows.append({"stage": f"  {scenario} (inside its worker)", "seconds": seconds, "target": None})
        warm = [timed_run(Path(scratch) / "runs-2", 2)[0] for _ in range(WARM_RUNS)]
        rows.append({"stage": "all demo scenarios, warm cache (median)", "seconds": statistics.median(warm),
                     "target": WARM_TARGET_S})
        shutil.rmtree(scratch, ignore_errors=True)
    if 1 in cold:
        rows.append({"stage": "scaling: cold 1 worker / cold 2 workers", "seconds": None,
                     "ratio": cold[1] / cold[2], "target": None})
    met = report(rows, RESULTS_DIR / ("runs-quick.json" if options.quick else "runs.json"))
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
