"""What the heat model needs from a scenario: the heat-wave day (:class:`HeatForcing`).

Its own module, light to import: reading a scenario file needs the spec, not the model.

>>> HeatForcing(t_ref=38).hour
15.0
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from jumeau.io.schema import Section


class HeatForcing(Section):
    """The heat-wave day: reference temperature, urban heat island, humidity, sun."""

    t_ref: float = Field(35.0, ge=-30, le=55, description="Rural reference air temperature (°C).",
                         json_schema_extra={"typical": [25.0, 45.0, 0.5]})
    uhi_max: float = Field(3.0, ge=0, le=15, description="Urban heat island magnitude (°C).")
    et0: float = Field(6.0, gt=0, le=20, description="Reference evapotranspiration of the day (mm/day).")
    relative_humidity: float = Field(40.0, ge=0, le=100, description="Relative humidity (%).")
    date: dt.date = Field(dt.date(2026, 7, 21), description="Date for the sun's course (shade).")
    hour: float = Field(15.0, ge=0, lt=24, description="Local solar hour of the heat-stress map.")
    cooling_distance: float = Field(450.0, gt=0, le=5000, description="Park cooling distance (m).")
    mixing_radius: float = Field(500.0, gt=0, le=5000, description="Air mixing radius (m).")
