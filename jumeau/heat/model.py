"""The heat model run on a Site for a scenario's heat-wave day (:class:`~jumeau.heat.forcing.HeatForcing`).

* Shade: the class table's ``shade``, the tree canopy cover and the shade really cast
  by buildings, trees and terrain over 10:00–16:00 (fraction of the hours in shadow),
  combined as their maximum (``shade="combined"``, the default); ``"table"`` keeps
  InVEST's table values only, ``"cast"`` uses the cast shade only.
* Albedo: the class table's, or an intervention's override (cool roofs, pavements).
* Then :func:`jumeau.heat.cooling.urban_cooling` (InVEST 3.20, factors method), the
  sky view factor of the surface model, the night overheating index and the UTCI of a
  person in the sun or in the shade at the chosen hour.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from jumeau import outputs
from jumeau.errors import ModelError
from jumeau.heat import cooling, night, shadows, skyview, stress, sun
from jumeau.heat.forcing import HeatForcing
from jumeau.machine import require_memory
from jumeau.site.state import Site

DESIGN_HOURS = np.arange(10.0, 16.01, 1.0)  # the design day's shade: 10:00 to 16:00, hourly
# Peak bytes per cell of heat_site (its inputs excluded): 274 measured with the kernels at
# their widest (1 m cells, 500 m mixing radius; benchmarks/bench_heat.py), and the results.
HEAT_BYTES_PER_CELL = 300


def surface_model(site: Site, trees: bool = True) -> np.ndarray:
    """Terrain plus building heights (and tree canopy heights) in metres."""
    grid = site.grid
    dsm = grid["elevation"].values.astype("float64") + grid["building_height"].values
    if trees:
        dsm = np.maximum(dsm, grid["elevation"].values + grid["canopy_height"].values)
    return dsm


def heat_site(site: Site, forcing: HeatForcing, *, shade: str = "combined", svf_radius: float = 100.0) -> xr.Dataset:
    """Heat results of a Site for a heat-wave day."""
    if shade not in ("combined", "table", "cast"):
        raise ModelError(f"shade: {shade!r}; use 'combined', 'table' or 'cast'.")
    grid = site.grid
    require_memory(grid.sizes["y"] * grid.sizes["x"], HEAT_BYTES_PER_CELL, "the heat model")
    cell = site.resolution
    dsm = surface_model(site)
    lon, lat = site.lonlat
    day = sun.sun_positions(lon, lat, forcing.date, DESIGN_HOURS)
    cast = np.mean([shadows.cast_shadow(dsm, cell, p.elevation, p.azimuth) for p in day], axis=0)
    table_shade = np.maximum(site.parameter("shade"), grid["canopy_cover"].values)
    shade_used = {"combined": np.maximum(table_shade, cast), "table": site.parameter("shade"), "cast": cast}[shade]
    like = grid["elevation"]
    result = cooling.urban_cooling(
        kc=like.copy(data=site.parameter("kc")), green_area=like.copy(data=site.parameter("green_area")),
        shade=like.copy(data=shade_used), albedo=like.copy(data=site.parameter("albedo")), et0=forcing.et0,
        t_ref=forcing.t_ref, uhi_max=forcing.uhi_max, cooling_distance=forcing.cooling_distance,
        mixing_radius=forcing.mixing_radius, relative_humidity=forcing.relative_humidity,
    )
    svf = skyview.sky_view_factor(dsm, cell, radius=svf_radius)
    (now,) = sun.sun_positions(lon, lat, forcing.date, [forcing.hour])
    sunlit = ~shadows.cast_shadow(dsm, cell, now.elevation, now.azimuth) & (grid["canopy_cover"].values < 0.5)
    t_air = result["t_air"].values.astype("float64")
    t_mrt = stress.mean_radiant_temperature(t_air, sunlit, now.elevation, now.direct_normal)
    utci = stress.utci(t_air, t_mrt, forcing.relative_humidity)
    dims = ("y", "x")
    extra = {
        "shade_fraction": cast,
        "shade": shade_used,
        "sky_view_factor": svf,
        "night_overheating": night.night_overheating(svf, grid["impervious"].values, cell),
        "t_mrt": t_mrt,
        "utci": utci,
    }
    for name, values in extra.items():
        result[name] = (dims, np.asarray(values, dtype="float32"), outputs.attrs(name, hour=forcing.hour))
    result["heat_stress_class"] = (dims, stress.stress_class(utci), outputs.attrs("heat_stress_class"))
    result.attrs.update(sun_elevation=now.elevation, sun_azimuth=now.azimuth, date=str(forcing.date), hour=forcing.hour)
    return result.rio.write_crs(site.crs)
