"""Flood benchmark: jumeau's solver against landlab's OverlandFlow (same method), side by side.

Run from the repository root with the project's Python (``pip install -e '.[bench]'``)::

    .venv/bin/python benchmarks/bench_flood.py                 # 1000 × 1000 cells, 1-h storm (long)
    .venv/bin/python benchmarks/bench_flood.py --size 250 --minutes 20   # what fits in a few minutes
    .venv/bin/python benchmarks/bench_flood.py --demo          # also the demo district, 100-year storm

Both models run the local-inertial scheme of Bates et al. (2010) on the same synthetic
terrain (a 0.5 % slope with 10 cm noise and two hollows, 2 m cells), the same constant
rain and Manning's n, open edges. Reported: wall time, cell-updates per second
(cells × time steps / s), the ratio of throughputs, the RMSE of their maximum depths,
and jumeau's throughput as a fraction of the memory-bandwidth bound: bytes a
cell-update must move (see ``BYTES_PER_CELL_UPDATE``) against this machine's copy
bandwidth measured by numpy in the same run. Results in ``benchmarks/results/flood.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numba
import numpy as np
import xarray as xr

from jumeau.flood import simulate

RESULTS_DIR = Path(__file__).resolve().parent / "results"
RAIN_MM_H = 50.0
MANNING = 0.03
CELL = 2.0
# Bytes moved per cell and step (float64 depths, elevations, limiting factors and per-cell
# sums; float32 discharges, face depths, parameters and maxima; 2 faces per cell):
# - rain: reads h, the rain factor, the retention, blocked and the runoff, writes h and runoff;
# - fluxes: read h, z, n², blocked and 2 discharges, write 2 raw discharges and 2 face depths;
# - limiter: reads 2 raw discharges and h, writes a factor;
# - cells: read the factor, 2 raw discharges, h, the sewer rate, the drained depth, 2 face
#   depths and 6 running values (one float64), write 2 discharges, h, the drained depth,
#   the 6 running values and the wave speed;
# - the next step's length reads the wave speeds.
BYTES_PER_CELL_UPDATE = ((8 + 4 + 4 + 1 + 8) + (8 + 8)) + ((8 + 8 + 4 + 1 + 8) + (8 + 8)) + ((8 + 8) + 8) + (
    (8 + 8 + 8 + 4 + 8 + 8 + 8 + 24) + (8 + 8 + 8 + 28 + 4)) + 4


def terrain(size: int) -> xr.DataArray:
    rng = np.random.default_rng(11)
    y, x = np.mgrid[0:size, 0:size] * CELL
    z = 0.005 * (size * CELL - x) + 0.1 * rng.random((size, size))
    for cx, cy in ((0.3, 0.4), (0.7, 0.6)):
        z -= 1.2 * np.exp(-(((x - cx * size * CELL) ** 2 + (y - cy * size * CELL) ** 2) / (0.05 * size * CELL) ** 2))
    coords = {"y": (np.arange(size)[::-1] + 0.5) * CELL, "x": (np.arange(size) + 0.5) * CELL}
    return xr.DataArray(z, dims=("y", "x"), coords=coords)


@numba.njit(parallel=True)
def _parallel_copy(source, target):
    for k in numba.prange(source.size):
        target[k] = source[k]


def copy_bandwidth() -> float:
    """Bytes per second moved copying a 256 MB array (read + write), median of 5.

    The better of numpy's copy (one thread) and a numba copy on every core, since the
    solver's kernels run on every core too.
    """
    source = np.ones(32_000_000)
    target = np.empty_like(source)
    _parallel_copy(source[:10], target[:10])
    best = 0.0
    for copy in (lambda: np.copyto(target, source), lambda: _parallel_copy(source, target)):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            copy()
            times.append(time.perf_counter() - start)
        best = max(best, 2 * source.nbytes / statistics.median(times))
    return best


def run_jumeau(z: xr.DataArray, seconds: float) -> tuple[float, float, np.ndarray]:
    start = time.perf_counter()
    result = simulate(z, duration=seconds, rain=RAIN_MM_H, manning=MANNING, boundary="open")
    wall = time.perf_counter() - start
    return wall, result.attrs["steps"] * z.size / wall, result["max_depth"].values


def run_landlab(z: xr.DataArray, seconds: float) -> tuple[float, float, np.ndarray]:
    from landlab import RasterModelGrid
    from landlab.components import OverlandFlow

    size = z.shape[0]
    grid = RasterModelGrid((size, size), xy_spacing=CELL)
    grid.add_field("topographic__elevation", z.values[::-1].ravel().copy(), at="node")  # landlab rows go north
    depth = grid.add_zeros("surface_water__depth", at="node")
    flow = OverlandFlow(grid, mannings_n=MANNING, rainfall_intensity=RAIN_MM_H / 1000 / 3600, steep_slopes=True)
    maximum = np.zeros(grid.number_of_nodes)
    elapsed, steps = 0.0, 0
    start = time.perf_counter()
    while elapsed < seconds:
        dt = min(flow.calc_time_step(), seconds - elapsed)
        flow.run_one_step(dt=dt)
        np.maximum(maximum, depth, out=maximum)
        elapsed += dt
        steps += 1
    wall = time.perf_counter() - start
    return wall, steps * grid.number_of_nodes / wall, maximum.reshape(size, size)[::-1]


def run_demo() -> dict:
    import jumeau
    from jumeau.flood.model import flood_site
    from jumeau.plan.scenario import StormForcing

    site = jumeau.demo_site()
    start = time.perf_counter()
    result = flood_site(site, StormForcing(return_period=100, duration=60, after_rain=60))
    return {"stage": "demo district, 100-year 1-h storm + 1 h, all losses", "seconds": time.perf_counter() - start,
            "cell_updates_per_s": result.attrs["cell_updates_per_second"], "target_s": 8.0,
            "relative_volume_error": result.attrs["volume_relative_error"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--demo", action="store_true", help="also time the demo district")
    options = parser.parse_args()
    z = terrain(options.size)
    seconds = options.minutes * 60
    simulate(terrain(20), duration=10, rain=10.0)  # compile (numba caches it on disk too)
    bandwidth = copy_bandwidth()
    ours = run_jumeau(z, seconds)
    theirs = run_landlab(z, seconds)
    rows = [
        {"stage": f"jumeau, {options.size}² cells, {options.minutes:g} min", "seconds": ours[0],
         "cell_updates_per_s": ours[1]},
        {"stage": "landlab OverlandFlow, same run", "seconds": theirs[0], "cell_updates_per_s": theirs[1]},
        {"stage": "throughput ratio jumeau / landlab", "ratio": ours[1] / theirs[1], "target": 20.0},
        {"stage": "max depth RMSE jumeau vs landlab (m)", "value": float(np.sqrt(np.mean((ours[2] - theirs[2]) ** 2))),
         "target": 0.02},
        {"stage": "fraction of the memory-bandwidth bound", "ratio": ours[1] * BYTES_PER_CELL_UPDATE / bandwidth,
         "note": f"{BYTES_PER_CELL_UPDATE} B per cell-update, copy bandwidth {bandwidth / 1e9:.1f} GB/s"},
    ]
    if options.demo:
        rows.append(run_demo())
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "flood.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    sys.exit(0)


if __name__ == "__main__":
    main()
