"""Reading city rasters onto the twin's grid, with errors that name the file and the fix."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyproj
import rasterio
import rasterio.errors
import rasterio.fill
import rasterio.transform
import rasterio.warp
from affine import Affine
from rasterio.enums import Resampling

from jumeau.errors import InputError, RepairWarning
from jumeau.grid import Bounds, Grid, parse_crs


@dataclass(frozen=True)
class RasterInfo:
    """What we need to know about a raster before reading it."""

    path: Path
    section: str
    crs: pyproj.CRS
    transform: Affine
    width: int
    height: int
    nodata: float | None

    @property
    def bounds(self) -> Bounds:
        return rasterio.transform.array_bounds(self.height, self.width, self.transform)

    @property
    def resolution(self) -> float:
        return abs(self.transform.a)

    @property
    def origin(self) -> tuple[float, float]:
        return self.transform.c, self.transform.f

    def bounds_in(self, crs: pyproj.CRS) -> Bounds:
        if crs == self.crs:
            return self.bounds
        return rasterio.warp.transform_bounds(self.crs, crs, *self.bounds, densify_pts=21)


def _open(path: Path, section: str):
    if not path.is_file():
        raise InputError(f"{section}: file {path} not found. Check `path:` in the site file (relative to the site file).")
    try:
        return rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(
            f"{section}: {path} is not a readable raster ({str(exc).splitlines()[0]}). "
            "Give a GeoTIFF or an ESRI ASCII grid (.asc)."
        ) from None


def inspect_raster(path: Path, section: str, crs_override: str | None = None) -> RasterInfo:
    """Open a raster's header and check it has a usable CRS and geotransform."""
    with _open(path, section) as src:
        if crs_override is not None:
            crs = parse_crs(crs_override, f"{section} → crs")
        elif src.crs is None:
            raise InputError(
                f"{section}: {path} has no coordinate reference system. Add `crs: EPSG:…` under "
                f"`{section}:` in the site file (e.g. EPSG:2154 for Lambert-93), or add a .prj next to the file."
            )
        else:
            crs = pyproj.CRS.from_user_input(src.crs)
        if src.transform.b != 0 or src.transform.d != 0:
            raise InputError(f"{section}: {path} is rotated; warp it to a north-up grid first (gdalwarp).")
        if src.transform == Affine.identity():
            raise InputError(f"{section}: {path} has no georeferencing (identity transform). "
                             "Add a world file or georeference it.")
        return RasterInfo(path, section, crs, src.transform, src.width, src.height, src.nodata)


def read_onto_grid(
    info: RasterInfo, grid: Grid, resampling: Resampling, dtype: str = "float32", fill: float = np.nan
) -> np.ndarray:
    """Warp band 1 of a raster onto ``grid``; source nodata and uncovered cells become ``fill``."""
    destination = np.full(grid.shape, fill, dtype=dtype)
    with _open(info.path, info.section) as src:
        try:
            rasterio.warp.reproject(
                source=rasterio.band(src, 1),
                destination=destination,
                src_crs=info.crs,
                src_nodata=info.nodata,
                dst_transform=grid.transform,
                dst_crs=grid.crs,
                dst_nodata=fill,
                resampling=resampling,
                num_threads=2,
            )
        except rasterio.errors.RasterioError as exc:
            raise InputError(f"{info.section}: could not read {info.path} ({exc}).") from None
    return destination


def fill_holes(values: np.ndarray, section: str, path: Path) -> np.ndarray:
    """Fill NaN cells by inverse-distance interpolation (GDAL FillNodata), warning with the count."""
    holes = np.isnan(values)
    count = int(holes.sum())
    if count == 0:
        return values
    if count == values.size:
        raise InputError(
            f"{section}: {path} holds only nodata over the modelled area. Check its nodata value "
            "and that it covers the district."
        )
    distance = max(values.shape)
    filled = rasterio.fill.fillnodata(values, mask=(~holes).astype("uint8"), max_search_distance=distance)
    warnings.warn(
        f"{section}: {count} nodata cell(s) of {path.name} ({100 * count / values.size:.2f} % of the grid) "
        "were filled by interpolation from their neighbours.",
        RepairWarning,
        stacklevel=3,
    )
    return filled


def fill_gaps(values: np.ndarray, nodata: int, fill: int | None, message: str) -> np.ndarray:
    """Replace ``nodata`` cells of a class layer by ``fill``; without one, raise ``message``.

    ``message`` may use ``{count}`` and ``{percent}`` for the number and share of gaps.
    """
    gaps = values == nodata
    if not gaps.any():
        return values
    if fill is None:
        raise InputError(message.format(count=int(gaps.sum()), percent=100 * gaps.mean()))
    return np.where(gaps, fill, values).astype(values.dtype)
