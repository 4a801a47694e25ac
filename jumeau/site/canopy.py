"""Tree canopy on the grid: cover fraction (0–1) and canopy height (m).

From tree points, each crown is a disk of its crown radius, rasterized on a grid
4× finer than the twin's and averaged back, so that a 3 m crown on 2 m cells gets
a fractional cover instead of all-or-nothing; canopy height is the tallest crown
over the cell. From a canopy-height raster (CHM), cover is the share of source
pixels above ``min_canopy_height`` and height their maximum.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import rasterio
import rasterio.features
import rasterio.warp
import shapely
from affine import Affine
from rasterio.enums import Resampling

from jumeau.errors import InputError
from jumeau.grid import Grid
from jumeau.io.rasters import RasterInfo, read_onto_grid
from jumeau.io.vectors import require_field
from jumeau.site.schema import TreesSource

SUPERSAMPLING = 4
STRIP_ROWS = 256  # rows of the twin's grid per strip: bounds the fine grid to ~16 MB per 1000 columns


def crowns(trees: gpd.GeoDataFrame, source: TreesSource) -> gpd.GeoDataFrame:
    """Tree points to crown disks with ``height`` and ``crown_radius`` columns."""
    if not trees.geometry.geom_type.isin(["Point", "MultiPoint"]).all():
        raise InputError(f"trees: {source.path} must hold points (one per tree), or give a canopy-height raster.")
    height = _field(trees, source.height, "height", source.default_height, source)
    if source.crown_diameter:
        radius = _field(trees, source.crown_diameter, "crown_diameter", 2 * source.default_crown_radius, source) / 2
    else:
        radius = _field(trees, source.crown_radius, "crown_radius", source.default_crown_radius, source)
    disks = shapely.buffer(shapely.centroid(trees.geometry.to_numpy()), radius, quad_segs=8)
    return gpd.GeoDataFrame({"height": height, "crown_radius": radius}, geometry=disks, crs=trees.crs)


def _field(trees: gpd.GeoDataFrame, name: str | None, key: str, default: float, source: TreesSource) -> np.ndarray:
    if name is None:
        return np.full(len(trees), default)
    require_field(trees, name, "trees", source.path, key)
    values = np.asarray(trees[name].astype("float64").to_numpy(), dtype="float64")
    bad = (values <= 0) | (values > 150)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(f"trees: field {name!r} of {source.path}, row {row + 1}: {values[row]:g} m is not a plausible value.")
    return np.where(np.isnan(values), default, values)


def canopy_from_crowns(disks: gpd.GeoDataFrame, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Cover fraction and canopy height from crown disks, strip by strip to bound memory."""
    cover = np.zeros(grid.shape, dtype="float32")
    height = np.zeros(grid.shape, dtype="float32")
    order = np.argsort(disks["height"].to_numpy(), kind="stable")  # tallest written last wins
    disks = disks.iloc[order]
    index = disks.sindex
    fine = grid.resolution / SUPERSAMPLING
    for top in range(0, grid.height, STRIP_ROWS):
        rows = min(STRIP_ROWS, grid.height - top)
        north = grid.bounds[3] - top * grid.resolution
        strip = (grid.bounds[0], north - rows * grid.resolution, grid.bounds[2], north)
        hits = np.sort(index.query(shapely.box(*strip)))
        if len(hits) == 0:
            continue
        shape = (rows * SUPERSAMPLING, grid.width * SUPERSAMPLING)
        burnt = rasterio.features.rasterize(
            zip(disks.geometry.to_numpy()[hits], disks["height"].to_numpy()[hits], strict=True),
            out_shape=shape,
            transform=Affine(fine, 0, grid.bounds[0], 0, -fine, north),
            fill=0.0,
            dtype="float32",
        )
        cover[top : top + rows], height[top : top + rows] = _reduce_blocks(burnt)
    return cover, height


def _reduce_blocks(burnt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Share of burnt fine pixels and their maximum, per SUPERSAMPLING² block.

    Strided views visit each fine pixel once without the temporaries of a 4-D
    reshape-and-reduce, which dominated the canopy stage on large grids.
    """
    offsets = [(i, j) for i in range(SUPERSAMPLING) for j in range(SUPERSAMPLING)]
    counts = np.zeros((burnt.shape[0] // SUPERSAMPLING, burnt.shape[1] // SUPERSAMPLING), dtype="uint8")
    for i, j in offsets:
        counts += burnt[i::SUPERSAMPLING, j::SUPERSAMPLING] > 0
    tallest = np.maximum.reduce([burnt[i::SUPERSAMPLING, j::SUPERSAMPLING] for i, j in offsets])
    return counts / np.float32(SUPERSAMPLING**2), tallest


def canopy_from_raster(info: RasterInfo, source: TreesSource, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Cover fraction and canopy height from a canopy-height raster (metres above ground)."""
    chm = read_onto_grid(info, grid, Resampling.max, fill=0.0)
    if grid.resolution > 1.5 * info.resolution:
        # Cover is the share of fine pixels that are canopy: average a 0/1 mask.
        with rasterio.open(info.path) as src:
            values = src.read(1, masked=True).filled(0)
        mask = (values >= source.min_canopy_height).astype("float32")
        cover = np.zeros(grid.shape, dtype="float32")
        rasterio.warp.reproject(
            mask, cover, src_transform=info.transform, src_crs=info.crs,
            dst_transform=grid.transform, dst_crs=grid.crs, resampling=Resampling.average,
        )
    else:
        cover = (chm >= source.min_canopy_height).astype("float32")
    if (chm < 0).any() or (chm > 150).any():
        raise InputError(
            f"trees: canopy heights in {info.path} span {chm.min():g}–{chm.max():g} m; expected heights above ground "
            "(0–150 m). Subtract the terrain model from a surface model first."
        )
    height = np.where(cover > 0, chm, 0.0).astype("float32")
    return np.clip(cover, 0, 1), height
