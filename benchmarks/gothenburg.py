"""Tmrt of jumeau's radiation model against the Gothenburg field measurements.

Two sites (../shared/validation/gothenburg, see its README): Gustav Adolfs torg, an open
square (Lindberg, Holmer & Thorsson 2008), and the GVC courtyard (Lindberg & Grimmond 2011).
For every measured hour, the six-directional fluxes and Tmrt at the measurement point are
modelled from the sites' surface models, land cover and met files, and compared.

Two facts about the files are established from the data, not assumed:

* the met files' ``imin`` column holds 1–10 on every row (not minutes: a month or a day),
  so it is read as 0; their rows are hourly means whose time names the start of the hour,
  in UTC+1: the global radiation then follows the clear-sky curve's shape
  (``test_met_file_rows_name_the_start_of_their_hour``);
* the measurement files' clock differs by site: Gustav Adolfs torg's hour h is the met
  file's row h − 1 (its clock runs one hour ahead, summer time), GVC's is the same row.
  :func:`clock_lag` picks, per site, the lag whose modelled short-wave from above (K↓)
  best matches the measured K↓, i.e. the timing of sun and shade at the station.

Run ``python benchmarks/gothenburg.py`` for the tables of the README.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import rasterio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jumeau.heat import radiation, skyview, weather  # noqa: E402

LON, LAT, UTC_OFFSET = 11.97, 57.70, 1.0  # central Gothenburg; the met files' clock
ROOF = 2  # the land-cover code of buildings in both sites' rasters
SVF_RADIUS = 200.0  # m: the sites' grids are 208–360 m wide
FLUXES = {"Kdown": "k_down", "Kup": "k_up", "Ldown": "l_down", "Lup": "l_up"}
SIDE_FLUXES = {"Ke": ("k", 0), "Ks": ("k", 1), "Kw": ("k", 2), "Kn": ("k", 3),
               "Le": ("l", 0), "Ls": ("l", 1), "Lw": ("l", 2), "Ln": ("l", 3)}


@dataclass(frozen=True)
class SiteFiles:
    folder: str
    rasters: tuple[str, str, str, str]  # surface model, ground, canopy height, land cover
    measurements: str
    day_column: str
    met: str  # met file name pattern, {day} = YYYYMMDD
    parameters: str
    label: str


SITES = {
    "gustav_adolfs": SiteFiles("gustav_adolfs", ("DSM_GA", "DEM_GA", "CDSM_GA", "LC_GA"), "measurements_ga.csv",
                               "day", "MetFile_{day}.txt", "parametersforsolweig_GA.json", "Gustav Adolfs torg"),
    "gvc": SiteFiles("gvc", ("DSM_GVC_1m", "DEM_GVC_1m", "CDSM_GVC_1m", "landcover_1m_GVC"), "measurements_gvc.csv",
                     "date", "MetFile{day}_Prepared.txt", "parametersforsolweig_GVC.json", "GVC courtyard"),
}


def data_folder() -> Path | None:
    """The validation data: $JUMEAU_VALIDATION_DATA, or ../shared/validation/gothenburg beside the repository."""
    candidates = [os.environ.get("JUMEAU_VALIDATION_DATA", ""), ROOT.parent / "shared/validation/gothenburg",
                  "/work/shared/validation/gothenburg"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "gvc").is_dir():
            return Path(candidate)
    return None


def _class_values(parameters: dict, key: str, codes: np.ndarray) -> np.ndarray:
    table = parameters[key]["Value"] if "Value" in parameters[key] else parameters[key]["Effective"]["Value"]
    out = np.zeros(codes.shape)
    for code, name in parameters["Names"]["Value"].items():
        if name in table:
            out[codes == int(code)] = table[name]
    return out


def scene(site: str, base: Path) -> tuple[radiation.Scene, tuple[int, int]]:
    """The site's radiation scene and the measurement point's (row, column)."""
    files = SITES[site]
    folder = base / files.folder
    arrays = []
    for name in files.rasters:
        with rasterio.open(folder / f"{name}.tif") as raster:
            arrays.append(raster.read(1).astype("float64"))
            transform, cell = raster.transform, raster.res[0]
    dsm, ground, canopy, codes = arrays
    codes = np.where(np.isfinite(codes) & (codes >= 0) & (codes < 99), codes, 1).astype(int)
    canopy = np.where(np.isfinite(canopy) & (canopy > 0), canopy, 0.0)
    x, y = json.loads((folder / "poi.geojson").read_text())["geometry"]["coordinates"]
    row, col = rasterio.transform.rowcol(transform, x, y)
    parameters = json.loads((folder / files.parameters).read_text())
    view = skyview.sky_views(dsm, cell, crowns=ground + canopy, radius=SVF_RADIUS)
    return radiation.Scene(dsm=dsm, elevation=ground, canopy=canopy, scattered=np.zeros_like(dsm), ground=codes != ROOF,
                           albedo=_class_values(parameters, "Albedo", codes),
                           emissivity=_class_values(parameters, "Emissivity", codes),
                           tg_slope=_class_values(parameters, "Ts_deg", codes),
                           tg_intercept=_class_values(parameters, "Tstart", codes), cell=cell, view=view), (row, col)


def met_file(site: str, day: str, base: Path, label: str = "start") -> weather.Weather:
    """A met file read with jumeau's reader, its non-minute ``imin`` column set to 0 (see the module's docstring)."""
    path = base / SITES[site].folder / SITES[site].met.format(day=day)
    lines = path.read_text().splitlines()
    rows = [line.split() for line in lines[1:] if line.strip()]
    for row in rows:
        row[3] = "0"
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.name
        copy.write_text("\n".join([lines[0], *(" ".join(row) for row in rows)]) + "\n")
        return weather.read_met_file(copy, LON, LAT, UTC_OFFSET, label=label)


def evaluate(site: str, base: Path, lag: int, view: tuple[radiation.Scene, tuple[int, int]] | None = None,
             sun_steps: int = 4) -> pd.DataFrame:
    """One row per measured hour: measured and modelled (``model_*``) fluxes and Tmrt at the station."""
    files = SITES[site]
    place, (row, col) = view or scene(site, base)
    measured = pd.read_csv(base / files.folder / files.measurements)
    rows = []
    for day, hours in measured.groupby(files.day_column):
        met = met_file(site, str(day), base)
        solar = weather.solar_hours(met)
        for _, observed in hours.iterrows():
            index = int(observed["hour"]) - lag
            hour = met.hours.iloc[index]
            time = met.hours.index[index]
            course = met.day(time)
            fluxes = radiation.fluxes(place, hour, weather.sun_within(LON, LAT, time, sun_steps),
                                      solar_hour=solar[index], sunrise=course["sunrise"], sunset=course["sunset"],
                                      max_elevation=course["max_elevation"])
            modelled = {f"model_{k}": float(getattr(fluxes, v)[row, col]) for k, v in FLUXES.items()}
            modelled |= {f"model_{k}": float((fluxes.k_sides if kind == "k" else fluxes.l_sides)[i, row, col])
                         for k, (kind, i) in SIDE_FLUXES.items()}
            modelled["model_Tmrt"] = float(fluxes.mean_radiant_temperature[row, col])
            rows.append({"day": str(day), **observed.drop(files.day_column).to_dict(), **modelled})
    return pd.DataFrame(rows)


def statistics(observed: pd.Series, modelled: pd.Series) -> dict[str, float]:
    """RMSE, mean bias (modelled − measured) and R² (squared Pearson correlation) over the hours measured."""
    keep = observed.notna() & modelled.notna()
    error = modelled[keep] - observed[keep]
    return {"hours": int(keep.sum()), "rmse": float(np.sqrt((error**2).mean())), "bias": float(error.mean()),
            "r2": float(np.corrcoef(observed[keep], modelled[keep])[0, 1] ** 2)}


def clock_lag(site: str, base: Path, view=None) -> tuple[int, dict[int, float]]:
    """The lag (0 or 1 h) between the measurements' and the met file's clocks, by the K↓ RMSE of each."""
    errors = {lag: statistics(table["Kdown"], table["model_Kdown"])["rmse"]
              for lag in (0, 1) for table in [evaluate(site, base, lag, view)]}
    return min(errors, key=errors.get), errors


def main() -> None:
    base = data_folder()
    if base is None:
        sys.exit("Gothenburg validation data not found: set JUMEAU_VALIDATION_DATA.")
    for site, files in SITES.items():
        view = scene(site, base)
        lag, errors = clock_lag(site, base, view)
        table = evaluate(site, base, lag, view)
        print(f"\n{files.label}: clock lag {lag} h (K↓ RMSE {errors[0]:.0f} W/m² at lag 0, {errors[1]:.0f} at lag 1)")
        print(f"{'day':<10} {'hours':>5} {'RMSE °C':>8} {'bias °C':>8} {'R²':>6}")
        for day, hours in [*table.groupby("day"), ("all", table)]:
            s = statistics(hours["Tmrt"], hours["model_Tmrt"])
            print(f"{day:<10} {s['hours']:>5} {s['rmse']:>8.2f} {s['bias']:>+8.2f} {s['r2']:>6.3f}")
        print("flux      RMSE W/m²  bias W/m²     R²")
        for flux in [*FLUXES, *SIDE_FLUXES]:
            s = statistics(table[flux], table[f"model_{flux}"])
            print(f"{flux:<9} {s['rmse']:>9.1f} {s['bias']:>+10.1f} {s['r2']:>6.3f}")


if __name__ == "__main__":
    main()
