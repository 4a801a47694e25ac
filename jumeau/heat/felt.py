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
STRIP_ROWS = 32  # rows of a strip of an hour's computation: its temporaries take memory in proportion


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
              map_hour: float, sun_steps: int = 4, strip_rows: int = STRIP_ROWS) -> dict[str, np.ndarray]:
    """The felt-heat layers (see the module's docstring) for the weather ``rows`` of :func:`day_weather`.

    ``t_air_excess``: each cell's air temperature above the reference (°C, the urban heat island).
    Each hour is computed in strips of rows (:func:`strips`): the shadows on the whole grid, then
    the fluxes, Tmrt and UTCI strip by strip, so the hour's dozens of temporary planes take a
    strip's memory, not the grid's.
    """
    shape = scene.dsm.shape
    hourly = np.empty((len(rows), *shape), dtype="float32")
    radiant = np.empty((len(rows), *shape), dtype="float32")
    strong = np.zeros(shape, dtype="float32")
    very_strong = np.zeros(shape, dtype="float32")
    sun_hours = np.zeros(shape, dtype="float32")
    surface = np.full(shape, np.nan, dtype="float32")  # at the map's hour
    for index, (hour, row) in enumerate(rows.iterrows()):
        path = weather.sun_within(*lonlat, row["time"], sun_steps)
        shares = radiation.beam_shares(scene, row, path)
        for outer, inner, rows_out in strips(shape[0], radiation.below_reach(scene.cell), strip_rows):
            part = scene.rows(outer)
            t_air = row["t_air"] + t_air_excess[outer]
            fluxes = radiation.fluxes(part, row, path, solar_hour=row["solar_hour"], sunrise=row["sunrise"],
                                      sunset=row["sunset"], max_elevation=row["max_elevation"], t_air=t_air,
                                      shares=[None if s is None else s[outer] for s in shares])
            felt = _felt(fluxes, t_air, part.scattered, float(row["relative_humidity"]), float(row["wind"]))
            hourly[index, rows_out], radiant[index, rows_out] = felt["utci"][inner], felt["t_mrt"][inner]
            strong[rows_out] += felt["strong"][inner]
            very_strong[rows_out] += felt["very_strong"][inner]
            sun_hours[rows_out] += fluxes.sunlit[inner]
            if hour == map_hour:
                surface[rows_out] = fluxes.ground_temperature[inner]
    at_map_hour = list(rows.index).index(map_hour)
    return {"t_mrt": radiant[at_map_hour], "utci": hourly[at_map_hour], "surface_temperature": surface,
            "utci_hourly": hourly, "t_mrt_hourly": radiant, "strong_stress_hours": strong,
            "very_strong_stress_hours": very_strong, "sun_hours": sun_hours}


def strips(rows: int, halo: int, size: int = STRIP_ROWS) -> list[tuple[slice, slice, slice]]:
    """Row strips covering ``rows``: (the rows computed, the rows kept among them, where those go).

    Each strip is computed with ``halo`` more rows on each side (where the grid has them), so
    that its kept rows see all the ground they would see on the whole grid.
    """
    parts = []
    for start in range(0, rows, size):
        stop = min(start + size, rows)
        first, last = max(start - halo, 0), min(stop + halo, rows)
        parts.append((slice(first, last), slice(start - first, stop - first), slice(start, stop)))
    return parts


def _felt(fluxes: radiation.Fluxes, t_air: np.ndarray, scattered: np.ndarray, humidity: float,
          wind: float) -> dict[str, np.ndarray]:
    """Tmrt, UTCI and the shares of strong and very strong stress of one hour, from its fluxes."""
    t_mrt = fluxes.mean_radiant_temperature
    utci = stress.utci(t_air, t_mrt, humidity, wind)
    strong = (utci >= stress.STRONG) * (1 - scattered)
    very_strong = (utci >= stress.VERY_STRONG) * (1 - scattered)
    sparse = scattered > 0
    if sparse.any():  # a person under one of the scattered trees, with the probability of their cover
        under = stress.utci(t_air[sparse], fluxes.under_trees[sparse], humidity, wind)
        share = scattered[sparse]
        strong[sparse] += (under >= stress.STRONG) * share
        very_strong[sparse] += (under >= stress.VERY_STRONG) * share
        t_mrt[sparse] = (1 - share) * t_mrt[sparse] + share * fluxes.under_trees[sparse]
        utci[sparse] = (1 - share) * utci[sparse] + share * under
    return {"t_mrt": t_mrt, "utci": utci, "strong": strong, "very_strong": very_strong}
