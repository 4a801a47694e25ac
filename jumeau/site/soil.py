"""Hydrologic soil groups (USDA NRCS A–D) on the grid, stored as codes 1–4.

Sources: one letter for the whole site, a raster of codes 1–4, or polygons with a
letter field. Dual groups such as ``A/D`` (drained/undrained) take the undrained
letter, the conservative choice for runoff, with a warning.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import rasterio.features
from rasterio.enums import Resampling

from jumeau.errors import InputError, RepairWarning
from jumeau.grid import Grid
from jumeau.io.rasters import RasterInfo, fill_gaps, read_onto_grid
from jumeau.io.vectors import require_field
from jumeau.site.schema import SOIL_GROUPS, SoilSource

CODES = {letter: code for code, letter in enumerate(SOIL_GROUPS, start=1)}
NODATA = 0


def soil_from_letter(letter: str, grid: Grid) -> np.ndarray:
    return np.full(grid.shape, CODES[letter], dtype="int8")


def soil_from_raster(info: RasterInfo, source: SoilSource, grid: Grid) -> np.ndarray:
    values = read_onto_grid(info, grid, Resampling.nearest, dtype="int16", fill=NODATA)
    bad = np.setdiff1d(np.unique(values), [NODATA, 1, 2, 3, 4])
    if len(bad):
        raise InputError(
            f"soil_group: {info.path} holds value(s) {', '.join(map(str, bad[:10]))}; expected 1–4 for groups A–D "
            "(nodata elsewhere)."
        )
    return _fill(values.astype("int8"), source)


def soil_from_polygons(frame: gpd.GeoDataFrame, source: SoilSource, grid: Grid) -> np.ndarray:
    require_field(frame, source.field, "soil_group", source.path, "field")
    letters = frame[source.field].astype(str).str.strip().str.upper()
    dual = letters.str.fullmatch(r"[A-D]/[A-D]")
    if dual.any():
        warnings.warn(
            f"soil_group: {int(dual.sum())} polygon(s) of {source.path.name} have a dual group (e.g. {letters[dual].iloc[0]}); "
            "the undrained (second) letter is used.",
            RepairWarning,
            stacklevel=2,
        )
        letters = letters.where(~dual, letters.str[-1])
    unknown = sorted(set(letters) - set(CODES))
    if unknown:
        raise InputError(
            f"soil_group: field {source.field!r} of {source.path} holds {', '.join(map(repr, unknown[:10]))}; "
            "expected the hydrologic soil group letters A, B, C or D."
        )
    values = rasterio.features.rasterize(
        zip(frame.geometry.to_numpy(), letters.map(CODES).to_numpy(), strict=True),
        out_shape=grid.shape, transform=grid.transform, fill=NODATA, dtype="int16",
    ).astype("int8")
    return _fill(values, source)


def _fill(values: np.ndarray, source: SoilSource) -> np.ndarray:
    return fill_gaps(
        values, NODATA, None if source.default is None else CODES[source.default],
        f"soil_group: {{count}} cell(s) have no soil group in {source.path}. Set `default:` "
        "(a letter A–D) under `soil_group:` for them, or complete the data.",
    )
