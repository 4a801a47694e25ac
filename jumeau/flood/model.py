"""The flood model run on a Site: what it needs from a scenario (:class:`StormForcing`) and the run.

Curve numbers come from the class table by land cover × hydrologic soil group
(``CN_A``…``CN_D``), Manning's n from ``mannings_n``; buildings are blocked cells
whose roof rain reaches the ground at their foot (downpipes) less what green roofs
hold (``roof_retention``); storm sewers take up to ``drainage_capacity`` mm/h on sealed
cells (:attr:`jumeau.site.state.Site.sealed`), or the override layer a drainage upgrade
wrote. Edges let water out (the district is part of a larger catchment).

:class:`StormForcing` is the storm part of a scenario file; its bounds are the shipped
Montana table's, so a return period the table cannot give is refused when the file is
read, with its line, not later inside a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import xarray as xr
from pydantic import Field, JsonValue, ValidationInfo, field_validator

from jumeau.flood import storms
from jumeau.flood.losses import Losses
from jumeau.flood.solver import simulate
from jumeau.io.schema import RelativePath, Section
from jumeau.site.state import Site

_STATIONS = storms.stations()
_PERIODS = sorted({period for periods in _STATIONS.values() for period in periods})
_PERIOD_CHOICES: list[JsonValue] = list(_PERIODS)


class StormForcing(Section):
    """The design storm: a Montana-law storm of a return period, or a user hyetograph."""

    file: RelativePath | None = Field(
        None, description="A user hyetograph CSV (time in min, intensity in mm/h), instead of the law.")
    station: str | None = Field(None, description="Montana coefficient set (station name); default: the first shipped.")
    return_period: float = Field(100.0, ge=1, description="Return period (years) of the Montana law, within the "
                                                        "station's coefficients.",
                                 json_schema_extra={"choices": _PERIOD_CHOICES})
    duration: float = Field(60.0, gt=0, le=24 * 60, description="Rain duration (minutes).",
                            json_schema_extra={"choices": [15, 30, 60, 120, 180, 360]})
    hyetograph: Literal["chicago", "block"] = Field("chicago", description="Shape of the design storm.")
    peak_position: float = Field(0.4, ge=0, le=1, description="Chicago storm: peak time as a share of the duration.")
    drainage_capacity: float = Field(
        20.0, ge=0, le=500, description="Storm-sewer capacity on connected (sealed) cells (mm/h)."
    )
    after_rain: float = Field(60.0, ge=0, le=48 * 60, description="Simulated time after the rain stops (minutes).")

    @field_validator("station")
    @classmethod
    def _shipped(cls, station: str | None) -> str | None:
        if station is not None and station not in _STATIONS:
            raise ValueError(f"unknown Montana station {station!r}; shipped: {', '.join(_STATIONS)}")
        return station

    @field_validator("return_period")
    @classmethod
    def _tabulated(cls, period: float, info: ValidationInfo) -> float:
        """Within the station's tabulated return periods (the law is not extrapolated), unless a file gives the rain."""
        if info.data.get("file") is not None or "station" not in info.data:  # a bad station is reported on its own
            return period
        station = info.data["station"] or next(iter(_STATIONS))
        periods = _STATIONS[station]
        if not periods[0] <= period <= periods[-1]:
            raise ValueError(f"return period {period:g} years is outside the Montana coefficients of {station!r} "
                             f"({periods[0]:g}–{periods[-1]:g} years); choose one inside, or give a hyetograph `file:`")
        return period


def curve_numbers(site: Site) -> np.ndarray:
    """CN per cell from the class table's CN_A…CN_D columns and the soil group layer."""
    soil = site.grid["soil_group"].values
    columns = [site.parameter(f"CN_{group}") for group in "ABCD"]
    return np.choose(np.clip(soil - 1, 0, 3), columns)


def storm_of(forcing: StormForcing) -> storms.Storm:
    """The storm of a scenario's storm forcing."""
    if forcing.file is not None:
        return storms.read_hyetograph(forcing.file)
    return storms.design_storm(forcing.return_period, forcing.duration, forcing.hyetograph, forcing.peak_position,
                               forcing.station)


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
