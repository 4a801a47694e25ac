"""What the heat model needs from a scenario: the heat-wave day (:class:`HeatForcing`).

Its own module, light to import: reading a scenario file needs the spec, not the model.

>>> HeatForcing(t_ref=38).hour
15.0
>>> HeatForcing().felt_hours()[:3]
[8.0, 9.0, 10.0]
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from jumeau.io.schema import RelativePath, Section

DAYTIME = tuple(float(h) for h in range(8, 20))  # 08:00 to 19:00: when people are out in the heat


class HeatForcing(Section):
    """The heat-wave day: air temperatures, urban heat island, humidity, wind, sun; or measured weather."""

    t_ref: float = Field(35.0, ge=-30, le=55, description="Rural reference air temperature: the day's high (°C).",
                         json_schema_extra={"typical": [25.0, 45.0, 0.5]})
    t_min: float = Field(20.0, ge=-40, le=40, description="The night's low air temperature, at sunrise (°C).")
    uhi_max: float = Field(3.0, ge=0, le=15, description="Urban heat island magnitude (°C).")
    et0: float = Field(6.0, gt=0, le=20, description="Reference evapotranspiration of the day (mm/day).")
    relative_humidity: float = Field(40.0, ge=0, le=100, description="Relative humidity at the day's high (%).")
    wind: float = Field(1.0, ge=0.5, le=17, description="Wind speed at 10 m (m/s) for the felt heat (UTCI).")
    date: dt.date = Field(dt.date(2026, 7, 21), description="Date of the day (sun's course, weather rows).")
    hour: float = Field(15.0, ge=0, lt=24, description="Local clock hour of the heat-stress map.")
    hours: list[float] = Field(list(DAYTIME), min_length=1, max_length=24,
                               description="Local clock hours at which the felt heat (Tmrt, UTCI) is computed.")
    weather: RelativePath | None = Field(
        None, description="Measured hourly weather instead of the design day: a UMEP/SUEWS met file (its rows of "
                          "`date` are used).")
    weather_utc_offset: float = Field(1.0, ge=-12, le=14,
                                      description="The met file's clock: hours ahead of UTC (France: 1 in winter "
                                                  "time, 2 in summer time).")
    weather_label: Literal["end", "start", "middle"] = Field(
        "end", description="Which moment of its hour a met-file row's time names (SUEWS: the end).")
    cooling_distance: float = Field(450.0, gt=0, le=5000, description="Park cooling distance (m).")
    mixing_radius: float = Field(500.0, gt=0, le=5000, description="Air mixing radius (m).")

    @field_validator("hours")
    @classmethod
    def _clock_hours(cls, hours: list[float]) -> list[float]:
        wrong = [h for h in hours if not 0 <= h < 24]
        if wrong:
            raise ValueError(f"hours {wrong}: give local clock hours from 0 to 23")
        return sorted(set(hours))

    @model_validator(mode="after")
    def _night_below_day(self) -> HeatForcing:
        if self.t_min > self.t_ref:
            raise ValueError(f"t_min ({self.t_min:g} °C) is above t_ref, the day's high ({self.t_ref:g} °C)")
        return self

    def felt_hours(self) -> list[float]:
        """The hours of felt heat, the map's hour included."""
        return sorted({*self.hours, self.hour})
