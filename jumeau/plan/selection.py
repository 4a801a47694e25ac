"""Where an intervention applies: geometries, cell masks and building selections on a Site.

A :class:`~jumeau.plan.scenario.Where` gives a geometry (WKT, GeoJSON or a vector file,
reprojected to the site's CRS), optionally a building filter and a land-cover filter.
Cells are selected by the same cell-centre rule as the site's rasterization
(``rasterio.features``); a geometry smaller than a cell still selects the cell under
its representative point, so a small area is never silently empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pyproj
import rasterio.features
import shapely
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from jumeau.errors import InputError, ScenarioError
from jumeau.grid import parse_crs
from jumeau.io.vectors import read_vector
from jumeau.plan.scenario import BuildingFilter, Where
from jumeau.site.state import Site
from jumeau.site.vocabulary import normalise_use


@dataclass(frozen=True)
class Selection:
    """The resolved ``where`` of an intervention."""

    geometry: BaseGeometry | None  # in the site's CRS; None = the whole site
    cells: np.ndarray  # bool (y, x): cells inside the area (and of the chosen classes)
    buildings: np.ndarray  # ids of the chosen buildings (empty without a building filter)


def select(site: Site, where: Where, context: str) -> Selection:
    """Resolve ``where`` on ``site``; ``context`` names the intervention in error messages."""
    geometry = _geometry(site, where, context)
    if geometry is None:
        cells = np.ones(site.shape, dtype=bool)
    else:
        cells = cells_of(site, geometry)
    if where.landcover is not None:
        unknown = sorted(set(where.landcover) - set(site.classes.codes.tolist()))
        if unknown:
            raise ScenarioError(f"{context}: where → landcover: code(s) {unknown} are not in the class table "
                                f"{site.classes.source}.")
        cells &= np.isin(site.grid["landcover"].values, where.landcover)
    chosen = np.array([], dtype="int64")
    if where.buildings is not None:
        chosen = _buildings(site, where.buildings, geometry, context)
    return Selection(geometry=geometry, cells=cells, buildings=chosen)


def cells_of(site: Site, geometry: BaseGeometry) -> np.ndarray:
    """Cells whose centre lies in ``geometry`` (a geometry missing every centre gets one cell)."""
    transform = site.grid_spec.transform
    mask = rasterio.features.geometry_mask([geometry], out_shape=site.shape, transform=transform, invert=True)
    if not mask.any():
        point = shapely.point_on_surface(geometry)
        row, col = rasterio.transform.rowcol(transform, point.x, point.y)
        if 0 <= row < site.shape[0] and 0 <= col < site.shape[1]:
            mask[row, col] = True
    return mask


def _geometry(site: Site, where: Where, context: str) -> BaseGeometry | None:
    if where.file is not None:
        try:
            frame = read_vector(where.file, context, layer=where.layer, crs_override=where.crs, target_crs=site.crs)
        except InputError as exc:
            raise ScenarioError(str(exc)) from None
        geometry = shapely.union_all(frame.geometry.to_numpy())
    elif where.wkt is not None or where.geojson is not None:
        geometry = _parse(where, context)
        if where.crs is not None:
            try:
                source = parse_crs(where.crs, f"{context} → where → crs")
            except InputError as exc:
                raise ScenarioError(str(exc)) from None
            if source != pyproj.CRS.from_user_input(site.crs):
                geometry = gpd.GeoSeries([geometry], crs=source).to_crs(site.crs).iloc[0]
    else:
        return None
    if where.buffer:
        geometry = geometry.buffer(where.buffer)
    if geometry.is_empty:
        raise ScenarioError(f"{context}: where: the geometry is empty.")
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    return _inside_site(site, geometry, context)


def _parse(where: Where, context: str) -> BaseGeometry:
    try:
        if where.wkt is not None:
            return shapely.from_wkt(where.wkt)
        data = where.geojson or {}
        if data.get("type") == "FeatureCollection":
            return shapely.union_all([shapely.from_geojson(json.dumps(f["geometry"])) for f in data.get("features", [])])
        if data.get("type") == "Feature":
            data = data["geometry"]
        return shapely.from_geojson(json.dumps(data))
    except (GEOSException, KeyError, TypeError, ValueError) as exc:
        kind = "wkt" if where.wkt is not None else "geojson"
        raise ScenarioError(f"{context}: where → {kind} is not a valid geometry ({exc}).") from None


def _inside_site(site: Site, geometry: BaseGeometry, context: str) -> BaseGeometry:
    xmin, ymin, xmax, ymax = site.grid.rio.bounds()
    extent = shapely.box(xmin, ymin, xmax, ymax)
    if not geometry.intersects(extent):
        gx0, gy0, gx1, gy1 = geometry.bounds
        raise ScenarioError(
            f"{context}: where: the geometry (x {gx0:.0f}–{gx1:.0f}, y {gy0:.0f}–{gy1:.0f}) lies outside the site "
            f"(x {xmin:.0f}–{xmax:.0f}, y {ymin:.0f}–{ymax:.0f}, {site.crs.to_string()}). Check its coordinates "
            "and give `crs:` if they are not in the site's CRS."
        )
    return geometry.intersection(extent) if not extent.contains(geometry) else geometry


def _buildings(site: Site, rule: BuildingFilter, geometry: BaseGeometry | None, context: str) -> np.ndarray:
    frame = site.buildings
    keep = np.ones(len(frame), dtype=bool)
    if geometry is not None:
        keep &= frame.geometry.intersects(geometry).to_numpy()
    if rule.ids is not None:
        missing = sorted(set(rule.ids) - set(frame.index.tolist()))
        if missing:
            raise ScenarioError(f"{context}: where → buildings → ids: no building with id {missing[:10]} in the site.")
        keep &= frame.index.isin(rule.ids)
    if rule.use is not None:
        uses = [rule.use] if isinstance(rule.use, str) else rule.use
        keep &= frame["use"].isin([normalise_use(u) for u in uses]).to_numpy()
    if rule.min_height is not None:
        keep &= (frame["height"] >= rule.min_height).to_numpy()
    if rule.max_height is not None:
        keep &= (frame["height"] <= rule.max_height).to_numpy()
    if rule.min_area is not None:
        keep &= (frame.geometry.area >= rule.min_area).to_numpy()
    chosen = frame.index.to_numpy()[keep]
    if len(chosen) == 0:
        raise ScenarioError(f"{context}: where → buildings selects no building. Widen the area or the filter.")
    return chosen
