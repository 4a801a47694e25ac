"""Land cover on the grid: class codes from a raster or polygons, remapped to the class table.

Remapping translates another nomenclature to the table's ``lucode``: the presets
``umep`` (UMEP ground-cover classes 1–7) and ``corine`` (CORINE Land Cover level-3
codes) shipped in ``data/remap/``, a CSV with columns ``code,lucode``, or a mapping
written in the site file. Codes the remapping does not mention are kept as they are,
then every code must exist in the class table.

Polygons are rasterized by the cell-centre rule, larger polygons first so that small
features drawn over large ones (a pond in a park) keep their class.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
from rasterio.enums import Resampling

from jumeau.data import REMAP_DIR
from jumeau.errors import InputError
from jumeau.grid import Grid
from jumeau.io.rasters import RasterInfo, fill_gaps, read_onto_grid
from jumeau.io.vectors import require_field
from jumeau.site.schema import LandcoverSource

NODATA = -1


def read_remap(remap: str | Path | dict[int, int] | None) -> dict[int, int]:
    """The code mapping named in the site file, as a dict."""
    if remap is None:
        return {}
    if isinstance(remap, dict):
        return {int(k): int(v) for k, v in remap.items()}
    path = REMAP_DIR / f"{remap}.csv" if isinstance(remap, str) else Path(remap)
    if not path.is_file():
        raise InputError(f"landcover → remap: {path} not found. Give 'umep', 'corine', a CSV (code,lucode) or a mapping.")
    try:
        table = pd.read_csv(path, comment="#")
        return dict(zip(table["code"].astype(int), table["lucode"].astype(int), strict=True))
    except (KeyError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"landcover → remap: {path} must be a CSV with integer columns code,lucode ({exc}).") from None


def apply_remap(codes: np.ndarray, mapping: dict[int, int]) -> np.ndarray:
    """Translate codes through ``mapping``, leaving unmapped codes unchanged."""
    if not mapping:
        return codes
    present, inverse = np.unique(codes, return_inverse=True)
    translated = np.array([mapping.get(int(c), int(c)) for c in present], dtype=codes.dtype)
    return translated[inverse].reshape(codes.shape)


def landcover_from_raster(info: RasterInfo, grid: Grid) -> np.ndarray:
    """Class codes warped onto the grid: nearest at equal or finer resolution, majority when coarser."""
    resampling = Resampling.mode if grid.resolution > 1.5 * info.resolution else Resampling.nearest
    return read_onto_grid(info, grid, resampling, dtype="int32", fill=NODATA)


def landcover_from_polygons(frame: gpd.GeoDataFrame, source: LandcoverSource, grid: Grid) -> np.ndarray:
    """Class codes rasterized from polygons' ``field``."""
    require_field(frame, source.field, "landcover", source.path, "field")
    codes = pd.to_numeric(frame[source.field], errors="coerce")
    if codes.isna().any() or (codes % 1 != 0).any():
        row = int(np.flatnonzero(codes.isna() | (codes % 1 != 0))[0])
        raise InputError(
            f"landcover: field {source.field!r} of {source.path}, row {row + 1}: {frame[source.field].iloc[row]!r} "
            "is not an integer class code."
        )
    order = np.argsort(-frame.geometry.area.to_numpy(), kind="stable")
    return rasterio.features.rasterize(
        zip(frame.geometry.to_numpy()[order], codes.to_numpy(dtype="int64")[order], strict=True),
        out_shape=grid.shape, transform=grid.transform, fill=NODATA, dtype="int32",
    )


def fill_uncovered(codes: np.ndarray, source: LandcoverSource) -> np.ndarray:
    """Give uncovered cells ``fill_class``, or refuse them with their count."""
    return fill_gaps(
        codes, NODATA, source.fill_class,
        f"landcover: {{count}} cell(s) ({{percent:.1f}} % of the grid) are not covered by {source.path} "
        "(nodata or no polygon). Set `fill_class:` under `landcover:` to give them a class, "
        "or complete the land-cover data.",
    )
