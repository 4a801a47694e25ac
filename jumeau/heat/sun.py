"""Sun position over the site (pvlib's NREL SPA) and clear-sky direct irradiance.

Times are local clock times in ``timezone`` (Europe/Paris by default), so "15 h" is
what a planner means by three in the afternoon (solar noon is near 13:50 in summer
in France).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pvlib

from jumeau.errors import ModelError


@dataclass(frozen=True)
class SunPosition:
    elevation: float  # degrees above the horizon (refraction included)
    azimuth: float  # degrees clockwise from north
    direct_normal: float  # W/m², clear sky (Ineichen–Perez)
    time: pd.Timestamp


def sun_positions(lon: float, lat: float, date: dt.date, hours, timezone: str = "Europe/Paris") -> list[SunPosition]:
    """Sun elevation, azimuth and clear-sky DNI at local clock ``hours`` (floats) of ``date``."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ModelError(f"sun: ({lon:g}, {lat:g}) is not a longitude/latitude.")
    stamps = pd.DatetimeIndex([pd.Timestamp(date) + pd.Timedelta(hours=float(h)) for h in np.atleast_1d(hours)])
    stamps = stamps.tz_localize(timezone)
    location = pvlib.location.Location(lat, lon, tz=timezone)
    position = location.get_solarposition(stamps)
    sky = location.get_clearsky(stamps, model="ineichen")
    return [SunPosition(float(e), float(a), float(d), t) for e, a, d, t in
            zip(position["apparent_elevation"], position["azimuth"], sky["dni"], stamps, strict=True)]
