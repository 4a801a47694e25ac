"""Building footprints: heights, uses, residents, and their rasterization rule.

Height, per building, is the first of these that gives a plausible value:

1. the field named by ``height:`` in the site file, else the first present of
   ``height``, ``hauteur``/``HAUTEUR`` (IGN BD TOPO), or 3D BAG's ``b3_h_70p − b3_h_maaiveld``;
2. storeys × ``storey_height`` (:data:`STOREY_HEIGHT`), storeys from ``floors:`` or the first present of
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
from jumeau.site.vocabulary import SENSITIVE_USES, normalise_uses

if TYPE_CHECKING:
    from jumeau.site.schema import BuildingsSource

MAX_HEIGHT = 400.0
STOREY_HEIGHT = 3.0
"""Metres per storey, floor to floor: 2.50 m of ceiling height (the French building code's
minimum for new dwellings) plus a floor slab of 0.20–0.30 m, rounded up."""
FLOOR_AREA_PER_RESIDENT = 40.0
"""m² of dwelling floor area per resident in France (INSEE, *Enquête Logement* 2013: about
40 m² per person)."""
HEIGHT_FIELDS = ("height", "hauteur")
FLOOR_FIELDS = ("nb_etages", "nombre_d_etages", "building:levels", "levels")
BAG_FIELDS = ("b3_h_70p", "b3_h_maaiveld")
USE_FIELDS = ("usage", "usage1", "use", "building", "type", "nature")
POPULATION_FIELDS = ("population", "habitants", "nb_habitants", "residents")
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


def prepare_buildings(frame: gpd.GeoDataFrame, source: BuildingsSource) -> gpd.GeoDataFrame:
    """Normalise a footprint layer to jumeau's building table.

    Returns a GeoDataFrame indexed by ``building_id`` (1..N, the value used in the
    ``building_id`` layer) with ``id``, ``height``, ``height_source``, ``use``,
    ``use_source``, ``population``, ``population_estimated`` and ``sensitive``.
    """
    columns = _Columns(frame, "buildings", source.path)
    height, height_source = _heights(columns, source)
    use_field = columns.named(source.use, "use") if source.use else columns.find(USE_FIELDS)
    use_source = frame[use_field].astype("string") if use_field else pd.Series(pd.NA, index=frame.index, dtype="string")
    use = normalise_uses(use_source)
    id_field = columns.named(source.id, "id") if source.id else columns.find(ID_FIELDS)
    ids = frame[id_field].astype(str) if id_field else pd.Series([f"b{i + 1}" for i in range(len(frame))], index=frame.index)
    if id_field and ids.duplicated().any():
        duplicated = ids[ids.duplicated()].unique()[:5]
        raise InputError(
            f"buildings: field {id_field!r} of {source.path} is not unique (e.g. {', '.join(duplicated)}). "
            "Name a unique identifier field with `id:`."
        )
    population, estimated = _population(columns, source, use, height, frame.geometry.area, use_field is not None)
    table = gpd.GeoDataFrame(
        {
            "id": ids.to_numpy(),
            "height": height.to_numpy(dtype="float64"),
            "height_source": height_source.to_numpy(),
            "use": use.to_numpy(),
            "use_source": use_source.to_numpy(),
            "population": population.to_numpy(dtype="float64"),
            "population_estimated": estimated.to_numpy(),
            "sensitive": use.isin(SENSITIVE_USES).to_numpy(),
        },
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
    table.index = pd.RangeIndex(1, len(table) + 1, name="building_id")
    return table


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


def _population(
    columns: _Columns, source: BuildingsSource, use: pd.Series, height: pd.Series, area: pd.Series, has_use: bool
) -> tuple[pd.Series, pd.Series]:
    field = columns.named(source.population, "population") if source.population else columns.find(POPULATION_FIELDS)
    residential = use.eq("residential") | (use.eq("unknown") & (not has_use))
    estimate = estimate_residents(area, height, source.storey_height, source.floor_area_per_person).where(residential, 0.0)
    if field is None:
        return estimate, pd.Series(residential, index=use.index)
    given = columns.numbers(field)
    if (given < 0).any():
        row = given.index[given < 0][0]
        raise InputError(f"buildings: field {field!r} of {source.path}, row {row + 1}: negative population {given[row]:g}.")
    missing = given.isna()  # an empty value is unknown, not zero: estimated like a file without the field
    if missing.any():
        warnings.warn(
            f"buildings: {int(missing.sum())} building(s) of {source.path} have no value in {field!r}; their "
            f"residents are estimated from footprint and height where the use is residential "
            f"({int((missing & residential).sum())}, marked as estimated), 0 elsewhere.",
            RepairWarning,
            stacklevel=4,
        )
    return given.fillna(estimate), missing & residential


def storeys(height: float | np.ndarray | pd.Series, storey_height: float = STOREY_HEIGHT):
    """Storeys of a building of ``height`` metres: height / storey height, rounded, at least one.

    >>> storeys(np.array([2.0, 6.5, 15.0])).tolist()
    [1.0, 2.0, 5.0]
    """
    return np.maximum(1.0, np.round(height / storey_height))


def estimate_residents(area: pd.Series, height: pd.Series, storey_height: float = STOREY_HEIGHT,
                       floor_area_per_person: float = FLOOR_AREA_PER_RESIDENT) -> pd.Series:
    """Residents of a dwelling building from its footprint area (m²) and height (m).

    Floor area is footprint × :func:`storeys`, shared at :data:`FLOOR_AREA_PER_RESIDENT`.
    """
    return (area * storeys(height, storey_height) / floor_area_per_person).round(1)


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
