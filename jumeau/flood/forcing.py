"""What the flood model needs from a scenario: the design storm (:class:`StormForcing`).

Its own module, light to import (no solver, no numba): reading a scenario file needs
the spec, not the model. The return period's bounds are the shipped Montana table's,
so a return period the table cannot give is refused when the file is read, with its
line, not later inside a worker.

>>> StormForcing(return_period=30).duration, round(storm_of(StormForcing(return_period=30)).total_depth, 1)
(60.0, 39.5)
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, JsonValue, ValidationInfo, field_validator

from jumeau.flood import storms
from jumeau.io.schema import RelativePath, Section

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


def storm_of(forcing: StormForcing) -> storms.Storm:
    """The storm of a scenario's storm forcing."""
    if forcing.file is not None:
        return storms.read_hyetograph(forcing.file)
    return storms.design_storm(forcing.return_period, forcing.duration, forcing.hyetograph, forcing.peak_position,
                               forcing.station)
