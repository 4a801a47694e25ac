"""The Site: the twin's state, one xarray grid plus the building and site-of-interest tables."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rioxarray  # noqa: F401 - registers the .rio accessor
import xarray as xr

from jumeau.classes import ClassTable
from jumeau.grid import Grid

# The layers every Site holds: name -> (dtype, units, long_name). Models and writers
# read units and names from here instead of repeating them.
LAYERS: dict[str, tuple[str, str, str]] = {
    "elevation": ("float32", "m", "bare-earth terrain elevation"),
    "landcover": ("int16", "1", "land-cover class code (lucode of the class table)"),
    "building_height": ("float32", "m", "height of the building over the cell (0 off buildings)"),
    "building_id": ("int32", "1", "building over the cell (index of Site.buildings; 0 off buildings)"),
    "soil_group": ("int8", "1", "hydrologic soil group (1=A, 2=B, 3=C, 4=D)"),
    "impervious": ("float32", "1", "impervious fraction of the cell"),
    "canopy_cover": ("float32", "1", "fraction of the cell under tree canopy"),
    "canopy_height": ("float32", "m", "height of the tallest tree canopy over the cell (0 where none)"),
    "study_area": ("int8", "1", "1 inside the study area, 0 outside"),
}
# Layers that interventions add where they override the class table or the forcing;
# NaN where nothing was set (the class table's or the forcing's value applies).
OVERRIDE_LAYERS: dict[str, tuple[str, str, str]] = {
    "albedo": ("float32", "1", "surface albedo set by an intervention"),
    "roof_retention": ("float32", "mm", "rain held on a green roof before it runs off"),
    "drainage_capacity": ("float32", "mm h-1", "storm-sewer capacity of the cell's network"),
}
STANDARD_NAMES = {"elevation": "surface_altitude"}
SOIL_FLAGS = {"flag_values": np.array([1, 2, 3, 4], dtype="int8"), "flag_meanings": "A B C D"}


def layer(name: str, values: np.ndarray, like: xr.Dataset | xr.DataArray) -> xr.DataArray:
    """Wrap an array as a declared layer on the grid of ``like``, with its CF attributes."""
    dtype, units, long_name = LAYERS[name] if name in LAYERS else OVERRIDE_LAYERS[name]
    attrs = {"units": units, "long_name": long_name}
    if name in STANDARD_NAMES:
        attrs["standard_name"] = STANDARD_NAMES[name]
    if name == "soil_group":
        attrs.update(SOIL_FLAGS)
    return xr.DataArray(np.asarray(values, dtype=dtype), coords={"y": like["y"], "x": like["x"]}, dims=("y", "x"), attrs=attrs)


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
    def grid_spec(self) -> Grid:
        """The grid's CRS, resolution and bounds (for rasterizing onto it)."""
        return Grid(crs=self.crs, resolution=self.resolution, bounds=tuple(self.grid.rio.bounds()))

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
        return np.full(self.shape, np.nan, dtype=OVERRIDE_LAYERS[name][0])

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
