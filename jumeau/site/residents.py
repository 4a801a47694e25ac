"""Residents per building: given, derived from dwellings, or estimated from floor area.

Per building, the first of these that applies:

1. the building table's population field (``population:``, or a field named ``population``,
   ``habitants``…), where it has a value;
2. its dwellings (``dwellings:``, or BD TOPO's ``nombre_de_logements`` / ``NB_LOGTS``) ×
   ``persons_per_dwelling`` (:data:`PERSONS_PER_DWELLING`), where that is known, whatever
   the use (a shop with flats above has residents);
3. for a residential building (or any building, when the table has no use field), its
   floor area (footprint × storeys) / ``floor_area_per_person``
   (:data:`FLOOR_AREA_PER_RESIDENT`); 0 for other uses.

Only 1 is a count; 2 and 3 are marked as estimated, and with ``population_total`` (the
residents of the modelled area, e.g. from INSEE) the estimates are scaled so that the total
is met; with ``population_tiles`` (INSEE's Filosofi 200 m squares) they are scaled square
by square (:func:`calibrate_to_tiles`). A field whose values cannot be per building is not
used: the same value on nearly every building (the commune's population, joined onto each
of its buildings, as BD TOPO's ``COMMUNE.POPULATION`` often is), or more residents or
dwellings than the floor area can hold. A field detected by its name is then left aside with
a warning; a field named in the site file is an error.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jumeau.errors import InputError, RepairWarning

STOREY_HEIGHT = 3.0
"""Metres per storey, floor to floor: 2.50 m of ceiling height (the French building code's
minimum for new dwellings) plus a floor slab of 0.20–0.30 m, rounded up."""
FLOOR_AREA_PER_RESIDENT = 40.0
"""m² of dwelling floor area per resident in France (INSEE, *Enquête Logement* 2013: about
40 m² per person)."""
PERSONS_PER_DWELLING = 1.8
"""Residents per dwelling, all dwellings counted (BD TOPO's count includes empty and second
homes): about 2.2 persons per household (INSEE, census 2019) × 82 % of dwellings that are
main homes (INSEE, 2021)."""
SMALLEST_AREA = {"residents": 5.0, "dwellings": 9.0}
"""m² of gross floor area below which a building cannot hold one more resident (far beyond any
real crowding) or one more dwelling (9 m²: the French minimum for a decent dwelling, décret
2002-120): a field claiming more is not a per-building count."""
SAME_VALUE_SHARE = 0.9  # a field with one value on this share of ≥ 10 buildings is an area's figure


@dataclass(frozen=True)
class Counts:
    """A per-building field read from the building table: its values, its name, and whether the site file named it."""

    values: pd.Series
    field: str
    named: bool


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


@dataclass(frozen=True)
class Residents:
    """Residents per building, whether each is an estimate, and where each comes from."""

    population: pd.Series
    estimated: pd.Series
    origin: pd.Series


def residents(*, path: Path, area: pd.Series, height: pd.Series, residential: pd.Series,
              population: Counts | None, dwellings: Counts | None, storey_height: float,
              floor_area_per_person: float, persons_per_dwelling: float,
              population_total: float | None) -> Residents:
    """Residents of each building, following the module's rules."""
    floor_area = area * storeys(height, storey_height)
    population = _usable(population, "residents", floor_area, path)
    dwellings = _usable(dwellings, "dwellings", floor_area, path)
    value = estimate_residents(area, height, storey_height, floor_area_per_person).where(residential, 0.0)
    origin = pd.Series(np.where(residential, "floor area", "none (use)"), index=area.index, dtype=object)
    if dwellings is not None:
        known = dwellings.values.notna()
        value[known] = (dwellings.values[known] * persons_per_dwelling).round(1)
        origin[known] = f"{dwellings.field}×{persons_per_dwelling:g}"
    estimated = origin != "none (use)"
    if population is not None:
        given = population.values.notna()
        _warn_missing(population, given, estimated, path)
        value[given] = population.values[given]
        origin[given] = population.field
        estimated &= ~given
    if population_total is not None:
        value = _calibrated(value, estimated, population_total, path)
    return Residents(value.astype("float64"), estimated, origin)


def _usable(counts: Counts | None, what: str, floor_area: pd.Series, path: Path) -> Counts | None:
    """``counts`` if its values can be per building, else None (warned) or an error (named in the site file)."""
    if counts is None:
        return None
    values = counts.values
    if (values < 0).any():
        row = values.index[values < 0][0]
        raise InputError(f"buildings: field {counts.field!r} of {path}, row {row + 1}: negative {what} {values[row]:g}.")
    known = values.dropna()
    reason = None
    if len(known) >= 10:
        top = known.mode().iloc[0]
        share = float((known == top).mean())
        if top > 10 and share >= SAME_VALUE_SHARE:
            reason = (f"{share:.0%} of the buildings have the same value {top:,.0f}: a figure for a whole commune or "
                      "area joined onto each building")
    total, room = float(known.sum()), float(floor_area[known.index].sum()) / SMALLEST_AREA[what]
    if reason is None and total > room:
        reason = (f"{total:,.0f} {what} in {float(floor_area[known.index].sum()):,.0f} m² of floor area, less than "
                  f"{SMALLEST_AREA[what]:g} m² each")
    if reason is None:
        return counts
    if counts.named:
        raise InputError(f"buildings: field {counts.field!r} of {path} cannot hold {what} per building ({reason}). "
                         f"Remove `{'population' if what == 'residents' else 'dwellings'}:` to estimate them, and "
                         "give a known total with `population_total:`.")
    warnings.warn(f"buildings: field {counts.field!r} of {path.name} is not used as {what} per building ({reason}); "
                  "residents are estimated instead. Give a known total with `population_total:`.",
                  RepairWarning, stacklevel=4)
    return None


def _warn_missing(population: Counts, given: pd.Series, estimated: pd.Series, path: Path) -> None:
    missing = ~given
    if missing.any():  # an empty value is unknown, not zero
        warnings.warn(
            f"buildings: {int(missing.sum())} building(s) of {path} have no value in {population.field!r}; their "
            f"residents are estimated from dwellings or floor area where the use is residential "
            f"({int((missing & estimated).sum())}, marked as estimated), 0 elsewhere.",
            RepairWarning, stacklevel=4,
        )


def _calibrated(value: pd.Series, estimated: pd.Series, total: float, path: Path) -> pd.Series:
    fixed, scalable = float(value[~estimated].sum()), float(value[estimated].sum())
    if scalable <= 0 or total <= fixed:
        raise InputError(
            f"buildings: population_total = {total:,.0f} cannot be met: {fixed:,.0f} residents are given per building "
            f"and {scalable:,.0f} are estimated in {path}. Check the total (residents of the modelled area only) and "
            "the buildings' uses."
        )
    factor = (total - fixed) / scalable
    warnings.warn(f"buildings: estimated residents scaled by {factor:.2f} to meet population_total = {total:,.0f} "
                  f"({fixed:,.0f} given per building, {scalable:,.0f} estimated before scaling).",
                  RepairWarning, stacklevel=4)
    return value.where(~estimated, value * factor)


TILE_FIELDS = ("ind", "individus", "population", "pop")  # Filosofi 2015–2019: ind (or Ind), residents per tile


def calibrate_to_tiles(people: Residents, footprints: gpd.GeoSeries, tiles: gpd.GeoDataFrame, field: str | None,
                       bounds: tuple[float, float, float, float], path: Path) -> Residents:
    """Estimated residents scaled square by square to the residents counted in each tile.

    A building belongs to the tile holding its representative point. Each tile's count is
    taken in proportion to the share of the tile inside the modelled area (``bounds``): the
    buildings beyond it are not in the model. In each tile the given counts stay and the
    estimates share the rest in proportion to their floor-area estimate. INSEE publishes
    inhabited tiles only, so an estimated building in no tile gets 0 residents; a tile whose
    residents have no estimated building to go to, or whose given counts already exceed it,
    is counted in a warning.
    """
    column = _tile_field(tiles, field, path)
    tiles = tiles.reset_index(drop=True)  # the join gives tiles by label, counted by position below
    counts = pd.to_numeric(tiles[column], errors="coerce")
    if counts.isna().any() or (counts < 0).any():
        row = int(np.flatnonzero(counts.isna() | (counts < 0))[0])
        raise InputError(f"buildings → population_tiles: {path}, tile {row + 1}: {tiles[column].iloc[row]!r} is not a "
                         f"number of residents in field {column!r}.")
    area = shapely.box(*bounds)
    inside = tiles.geometry.intersection(area).area / tiles.geometry.area
    target = (counts * inside).to_numpy()
    points = gpd.GeoDataFrame(geometry=footprints.representative_point(), crs=footprints.crs)
    joined = gpd.sjoin(points, gpd.GeoDataFrame(geometry=tiles.geometry, crs=tiles.crs), how="left",
                       predicate="within")
    tile = joined.loc[~joined.index.duplicated(), "index_right"].reindex(footprints.index)
    value, estimated = people.population.copy(), people.estimated
    in_tile = tile.notna()
    number = tile[in_tile].astype(int)
    given = np.bincount(number[~estimated[in_tile]], weights=value[in_tile & ~estimated], minlength=len(tiles))
    scalable = np.bincount(number[estimated[in_tile]], weights=value[in_tile & estimated], minlength=len(tiles))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(scalable > 0, np.maximum(target - given, 0.0) / scalable, 0.0)
    scaled = estimated & in_tile
    value[scaled] = value[scaled] * factor[number[estimated[in_tile]].to_numpy()]
    outside = estimated & ~in_tile & (value > 0)
    value[outside] = 0.0
    unplaced = (scalable <= 0) & (target - given > 0.5)
    over = given > target + 0.5
    before = float(people.population[estimated].sum())
    warnings.warn(
        f"buildings: estimated residents scaled tile by tile to {len(tiles)} tile(s) of {path.name} "
        f"({float(target.sum()):,.0f} residents in the modelled area; {before:,.0f} estimated before, "
        f"{float(value[estimated].sum()):,.0f} after, {float(value[~estimated].sum()):,.0f} given per building)"
        + (f"; {int(outside.sum())} dwelling building(s) in no inhabited tile get 0" if outside.any() else "")
        + (f"; {int(unplaced.sum())} tile(s) holding {float((target - given)[unplaced].sum()):,.0f} residents have no "
           "dwelling building to give them to (check the buildings' uses)" if unplaced.any() else "")
        + (f"; in {int(over.sum())} tile(s) the residents given per building already exceed the tile's"
           if over.any() else "") + ".",
        RepairWarning, stacklevel=4)
    origin = people.origin.where(~scaled, people.origin + " × INSEE tile")
    origin = origin.where(~outside, people.origin + ", in no INSEE tile: 0")
    return Residents(value.astype("float64"), estimated, origin)


def _tile_field(tiles: gpd.GeoDataFrame, field: str | None, path: Path) -> str:
    lower = {column.lower(): column for column in tiles.columns if column != "geometry"}
    found = lower.get(field.lower()) if field else next((lower[name] for name in TILE_FIELDS if name in lower), None)
    if found is None:
        available = ", ".join(c for c in tiles.columns if c != "geometry")
        wanted = f"no field {field!r}" if field else f"none of the fields {', '.join(TILE_FIELDS)}"
        raise InputError(f"buildings → population_tiles: {path} has {wanted}; name the residents' field with "
                         f"`field:` under population_tiles. Fields: {available}.")
    return found
