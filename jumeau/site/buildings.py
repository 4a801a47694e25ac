"""Building footprints: heights, uses, residents, and their rasterization rule.

Height, per building, is the first of these that gives a plausible value:

1. the field named by ``height:`` in the site file, else the first present of
   ``height``, ``hauteur``/``HAUTEUR`` (IGN BD TOPO), or 3D BAG's ``b3_h_70p − b3_h_maaiveld``;
2. storeys × ``storey_height`` (:data:`jumeau.site.residents.STOREY_HEIGHT`), storeys from ``floors:`` or the first present of
   ``NB_ETAGES``, ``nombre_d_etages``, ``building:levels`` (OSM), ``levels``;
3. ``default_height`` (6 m), with a warning giving the count.

Heights that are negative or above 400 m are refused (or, with
``invalid_heights: default``, treated as missing). A zero height counts as missing.

Rasterization rule: a cell belongs to the building whose footprint contains the cell
centre (``rasterio.features.rasterize``); where footprints overlap the taller wins. A
building that contains no cell centre (smaller than a cell, or a thin sliver) takes
the cell under its representative point, if that cell is free or its owner keeps
other cells, so no building vanishes for being small; the rare building that
cannot get a cell that way is counted in a warning.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import rasterio.transform
import shapely

from jumeau.errors import InputError, RepairWarning
from jumeau.grid import Grid
from jumeau.site.residents import Counts, calibrate_to_tiles, residents
from jumeau.site.vocabulary import SENSITIVE_USES, normalise_uses, unrecognised

if TYPE_CHECKING:
    from jumeau.site.schema import BuildingsSource

MAX_HEIGHT = 400.0
# Field names looked for, first found wins: generic, IGN BD TOPO v3 (GeoPackage, then the
# shapefile's truncated names), OpenStreetMap, 3D BAG.
HEIGHT_FIELDS = ("height", "hauteur")
FLOOR_FIELDS = ("nombre_d_etages", "nb_etages", "building:levels", "levels", "floors")
BAG_FIELDS = ("b3_h_70p", "b3_h_maaiveld")
USE_FIELDS = ("use", "usage", "usage_1", "usage1", "building", "type", "nature")
POPULATION_FIELDS = ("population", "habitants", "nb_habitants", "residents")
DWELLING_FIELDS = ("nombre_de_logements", "nb_logts", "nb_logements", "logements", "dwellings")
ID_FIELDS = ("id", "cleabs", "identifiant", "osm_id", "identificatie")


@dataclass(frozen=True)
class _Columns:
    """Case-insensitive access to a frame's fields, with errors naming the available ones."""

    frame: pd.DataFrame
    section: str
    path: Path

    def find(self, candidates: tuple[str, ...]) -> str | None:
        lower = {column.lower(): column for column in self.frame.columns if column != "geometry"}
        return next((lower[name] for name in candidates if name in lower), None)

    def named(self, name: str, key: str) -> str:
        if name in self.frame.columns:
            return name
        found = self.find((name.lower(),))
        if found is None:
            available = ", ".join(c for c in self.frame.columns if c != "geometry")
            raise InputError(f"{self.section}: {self.path} has no field {name!r} (given as `{key}:`). Fields: {available}.")
        return found

    def numbers(self, column: str) -> pd.Series:
        return pd.to_numeric(self.frame[column], errors="coerce")


def prepare_buildings(frame: gpd.GeoDataFrame, source: BuildingsSource, tiles: gpd.GeoDataFrame | None = None,
                      bounds: tuple[float, float, float, float] | None = None) -> gpd.GeoDataFrame:
    """Normalise a footprint layer to jumeau's building table.

    Returns a GeoDataFrame indexed by ``building_id`` (1..N, the value used in the
    ``building_id`` layer) with ``id``, ``height``, ``height_source``, ``use``,
    ``use_source``, ``population``, ``population_estimated`` and ``sensitive``. With ``tiles``
    (residents per square, read from ``source.population_tiles``) the estimated residents are
    scaled to them within the modelled area's ``bounds``.
    """
    columns = _Columns(frame, "buildings", source.path)
    height, height_source = _heights(columns, source)
    use_field = columns.named(source.use, "use") if source.use else columns.find(USE_FIELDS)
    use_source = frame[use_field].astype("string") if use_field else pd.Series(pd.NA, index=frame.index, dtype="string")
    use = normalise_uses(use_source)
    _warn_unrecognised(use_source, use, use_field, source)
    ids = _ids(columns, source)
    people = residents(
        path=source.path, area=frame.geometry.area, height=height,
        residential=use.eq("residential") | (use.eq("unknown") & (use_field is None)),
        population=_counts(columns, source.population, "population", POPULATION_FIELDS),
        dwellings=_counts(columns, source.dwellings, "dwellings", DWELLING_FIELDS),
        storey_height=source.storey_height, floor_area_per_person=source.floor_area_per_person,
        persons_per_dwelling=source.persons_per_dwelling, population_total=source.population_total,
    )
    if tiles is not None and source.population_tiles is not None and bounds is not None:
        people = calibrate_to_tiles(people, frame.geometry, tiles, source.population_tiles.field, bounds,
                                    source.population_tiles.path)
    table = gpd.GeoDataFrame(
        {
            "id": ids.to_numpy(),
            "height": height.to_numpy(dtype="float64"),
            "height_source": height_source.to_numpy(),
            "use": use.to_numpy(),
            "use_source": use_source.to_numpy(),
            "population": people.population.to_numpy(dtype="float64"),
            "population_estimated": people.estimated.to_numpy(),
            "population_source": people.origin.to_numpy(),
            "sensitive": use.isin(SENSITIVE_USES).to_numpy(),
        },
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
    table.index = pd.RangeIndex(1, len(table) + 1, name="building_id")
    return table


def _counts(columns: _Columns, named: str | None, key: str, candidates: tuple[str, ...]) -> Counts | None:
    field = columns.named(named, key) if named else columns.find(candidates)
    return None if field is None else Counts(columns.numbers(field), field, named is not None)


def _ids(columns: _Columns, source: BuildingsSource) -> pd.Series:
    """Identifiers from the ``id`` field (named, or detected), or b1…bN (``id: false``, or detected but not unique)."""
    numbered = pd.Series([f"b{i + 1}" for i in range(len(columns.frame))], index=columns.frame.index)
    if source.id is False:
        return numbered
    field = columns.named(source.id, "id") if source.id else columns.find(ID_FIELDS)
    if field is None:
        return numbered
    ids = columns.frame[field].astype(str)
    repeated = ids[ids.duplicated()].unique()
    if len(repeated) == 0:
        return ids
    examples = ", ".join(repeated[:5])
    if source.id:
        raise InputError(f"buildings: field {field!r} of {source.path} is not unique (e.g. {examples}). Name a unique "
                         "identifier field with `id:`, or write `id: false` to number the buildings.")
    warnings.warn(f"buildings: field {field!r} of {source.path.name} is not unique ({len(repeated)} repeated values, "
                  f"e.g. {examples}); buildings are numbered b1…b{len(ids)} instead. Name a unique field with `id:`, "
                  "or write `id: false`.", RepairWarning, stacklevel=4)
    return numbered


def _warn_unrecognised(values: pd.Series, use: pd.Series, field: str | None, source: BuildingsSource) -> None:
    counts = unrecognised(values, use)
    if counts:
        listed = ", ".join(f"{value!r} ({count})" for value, count in list(counts.items())[:8])
        warnings.warn(f"buildings: {sum(counts.values())} building(s) of {source.path.name} have a use in {field!r} "
                      f"that jumeau does not recognise, counted as 'other' (no residents estimated): {listed}. "
                      "Check the file's encoding (`encoding:`) or the use field (`use:`).", RepairWarning, stacklevel=4)


def _heights(columns: _Columns, source: BuildingsSource) -> tuple[pd.Series, pd.Series]:
    frame = columns.frame
    height = pd.Series(np.nan, index=frame.index)
    origin = pd.Series("", index=frame.index, dtype=object)
    label: str | None
    if source.height:
        label = columns.named(source.height, "height")
        height = columns.numbers(label)
    elif (found := columns.find(HEIGHT_FIELDS)) is not None:
        height, label = columns.numbers(found), found
    elif (top := columns.find(BAG_FIELDS[:1])) and (ground := columns.find(BAG_FIELDS[1:])):
        height, label = columns.numbers(top) - columns.numbers(ground), f"{top}-{ground}"
    else:
        label = None
    if label is not None:
        _check_heights(height, label, columns, source)
        height = height.where((height > 0) & (height <= MAX_HEIGHT))
        origin[height.notna()] = label
    floors_field = columns.named(source.floors, "floors") if source.floors else columns.find(FLOOR_FIELDS)
    if floors_field is not None:
        floors = columns.numbers(floors_field)
        usable = height.isna() & (floors > 0) & (floors * source.storey_height <= MAX_HEIGHT)
        height[usable] = floors[usable] * source.storey_height
        origin[usable] = f"{floors_field}×{source.storey_height:g}m"
    missing = height.isna()
    if missing.any():
        if source.default_height is None:
            raise InputError(
                f"buildings: {int(missing.sum())} of {len(frame)} building(s) in {source.path} have no height "
                f"(no usable height or storey field{f', looked at {label!r}' if label else ''}). "
                "Name the height field with `height:`, the storeys field with `floors:`, or set `default_height:`."
            )
        height[missing] = source.default_height
        origin[missing] = "default"
        warnings.warn(
            f"buildings: {int(missing.sum())} building(s) of {source.path.name} without height were given "
            f"default_height = {source.default_height:g} m.",
            RepairWarning,
            stacklevel=3,
        )
    return height, origin


def _check_heights(height: pd.Series, label: str, columns: _Columns, source: BuildingsSource) -> None:
    bad = (height < 0) | (height > MAX_HEIGHT)
    if not bad.any():
        return
    examples = ", ".join(f"row {i + 1}: {height[i]:g} m" for i in height.index[bad][:5])
    if source.invalid_heights == "error":
        raise InputError(
            f"buildings: {int(bad.sum())} building(s) in {source.path} have a negative or absurd "
            f"(> {MAX_HEIGHT:g} m) height in {label!r} ({examples}). Correct them, or set "
            "`invalid_heights: default` to treat them as missing."
        )
    warnings.warn(
        f"buildings: {int(bad.sum())} negative or absurd height(s) in {label!r} treated as missing ({examples}).",
        RepairWarning,
        stacklevel=4,
    )


def rasterize_buildings(buildings: gpd.GeoDataFrame, grid: Grid) -> np.ndarray:
    """The ``building_id`` layer (0 off buildings), following the module's rule."""
    order = np.argsort(buildings["height"].to_numpy(), kind="stable")
    ids = buildings.index.to_numpy()[order]
    geometries = buildings.geometry.to_numpy()[order]
    owner = rasterio.features.rasterize(
        zip(geometries, ids, strict=True), out_shape=grid.shape, transform=grid.transform, fill=0, dtype="int32"
    )
    cells = np.bincount(owner.ravel(), minlength=int(ids.max()) + 1)
    without = np.sort(ids[cells[ids] == 0])
    if len(without) == 0:
        return owner
    points = shapely.point_on_surface(buildings.geometry.loc[without].to_numpy())
    rows, cols = rasterio.transform.rowcol(grid.transform, shapely.get_x(points), shapely.get_y(points), op=np.floor)
    rows, cols = np.asarray(rows, dtype=int), np.asarray(cols, dtype=int)
    stranded = 0
    for building, row, col in zip(without, rows, cols, strict=True):
        if not (0 <= row < grid.height and 0 <= col < grid.width):
            stranded += 1
            continue
        current = owner[row, col]
        if current == 0 or cells[current] > 1:
            cells[current] -= 1
            owner[row, col] = building
            cells[building] = 1
        else:
            stranded += 1
    if stranded:
        warnings.warn(
            f"buildings: {stranded} small building(s) share their only cell with another building and have "
            "no cell of their own at this resolution; use a finer resolution to separate them.",
            RepairWarning,
            stacklevel=2,
        )
    return owner
