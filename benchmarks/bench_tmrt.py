"""Felt heat benchmark: Tmrt/UTCI speed on the demo and on 1000 × 1000 cells, and jumeau side by side with SOLWEIG.

Run from the repository root with the project's Python::

    .venv/bin/python benchmarks/bench_tmrt.py

* the demo district, the baseline's heat-wave day: the whole heat model (cooling, sky view
  factors, 12 hours of Tmrt and UTCI), sky view factors computed (cold) and reused (warm);
  target ≤ 15 s;
* 1000 × 1000 cells at 2 m of a synthetic city of blocks, one hour of Tmrt and UTCI with
  the sky view factors computed once beforehand (they are per surface); target ≤ 5 s;
* the Python package ``solweig`` (UMEP's SOLWEIG, GPL-3.0: installed only to benchmark,
  ``.venv/bin/pip install solweig``, never a dependency) on the two Gothenburg validation
  sites, the measured hours: wall times of both models (surface preprocessing included)
  and Tmrt at the station against the measurements, and their difference over the grid.

Medians of 3 runs where a stage is repeated; results in ``benchmarks/results/tmrt.json``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import tempfile
import time
from pathlib import Path

import gothenburg
import numpy as np
import pandas as pd
import rasterio
from bench_heat import city_dsm, median_time

import jumeau
from jumeau.heat import radiation, skyview, stress, weather
from jumeau.heat.forcing import HeatForcing
from jumeau.heat.model import heat_site

RESULTS = Path(__file__).resolve().parent / "results" / "tmrt.json"


def demo_day() -> dict:
    site = jumeau.demo_site()
    forcing = HeatForcing(t_ref=35, uhi_max=3, et0=6, relative_humidity=35)
    heat_site(site, forcing)  # compile the kernels
    skyview._CACHE.clear()
    start = time.perf_counter()
    heat_site(site, forcing)
    cold = time.perf_counter() - start
    warm = median_time(lambda: heat_site(site, forcing))
    return {"stage": f"demo district {site.shape[0]}×{site.shape[1]} cells, 12 hours of Tmrt+UTCI, whole heat model",
            "seconds": cold, "warm_seconds": warm, "target": 15.0}


def one_hour_on_a_million_cells() -> dict:
    dsm, cell = city_dsm(1000), 2.0
    svf_seconds = median_time(lambda: skyview.sky_views(dsm, cell), runs=1)
    view = skyview.sky_views(dsm, cell)
    zero = np.zeros_like(dsm)
    full = lambda value: np.full(dsm.shape, value)  # noqa: E731
    place = radiation.Scene(dsm=dsm, elevation=zero, canopy=zero, scattered=zero, ground=dsm <= 0, albedo=full(0.15),
                            emissivity=full(0.95), tg_slope=full(0.5), tg_intercept=full(-5.0), cell=cell, view=view)
    lon, lat = -0.55, 47.47
    day = weather.design_day(lon, lat, dt.date(2026, 7, 21), t_min=20, t_max=35, relative_humidity_at_max=35)
    row, stamp = day.hours.iloc[15], day.hours.index[15]
    course, solar = day.day(stamp), weather.solar_hours(day)[15]

    def hour():
        fluxes = radiation.fluxes(place, row, weather.sun_within(lon, lat, stamp), solar_hour=solar,
                                  sunrise=course["sunrise"], sunset=course["sunset"],
                                  max_elevation=course["max_elevation"])
        stress.utci(np.full(dsm.shape, 35.0), fluxes.mean_radiant_temperature, 35.0)

    hour()  # compile
    return {"stage": "1000×1000 cells, one hour of Tmrt+UTCI (sky view factors ready)", "seconds": median_time(hour),
            "svf_seconds": svf_seconds, "target": 5.0}


def _solweig_site(site: str, base: Path, hours: pd.DataFrame, work: Path) -> tuple[float, dict[tuple[str, int], Path]]:
    import solweig
    from solweig.loaders import load_params
    from solweig.models.config import HumanParams

    files = gothenburg.SITES[site]
    folder = base / files.folder
    start = time.perf_counter()
    surface = solweig.SurfaceData.prepare(dsm=str(folder / f"{files.rasters[0]}.tif"),
                                          dem=str(folder / f"{files.rasters[1]}.tif"),
                                          cdsm=str(folder / f"{files.rasters[2]}.tif"),
                                          land_cover=str(folder / f"{files.rasters[3]}.tif"),
                                          working_dir=str(work / "surface"))
    materials = load_params(str(folder / files.parameters))
    outputs = {}
    for day, measured in hours.groupby("day"):
        wanted = set(measured["met_hour"])
        steps = [w for w in solweig.Weather.from_umep_met(str(folder / files.met.format(day=day)),
                                                         resample_hourly=False) if w.datetime.hour in wanted]
        out = work / day
        solweig.calculate(surface, steps, solweig.Location(latitude=gothenburg.LAT, longitude=gothenburg.LON,
                                                           utc_offset=1, altitude=10.0),
                          output_dir=str(out), outputs=["tmrt"], use_anisotropic_sky=True, materials=materials,
                          human=HumanParams(abs_k=0.7, abs_l=0.97))
        for path in (out / "tmrt").glob("tmrt_*.tif"):
            outputs[(day, int(path.stem.split("_")[2][:2]))] = path
    return time.perf_counter() - start, outputs


def side_by_side(site: str, base: Path) -> dict:
    """jumeau and SOLWEIG on a Gothenburg site's measured hours (wall times, Tmrt at the station and over the grid)."""
    lag = {"gustav_adolfs": 1, "gvc": 0}[site]
    start = time.perf_counter()
    view = gothenburg.scene(site, base)
    table = gothenburg.evaluate(site, base, lag, view)
    ours = time.perf_counter() - start
    table["met_hour"] = table["hour"].astype(int) - lag
    row = {"stage": f"Tmrt, {gothenburg.SITES[site].label}, {len(table)} measured hours", "jumeau_seconds": ours,
           "jumeau": gothenburg.statistics(table["Tmrt"], table["model_Tmrt"])}
    if importlib.util.find_spec("solweig") is None:
        row["solweig"] = "not installed (.venv/bin/pip install solweig to compare)"
        return row
    with tempfile.TemporaryDirectory() as work:
        theirs, outputs = _solweig_site(site, base, table, Path(work))
        place, (r, c) = view
        at_station, grid_gaps = [], []
        for _, hour in table.iterrows():
            path = outputs.get((hour["day"], int(hour["met_hour"])))
            if path is None:
                at_station.append(np.nan)
                continue
            with rasterio.open(path) as raster:
                tmrt = raster.read(1).astype("float64")
            at_station.append(tmrt[r, c])
            met = gothenburg.met_file(site, hour["day"], base)
            index = int(hour["met_hour"])
            course = met.day(met.hours.index[index])
            ours_grid = radiation.fluxes(place, met.hours.iloc[index],
                                         weather.sun_within(gothenburg.LON, gothenburg.LAT, met.hours.index[index]),
                                         solar_hour=weather.solar_hours(met)[index], sunrise=course["sunrise"],
                                         sunset=course["sunset"], max_elevation=course["max_elevation"])
            both = place.ground & np.isfinite(tmrt)
            grid_gaps.append(float(np.sqrt(np.mean((ours_grid.mean_radiant_temperature[both] - tmrt[both]) ** 2))))
        table["solweig_Tmrt"] = at_station
    row.update(solweig_seconds=theirs, ratio=theirs / ours,
               solweig=gothenburg.statistics(table["Tmrt"], table["solweig_Tmrt"]),
               station_difference=gothenburg.statistics(table["solweig_Tmrt"], table["model_Tmrt"]),
               grid_rms_difference=float(np.median(grid_gaps)))
    return row


def main() -> None:
    rows = [demo_day(), one_hour_on_a_million_cells()]
    base = gothenburg.data_folder()
    if base is not None:
        rows += [side_by_side(site, base) for site in gothenburg.SITES]
    for row in rows:
        print(json.dumps(row, ensure_ascii=False, default=float))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(rows, indent=1, ensure_ascii=False, default=float), encoding="utf-8")


if __name__ == "__main__":
    main()
