"""Sky view factors of the ground by horizon scanning, for a horizontal surface and four walls of a person.

For each cell and each of ``directions`` azimuths a, the horizon angle β(a) is the largest
elevation angle of the surface seen along a within ``radius`` metres. Under an isotropic
sky, the sky view factor of

* a horizontal surface facing up is ``ψ = (1/2π)∫cos²β da`` (Johnson & Watson 1984;
  ``1 − mean(sin²β)``; at the centre line of an infinite canyon, ``cos(atan(2H/W))``);
* a vertical surface facing azimuth φ (the side of a standing person) is
  ``ψ_φ = (1/π)∫ max(0, cos(a − φ))·(π/4 − β/2 − sin 2β/4) da``, the view-factor
  integral ``(1/π)∫∫cos θ dΩ`` over the sky above the horizon: 0.5 on open ground.

Two horizons are scanned in one pass: that of buildings and terrain, and that of
buildings, terrain and tree crowns, so trees are told apart from walls (Lindberg &
Grimmond 2011, *Theor. Appl. Climatol.* 105: 311–323).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numba
import numpy as np

from jumeau.errors import ModelError

# the person's four sides, azimuths clockwise from north, in the order of SkyView's planes 1–4
SIDES = {"east": 90.0, "south": 180.0, "west": 270.0, "north": 0.0}


@numba.njit(cache=True, parallel=True)
def _horizons(dsm, crowns, cell, directions, steps, top):
    ny, nx = dsm.shape
    # stored in float32: the ten planes are kept for every hour of the day (and cached per
    # surface); summed in float64 row by row, so open ground still comes out at exactly 1
    walls = np.empty((5, ny, nx), dtype=np.float32)
    trees = np.empty((5, ny, nx), dtype=np.float32)
    sin_a = np.empty(directions)
    cos_a = np.empty(directions)
    facing = np.zeros((4, directions))  # max(0, cos(a − φ)) for the four sides
    for k in range(directions):
        a = 2.0 * math.pi * k / directions
        sin_a[k] = math.sin(a)
        cos_a[k] = math.cos(a)
        for side in range(4):
            phi = math.pi / 2.0 * (side + 1)  # east, south, west, north
            facing[side, k] = max(0.0, math.cos(a - phi))
    step_a = 2.0 * math.pi / directions
    for i in numba.prange(ny):
        sums = np.zeros((2, 5, nx))  # this row's walls and trees
        for j in range(nx):
            z0 = dsm[i, j]
            for k in range(directions):
                best_w = 0.0  # tan of the horizon angle of buildings and terrain
                best_t = 0.0  # ... of buildings, terrain and crowns
                for s in range(1, steps + 1):
                    r = math.floor(i - s * cos_a[k] + 0.5)
                    c = math.floor(j + s * sin_a[k] + 0.5)
                    if r < 0 or r >= ny or c < 0 or c >= nx:
                        break
                    distance = s * cell
                    if (top - z0) / distance <= best_w:
                        break  # nothing further can rise above either horizon
                    best_w = max(best_w, (dsm[r, c] - z0) / distance)
                    best_t = max(best_t, (crowns[r, c] - z0) / distance)
                best_t = max(best_t, best_w)
                for which in range(2):
                    t = best_w if which == 0 else best_t
                    beta = math.atan(t)
                    vertical = (math.pi / 4.0 - beta / 2.0 - t / (1.0 + t * t) / 2.0) / math.pi * step_a
                    sums[which, 0, j] += 1.0 / (1.0 + t * t) / directions
                    for side in range(4):
                        sums[which, side + 1, j] += facing[side, k] * vertical
        walls[:, i, :] = sums[0]
        trees[:, i, :] = sums[1]
    return walls, trees


@dataclass(frozen=True)
class SkyView:
    """Sky view factors (0–1) of each ground cell: plane 0 faces up; planes 1–4 are vertical, facing east,
    south, west and north (0–0.5).

    ``past_walls``: the sky hidden by buildings and terrain only; ``open``: hidden by tree crowns too.
    """

    past_walls: np.ndarray  # (5, ny, nx)
    open: np.ndarray  # (5, ny, nx)

    @property
    def horizontal(self) -> np.ndarray:
        return self.open[0]


def sky_views(dsm: np.ndarray, cell: float, crowns: np.ndarray | None = None, radius: float = 100.0,
              directions: int = 36) -> SkyView:
    """Sky view factors of every cell of a surface model (terrain + buildings, m).

    ``crowns``: the top of tree crowns (m, same datum; lower than ``dsm`` where no tree).
    ``radius`` (m) limits the horizon search.
    """
    dsm = np.ascontiguousarray(dsm, dtype="float64")
    crowns = dsm if crowns is None else np.ascontiguousarray(np.maximum(crowns, dsm), dtype="float64")
    if not (np.isfinite(dsm).all() and np.isfinite(crowns).all()):
        raise ModelError("sky view factor: the surface model holds NaN; fill it first.")
    if directions < 8 or radius <= cell:
        raise ModelError("sky view factor: use at least 8 directions and a radius above one cell.")
    walls, trees = _horizons(dsm, crowns, cell, directions, int(radius / cell), float(crowns.max()))
    return SkyView(walls, trees)


_CACHE: OrderedDict[str, SkyView] = OrderedDict()
_CACHE_LOCK = threading.Lock()  # the viewer runs scenarios in threads
CACHED_SURFACES = 4


def cached_sky_views(dsm: np.ndarray, cell: float, crowns: np.ndarray, radius: float = 100.0) -> SkyView:
    """:func:`sky_views`, computed once per surface: scenarios that leave buildings, terrain and crowns as
    they were (depaving, cool pavements, green roofs) reuse it, and so do the hours of a day."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (np.ascontiguousarray(dsm, dtype="float64"), np.ascontiguousarray(crowns, dtype="float64"),
                 np.array([cell, radius, *dsm.shape])):
        digest.update(part.tobytes())
    key = digest.hexdigest()
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    view = sky_views(dsm, cell, crowns, radius=radius)
    with _CACHE_LOCK:
        _CACHE[key] = view
        while len(_CACHE) > CACHED_SURFACES:
            _CACHE.popitem(last=False)
    return view


def sky_view_factor(dsm: np.ndarray, cell: float, radius: float = 100.0, directions: int = 36) -> np.ndarray:
    """SVF (0–1) of a horizontal surface at every cell of a surface model."""
    return sky_views(dsm, cell, radius=radius, directions=directions).horizontal
