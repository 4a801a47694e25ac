"""Heat benchmark: urban cooling on 4 M cells, sky view factor and shadows on 1 M cells, the demo.

Run from the repository root with the project's Python::

    .venv/bin/python benchmarks/bench_heat.py           # the issue's sizes
    .venv/bin/python benchmarks/bench_heat.py --quick   # a quarter of the cells

Cooling: 2000 × 2000 cells at 2 m, cooling distance 450 m, mixing radius 500 m (InVEST
3.20 needs about 2 minutes for this on a 2-core machine, per the issue; InVEST itself is
not installed here, so its outputs are checked in the test suite on InVEST's own
reference case instead). Its reference here is a direct computation of the same
edge-normalised convolutions with ``scipy.signal.fftconvolve`` (one FFT of the whole
grid per kernel): the ratio shows what overlap-add saves. Sky view factor (36 azimuths,
100 m) and shadows for one sun position on 1000 × 1000 cells of a synthetic city of
blocks. The whole heat model's peak memory per cell (numpy's allocations, traced) on the
synthetic city at 1 m, where the 500 m mixing kernel is at its widest against the grid
(target: 300 bytes per cell, issue 16; ``HEAT_BYTES_PER_CELL`` is the estimate the model refuses a
grid by). Medians of 3 runs;
results in ``benchmarks/results/heat.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np
import synthetic_city
import xarray as xr
from scipy.signal import fftconvolve

import jumeau
from jumeau.heat import cooling, shadows, skyview
from jumeau.heat.convolution import disk_kernel, exponential_kernel
from jumeau.heat.forcing import HeatForcing
from jumeau.heat.model import HEAT_BYTES_PER_CELL, heat_site

RESULTS_DIR = Path(__file__).resolve().parent / "results"
RUNS = 3
CELL = 2.0
HEAT_TARGET_BYTES = 300  # peak bytes per cell of the heat model (issue 16)


def median_time(function, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def landscape(size: int) -> dict[str, xr.DataArray]:
    rng = np.random.default_rng(5)
    coords = {"y": (np.arange(size)[::-1] + 0.5) * CELL, "x": (np.arange(size) + 0.5) * CELL}
    blocks = rng.random((size // 50 + 1, size // 50 + 1)) < 0.15
    green = np.kron(blocks, np.ones((50, 50)))[:size, :size]
    def layer(values):
        return xr.DataArray(values, dims=("y", "x"), coords=coords)
    return {"kc": layer(np.where(green > 0, 0.9, 0.2)), "green_area": layer(green),
            "shade": layer(np.where(green > 0, 0.6, 0.05)), "albedo": layer(np.where(green > 0, 0.2, 0.12))}


def city_dsm(size: int) -> np.ndarray:
    rng = np.random.default_rng(6)
    heights = rng.uniform(6, 30, (size // 25 + 1, size // 25 + 1))
    dsm = np.kron(heights, np.ones((25, 25)))[:size, :size]
    streets = (np.arange(size) % 25) < 6
    dsm[streets, :] = 0.0
    dsm[:, streets] = 0.0
    return dsm


def reference_cooling(layers: dict[str, xr.DataArray]) -> None:
    """The same convolutions with one full-grid FFT each (scipy.signal.fftconvolve)."""
    valid = np.ones(layers["kc"].shape)
    for signal, kernel in ((layers["green_area"].values, exponential_kernel(225)),
                           (layers["green_area"].values, disk_kernel(225)),
                           (layers["kc"].values, exponential_kernel(250))):
        fftconvolve(signal, kernel.weights, mode="same") / fftconvolve(valid, kernel.weights, mode="same")


def heat_model_bytes_per_cell(size: int) -> tuple[float, float]:
    """Seconds and peak traced bytes per cell of the heat model on the synthetic city at 1 m."""
    city = synthetic_city.CityParameters(size=size, resolution=1.0, buildings=size * size // 800,
                                         trees=size * size // 800)
    site = jumeau.load_site(synthetic_city.city(city))
    heat_site(site, HeatForcing())  # compile
    skyview._CACHE.clear()  # a scenario's first run: its sky view factors count
    tracemalloc.start()
    seconds = median_time(lambda: heat_site(site, HeatForcing()), runs=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak / (size * size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args()
    big, small = (1000, 500) if options.quick else (2000, 1000)
    layers = landscape(big)
    def run_cooling():
        return cooling.urban_cooling(**layers, et0=5.0, t_ref=35, uhi_max=3, cooling_distance=450, mixing_radius=500,
                                     relative_humidity=40)
    run_cooling()  # warm-up
    ours = median_time(run_cooling)
    theirs = median_time(lambda: reference_cooling(layers))
    dsm = city_dsm(small)
    skyview.sky_view_factor(city_dsm(60), CELL)  # compile
    shadows.cast_shadow(city_dsm(60), CELL, 40, 200)
    svf = median_time(lambda: skyview.sky_view_factor(dsm, CELL, radius=100, directions=36), runs=1 if not options.quick else 3)
    shade = median_time(lambda: shadows.cast_shadow(dsm, CELL, 40.0, 200.0))
    low_sun = median_time(lambda: shadows.cast_shadow(dsm, CELL, 15.0, 250.0))
    model_seconds, model_bytes = heat_model_bytes_per_cell(small)
    rows = [
        {"stage": f"urban cooling, {big}² cells, d_cool 450 m, mixing 500 m", "seconds": ours,
         "target_s": 6.0 * (big / 2000) ** 2},
        {"stage": "same convolutions, plain full-grid fftconvolve", "seconds": theirs, "ratio": theirs / ours},
        {"stage": f"sky view factor, {small}² cells, 36 azimuths, 100 m", "seconds": svf,
         "target_s": 30.0 * (small / 1000) ** 2},
        {"stage": f"shadows, {small}² cells, sun at 40°", "seconds": shade, "target_s": 2.0 * (small / 1000) ** 2},
        {"stage": f"shadows, {small}² cells, sun at 15°", "seconds": low_sun},
        {"stage": f"heat model, synthetic city {small}² cells at 1 m: peak bytes per cell", "bytes": model_bytes,
         "target_bytes": HEAT_TARGET_BYTES, "refusal_estimate": HEAT_BYTES_PER_CELL, "seconds": model_seconds},
    ]
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / ("heat-quick.json" if options.quick else "heat.json")).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
