"""Values of a grid layer per building and per site of interest.

* a building's *mean* is the mean of the layer over the cells it owns (``building_id``);
* its *wall* value is the highest value on the ground cells touching it
  (8-neighbourhood): where water stands against a building, the cells under it being
  walls to the flood model;
* its *around* value is the mean over the ground within a reach of it (each ground cell
  counting for the building nearest to it): what people feel at its doors;
* a site of interest takes its building's value, or the value of its own cell if it
  stands in no building.

>>> import jumeau
>>> site = jumeau.demo_site()
>>> heights = building_values(site, site.grid["building_height"], "mean")
>>> bool(abs(heights - site.buildings["height"].to_numpy()).max() < 1e-3)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import rasterio.transform
import xarray as xr
from scipy import ndimage

from jumeau.site.state import Site

AROUND = 20.0  # m: the reach of a building's "around" value


def building_values(site: Site, layer: xr.DataArray, how: str) -> np.ndarray:
    """Per-building ``mean`` of a layer over the building's cells, ``wall`` maximum or ``around`` mean around it.

    Returns an array indexed like ``site.buildings`` (NaN where a building has no cell with a value).
    """
    ids = site.grid["building_id"].values
    values = layer.values.astype("float64")
    size = int(max(site.buildings.index.max() if len(site.buildings) else 0, ids.max())) + 1
    if how == "mean":
        known = np.isfinite(values)  # a cell without a value is left out of the mean, not counted as 0
        count = np.bincount(ids.ravel(), weights=known.ravel(), minlength=size)
        total = np.bincount(ids.ravel(), weights=np.where(known, values, 0.0).ravel(), minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            result = total / count
    elif how == "wall":
        result = np.full(size, np.nan)
        ground = ids == 0
        padded_ids = np.pad(ids, 1)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                if dy == dx == 0:
                    continue
                neighbour = padded_ids[1 + dy: 1 + dy + ids.shape[0], 1 + dx: 1 + dx + ids.shape[1]]
                touching = ground & (neighbour > 0)
                np.fmax.at(result, neighbour[touching], values[touching])
    elif how == "around":
        ground = ids == 0
        distance, (rows, cols) = ndimage.distance_transform_edt(ground, return_indices=True,
                                                                sampling=site.resolution)
        nearest = ids[rows, cols]
        near = ground & (distance <= AROUND) & (nearest > 0) & np.isfinite(values)
        count = np.bincount(nearest[near], minlength=size)
        total = np.bincount(nearest[near], weights=values[near], minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            result = total / count
    else:
        raise ValueError(f"unknown aggregation {how!r}")
    return result[site.buildings.index.to_numpy()]


def site_values(site: Site, layer: xr.DataArray, per_building: np.ndarray) -> np.ndarray:
    """Per site of interest: its building's value, else the value of its cell."""
    sites = site.sites
    if not len(sites):
        return np.array([])
    by_building = pd.Series(per_building, index=site.buildings.index)
    building = sites["building_id"].fillna(0).astype(int).to_numpy()
    points = sites.geometry.representative_point()
    rows, cols = rasterio.transform.rowcol(site.grid_spec.transform, points.x.to_numpy(), points.y.to_numpy())
    rows = np.clip(np.asarray(rows, dtype=int), 0, site.shape[0] - 1)
    cols = np.clip(np.asarray(cols, dtype=int), 0, site.shape[1] - 1)
    at_cell = layer.values[rows, cols].astype("float64")
    own = np.array([by_building.get(b, np.nan) if b > 0 else np.nan for b in building])
    return np.where(np.isnan(own), at_cell, own)
