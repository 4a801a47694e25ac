"""The flood model run on a Site under a scenario's storm (:class:`~jumeau.flood.forcing.StormForcing`).

Curve numbers come from the class table by land cover × hydrologic soil group
(``CN_A``…``CN_D``), Manning's n from ``mannings_n``; buildings are blocked cells
whose roof rain reaches the ground at their foot (downpipes) less what green roofs
hold (``roof_retention``); storm sewers take up to ``drainage_capacity`` mm/h on sealed
cells (:attr:`jumeau.site.state.Site.sealed`), or the override layer a drainage upgrade
wrote. Edges let water out (the district is part of a larger catchment).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

from jumeau.flood.forcing import StormForcing, storm_of
from jumeau.flood.losses import Losses
from jumeau.flood.solver import simulate
from jumeau.site.state import Site


def curve_numbers(site: Site) -> np.ndarray:
    """CN per cell from the class table's CN_A…CN_D columns and the soil group layer."""
    soil = site.grid["soil_group"].values
    columns = [site.parameter(f"CN_{group}") for group in "ABCD"]
    return np.choose(np.clip(soil - 1, 0, 3), columns)


def flood_site(site: Site, forcing: StormForcing, *, snapshot_every: float | None = None,
               progress: Callable[[float], None] | None = None) -> xr.Dataset:
    """Flood results of a Site under a storm forcing (rain, then ``after_rain`` minutes of draining)."""
    storm = storm_of(forcing)
    grid = site.grid
    capacity = np.where(site.sealed, forcing.drainage_capacity, 0.0)
    override = site.override("drainage_capacity")
    capacity = np.where(np.isnan(override), capacity, override)
    result = simulate(
        grid["elevation"], duration=storm.duration + forcing.after_rain * 60.0, rain=storm,
        manning=site.parameter("mannings_n"), losses=Losses(curve_numbers(site)),
        blocked=grid["building_id"].values > 0, drainage=capacity, roof_retention=site.override("roof_retention"),
        boundary="open", snapshot_every=snapshot_every, progress=progress,
    )
    result.attrs.update(storm_depth_mm=storm.total_depth, storm_duration_s=storm.duration)
    return result
