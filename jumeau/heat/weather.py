"""Hour-by-hour weather for the radiation model: measured (UMEP/SUEWS met files) or a design heat-wave day.

A :class:`Weather` is a table with one row per hour, indexed by the (time-zone aware) middle
of the hour: sun elevation and azimuth (pvlib's NREL SPA), global, diffuse and direct
normal irradiance (W/m²), the clear-sky global irradiance and the clearness index
``G/G_clear``, air temperature (°C), relative humidity (%) and wind speed (m/s).

* :func:`read_met_file` reads the UMEP/SUEWS meteorological file format (24 columns,
  space separated, −999 for missing values): ``iy id it imin qn qh qe qs qf U RH Tair
  pres rain kdown snow ldown fcld wuh xsmd lai kdiff kdir wdir``. Where the diffuse
  and direct columns are missing, the global irradiance is split by Erbs et al. (1982).
* :func:`design_day` builds a clear heat-wave day: clear-sky irradiance (Ineichen–Perez),
  air temperature rising as a sine from ``t_min`` at sunrise to ``t_max`` at 15:00
  local time and falling exponentially through the night (Parton & Logan 1981), and
  the dew point of ``relative_humidity`` at ``t_max`` held all day.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib

from jumeau.errors import InputError, ModelError

MET_COLUMNS = ("iy", "id", "it", "imin", "qn", "qh", "qe", "qs", "qf", "U", "RH", "Tair", "pres", "rain",
               "kdown", "snow", "ldown", "fcld", "wuh", "xsmd", "lai", "kdiff", "kdir", "wdir")
MISSING = -999.0
CALM = 0.5  # m/s, the lowest wind UTCI accepts (at 10 m)
PEAK_HOUR = 15.0  # local clock hour of the day's highest air temperature on a design day


@dataclass(frozen=True)
class Weather:
    """Hourly weather at a site (see the module's docstring for the columns)."""

    hours: pd.DataFrame
    lon: float
    lat: float

    def __len__(self) -> int:
        return len(self.hours)

    def day(self, time: pd.Timestamp) -> pd.Series:
        """The sun's course on ``time``'s day: ``sunrise``, ``sunset`` (solar hours) and ``max_elevation`` (°)."""
        return _sun_course(self.lon, self.lat, time.date(), time.tz)


def sun_within(lon: float, lat: float, time: pd.Timestamp, steps: int = 4) -> list[tuple[float, float]]:
    """Sun (elevation, azimuth) in degrees at the middles of ``steps`` equal parts of the hour centred on ``time``:
    hourly means of sun and shade, as measured, not the shadow of one instant."""
    offsets = (np.arange(steps) + 0.5) / steps - 0.5
    times = pd.DatetimeIndex([time + pd.Timedelta(hours=float(o)) for o in offsets])
    position = pvlib.solarposition.get_solarposition(times, lat, lon)
    return list(zip(position["apparent_elevation"].to_numpy(), position["azimuth"].to_numpy(), strict=True))


def _sun_course(lon: float, lat: float, date: dt.date, tz) -> pd.Series:
    minutes = pd.date_range(pd.Timestamp(date), periods=24 * 12, freq="5min").tz_localize(tz)
    position = pvlib.solarposition.get_solarposition(minutes, lat, lon)
    solar = _solar_hours(minutes, lon)
    up = position["elevation"].to_numpy() > 0
    if not up.any():
        return pd.Series({"sunrise": 12.0, "sunset": 12.0, "max_elevation": 0.0})
    return pd.Series({"sunrise": float(solar[up][0]), "sunset": float(solar[up][-1]),
                      "max_elevation": float(position["elevation"].max())})


def _solar_hours(times: pd.DatetimeIndex, lon: float) -> np.ndarray:
    """Local apparent solar time (h) of ``times``."""
    utc = times.tz_convert("UTC")
    equation = pvlib.solarposition.equation_of_time_spencer71(utc.dayofyear.to_numpy())  # minutes
    hours = utc.hour.to_numpy() + utc.minute.to_numpy() / 60 + utc.second.to_numpy() / 3600
    return (hours + lon / 15.0 + equation / 60.0) % 24.0


def solar_hours(weather: Weather) -> np.ndarray:
    """Local apparent solar time (h) of each hour of ``weather``."""
    return _solar_hours(weather.hours.index, weather.lon)


def _complete(frame: pd.DataFrame, lon: float, lat: float) -> Weather:
    """Add the sun, the clear sky, the clearness index and missing irradiance components."""
    location = pvlib.location.Location(lat, lon)
    position = location.get_solarposition(frame.index)
    clear = location.get_clearsky(frame.index, model="ineichen", solar_position=position)
    frame = frame.copy()
    frame["elevation"] = position["apparent_elevation"].to_numpy()
    frame["azimuth"] = position["azimuth"].to_numpy()
    frame["clear_global"] = clear["ghi"].to_numpy()
    sun_up = frame["elevation"] > 0
    frame.loc[~sun_up, ["global", "diffuse", "direct_normal"]] = 0.0
    split = frame["diffuse"].isna() | frame["direct_normal"].isna()
    if split.any():
        parts = pvlib.irradiance.erbs(frame.loc[split, "global"], 90 - frame.loc[split, "elevation"],
                                      frame.index[split])
        frame.loc[split, "diffuse"] = parts["dhi"].to_numpy()
        frame.loc[split, "direct_normal"] = parts["dni"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        clearness = (frame["global"] / frame["clear_global"]).where(frame["elevation"] > 5)
    # at night and at a low sun the ratio is noise: keep the last daytime value (then the first one)
    frame["clearness"] = clearness.clip(0.0, 1.0).ffill().bfill().fillna(1.0)
    frame["wind"] = frame["wind"].fillna(1.0).clip(lower=CALM)
    return Weather(frame, lon, lat)


def read_met_file(path: str | os.PathLike, lon: float, lat: float, utc_offset: float, *,
                  label: str = "end") -> Weather:
    """Read a UMEP/SUEWS met file at (``lon``, ``lat``); its times are clock times at ``utc_offset`` hours.

    ``label`` says which moment of its hour a row's time names: ``"end"`` (the SUEWS convention),
    ``"start"`` or ``"middle"``.
    """
    path = Path(path)
    shifts = {"end": -0.5, "start": 0.5, "middle": 0.0}
    if label not in shifts:
        raise ModelError(f"met file label {label!r}: use 'end', 'start' or 'middle'.")
    try:
        table = pd.read_csv(path, sep=r"\s+", header=None, comment="%", dtype=float)
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read it as a UMEP/SUEWS met file ({error}).") from error
    if table.shape[1] != len(MET_COLUMNS):
        raise InputError(f"{path}: {table.shape[1]} columns; a UMEP/SUEWS met file has {len(MET_COLUMNS)} "
                         f"({' '.join(MET_COLUMNS)}).")
    table.columns = list(MET_COLUMNS)
    table = table.replace(MISSING, np.nan)
    for column, what in (("kdown", "global radiation (kdown)"), ("Tair", "air temperature (Tair)"),
                         ("RH", "relative humidity (RH)")):
        missing = table[column].isna()
        if missing.any():
            raise InputError(f"{path}: {what} is missing (-999) on {int(missing.sum())} of {len(table)} rows; "
                             "the radiation model needs it every hour.")
    days = pd.to_datetime(table["iy"].astype(int).astype(str), format="%Y") + pd.to_timedelta(table["id"] - 1, "D")
    clock = (days + pd.to_timedelta(table["it"] + table["imin"] / 60 + shifts[label], "h")).dt.round("s")
    zone = dt.timezone(dt.timedelta(hours=utc_offset))
    frame = pd.DataFrame({
        "global": table["kdown"].clip(lower=0).to_numpy(),
        "diffuse": table["kdiff"].to_numpy(),
        "direct_normal": table["kdir"].to_numpy(),
        "t_air": table["Tair"].to_numpy(),
        "relative_humidity": table["RH"].clip(0, 100).to_numpy(),
        "wind": table["U"].to_numpy(),
    }, index=pd.DatetimeIndex(clock).tz_localize(zone))
    return _complete(frame, lon, lat)


def dew_point(t_air: float, relative_humidity: float) -> float:
    """Dew point (°C) by the Magnus formula (Alduchov & Eskridge 1996 coefficients)."""
    gamma = math.log(max(relative_humidity, 1.0) / 100.0) + 17.625 * t_air / (243.04 + t_air)
    return 243.04 * gamma / (17.625 - gamma)


def relative_humidity(t_air: np.ndarray, t_dew: float) -> np.ndarray:
    """Relative humidity (%) of air at ``t_air`` with dew point ``t_dew`` (Magnus)."""
    magnus = lambda t: np.exp(17.625 * t / (243.04 + t))  # noqa: E731
    return np.clip(100.0 * magnus(t_dew) / magnus(np.asarray(t_air)), 0.0, 100.0)


def design_day(lon: float, lat: float, date: dt.date, *, t_min: float, t_max: float, relative_humidity_at_max: float,
               wind: float = 1.0, timezone: str = "Europe/Paris") -> Weather:
    """A clear heat-wave day, hour by hour (rows at the middle of each clock hour, 00:30 to 23:30).

    Air temperature after Parton & Logan (1981): by day ``t_min + (t_max − t_min)·sin(π·m/(L + 2a))``
    (m hours since sunrise, L the day length, ``a`` the lag that puts the peak at 15:00); by night an
    exponential fall (b = 2.2) from the sunset temperature, rescaled to reach ``t_min`` at sunrise.
    """
    if t_min > t_max:
        raise ModelError(f"design day: the night's low ({t_min:g} °C) is above the day's high ({t_max:g} °C).")
    index = pd.date_range(pd.Timestamp(date) + pd.Timedelta(minutes=30), periods=24, freq="h").tz_localize(timezone)
    course = _sun_course(lon, lat, date, index.tz)
    clock = index.hour.to_numpy() + 0.5
    offset = float(np.mean(clock - _solar_hours(index, lon)))  # clock minus solar time, in hours
    rise, fall = course["sunrise"] + offset, course["sunset"] + offset
    length = fall - rise
    lag = PEAK_HOUR - (rise + length / 2)
    amplitude = t_max - t_min
    by_day = lambda m: t_min + amplitude * np.sin(math.pi * m / (length + 2 * lag))  # noqa: E731
    night, decay = 24.0 - length, 2.2
    since_sunset = np.where(clock > fall, clock - fall, clock + 24.0 - fall)
    at_sunset = by_day(length)
    falling = (np.exp(-decay * since_sunset / night) - math.exp(-decay)) / (1 - math.exp(-decay))
    t_air = np.where((clock >= rise) & (clock <= fall), by_day(clock - rise), t_min + (at_sunset - t_min) * falling)
    frame = pd.DataFrame({
        "global": np.nan, "diffuse": np.nan, "direct_normal": np.nan, "t_air": t_air,
        "relative_humidity": relative_humidity(t_air, dew_point(t_max, relative_humidity_at_max)),
        "wind": float(wind),
    }, index=index)
    clear = pvlib.location.Location(lat, lon).get_clearsky(index, model="ineichen")
    frame["global"], frame["diffuse"], frame["direct_normal"] = (clear["ghi"].to_numpy(), clear["dhi"].to_numpy(),
                                                                  clear["dni"].to_numpy())
    return _complete(frame, lon, lat)
