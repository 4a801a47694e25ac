"""``load_site``: from a site file to a validated :class:`~jumeau.site.Site` on one grid."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio.features
import rasterio.warp
import rioxarray  # noqa: F401 - registers the .rio accessor
import shapely
import xarray as xr
from rasterio.enums import Resampling

from jumeau.data import CLASS_TABLE
from jumeau.errors import InputError, RepairWarning
from jumeau.grid import Grid, check_size, intersect, parse_crs, require_projected, snap
from jumeau.io.rasters import RasterInfo, fill_holes, inspect_raster, read_onto_grid
from jumeau.io.vectors import polygonal, read_vector, require_field
from jumeau.site import canopy, landcover, soil, terrain
from jumeau.site.buildings import prepare_buildings, rasterize_buildings
from jumeau.site.classes import ClassTable
from jumeau.site.schema import SiteFile, Source, read_site_file
from jumeau.site.state import LAYERS, Site, layer
from jumeau.site.vocabulary import SENSITIVE_USES, normalise_uses

log = logging.getLogger(__name__)

ELEVATION_RANGE = (-500.0, 9000.0)  # m; values outside are an undeclared nodata or wrong units
SITE_BUILDING_DISTANCE = 10.0  # m: a site-of-interest point this close to a footprint belongs to it
MIN_CELLS = 3  # cells across, at least: fewer leave no interior cell for water and shade to cross


def load_site(path: str | os.PathLike) -> Site:
    """Read a site file and every input it names onto one grid.

    Raises :class:`~jumeau.errors.InputError` for unusable input and emits
    :class:`~jumeau.errors.RepairWarning` for what was repaired or assumed; these are also
    kept in ``site.metadata["repairs"]``, so that each run's provenance states them.
    """
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RepairWarning)
            site = _load(Path(path))
    finally:  # shown as they would have been, failure or not
        for warning in caught:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    site.metadata["repairs"] = [str(w.message) for w in caught if issubclass(w.category, RepairWarning)]
    return site


def _load(path: Path) -> Site:
    config = read_site_file(path)
    classes = ClassTable.read(config.landcover.classes or CLASS_TABLE)
    elevation_info = inspect_raster(config.elevation.path, "elevation", config.elevation.crs)
    crs = parse_crs(config.crs, f"{path} → crs") if config.crs else elevation_info.crs
    require_projected(crs, f"{path}" if config.crs else f"elevation {elevation_info.path}",
                      elevation_info.bounds_in(pyproj.CRS.from_epsg(4326)))
    resolution = config.resolution or elevation_info.resolution
    if elevation_info.crs != crs and config.resolution is None:
        raise InputError(f"{path}: the elevation is not in the working CRS {crs.to_string()}; set `resolution:` in metres.")

    rasters = {"elevation": elevation_info}
    for section, source in (("landcover", config.landcover), ("soil_group", config.soil_group), ("trees", config.trees)):
        if isinstance(source, Source) and source.is_raster:
            rasters[section] = inspect_raster(source.path, section, source.crs)
    vectors = {}
    if not config.landcover.is_raster:
        vectors["landcover"] = polygonal(_read(config.landcover, "landcover", crs), "landcover", config.landcover.path)
    study_area = None
    if config.study_area is not None:
        study_area = polygonal(_read(config.study_area, "study_area", crs), "study_area", config.study_area.path)

    grid = _choose_grid(path, config, crs, resolution, rasters, vectors, study_area)
    check_size(grid, config.max_cells, str(path))
    log.info("grid %d x %d at %g m in %s", grid.width, grid.height, grid.resolution, crs.to_string())

    elevation = _elevation(elevation_info, grid)
    if np.isnan(elevation[[0, -1]]).any() or np.isnan(elevation[:, [0, -1]]).any():  # nodata reaches the edge
        grid, elevation = _within_data(path, config, grid, elevation)
    frame = xr.Dataset(coords={"y": ("y", grid.y), "x": ("x", grid.x)})
    values = {"elevation": terrain.survey(fill_holes(elevation, "elevation", elevation_info.path), grid.resolution,
                                          config.elevation.path.name, config.elevation.fill_pits,
                                          config.elevation.smooth_terraces)}
    codes = _landcover(config, rasters, vectors, grid, classes)
    buildings = _buildings(config, crs, grid)
    building_id = rasterize_buildings(buildings, grid) if len(buildings) else np.zeros(grid.shape, "int32")
    heights = np.concatenate([[0.0], buildings["height"].to_numpy()])
    values["building_height"] = heights[building_id]
    values["building_id"] = building_id
    roof_class = _roof_class(path, config, classes)
    if roof_class is not None:
        codes = np.where(building_id > 0, roof_class, codes)
    values["landcover"] = codes
    values["impervious"] = classes.lookup("impervious", codes)
    values["soil_group"] = _soil(config, rasters, crs, grid)
    values["canopy_cover"], values["canopy_height"] = _woods(*_canopy(config, rasters, crs, grid), codes, classes)
    values["study_area"] = _study_mask(study_area, grid)
    buildings["n_cells"] = np.bincount(building_id.ravel(), minlength=len(buildings) + 1)[1:]
    sites = _sites(config, crs, grid, buildings)
    buildings["sensitive"] |= buildings.index.isin(sites.loc[sites["sensitive"], "building_id"])

    for name in LAYERS:
        frame[name] = layer(name, values[name], frame)
    # in place: each non-inplace rio call deep-copies every layer of the grid
    frame.rio.write_crs(crs, inplace=True).rio.write_transform(grid.transform, inplace=True)
    frame.attrs.update(
        title=f"jumeau site: {config.name}", Conventions="CF-1.8", source=str(path.resolve()),
        institution="jumeau",
    )
    return Site(name=config.name, grid=frame, buildings=buildings, sites=sites, classes=classes,
                source=path.resolve(), metadata={"config": config})


def _roof_class(path: Path, config: SiteFile, classes: ClassTable) -> int | None:
    """The class burnt under footprints (``landcover → building_class``), checked against the table."""
    wanted = config.landcover.building_class
    if wanted is None:
        return None
    code = classes.code_for("roof") if wanted == "roof" else wanted
    if code is None:
        raise InputError(
            f"{path}: landcover → building_class is 'roof', but the class table {classes.source} gives no class "
            "the role roof. Add a `role` column naming the roof class, give its code (building_class: 1), or "
            "write building_class: null to keep the land cover as given under buildings."
        )
    if code not in classes.table.index:
        raise InputError(
            f"{path}: landcover → building_class {code} is not in the class table "
            f"{classes.source}. Give the code of the roof class, or null to keep the land cover as given."
        )
    return int(code)


def _read(source: Source, section: str, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    return read_vector(source.path, section, source.layer, source.crs, crs, source.encoding)


def _choose_grid(path, config: SiteFile, crs, resolution, rasters: dict[str, RasterInfo], vectors, study_area) -> Grid:
    elevation = rasters["elevation"]
    origin = elevation.origin if elevation.crs == crs else (0.0, 0.0)
    covered = elevation.bounds_in(crs)
    if config.bounds is not None or study_area is not None:
        wanted = config.bounds if config.bounds is not None else tuple(study_area.total_bounds)
        area_file = config.study_area.path if config.study_area is not None else None
        what = f"{path} → bounds" if config.bounds is not None else f"study_area {area_file}"
        within = intersect({what: wanted, f"elevation {elevation.path}": covered})
        if within != tuple(wanted):
            warnings.warn(f"{what} extends beyond the elevation; the grid is cut to the elevation's extent.",
                          RepairWarning, stacklevel=3)
        bounds = snap(within, resolution, origin, outward=within == tuple(wanted))
    else:
        named = {f"{name} {info.path}": info.bounds_in(crs) for name, info in rasters.items()}
        named.update({f"{name} {config.landcover.path}": tuple(frame.total_bounds) for name, frame in vectors.items()})
        bounds = snap(intersect(named), resolution, origin, outward=False)
    width, height = bounds[2] - bounds[0], bounds[3] - bounds[1]
    if width < MIN_CELLS * resolution or height < MIN_CELLS * resolution:
        finer = min(width, height) / MIN_CELLS
        hint = f"a resolution of at most {finer:.3g} m" if finer > 0 else "larger bounds"
        raise InputError(f"{path}: the modelled area ({width:g} m × {height:g} m) is less than {MIN_CELLS} cells of "
                         f"{resolution:g} m across, too few to model water or shade flowing between cells; use "
                         f"{hint}, or check bounds and inputs.")
    return Grid(crs, float(resolution), (float(bounds[0]), float(bounds[1]), float(bounds[2]), float(bounds[3])))


def _elevation(info: RasterInfo, grid: Grid) -> np.ndarray:
    resampling = Resampling.average if grid.resolution > 1.5 * info.resolution else Resampling.bilinear
    values = read_onto_grid(info, grid, resampling)
    low, high = np.nanmin(values, initial=np.inf), np.nanmax(values, initial=-np.inf)
    if np.isfinite(low) and (low < ELEVATION_RANGE[0] or high > ELEVATION_RANGE[1]):
        raise InputError(
            f"elevation: {info.path} spans {low:g} to {high:g} m, outside {ELEVATION_RANGE[0]:g}–{ELEVATION_RANGE[1]:g} m. "
            "Declare its nodata value (e.g. gdal_edit.py -a_nodata -9999) or convert it to metres."
        )
    return values


FRINGE = 0.005  # share of a chosen grid that may lack terrain at its edge (a resampling fringe) and be filled


def _within_data(path: Path, config: SiteFile, grid: Grid, elevation: np.ndarray) -> tuple[Grid, np.ndarray]:
    """The grid cut to where the terrain has data (see :mod:`jumeau.site.terrain`), and its elevation."""
    outside = terrain.outside_data(elevation)
    share = float(outside.mean())
    if share == 1.0:
        return grid, elevation  # no data at all: said as such when filling
    chosen = "bounds" if config.bounds is not None else \
        f"study_area {config.study_area.path}" if config.study_area is not None else None
    if chosen is not None:
        if share <= FRINGE:
            return grid, elevation
        raise InputError(f"{path}: {share:.1%} of the grid chosen by {chosen} ({int(outside.sum()):,} cells) lies beyond "
                         f"the elevation's data ({config.elevation.path.name}); jumeau does not invent terrain there. "
                         "Give a terrain model covering the area (all its tiles), or a smaller area.")
    r0, r1, c0, c1 = terrain.largest_rectangle(~outside)
    if min(r1 - r0, c1 - c0) < MIN_CELLS:
        raise InputError(f"{path}: the elevation {config.elevation.path.name} has data on no rectangle of at least "
                         f"{MIN_CELLS} cells across inside the inputs' extent; check its nodata value and extent.")
    xmin, _, _, ymax = grid.bounds
    res = grid.resolution
    cropped = Grid(grid.crs, res, (xmin + c0 * res, ymax - r1 * res, xmin + c1 * res, ymax - r0 * res))
    kept = (r1 - r0) * (c1 - c0) / outside.size
    warnings.warn(f"elevation: {share:.1%} of the inputs' extent has no terrain in {config.elevation.path.name} "
                  f"(beyond its edges); the grid is cut to the largest rectangle with terrain, {cropped.width} × "
                  f"{cropped.height} cells ({kept:.0%} of the extent), instead of inventing ground. Give `bounds:` or "
                  "a `study_area:` inside the data to choose another area.", RepairWarning, stacklevel=4)
    return cropped, elevation[r0:r1, c0:c1]


def _landcover(config: SiteFile, rasters, vectors, grid: Grid, classes: ClassTable) -> np.ndarray:
    source = config.landcover
    if source.is_raster:
        codes = landcover.landcover_from_raster(rasters["landcover"], grid)
    else:
        codes = landcover.landcover_from_polygons(vectors["landcover"], source, grid)
    codes = landcover.apply_remap(codes, landcover.read_remap(source.remap))
    if source.layers:
        crs = pyproj.CRS.from_user_input(grid.crs)
        layers = [(layer, _read(layer, f"landcover → layers: {layer.path.name}", crs)) for layer in source.layers]
        codes = landcover.draw_layers(codes, layers, grid)
    codes = landcover.fill_uncovered(codes, source)
    classes.check_codes(codes, f"landcover {source.path}")
    return codes


def _buildings(config: SiteFile, crs, grid: Grid) -> gpd.GeoDataFrame:
    source = config.buildings
    if source is None:
        empty = gpd.GeoDataFrame({"id": [], "height": [], "height_source": [], "use": [], "use_source": [],
                                  "population": [], "population_estimated": [], "population_source": [],
                                  "sensitive": []},
                                 geometry=gpd.GeoSeries([], crs=crs), crs=crs)
        empty.index.name = "building_id"
        return empty
    frame = polygonal(_read(source, "buildings", crs), "buildings", source.path)
    inside = frame.intersects(shapely.box(*grid.bounds))
    if not inside.any():
        raise InputError(f"buildings: none of the {len(frame)} footprints of {source.path} lies in the modelled area; "
                         "check its CRS and the site's bounds.")
    if not inside.all():
        log.info("buildings: %d footprint(s) outside the modelled area left out", int((~inside).sum()))
    tiles = None
    if source.population_tiles is not None:
        tiles = polygonal(_read(source.population_tiles, "buildings → population_tiles", crs),
                          "buildings → population_tiles", source.population_tiles.path)
    return prepare_buildings(frame[inside].reset_index(drop=True), source, tiles, grid.bounds)


def _soil(config: SiteFile, rasters, crs, grid: Grid) -> np.ndarray:
    source = config.soil_group
    if isinstance(source, str):
        return soil.soil_from_letter(source, grid)
    if source.is_raster:
        return soil.soil_from_raster(rasters["soil_group"], source, grid)
    return soil.soil_from_polygons(polygonal(_read(source, "soil_group", crs), "soil_group", source.path), source, grid)


def _canopy(config: SiteFile, rasters, crs, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    source = config.trees
    if source is None:
        return np.zeros(grid.shape, "float32"), np.zeros(grid.shape, "float32")
    if source.is_raster:
        return canopy.canopy_from_raster(rasters["trees"], source, grid)
    trees = _read(source, "trees", crs)
    return canopy.canopy_from_crowns(canopy.crowns(trees, source), grid)


def _woods(cover: np.ndarray, height: np.ndarray, codes: np.ndarray, classes: ClassTable
           ) -> tuple[np.ndarray, np.ndarray]:
    """Tree canopy with the woods of the land cover added (a class's ``canopy_height``): woods shade too."""
    woods = classes.lookup("canopy_height", codes, fill=0.0).astype("float32")
    return np.where(woods > 0, np.float32(1.0), cover), np.maximum(height, woods)


def _study_mask(study_area: gpd.GeoDataFrame | None, grid: Grid) -> np.ndarray:
    if study_area is None:
        return np.ones(grid.shape, "int8")
    return rasterio.features.rasterize(
        ((geometry, 1) for geometry in study_area.geometry), out_shape=grid.shape, transform=grid.transform,
        fill=0, dtype="uint8", all_touched=True,
    ).astype("int8")


def _sites(config: SiteFile, crs, grid: Grid, buildings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    columns = ["id", "name", "type", "category", "sensitive", "building_id"]
    source = config.sites
    if source is None:
        empty = gpd.GeoDataFrame({c: [] for c in columns}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
        empty.index.name = "site_id"
        return empty
    frame = _read(source, "sites", crs)
    frame = frame[frame.intersects(shapely.box(*grid.bounds))].reset_index(drop=True)
    require_field(frame, source.type, "sites", source.path, "type")
    if source.name is not None:
        require_field(frame, source.name, "sites", source.path, "name")
    category = normalise_uses(frame[source.type].astype("string"))
    table = gpd.GeoDataFrame(
        {
            "id": [f"s{i + 1}" for i in range(len(frame))],
            "name": frame[source.name].astype(str).to_numpy() if source.name else frame[source.type].astype(str).to_numpy(),
            "type": frame[source.type].astype(str).to_numpy(),
            "category": category.to_numpy(),
            "sensitive": category.isin(SENSITIVE_USES).to_numpy(),
        },
        geometry=frame.geometry.to_numpy(), crs=crs,
    )
    table["building_id"] = _building_of(table, buildings)
    table.index = pd.RangeIndex(1, len(table) + 1, name="site_id")
    return table


def _building_of(sites: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame) -> np.ndarray:
    """The building each site stands in (or within 10 m of, nearest first), 0 if none."""
    if len(buildings) == 0 or len(sites) == 0:
        return np.zeros(len(sites), dtype="int64")
    joined = gpd.sjoin_nearest(
        sites[["geometry"]], buildings[["geometry"]].reset_index(), how="left",
        max_distance=SITE_BUILDING_DISTANCE, distance_col="distance",
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["building_id"].fillna(0).astype("int64").reindex(sites.index).to_numpy()
