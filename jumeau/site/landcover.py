"""Land cover on the grid: class codes from a raster or polygons, remapped to the class table.

Remapping translates another nomenclature to the table's ``lucode``: the presets
``umep`` (UMEP ground-cover classes 1–7) and ``corine`` (CORINE Land Cover level-3
codes) shipped in ``data/remap/``, a CSV with columns ``code,lucode``, or a mapping
written in the site file. Codes the remapping does not mention are kept as they are,
then every code must exist in the class table.

Polygons are rasterized by the cell-centre rule, larger polygons first so that small
features drawn over large ones (a pond in a park) keep their class.

Layers (``landcover: {layers: [...]}``) are vector files drawn over the base land cover,
the first listed on top: BD TOPO's water surfaces, roads (lines widened by their
``LARGEUR``) and vegetation zones over an OSO or CORINE raster, say. A layer gives one
class to all its features (``code:``) or reads a field of codes or of names (``field:``)
through a remapping; names are matched without case or accents
(``remap: bdtopo_vegetation`` for ``ZONE_DE_VEGETATION.NATURE``), and a name the
remapping lacks is an error listing them, never a guess.
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
from jumeau.site.schema import LandcoverLayer, LandcoverSource
from jumeau.site.vocabulary import fold

NODATA = -1


def read_remap(remap: str | Path | dict | None) -> dict:
    """The mapping named in the site file, as a dict: integer codes, or folded names (see :func:`fold`)."""
    if remap is None:
        return {}
    if isinstance(remap, dict):
        return {_key(k): int(v) for k, v in remap.items()}
    path = REMAP_DIR / f"{remap}.csv" if isinstance(remap, str) else Path(remap)
    if not path.is_file():
        raise InputError(f"landcover → remap: {path} not found. Give 'umep', 'corine', 'oso', 'bdtopo_vegetation', "
                         "'bdtopo_sport', 'bdtopo_cemetery', a CSV (code,lucode) or a mapping.")
    try:
        table = pd.read_csv(path, comment="#", dtype={"code": str})
        return dict(zip(table["code"].map(_key), table["lucode"].astype(int), strict=True))
    except (KeyError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"landcover → remap: {path} must be a CSV with columns code,lucode, lucode an integer "
                         f"({exc}).") from None


def _key(value: object) -> int | str:
    """An integer code as an int, a name folded (no case, no accents)."""
    text = str(value).strip()
    try:
        return int(float(text)) if float(text) % 1 == 0 else fold(text)
    except ValueError:
        return fold(text)


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


def draw_layers(codes: np.ndarray, layers: list[tuple[LandcoverLayer, gpd.GeoDataFrame]], grid: Grid) -> np.ndarray:
    """``codes`` with each layer's features drawn over them, the first listed on top."""
    for layer, frame in reversed(layers):
        drawn = _layer_codes(layer, frame, grid)
        codes = np.where(drawn != NODATA, drawn, codes)
    return codes


def _layer_codes(layer: LandcoverLayer, frame: gpd.GeoDataFrame, grid: Grid) -> np.ndarray:
    name = f"landcover → layers: {layer.path.name}"
    shapes = _areas(layer, frame, name)
    if layer.code is not None:
        codes = pd.Series(layer.code, index=frame.index)
    else:
        require_field(frame, layer.field, name, layer.path, "field")
        codes = _classes(frame[layer.field], read_remap(layer.remap), name, layer)
    keep = ~shapes.is_empty
    order = np.argsort(-shapes[keep].area.to_numpy(), kind="stable")
    if not keep.any():
        return np.full(grid.shape, NODATA, dtype="int32")
    return rasterio.features.rasterize(
        zip(shapes[keep].to_numpy()[order], codes[keep].to_numpy(dtype="int64")[order], strict=True),
        out_shape=grid.shape, transform=grid.transform, fill=NODATA, dtype="int32",
    )


def _areas(layer: LandcoverLayer, frame: gpd.GeoDataFrame, name: str) -> gpd.GeoSeries:
    """Polygons as they are; lines widened by their width (flat ends); points refused."""
    kinds = frame.geometry.geom_type
    if kinds.isin(["Point", "MultiPoint"]).any():
        raise InputError(f"{name}: points cannot cover ground; give polygons, or lines with a width.")
    lines = kinds.isin(["LineString", "MultiLineString"])
    if not lines.any():
        return frame.geometry
    if layer.width_field is not None:
        require_field(frame, layer.width_field, name, layer.path, "width_field")
        width = pd.to_numeric(frame[layer.width_field], errors="coerce")
        if layer.width is not None:
            width = width.fillna(layer.width)
        missing = lines & ~(width > 0)
        if missing.any():
            raise InputError(f"{name}: {int(missing.sum())} line(s) have no width in {layer.width_field!r}; give "
                             "`width:` (m) for them.")
    elif layer.width is not None:
        width = pd.Series(layer.width, index=frame.index)
    else:
        raise InputError(f"{name}: the file holds lines; give their width with `width:` (m) or `width_field:`.")
    shapes = frame.geometry.copy()
    shapes[lines] = frame.geometry[lines].buffer(width[lines] / 2, cap_style="flat")
    return shapes


def _classes(values: pd.Series, mapping: dict, name: str, layer: LandcoverLayer) -> pd.Series:
    """Class codes of a field's values: through the remapping, else the values themselves as integer codes."""
    keys = values.map(lambda v: None if pd.isna(v) else _key(v))
    codes = keys.map(mapping) if mapping else keys.where(keys.map(lambda k: isinstance(k, int)))
    unknown = values[codes.isna()]
    if len(unknown):
        listed = ", ".join(f"{v!r} ({n})" for v, n in unknown.astype(str).value_counts().head(8).items())
        how = f"add them to the remapping {layer.remap!r}" if mapping else "give `remap:` to turn names into codes"
        raise InputError(f"{name}: {len(unknown)} feature(s) of {layer.path} have a {layer.field!r} with no class: "
                         f"{listed}; {how}.")
    return codes.astype("int64")
