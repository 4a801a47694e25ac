"""Felt heat through the day: Tmrt and UTCI hour by hour, hours of heat stress, sun hours.

For each hour of :meth:`HeatForcing.felt_hours` the radiation model
(:mod:`jumeau.heat.radiation`) gives the mean radiant temperature of a standing person on
every ground cell; the UTCI follows from it, the cell's air temperature at that hour and
the day's humidity and wind (:mod:`jumeau.heat.stress`). The air temperature of a cell at
an hour is the reference curve of the day (the design day's or the measured one) plus the
cell's urban excess ``t_air − t_ref`` from the cooling model: the heat island is added to
the daytime hours alike.

Where trees are scattered (a cover too sparse for crowns), a person stands under one of
them with the probability of their cover: hours of stress count both cases so weighted,
and Tmrt and UTCI are their expected values.

Layers: ``utci_hourly`` and ``t_mrt_hourly`` (hour, y, x); at the map's hour ``t_mrt``, ``utci``,
``heat_stress_class`` and ``surface_temperature``; over the computed hours
``strong_stress_hours`` (UTCI ≥ 32 °C), ``very_strong_stress_hours`` (UTCI ≥ 38 °C) and
``sun_hours`` (hours of direct sun, shares of hours summed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jumeau.errors import InputError
from jumeau.heat import radiation, stress, weather
from jumeau.heat.forcing import HeatForcing

TIMEZONE = "Europe/Paris"  # the clock of the forcing's hours


def day_weather(forcing: HeatForcing, lon: float, lat: float) -> pd.DataFrame:
    """The weather rows of the forcing's felt hours, indexed by local clock hour; with the day's sun course."""
    if forcing.weather is None:
        source = weather.design_day(lon, lat, forcing.date, t_min=forcing.t_min, t_max=forcing.t_ref,
                                    relative_humidity_at_max=forcing.relative_humidity, wind=forcing.wind,
                                    timezone=TIMEZONE)
    else:
        source = weather.read_met_file(forcing.weather, lon, lat, forcing.weather_utc_offset,
                                       label=forcing.weather_label)
    table = source.hours.copy()
    table["solar_hour"] = weather.solar_hours(source)
    table["time"] = table.index
    local = table.index.tz_convert(TIMEZONE)
    on_date = local.date == forcing.date
    table = table[on_date]
    table.index = pd.Index(local[on_date].hour.astype(float))
    table = table[~table.index.duplicated()]
    hours = forcing.felt_hours()
    missing = [h for h in hours if h not in table.index]
    if missing:
        where = forcing.weather if forcing.weather is not None else "the design day"
        raise InputError(f"{where}: no weather for {forcing.date} at {', '.join(f'{h:g} h' for h in missing)} "
                         f"(local time); give a met file covering those hours or change `hours`.")
    rows = table.loc[hours]
    course = source.day(rows["time"].iloc[0])
    return rows.assign(sunrise=course["sunrise"], sunset=course["sunset"], max_elevation=course["max_elevation"])


def felt_heat(scene: radiation.Scene, rows: pd.DataFrame, lonlat: tuple[float, float], t_air_excess: np.ndarray,
              map_hour: float, sun_steps: int = 4) -> dict[str, np.ndarray]:
    """The felt-heat layers (see the module's docstring) for the weather ``rows`` of :func:`day_weather`.

    ``t_air_excess``: each cell's air temperature above the reference (°C, the urban heat island).
    """
    shape = scene.dsm.shape
    hourly = np.empty((len(rows), *shape), dtype="float32")
    radiant = np.empty((len(rows), *shape), dtype="float32")
    strong = np.zeros(shape, dtype="float32")
    very_strong = np.zeros(shape, dtype="float32")
    sun_hours = np.zeros(shape, dtype="float32")
    layers: dict[str, np.ndarray] = {}
    scattered = scene.scattered
    sparse = scattered > 0
    for index, (hour, row) in enumerate(rows.iterrows()):
        path = weather.sun_within(*lonlat, row["time"], sun_steps)
        t_air = row["t_air"] + t_air_excess
        fluxes = radiation.fluxes(scene, row, path, solar_hour=row["solar_hour"], sunrise=row["sunrise"],
                                  sunset=row["sunset"], max_elevation=row["max_elevation"], t_air=t_air)
        humidity, wind = float(row["relative_humidity"]), float(row["wind"])
        t_mrt = fluxes.mean_radiant_temperature
        utci = stress.utci(t_air, t_mrt, humidity, wind)
        strong += (utci >= stress.STRONG) * (1 - scattered)
        very_strong += (utci >= stress.VERY_STRONG) * (1 - scattered)
        if sparse.any():  # a person under one of the scattered trees, with the probability of their cover
            under = stress.utci(t_air[sparse], fluxes.under_trees[sparse], humidity, wind)
            share = scattered[sparse]
            strong[sparse] += (under >= stress.STRONG) * share
            very_strong[sparse] += (under >= stress.VERY_STRONG) * share
            t_mrt, utci = t_mrt.copy(), utci.copy()
            t_mrt[sparse] = (1 - share) * t_mrt[sparse] + share * fluxes.under_trees[sparse]
            utci[sparse] = (1 - share) * utci[sparse] + share * under
        hourly[index], radiant[index] = utci, t_mrt
        sun_hours += fluxes.sunlit
        if hour == map_hour:
            layers.update(t_mrt=t_mrt, utci=utci, surface_temperature=fluxes.ground_temperature)
    layers.update(utci_hourly=hourly, t_mrt_hourly=radiant, strong_stress_hours=strong, very_strong_stress_hours=very_strong,
                  sun_hours=sun_hours)
    return layers
