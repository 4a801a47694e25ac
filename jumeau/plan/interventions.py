"""Interventions: one small function per kind, each returning a new Site and what it changed.

An intervention never modifies the Site it is given: it copies the layers it writes,
changes them inside its selection (see :mod:`jumeau.plan.selection`) and records a
:class:`Change` (cells, layers, quantity in the kind's unit, investment and yearly
maintenance). ``WRITES`` declares, per kind, the only layers it may change; the tests
hold every kind to it.

Rules shared by the kinds:

* *open ground* is every cell without a building; *sealed ground* is open ground
  that is sealed (:attr:`jumeau.site.state.Site.sealed`);
* a new class is the intervention's ``to_class``, else the class table's class of the
  kind's role (:data:`jumeau.site.classes.ROLES`: ``garden`` for depaving, ``roof``
  for new buildings...);
* roofs are the cells of the chosen buildings (``where → buildings``, or every
  building touching the area);
* quantities: m² of changed cells (footprint for roofs, floor area for new
  buildings), trees, or m³ of storage for a retention basin.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.transform
import shapely

from jumeau.errors import RepairWarning, ScenarioError
from jumeau.plan.scenario import (
    CoolSurface,
    Demolish,
    Depave,
    DrainageUpgrade,
    Greening,
    GreenRoofs,
    NewBuildings,
    PermeablePaving,
    PlantTrees,
    RetentionBasin,
    _Intervention,
    _Reclass,
)
from jumeau.plan.selection import Selection, select
from jumeau.site import canopy
from jumeau.site.buildings import rasterize_buildings
from jumeau.site.residents import estimate_residents, storeys
from jumeau.site.state import Site, layer
from jumeau.site.vocabulary import SENSITIVE_USES, normalise_use

WRITES: dict[str, frozenset[str]] = {
    "plant_trees": frozenset({"canopy_cover", "canopy_height"}),
    "depave": frozenset({"landcover", "impervious"}),
    "greening": frozenset({"landcover", "impervious"}),
    "park": frozenset({"landcover", "impervious"}),
    "green_roofs": frozenset({"landcover", "impervious", "roof_retention"}),
    "cool_roofs": frozenset({"landcover", "impervious", "albedo"}),
    "cool_pavement": frozenset({"landcover", "impervious", "albedo"}),
    "permeable_paving": frozenset({"landcover", "impervious"}),
    "retention_basin": frozenset({"elevation", "landcover", "impervious", "canopy_cover", "canopy_height"}),
    "new_buildings": frozenset({"building_id", "building_height", "landcover", "impervious", "canopy_cover", "canopy_height"}),
    "demolish": frozenset({"building_id", "building_height", "landcover", "impervious"}),
    "drainage_upgrade": frozenset({"drainage_capacity"}),
}


@dataclass(frozen=True)
class Change:
    """What one intervention did to a Site."""

    label: str
    kind: str
    cells: np.ndarray  # bool (y, x)
    layers: tuple[str, ...]
    quantity: float
    unit: str
    investment: float  # €
    maintenance: float  # € per year
    details: dict

    def summary(self) -> dict:
        """A row for tables and reports (no arrays)."""
        return {
            "intervention": self.label, "type": self.kind, "cells": int(self.cells.sum()), "quantity": self.quantity,
            "unit": self.unit, "investment_eur": self.investment, "maintenance_eur_per_year": self.maintenance,
            **self.details,
        }


def apply(site: Site, interventions: Iterable[_Intervention]) -> Site:
    """A new Site with the interventions applied in order; ``metadata['changes']`` lists them.

    >>> import jumeau
    >>> from jumeau.plan.scenario import Scenario
    >>> site = jumeau.demo_site()
    >>> yard = "POLYGON ((430890 6712625, 430945 6712625, 430945 6712665, 430890 6712665, 430890 6712625))"
    >>> oasis = Scenario.model_validate({"id": "oasis", "title": "Cour oasis", "interventions": [
    ...     {"type": "depave", "where": {"wkt": yard}, "cost": {"unit_cost": 180}}]})
    >>> depaved = apply(site, oasis.interventions)
    >>> (change,) = depaved.metadata["changes"]
    >>> change.kind, change.unit, change.investment == 180 * change.quantity
    ('depave', 'm2', True)
    >>> bool((depaved.grid["landcover"].values[change.cells] == site.classes.code_for("garden")).all())
    True
    >>> bool((site.grid["landcover"].values[change.cells] != site.classes.code_for("garden")).any())  # untouched
    True
    """
    changes = list(site.metadata.get("changes", ()))
    for number, intervention in enumerate(interventions, start=1):
        context = f"intervention {number} ({intervention.label})"
        selection = select(site, intervention.where, context)
        kind = intervention.type
        site, details, quantity, cells = KINDS[kind](site, intervention, selection, context)
        changes.append(Change(
            label=intervention.label, kind=kind, cells=cells, layers=tuple(sorted(WRITES[kind])),
            quantity=float(quantity), unit=intervention.UNIT,
            investment=float(quantity * intervention.cost.unit_cost),
            maintenance=float(quantity * intervention.cost.maintenance), details=details,
        ))
    return site.evolve(metadata={**site.metadata, "changes": changes})


def changed_cells(site: Site) -> np.ndarray:
    """Cells any intervention of the site changed."""
    mask = np.zeros(site.shape, dtype=bool)
    for change in site.metadata.get("changes", ()):
        mask |= change.cells
    return mask


# -- helpers -----------------------------------------------------------------------

def _values(site: Site, name: str) -> np.ndarray:
    return (site.grid[name].values if name in site.grid else site.override(name)).copy()


def _with(site: Site, **layers: np.ndarray) -> Site:
    grid = site.grid.copy()  # shallow: untouched layers share memory with the parent Site
    for name, values in layers.items():
        grid[name] = layer(name, values, grid)
    return site.evolve(grid=grid)


def _open_ground(site: Site, selection: Selection) -> np.ndarray:
    return selection.cells & (site.grid["building_id"].values == 0)


def _sealed_ground(site: Site, selection: Selection) -> np.ndarray:
    return _open_ground(site, selection) & site.sealed


def _require(cells: np.ndarray, context: str, what: str) -> None:
    if not cells.any():
        raise ScenarioError(f"{context}: the area holds no {what}; the intervention would change nothing. Check `where`.")


def _new_class(site: Site, spec: _Reclass, context: str) -> int:
    """The intervention's ``to_class``, else the class table's class of its role."""
    if spec.to_class is not None:
        return spec.to_class
    code = site.classes.code_for(spec.role)
    if code is None:
        raise ScenarioError(
            f"{context}: no `to_class` given, and the class table {site.classes.source} gives no class the role "
            f"{spec.role!r}. Give `to_class:` (a code of the table), or name the class in the table's `role` column."
        )
    return code


def _reclass(site: Site, cells: np.ndarray, spec: _Reclass, context: str, **extra: np.ndarray) -> Site:
    code = _new_class(site, spec, context)
    if code not in site.classes.codes:
        raise ScenarioError(f"{context}: class {code} is not in the class table {site.classes.source}.")
    landcover = _values(site, "landcover")
    landcover[cells] = code
    return _with(site, landcover=landcover, impervious=site.classes.lookup("impervious", landcover), **extra)


def _roof_cells(site: Site, selection: Selection, context: str) -> tuple[np.ndarray, np.ndarray]:
    ids = selection.buildings
    if len(ids) == 0:
        owner = site.grid["building_id"].values[selection.cells]
        ids = np.unique(owner[owner > 0])
    if len(ids) == 0:
        raise ScenarioError(f"{context}: no building in the area; give `where → buildings` or an area over roofs.")
    return np.isin(site.grid["building_id"].values, ids), ids


# -- kinds --------------------------------------------------------------------------

def plant_trees(site: Site, spec: PlantTrees, selection: Selection, context: str):
    """Canopy over an area's open ground, or a row of trees every ``spacing`` m along lines."""
    cover, height = _values(site, "canopy_cover"), _values(site, "canopy_height")
    ground = site.grid["building_id"].values == 0
    geometry = selection.geometry
    if spec.spacing is not None:
        if geometry is None or geometry.geom_type not in ("LineString", "MultiLineString"):
            raise ScenarioError(f"{context}: `spacing` plants trees along lines; give `where` as a LINESTRING.")
        points = _on_open_ground(site, _along(geometry, spec.spacing), spec.where.landcover)
        if len(points) == 0:
            raise ScenarioError(f"{context}: no point along the lines falls on open ground (of the chosen classes).")
        crowns = gpd.GeoDataFrame({"height": np.full(len(points), spec.height)},
                                  geometry=shapely.buffer(points, spec.crown_radius, quad_segs=8), crs=site.crs)
        new_cover, new_height = canopy.canopy_from_crowns(crowns, site.grid_spec)
        cells = (new_cover > 0) & ground
        trees = len(points)
    else:
        cells = _open_ground(site, selection) & (cover < spec.cover)
        _require(cells, context, "open ground with less canopy than asked")
        new_cover = np.full(site.shape, spec.cover, dtype="float32")
        new_height = np.full(site.shape, spec.height, dtype="float32")
        added_area = float((spec.cover - cover[cells]).sum() * site.cell_area)
        trees = int(np.ceil(added_area / (np.pi * spec.crown_radius**2)))
    cover[cells] = np.maximum(cover[cells], new_cover[cells])
    height[cells] = np.maximum(height[cells], new_height[cells])
    return _with(site, canopy_cover=cover, canopy_height=height), {"trees": trees}, trees, cells


def _on_open_ground(site: Site, points: np.ndarray, classes: list[int] | None) -> np.ndarray:
    """The points whose cell has no building (and is of ``classes`` if given)."""
    rows, cols = rasterio.transform.rowcol(site.grid_spec.transform, shapely.get_x(points), shapely.get_y(points))
    rows, cols = np.asarray(rows, dtype=int), np.asarray(cols, dtype=int)
    inside = (rows >= 0) & (rows < site.shape[0]) & (cols >= 0) & (cols < site.shape[1])
    rows, cols, points = rows[inside], cols[inside], points[inside]
    keep = site.grid["building_id"].values[rows, cols] == 0
    if classes is not None:
        keep &= np.isin(site.grid["landcover"].values[rows, cols], classes)
    return points[keep]


def _along(lines, spacing: float) -> np.ndarray:
    parts = shapely.get_parts(lines)
    points = [shapely.line_interpolate_point(part, np.arange(spacing / 2, part.length, spacing)) for part in parts]
    return np.concatenate(points) if points else np.array([], dtype=object)


def reclass_ground(site: Site, spec: Depave | Greening | PermeablePaving, selection: Selection, context: str):
    """Ground of the area changes class: sealed ground for depaving and permeable paving, any open ground
    for greening and parks."""
    sealed_only = spec.type in ("depave", "permeable_paving")
    cells = _sealed_ground(site, selection) if sealed_only else _open_ground(site, selection)
    _require(cells, context, "sealed ground (roads, paving, car parks) outside buildings" if sealed_only else "open ground")
    area = float(cells.sum() * site.cell_area)
    return _reclass(site, cells, spec, context), {"area_m2": area}, area, cells


def green_roofs(site: Site, spec: GreenRoofs, selection: Selection, context: str):
    cells, ids = _roof_cells(site, selection, context)
    retention = _values(site, "roof_retention")
    retention[cells] = spec.retention_depth
    area = float(cells.sum() * site.cell_area)
    new = _reclass(site, cells, spec, context, roof_retention=retention)
    return new, {"buildings": len(ids), "area_m2": area}, area, cells


def cool_surface(site: Site, spec: CoolSurface, selection: Selection, context: str):
    if spec.type == "cool_roofs":
        cells, ids = _roof_cells(site, selection, context)
        details = {"buildings": len(ids)}
    else:
        cells = _sealed_ground(site, selection)
        _require(cells, context, "sealed ground outside buildings")
        details = {}
    albedo = _values(site, "albedo")
    if spec.albedo is not None:
        albedo[cells] = spec.albedo
    else:
        albedo[cells] = np.nan  # the cool class's own albedo applies
    area = float(cells.sum() * site.cell_area)
    new = _reclass(site, cells, spec, context, albedo=albedo)
    return new, {**details, "area_m2": area}, area, cells


def retention_basin(site: Site, spec: RetentionBasin, selection: Selection, context: str):
    cells = selection.cells
    if selection.geometry is None:
        raise ScenarioError(f"{context}: a retention basin needs its outline in `where`.")
    buildings = np.unique(site.grid["building_id"].values[cells])
    buildings = buildings[buildings > 0]
    if len(buildings):
        raise ScenarioError(
            f"{context}: the basin covers building(s) {buildings[:5].tolist()}; demolish them first "
            "(a `demolish` intervention before this one) or reshape the basin."
        )
    elevation = _values(site, "elevation")
    elevation[cells] -= spec.depth
    cover, height = _values(site, "canopy_cover"), _values(site, "canopy_height")
    cover[cells], height[cells] = 0.0, 0.0
    volume = float(cells.sum() * site.cell_area * spec.depth)
    new = _reclass(site, cells, spec, context, elevation=elevation, canopy_cover=cover, canopy_height=height)
    return new, {"area_m2": float(cells.sum() * site.cell_area), "volume_m3": volume}, volume, cells


def new_buildings(site: Site, spec: NewBuildings, selection: Selection, context: str):
    if selection.geometry is None:
        raise ScenarioError(f"{context}: new buildings need their footprints in `where` (polygons).")
    footprints = [g for g in shapely.get_parts(selection.geometry) if g.geom_type == "Polygon" and g.area > 0]
    if not footprints:
        raise ScenarioError(f"{context}: `where` holds no polygon; give the footprints of the new buildings.")
    overlapped = site.buildings.index[site.buildings.geometry.intersection(selection.geometry).area > 1.0].tolist()
    if overlapped:
        raise ScenarioError(f"{context}: the footprints overlap existing building(s) {overlapped[:5]}; demolish them first.")
    areas = pd.Series([g.area for g in footprints])
    heights = pd.Series(np.full(len(footprints), spec.height))
    use = normalise_use(spec.use)
    if spec.population is not None:
        population = areas / areas.sum() * spec.population
    else:
        population = estimate_residents(areas, heights) if use == "residential" else areas * 0.0
    first = int(site.buildings.index.max()) + 1 if len(site.buildings) else 1
    added = gpd.GeoDataFrame(
        {"id": [f"new-{first + i}" for i in range(len(footprints))], "height": heights.to_numpy(),
         "height_source": "scenario", "use": use, "use_source": spec.use, "population": population.to_numpy(),
         "population_estimated": spec.population is None,
         "population_source": "scenario" if spec.population is not None else "floor area",
         "sensitive": use in SENSITIVE_USES},
        geometry=footprints, crs=site.crs, index=pd.RangeIndex(first, first + len(footprints), name="building_id"),
    )
    owner = rasterize_buildings(added, site.grid_spec)
    cells = owner > 0
    added["n_cells"] = np.bincount(owner.ravel(), minlength=first + len(footprints))[first:]
    building_id = np.where(cells, owner, site.grid["building_id"].values)
    building_height = np.where(cells, spec.height, site.grid["building_height"].values)
    cover, height = _values(site, "canopy_cover"), _values(site, "canopy_height")
    cover[cells], height[cells] = 0.0, 0.0
    new = _reclass(site, cells, spec, context, building_id=building_id, building_height=building_height,
                   canopy_cover=cover, canopy_height=height)
    new = new.evolve(buildings=pd.concat([site.buildings, added]))
    floor_area = float(areas.sum() * storeys(spec.height))
    details = {"buildings": len(footprints), "footprint_m2": float(areas.sum()), "floor_area_m2": floor_area,
               "residents": float(population.sum())}
    return new, details, floor_area, cells


def demolish(site: Site, spec: Demolish, selection: Selection, context: str):
    cells, ids = _roof_cells(site, selection, context)
    building_id = np.where(cells, 0, site.grid["building_id"].values)
    building_height = np.where(cells, 0.0, site.grid["building_height"].values)
    removed = site.buildings.loc[ids]
    if removed["sensitive"].any():
        warnings.warn(f"{context}: demolishes sensitive building(s) {removed.index[removed['sensitive']].tolist()}.",
                      RepairWarning, stacklevel=2)
    new = _reclass(site, cells, spec, context, building_id=building_id, building_height=building_height)
    new = new.evolve(buildings=site.buildings.drop(index=ids))
    area = float(cells.sum() * site.cell_area)
    details = {"buildings": len(ids), "area_m2": area, "residents": float(removed["population"].sum())}
    return new, details, area, cells


def drainage_upgrade(site: Site, spec: DrainageUpgrade, selection: Selection, context: str):
    cells = selection.cells & site.sealed
    _require(cells, context, "sealed cells (roofs, roads, paving) connected to the network")
    capacity = _values(site, "drainage_capacity")
    capacity[cells] = spec.capacity
    area = float(cells.sum() * site.cell_area)
    return _with(site, drainage_capacity=capacity), {"area_m2": area}, area, cells


KINDS: dict[str, Callable] = {
    "plant_trees": plant_trees, "depave": reclass_ground, "greening": reclass_ground, "park": reclass_ground,
    "green_roofs": green_roofs, "cool_roofs": cool_surface, "cool_pavement": cool_surface,
    "permeable_paving": reclass_ground, "retention_basin": retention_basin, "new_buildings": new_buildings,
    "demolish": demolish, "drainage_upgrade": drainage_upgrade,
}
