"""The flood model run on a Site under a scenario's storm (:class:`~jumeau.flood.forcing.StormForcing`).

Curve numbers come from the class table by land cover × hydrologic soil group
(``CN_A``…``CN_D``), Manning's n from ``mannings_n``; buildings are blocked cells
whose roof rain reaches the ground at their foot (downpipes) less what green roofs
hold (``roof_retention``); storm sewers take up to ``drainage_capacity`` mm/h on sealed
cells (:attr:`jumeau.site.state.Site.sealed`), or the override layer a drainage upgrade
wrote. Edges let water out (the district is part of a larger catchment).

The storm comes from the scenario's own station coefficients (``montana:``), a hyetograph
file, or a shipped French regional set; the last is refused for a site outside mainland
France (French regional rain elsewhere would be silently wrong). The results' attributes
name the law used (``storm_law``), which each run's provenance keeps.

Edges let water out unless the site file says otherwise (``boundary:``): a wall, or a water
level imposed from outside (the sea, a river), constant or over time (a tide, a flood
hydrograph); water it pushes in is counted in the balance (``volume_edge_inflow``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr

from jumeau.errors import ModelError
from jumeau.flood.forcing import StormForcing, law, storm_of
from jumeau.flood.losses import Losses
from jumeau.flood.solver import Level, simulate
from jumeau.site.state import Site

MAINLAND_FRANCE = (-5.3, 41.2, 9.7, 51.2)  # lon/lat box of mainland France and Corsica, for the shipped sets


def storm_law(site: Site, forcing: StormForcing) -> str:
    """What gives the rain, refusing the shipped French coefficients for a site outside France."""
    if forcing.file is not None:
        return f"hyetograph {forcing.file.name}"
    used = law(forcing)
    if forcing.montana is not None:
        return f"Montana coefficients of {used.station} (given), {forcing.return_period:g} years"
    lon, lat = site.lonlat
    west, south, east, north = MAINLAND_FRANCE
    if not (west <= lon <= east and south <= lat <= north):
        raise ModelError(f"storm: the site ({lon:.2f}°, {lat:.2f}°) is outside mainland France and the shipped Montana "
                         f"coefficients ({used.station}) are French regional values. Give your station's coefficients "
                         "with `montana:` in the scenario (or --montana), or a hyetograph `file:`.")
    return (f"Montana coefficients {used.station} (shipped: regional values of IT 77-284, unverified transcription, "
            f"extrapolated above 10 years; give your station's with `montana:`), {forcing.return_period:g} years")


def edge_boundary(site: Site) -> dict:
    """The flood model's boundary per edge from the site file's ``boundary:`` (open where it says nothing)."""
    config = site.metadata.get("config")
    given = getattr(config, "boundary", None) or {}
    boundary: dict = {edge: "open" for edge in ("north", "south", "west", "east")}
    for edge, value in given.items():
        boundary[edge] = value if isinstance(value, str) else _level(value)
    return boundary


def _level(value) -> Level:
    if value.level is not None:
        return Level((0.0,), (float(value.level),))
    import pandas as pd

    try:
        table = pd.read_csv(value.file, comment="#")
        times, levels = table["time"].to_numpy(float) * 60.0, table["level"].to_numpy(float)
    except (OSError, KeyError, ValueError, pd.errors.ParserError) as exc:
        raise ModelError(f"boundary: {value.file} must be a CSV with columns time (min) and level (m) ({exc}).") from None
    if len(times) == 0 or np.any(np.diff(times) <= 0) or not np.isfinite(levels).all():
        raise ModelError(f"boundary: {value.file}: times must increase and every level be a number.")
    return Level(tuple(times), tuple(levels))


def curve_numbers(site: Site) -> np.ndarray:
    """CN per cell from the class table's CN_A…CN_D columns and the soil group layer."""
    soil = site.grid["soil_group"].values
    columns = [site.parameter(f"CN_{group}") for group in "ABCD"]
    return np.choose(np.clip(soil - 1, 0, 3), columns)


def flood_inputs(site: Site, forcing: StormForcing) -> dict[str, Any]:
    """What the flood model receives for a Site under a storm forcing: :func:`~jumeau.flood.solver.simulate`'s
    arguments (rain, then ``after_rain`` minutes of draining).

    Two scenarios with equal inputs have the same flood: the runner computes it once
    (:func:`jumeau.study.runner.flood_key`).
    """
    storm = storm_of(forcing)
    grid = site.grid
    capacity = np.where(site.sealed, forcing.drainage_capacity, 0.0)
    override = site.override("drainage_capacity")
    return {
        "elevation": grid["elevation"], "duration": storm.duration + forcing.after_rain * 60.0, "rain": storm,
        "manning": site.parameter("mannings_n"), "losses": Losses(curve_numbers(site)),
        "blocked": grid["building_id"].values > 0, "drainage": np.where(np.isnan(override), capacity, override),
        "roof_retention": site.override("roof_retention"), "boundary": edge_boundary(site),
    }


def flood_site(site: Site, forcing: StormForcing, *, snapshot_every: float | None = None,
               progress: Callable[[float], None] | None = None) -> xr.Dataset:
    """Flood results of a Site under a storm forcing (see :func:`flood_inputs`)."""
    source = storm_law(site, forcing)
    inputs = flood_inputs(site, forcing)
    result = simulate(**inputs, snapshot_every=snapshot_every, progress=progress)
    storm = inputs["rain"]
    result.attrs.update(storm_depth_mm=storm.total_depth, storm_duration_s=storm.duration, storm_law=source)
    return result
