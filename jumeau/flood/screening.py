"""Instant flood screening ("bluespots"): depressions, their volume, the still water a storm leaves in them.

A *screening*, not a simulation: it shows in a second where water will pond and
roughly how deep, with no dynamics (after the Danish "bluespot" screening, Balstrøm &
Crawford 2018, *Computers & Geosciences* 116):

1. Runoff: each ground cell makes its SCS-CN runoff of the storm's total depth; a roof
   sends all its rain to the nearest ground cell (as in the flood model).
2. Depressions and ponding: the runoff runs down to the depressions, fills them, spills
   from full ones into the next and settles flat (fill–spill–merge,
   :mod:`jumeau.flood.depressions`). Buildings stay at ground level in the terrain, so
   that courtyards are not closed up to the roofs, but hold no water.
3. A depression, for the table, is a connected group of ground cells whose filled depth
   (up to where water would leave) is more than ``min_depth`` and which holds at least
   ``min_volume`` when full: the centimetre pits of a LiDAR terrain model would otherwise
   list hundreds of thousands of "depressions" (their water is still on the map).

Every volume is accounted for: the runoff equals what is held plus what left over the
edges (``volume_*`` attributes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from scipy import ndimage

from jumeau import outputs
from jumeau.flood.depressions import settle
from jumeau.flood.hazard import WALL_DEPTH
from jumeau.flood.losses import runoff_depth
from jumeau.flood.model import curve_numbers
from jumeau.flood.roofs import downpipes
from jumeau.site.state import Site
from jumeau.site.zonal import building_values

FACES = ndimage.generate_binary_structure(2, 1)  # depressions joined through cell faces, as water moves


def screen(site: Site, storm_depth: float, *, min_depth: float = 0.02, min_volume: float = 1.0,
           initial_abstraction: float = 0.2) -> tuple[xr.Dataset, pd.DataFrame]:
    """Bluespot screening of a Site for a storm of ``storm_depth`` mm (see the module docstring).

    Returns a Dataset (``fill_depth``, ``depression_id``, ``ponding_depth``, and the volume
    balance in its attributes) and one row per depression: area, capacity, water held,
    share filled, buildings touched.
    """
    grid = site.grid
    z = grid["elevation"].values.astype("float64")
    blocked = grid["building_id"].values > 0
    area = site.cell_area
    runoff = np.where(blocked, 0.0, runoff_depth(storm_depth, curve_numbers(site), initial_abstraction)) / 1000
    np.add.at(runoff.ravel(), downpipes(blocked), storm_depth / 1000)
    ponding, left, filled = settle(z, ~blocked, runoff)
    fill = np.where(blocked, 0.0, filled - z)
    labels, count = ndimage.label(fill > min_depth, structure=FACES)
    kept = np.flatnonzero(ndimage.sum(fill * area, labels, np.arange(1, count + 1)) >= min_volume) + 1
    renumber = np.zeros(count + 1, np.int64)
    renumber[kept] = np.arange(1, kept.size + 1)
    labels = renumber[labels]
    ids = np.arange(1, kept.size + 1)
    capacity = ndimage.sum(fill * area, labels, ids)
    held = ndimage.sum(ponding * area, labels, ids)
    balance = {"volume_runoff": float(runoff.sum() * area), "volume_held": float(ponding.sum() * area),
               "volume_outflow": float(left * area)}
    balance["volume_relative_error"] = (balance["volume_runoff"] - balance["volume_held"] - balance["volume_outflow"]
                                        ) / max(balance["volume_runoff"], 1e-12)
    coords = {"y": grid["y"], "x": grid["x"]}
    result = xr.Dataset({
        "fill_depth": (("y", "x"), fill.astype("float32"), outputs.attrs("fill_depth")),
        "depression_id": (("y", "x"), labels.astype("int32"), outputs.attrs("depression_id")),
        "ponding_depth": (("y", "x"), ponding.astype("float32"), outputs.attrs("ponding_depth")),
    }, coords=coords, attrs={"title": "jumeau bluespot screening (not a simulation)", "storm_depth_mm": storm_depth,
                             **balance})
    wet = building_values(site, result["ponding_depth"], "wall") > WALL_DEPTH
    beside = building_values(site, result["depression_id"], "wall")  # the depression at a building's walls
    table = pd.DataFrame({"depression": ids, "area_m2": ndimage.sum(np.ones_like(z), labels, ids) * area,
                          "capacity_m3": capacity, "held_m3": held,
                          "filled_share": np.minimum(held / np.maximum(capacity, 1e-9), 1.0),
                          "buildings": [int((wet & (beside == d)).sum()) for d in ids]})
    return result, table
