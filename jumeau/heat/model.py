"""The heat model run on a Site for a scenario's heat-wave day (:class:`~jumeau.heat.forcing.HeatForcing`).

* Shade: the class table's ``shade``, the tree canopy cover and the shade really cast
  by buildings, trees and terrain over 10:00–16:00 (fraction of the hours in shadow),
  combined as their maximum (``shade="combined"``, the default); ``"table"`` keeps
  InVEST's table values only, ``"cast"`` uses the cast shade only.
* Albedo: the class table's, or an intervention's override (cool roofs, pavements).
* Then :func:`jumeau.heat.cooling.urban_cooling` (InVEST 3.20, factors method), the
  sky view factors of the surface model, the night overheating index and the felt heat
  hour by hour (:mod:`jumeau.heat.felt`: Tmrt from six-directional radiation, UTCI).
* The radiation model's ground: the class table's ``albedo``, ``emissivity`` and
  surface warming; where an intervention changes a cell's albedo (cool roofs and
  pavements), its warming scales with the short-wave it absorbs, ``(1 − α)/(1 − α_class)``.
  Tree crowns are the cells of at least half canopy cover; a sparser cover is scattered trees.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from jumeau import outputs
from jumeau.errors import ModelError
from jumeau.heat import cooling, felt, night, radiation, shadows, skyview, stress, sun
from jumeau.heat.forcing import HeatForcing
from jumeau.machine import require_memory
from jumeau.site.state import Site

DESIGN_HOURS = np.arange(10.0, 16.01, 1.0)  # the design day's shade: 10:00 to 16:00, hourly
# Peak bytes per cell of heat_site (its inputs excluded), measured by benchmarks/bench_heat.py
# with the kernels at their widest (1 m cells, 500 m mixing radius), 12 felt hours and the sky
# view factors computed: 297 at 0.25 M cells, 284 at 1 M (the hours' strips weigh less on a
# wider grid); with a margin for grids narrower still.
HEAT_BYTES_PER_CELL = 350
CROWN_COVER = 0.5  # canopy cover from which a cell is a tree crown for the sun and the sky


def surface_model(site: Site, trees: bool = True) -> np.ndarray:
    """Terrain plus building heights (and tree canopy heights) in metres."""
    grid = site.grid
    dsm = grid["elevation"].values.astype("float64") + grid["building_height"].values
    if trees:
        dsm = np.maximum(dsm, grid["elevation"].values + grid["canopy_height"].values)
    return dsm


def radiation_scene(site: Site, svf_radius: float = 100.0) -> radiation.Scene:
    """The site as the radiation model sees it (sky view factors cached per surface)."""
    grid = site.grid
    elevation = grid["elevation"].values.astype("float64")
    dsm = surface_model(site, trees=False)
    cover = grid["canopy_cover"].values.astype("float64")
    crowns = cover >= CROWN_COVER
    canopy = np.where(crowns, grid["canopy_height"].values, 0.0)
    albedo = site.parameter("albedo")
    absorbed = (1 - albedo) / np.maximum(1 - site.classes.lookup("albedo", grid["landcover"].values), 0.05)
    view = skyview.cached_sky_views(dsm, site.resolution, elevation + canopy, radius=svf_radius)
    single = lambda values: np.asarray(values, dtype="float32")  # noqa: E731 - kept all day: half the memory
    return radiation.Scene(dsm=dsm, elevation=elevation, canopy=single(canopy),
                           scattered=single(np.where(crowns, 0.0, cover)), ground=grid["building_id"].values == 0,
                           albedo=single(albedo), emissivity=single(site.parameter("emissivity")),
                           tg_slope=single(site.parameter("tg_slope") * absorbed),
                           tg_intercept=single(site.parameter("tg_intercept") * absorbed), cell=site.resolution,
                           view=view)


def heat_site(site: Site, forcing: HeatForcing, *, shade: str = "combined", svf_radius: float = 100.0) -> xr.Dataset:
    """Heat results of a Site for a heat-wave day."""
    if shade not in ("combined", "table", "cast"):
        raise ModelError(f"shade: {shade!r}; use 'combined', 'table' or 'cast'.")
    grid = site.grid
    require_memory(grid.sizes["y"] * grid.sizes["x"], HEAT_BYTES_PER_CELL, "the heat model")
    cell = site.resolution
    lon, lat = site.lonlat
    rows = felt.day_weather(forcing, lon, lat)  # a met file's errors before any long computation
    dsm = surface_model(site)
    day = sun.sun_positions(lon, lat, forcing.date, DESIGN_HOURS)
    cast = np.zeros(dsm.shape, dtype="float32")
    for position in day:
        cast += shadows.cast_shadow(dsm, cell, position.elevation, position.azimuth)
    cast /= len(day)
    del dsm  # the radiation scene has its own, without trees
    table_shade = np.maximum(site.parameter("shade"), grid["canopy_cover"].values)
    shade_used = {"combined": np.maximum(table_shade, cast), "table": site.parameter("shade"), "cast": cast}[shade]
    like = grid["elevation"]
    result = cooling.urban_cooling(
        kc=like.copy(data=site.parameter("kc")), green_area=like.copy(data=site.parameter("green_area")),
        shade=like.copy(data=shade_used), albedo=like.copy(data=site.parameter("albedo")), et0=forcing.et0,
        t_ref=forcing.t_ref, uhi_max=forcing.uhi_max, cooling_distance=forcing.cooling_distance,
        mixing_radius=forcing.mixing_radius, relative_humidity=forcing.relative_humidity,
    )
    scene = radiation_scene(site, svf_radius)
    svf = scene.view.horizontal
    # the layers are float32 as soon as they are made, and the night index's convolution comes
    # before the felt heat's hourly planes: the model's peak memory stays in proportion to the grid
    extra = {"shade_fraction": cast, "shade": shade_used, "sky_view_factor": svf,
             "night_overheating": night.night_overheating(svf, grid["impervious"].values, cell)}
    extra = {name: np.asarray(values, dtype="float32") for name, values in extra.items()}
    del cast, shade_used, table_shade
    excess = result["t_air"].values - np.float32(forcing.t_ref)
    layers = felt.felt_heat(scene, rows, (lon, lat), excess, forcing.hour)
    dims = ("y", "x")
    extra.update({name: layers[name] for name in ("t_mrt", "utci", "surface_temperature", "strong_stress_hours",
                                                  "very_strong_stress_hours", "sun_hours")})
    hours = rows.index.to_numpy()
    for name, values in extra.items():
        result[name] = (dims, np.asarray(values, dtype="float32"),
                        outputs.attrs(name, hour=forcing.hour, first=hours[0], last=hours[-1]))
    result["heat_stress_class"] = (dims, stress.stress_class(layers["utci"]), outputs.attrs("heat_stress_class"))
    for name in ("utci_hourly", "t_mrt_hourly"):
        result[name] = (("hour", *dims), layers[name], outputs.attrs(name))
    result = result.assign_coords(hour=("hour", hours.astype("float32"), {"units": "h", "long_name": "local clock hour"}))
    (now,) = sun.sun_positions(lon, lat, forcing.date, [forcing.hour])
    result.attrs.update(sun_elevation=now.elevation, sun_azimuth=now.azimuth, date=str(forcing.date), hour=forcing.hour,
                        weather=str(forcing.weather) if forcing.weather is not None else "design day")
    return result.rio.write_crs(site.crs, inplace=True)  # a copy would double the peak
