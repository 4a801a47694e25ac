"""A whole city through every model: load, flood screening, flood and heat of a 4 M-cell site.

Run from the repository root with the project's Python::

    .venv/bin/python benchmarks/bench_city.py           # 2000 × 2000 cells at 2 m (16 km²)
    .venv/bin/python benchmarks/bench_city.py --quick   # 500 × 500 cells at 2 m

The site is the synthetic city of :mod:`synthetic_city` (BD TOPO-like buildings, a LiDAR-like
terrain with nodata over ponds, land cover, trees, soils), loaded from its files. Each stage is
what ``jumeau run`` does for a scenario: the 100-year, 1-hour storm (the shipped Montana law)
screened, then simulated with one hour of draining after the rain, and the design heat-wave
day. For each stage: wall time and the peak of numpy's allocations (traced, in bytes per cell
of the grid, the stage's inputs excluded: what the stage itself adds); for the whole run, the
process's peak resident memory (VmHWM). Targets (issue 16): heat ≤ 300 bytes per cell.
Results in ``benchmarks/results/city.json`` (``city-quick.json``).
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
import warnings
from pathlib import Path

import synthetic_city

import jumeau
from jumeau.flood.forcing import StormForcing
from jumeau.flood.model import flood_site, storm_of
from jumeau.flood.screening import screen
from jumeau.heat.forcing import HeatForcing
from jumeau.heat.model import heat_site

RESULTS_DIR = Path(__file__).resolve().parent / "results"
HEAT_TARGET = 300.0  # bytes per cell (issue 16)


def high_water_mib() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def stage(name: str, cells: int, function, rows: list[dict], **extra):
    """Run one stage, print and keep its time and traced peak."""
    tracemalloc.start()
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    row = {"stage": name, "seconds": round(seconds, 2), "peak_mib": round(peak / 2**20, 1),
           "bytes_per_cell": round(peak / cells, 1), **extra}
    rows.append(row)
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 × 500 cells instead of 2000 × 2000")
    options = parser.parse_args()
    parameters = (synthetic_city.CityParameters(size=500, buildings=1250, trees=1250) if options.quick
                  else synthetic_city.CityParameters())
    site_file = synthetic_city.city(parameters)
    warnings.simplefilter("ignore")  # the city's repairs are the loading benchmark's subject
    # compile the numba kernels on a small site first: a first run's compilation is not the city's cost
    small = jumeau.load_site(synthetic_city.city(synthetic_city.CityParameters(size=300, resolution=1.0, buildings=112,
                                                                               trees=112)))
    storm = StormForcing(duration=60, return_period=100, after_rain=60)
    flood_site(small, storm.model_copy(update={"duration": 1, "after_rain": 1}))
    heat_site(small, HeatForcing())
    screen(small, storm_of(storm).total_depth)

    cells = parameters.size**2
    rows: list[dict] = []
    site = stage("load the site files", cells, lambda: jumeau.load_site(site_file), rows)
    depth = storm_of(storm).total_depth
    screening, _ = stage(f"flood screening, {depth:.0f} mm", cells, lambda: screen(site, depth), rows)
    started = time.perf_counter()

    def progress(share: float) -> None:
        elapsed = time.perf_counter() - started
        print(f"  flood {share:6.1%} after {elapsed:6.0f} s", flush=True)

    flood = stage("flood, 100-year 1-h storm + 1 h", cells, lambda: flood_site(site, storm, progress=progress), rows)
    rows[-1].update(steps=int(flood.attrs["steps"]), step_median_s=round(flood.attrs["step_median"], 3),
                    cell_updates_per_s=round(flood.attrs["cell_updates_per_second"] / 1e6, 1),
                    volume_relative_error=flood.attrs["volume_relative_error"],
                    max_speed_m_s=round(float(flood["max_speed"].max()), 2),
                    max_depth_m=round(float(flood["max_depth"].max()), 2))
    stage("heat, design heat-wave day (12 felt hours)", cells, lambda: heat_site(site, HeatForcing()), rows,
          target_bytes_per_cell=HEAT_TARGET)
    rows.append({"stage": "whole run: peak resident memory (VmHWM)", "peak_mib": round(high_water_mib(), 1),
                 "cells": cells, "resolution_m": parameters.resolution})
    print(json.dumps(rows[-1]))
    heat = rows[-2]
    print(f"heat: {heat['bytes_per_cell']:.0f} bytes per cell, target {HEAT_TARGET:.0f}: "
          f"{'pass' if heat['bytes_per_cell'] <= HEAT_TARGET else 'MISS'}")
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / ("city-quick.json" if options.quick else "city.json")).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
