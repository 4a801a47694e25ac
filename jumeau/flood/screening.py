"""Instant flood screening ("bluespots"): depressions, their volume, the runoff reaching them.

A *screening*, not a simulation: it shows in a second where water will pond and
roughly how deep, with no dynamics. Method (after the Danish "bluespot" screening,
Balstrøm & Crawford 2018, *Computers & Geosciences* 116):

1. Depressions: the terrain is filled by priority-flood (Barnes, Lehman & Mulla 2014,
   *Computers & Geosciences* 62); a depression is a connected group of ground cells
   whose fill is more than ``min_depth`` deep (building cells are left out of it). Its
   capacity is the filled volume.
2. Runoff: each ground cell makes its SCS-CN runoff of the storm's total depth; a roof
   sends all its rain to the nearest ground cell (as in the flood model).
3. Routing: runoff follows the steepest descent (D8) of the filled surface until it
   reaches a depression (it stays there) or leaves the grid; a full depression's excess
   is not passed on (no cascade: a screening's known limit).
4. Ponding: each depression fills from its lowest cell up to the level that holds the
   runoff it received (or to the brim).
"""

from __future__ import annotations

import heapq

import numba
import numpy as np
import pandas as pd
import xarray as xr
from scipy import ndimage

from jumeau import outputs
from jumeau.flood.hazard import WALL_DEPTH
from jumeau.flood.losses import runoff_depth
from jumeau.flood.model import curve_numbers
from jumeau.flood.roofs import downpipes
from jumeau.site.state import Site
from jumeau.site.zonal import building_values

NEIGHBOURS = np.array([(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)], dtype=np.int64)


@numba.njit(cache=True)
def priority_flood(surface: np.ndarray) -> np.ndarray:
    """Depression-filled surface (Barnes et al. 2014): water can leave only over the edges."""
    ny, nx = surface.shape
    filled = surface.copy()
    closed = np.zeros((ny, nx), dtype=np.bool_)
    heap = [(0.0, np.int64(0))]
    heap.pop()
    for i in range(ny):
        for j in range(nx):
            if i == 0 or j == 0 or i == ny - 1 or j == nx - 1:
                closed[i, j] = True
                heapq.heappush(heap, (surface[i, j], np.int64(i * nx + j)))
    while heap:
        level, index = heapq.heappop(heap)
        i, j = index // nx, index % nx
        for k in range(8):
            r, c = i + NEIGHBOURS[k, 0], j + NEIGHBOURS[k, 1]
            if 0 <= r < ny and 0 <= c < nx and not closed[r, c]:
                closed[r, c] = True
                filled[r, c] = max(surface[r, c], level)
                heapq.heappush(heap, (filled[r, c], np.int64(r * nx + c)))
    return filled


@numba.njit(cache=True)
def route(filled: np.ndarray, runoff: np.ndarray, sink: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Runoff volume arriving at each sink cell, following D8 steepest descent of ``filled``.

    ``order`` lists flat indices from the highest filled cell to the lowest; flow moves
    from a cell to its lowest lower neighbour, stops in sink cells, and is lost where a
    cell has no lower neighbour (grid edge or flat).
    """
    ny, nx = filled.shape
    carried = runoff.copy()
    arrived = np.zeros((ny, nx))
    for index in order:
        i, j = index // nx, index % nx
        if sink[i, j]:
            arrived[i, j] += carried[i, j]
            continue
        best, target_r, target_c = 0.0, -1, -1
        for k in range(8):
            r, c = i + NEIGHBOURS[k, 0], j + NEIGHBOURS[k, 1]
            if 0 <= r < ny and 0 <= c < nx:
                distance = 1.4142135623730951 if NEIGHBOURS[k, 0] != 0 and NEIGHBOURS[k, 1] != 0 else 1.0
                slope = (filled[i, j] - filled[r, c]) / distance
                if slope > best:
                    best, target_r, target_c = slope, r, c
        if target_r >= 0:
            carried[target_r, target_c] += carried[i, j]
    return arrived


def _ponding_level(ground: np.ndarray, volume: float, cell_area: float, brim: float) -> float:
    """Water level holding ``volume`` over cells of elevations ``ground`` (filling from the lowest)."""
    z = np.sort(ground)
    held = cell_area * (np.arange(len(z)) * z - np.concatenate(([0.0], np.cumsum(z)[:-1])))  # volume below z_k
    k = int(np.searchsorted(held, volume, side="right")) - 1
    level = z[k] + (volume - held[k]) / (cell_area * (k + 1))
    return min(level, brim)


def screen(site: Site, storm_depth: float, *, min_depth: float = 0.02, initial_abstraction: float = 0.2
           ) -> tuple[xr.Dataset, pd.DataFrame]:
    """Bluespot screening of a Site for a storm of ``storm_depth`` mm (see the module docstring).

    Returns a Dataset (``fill_depth``, ``depression_id``, ``ponding_depth``) and one row
    per depression: area, capacity, runoff received, share filled, buildings touched.
    """
    grid = site.grid
    z = grid["elevation"].values.astype("float64")
    blocked = grid["building_id"].values > 0
    # Buildings stay at ground level in the fill: as walls, they would close courtyards up to
    # their roofs, which passages and drains empty in reality.
    filled = priority_flood(z)
    fill = np.where(blocked, 0.0, filled - z)
    labels, count = ndimage.label(fill > min_depth, structure=np.ones((3, 3)))
    area = site.cell_area
    runoff = np.where(blocked, 0.0, runoff_depth(storm_depth, curve_numbers(site), initial_abstraction)) / 1000 * area
    np.add.at(runoff.ravel(), downpipes(blocked), storm_depth / 1000 * area)
    order = np.argsort(-filled, axis=None, kind="stable").astype(np.int64)
    arrived = route(filled, runoff, labels > 0, order)
    ids = np.arange(1, count + 1)
    capacity = ndimage.sum(fill * area, labels, ids)
    received = ndimage.sum(arrived, labels, ids)
    ponding = np.zeros_like(z)
    for number, (volume, inflow) in enumerate(zip(capacity, received, strict=True), start=1):
        cells = labels == number
        brim = float(filled[cells].max())
        level = _ponding_level(z[cells], min(inflow, volume), area, brim) if inflow > 0 else -np.inf
        ponding[cells] = np.clip(level - z[cells], 0.0, None)
    coords = {"y": grid["y"], "x": grid["x"]}
    result = xr.Dataset({
        "fill_depth": (("y", "x"), fill.astype("float32"), outputs.attrs("fill_depth")),
        "depression_id": (("y", "x"), labels.astype("int32"), outputs.attrs("depression_id")),
        "ponding_depth": (("y", "x"), ponding.astype("float32"), outputs.attrs("ponding_depth")),
    }, coords=coords, attrs={"title": "jumeau bluespot screening (not a simulation)", "storm_depth_mm": storm_depth})
    wet = building_values(site, result["ponding_depth"], "wall") > WALL_DEPTH
    beside = building_values(site, result["depression_id"], "wall")  # the depression at a building's walls
    table = pd.DataFrame({"depression": ids, "area_m2": ndimage.sum(np.ones_like(z), labels, ids) * area,
                          "capacity_m3": capacity, "runoff_m3": received,
                          "filled_share": np.minimum(received / np.maximum(capacity, 1e-9), 1.0),
                          "buildings": [int((wet & (beside == d)).sum()) for d in ids]})
    return result, table
