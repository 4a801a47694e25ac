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

from jumeau.errors import InputError
from jumeau.flood import storms
from jumeau.io.schema import RelativePath, Section

_STATIONS = storms.stations()
_PERIODS = sorted({period for periods in _STATIONS.values() for period in periods})
_PERIOD_CHOICES: list[JsonValue] = list(_PERIODS)


class MontanaCoefficients(Section):
    """One set of a station's Montana coefficients: i (mm/min) = a · t (min)^(−b) for a return period and durations."""

    return_period: float = Field(..., ge=1, le=1000, description="Return period (years).")
    a: float = Field(..., gt=0, le=100, description="Montana a (mm/min^(1−b)), as Météo-France gives it.")
    b: float = Field(..., gt=0, lt=1, description="Montana b (depth grows with duration, so 0 < b < 1).")
    durations: tuple[float, float] = Field((6.0, 60.0), description="Durations (min) the set was fitted on.")

    @field_validator("durations")
    @classmethod
    def _ordered(cls, durations: tuple[float, float]) -> tuple[float, float]:
        if not 0 <= durations[0] < durations[1] <= 30 * 24 * 60:
            raise ValueError(f"durations {list(durations)}: give [shortest, longest] in minutes, shortest first")
        return durations


class StormForcing(Section):
    """The design storm: a Montana-law storm of a return period, or a user hyetograph."""

    file: RelativePath | None = Field(
        None, description="A user hyetograph CSV (time in min, intensity in mm/h), instead of the law.")
    montana: list[MontanaCoefficients] | None = Field(
        None, min_length=1, description="Your station's Montana coefficients (Météo-France): one entry per return "
                                        "period and range of durations.")
    station: str | None = Field(
        None, description="With `montana`, the station's name (e.g. 'Angers-Beaucouzé, Météo-France 2021'); "
                          "without, a shipped coefficient set; default: the first shipped.")
    return_period: float = Field(100.0, ge=1, description="Return period (years) of the Montana law, within the "
                                                        "station's coefficients.",
                                 json_schema_extra={"choices": _PERIOD_CHOICES})
    duration: float = Field(60.0, gt=0, le=24 * 60, description="Rain duration (minutes).",
                            json_schema_extra={"choices": [15, 30, 60, 120]})
    hyetograph: Literal["chicago", "block"] = Field("chicago", description="Shape of the design storm.")
    peak_position: float = Field(0.4, ge=0, le=1, description="Chicago storm: peak time as a share of the duration.")
    drainage_capacity: float = Field(
        20.0, ge=0, le=500, description="Storm-sewer capacity on connected (sealed) cells (mm/h)."
    )
    after_rain: float = Field(60.0, ge=0, le=48 * 60, description="Simulated time after the rain stops (minutes).")

    @field_validator("station")
    @classmethod
    def _shipped(cls, station: str | None, info: ValidationInfo) -> str | None:
        # (a set that failed its own checks is absent from info.data: reported on its own)
        if station is not None and "montana" in info.data and info.data["montana"] is None and station not in _STATIONS:
            raise ValueError(f"unknown Montana station {station!r}; shipped: {', '.join(_STATIONS)}; or give the "
                             "station's coefficients with `montana:`")
        return station

    @field_validator("return_period")
    @classmethod
    def _tabulated(cls, period: float, info: ValidationInfo) -> float:
        """Within the coefficients' return periods (the law is not extrapolated), unless a file gives the rain."""
        if info.data.get("file") is None and {"montana", "station"} <= set(info.data):  # else reported on its own
            try:
                _law(info.data.get("montana"), info.data.get("station"), period)
            except InputError as exc:
                raise ValueError(str(exc).removeprefix("storm: ")) from None
        return period

    @field_validator("duration")
    @classmethod
    def _covered(cls, duration: float, info: ValidationInfo) -> float:
        """Within the durations the coefficients cover, unless a file gives the rain."""
        if info.data.get("file") is None and {"montana", "station", "return_period"} <= set(info.data):
            try:
                _law(info.data.get("montana"), info.data.get("station"), info.data["return_period"]).covers(duration)
            except InputError as exc:
                raise ValueError(str(exc).removeprefix("storm: ").removesuffix(".")) from None
        return duration


def law(forcing: StormForcing) -> storms.Montana:
    """The Montana law of a storm forcing: the station's coefficients given, or a shipped set."""
    return _law(forcing.montana, forcing.station, forcing.return_period)


def _law(montana: list[MontanaCoefficients] | None, station: str | None, return_period: float) -> storms.Montana:
    if montana is None:
        return storms.montana(return_period, station)
    sets: dict[float, list[tuple[float, float, float, float]]] = {}
    for entry in montana:
        sets.setdefault(entry.return_period, []).append((*entry.durations, entry.a, entry.b))
    for period, ranges in sets.items():
        ranges.sort()
        for (_, end, _, _), (start, _, _, _) in zip(ranges, ranges[1:], strict=False):
            if start != end:
                raise InputError(f"storm: the Montana durations of {period:g} years must follow each other "
                                 f"({end:g} min, then {start:g} min); give contiguous ranges, e.g. [6, 60] and "
                                 "[60, 1440].")
    return storms.law_of({p: tuple(r) for p, r in sets.items()}, return_period,
                         station or "station given in the scenario", "the scenario's `montana:`")


def storm_of(forcing: StormForcing) -> storms.Storm:
    """The storm of a scenario's storm forcing."""
    if forcing.file is not None:
        return storms.read_hyetograph(forcing.file)
    return storms.storm_of_law(law(forcing), forcing.duration, forcing.hyetograph, forcing.peak_position)
