"""The Site: the twin's state, one xarray grid plus the building and site-of-interest tables."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rioxarray  # noqa: F401 - registers the .rio accessor
import xarray as xr

from jumeau.grid import Grid
from jumeau.outputs import Layer
from jumeau.site.classes import ClassTable

# The layers every Site holds. Models and writers read units and names from here
# instead of repeating them.
LAYERS: dict[str, Layer] = {
    "elevation": Layer("m", "bare-earth terrain elevation", "Altitude du terrain", "Terrain elevation",
                       cmap="cividis", standard_name="surface_altitude"),
    "landcover": Layer("1", "land-cover class code (lucode of the class table)", "Occupation du sol", "Land cover",
                       dtype="int16"),
    "building_height": Layer("m", "height of the building over the cell (0 off buildings)", "Hauteur des bâtiments",
                             "Building height", empty_at_zero=True),
    "building_id": Layer("1", "building over the cell (index of Site.buildings; 0 off buildings)", "Bâtiment",
                         "Building", empty_at_zero=True, dtype="int32"),
    "soil_group": Layer("1", "hydrologic soil group (1=A, 2=B, 3=C, 4=D)", "Groupe hydrologique de sol",
                        "Hydrologic soil group", flags=("A", "B", "C", "D"), first_flag=1, dtype="int8"),
    "impervious": Layer("1", "impervious fraction of the cell", "Part imperméable", "Impervious fraction",
                        cmap="Greys", better="lower"),
    "canopy_cover": Layer("1", "fraction of the cell under tree canopy", "Couvert des arbres", "Tree canopy cover",
                          cmap="Greens", better="higher", empty_at_zero=True),
    "canopy_height": Layer("m", "height of the tallest tree canopy over the cell (0 where none)",
                           "Hauteur des arbres", "Tree height", empty_at_zero=True),
    "study_area": Layer("1", "1 inside the study area, 0 outside", "Zone d'étude", "Study area", dtype="int8"),
}
# Layers that interventions add where they override the class table or the forcing;
# NaN where nothing was set (the class table's or the forcing's value applies).
OVERRIDE_LAYERS: dict[str, Layer] = {
    "albedo": Layer("1", "surface albedo set by an intervention", "Albédo", "Albedo", cmap="Greys_r"),
    "roof_retention": Layer("mm", "rain held on a green roof before it runs off", "Rétention des toitures",
                            "Roof retention", cmap="Blues"),
    "drainage_capacity": Layer("mm h-1", "storm-sewer capacity of the cell's network", "Capacité du réseau",
                               "Sewer capacity", cmap="Blues"),
}
SEALED = 0.5
"""Imperviousness from which a cell is *sealed* (built-up: roofs, roads, paving): the majority
rule, a cell most of which is impervious. With the shipped class table it puts gravel
(0.60) with the sealed classes and permeable paving (0.40) with the open ones.
Interventions, the storm-sewer connection and the indicators all use this one
threshold, through :attr:`Site.sealed`."""


def layer(name: str, values: np.ndarray, like: xr.Dataset | xr.DataArray) -> xr.DataArray:
    """Wrap an array as a declared layer on the grid of ``like``, with its CF attributes."""
    spec = LAYERS[name] if name in LAYERS else OVERRIDE_LAYERS[name]
    return xr.DataArray(np.asarray(values, dtype=spec.dtype), coords={"y": like["y"], "x": like["x"]},
                        dims=("y", "x"), attrs=spec.attrs())


@dataclass(frozen=True)
class Site:
    """A district's twin: ``grid`` (layers of :data:`LAYERS`), ``buildings``, ``sites``, ``classes``.

    A Site is never modified in place: scenarios build new Sites with :meth:`evolve`.
    """

    name: str
    grid: xr.Dataset
    buildings: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    classes: ClassTable
    source: Path | None = None
    metadata: dict = field(default_factory=dict)

    @property
    def crs(self):
        return self.grid.rio.crs

    @property
    def resolution(self) -> float:
        return float(abs(self.grid["x"][1] - self.grid["x"][0]))

    @property
    def cell_area(self) -> float:
        return self.resolution**2

    @property
    def shape(self) -> tuple[int, int]:
        return self.grid.sizes["y"], self.grid.sizes["x"]

    @property
    def sealed(self) -> np.ndarray:
        """Cells whose imperviousness reaches :data:`SEALED` (roofs, roads, paving)."""
        return self.grid["impervious"].values >= SEALED

    @property
    def grid_spec(self) -> Grid:
        """The grid's CRS, resolution and bounds (for rasterizing onto it)."""
        return Grid(crs=self.crs, resolution=self.resolution, bounds=tuple(self.grid.rio.bounds()))

    @property
    def lonlat(self) -> tuple[float, float]:
        """Longitude and latitude (degrees) of the grid's centre."""
        import pyproj

        xmin, ymin, xmax, ymax = self.grid.rio.bounds()
        to_lonlat = pyproj.Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        return to_lonlat.transform((xmin + xmax) / 2, (ymin + ymax) / 2)

    def evolve(self, **changes) -> Site:
        """A new Site with some fields replaced (the original is untouched)."""
        return replace(self, **changes)

    def parameter(self, column: str) -> np.ndarray:
        """Per-cell value of a class-table column, with an intervention's override where set."""
        values = self.classes.lookup(column, self.grid["landcover"].values)
        if column in OVERRIDE_LAYERS and column in self.grid:
            override = self.grid[column].values
            values = np.where(np.isnan(override), values, override)
        return values

    def override(self, name: str) -> np.ndarray:
        """An override layer's values (all NaN if no intervention set it)."""
        if name in self.grid:
            return self.grid[name].values
        return np.full(self.shape, np.nan, dtype=OVERRIDE_LAYERS[name].dtype)

    def landcover_areas(self) -> pd.DataFrame:
        """Area (m² and %) per land-cover class present on the grid."""
        codes, counts = np.unique(self.grid["landcover"].values, return_counts=True)
        table = pd.DataFrame({"lucode": codes, "cells": counts})
        table["name"] = [self.classes.label(c, "en") for c in codes]
        table["label_fr"] = [self.classes.label(c, "fr") for c in codes]
        table["area_m2"] = table["cells"] * self.cell_area
        table["percent"] = 100 * table["cells"] / counts.sum()
        return table.drop(columns="cells")

    def summary(self) -> dict:
        """Figures describing the site, for ``jumeau info`` and reports."""
        heights = self.buildings["height"]
        ny, nx = self.shape
        xmin, ymin, xmax, ymax = self.grid.rio.bounds()
        return {
            "name": self.name,
            "crs": self.crs.to_string(),
            "resolution_m": self.resolution,
            "shape": (ny, nx),
            "cells": ny * nx,
            "bounds": (xmin, ymin, xmax, ymax),
            "area_ha": ny * nx * self.cell_area / 1e4,
            "elevation_range_m": (float(self.grid["elevation"].min()), float(self.grid["elevation"].max())),
            "buildings": len(self.buildings),
            "buildings_without_height": int((self.buildings["height_source"] == "default").sum()),
            "building_height_m": {
                "min": float(heights.min()) if len(heights) else np.nan,
                "median": float(heights.median()) if len(heights) else np.nan,
                "max": float(heights.max()) if len(heights) else np.nan,
            },
            "residents": float(self.buildings["population"].sum()),
            "sensitive_buildings": int(self.buildings["sensitive"].sum()),
            "sites_of_interest": self.sites["category"].value_counts().to_dict() if len(self.sites) else {},
            "canopy_cover_percent": 100 * float(self.grid["canopy_cover"].mean()),
            "impervious_percent": 100 * float(self.grid["impervious"].mean()),
        }
