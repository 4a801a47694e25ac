"""Shadows cast by the sun over a surface model (terrain + buildings) and by tree crowns.

A cell is in shadow when, marching from it towards the sun, an obstacle rises above the
sun's ray: ``top(p + s·u) > z(p) + s·tan(elevation)`` for some distance ``s`` (u the
horizontal unit vector towards the sun's azimuth). A tree crown only stops the ray
between its base and its top, so low sun passes under the crowns, between the trunks
(the trunk zone; Lindberg & Grimmond 2011). Marching stops when the ray is above the
highest obstacle. Steps of half a cell, nearest-cell sampling; compiled with numba, rows
in parallel.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from jumeau.errors import ModelError

STEP = 0.5  # cells per marching step


@numba.njit(cache=True, parallel=True)
def _shadow(start, top, base, dx_step, dy_step, rise, highest):
    ny, nx = start.shape
    out = np.zeros((ny, nx), dtype=np.bool_)
    for i in numba.prange(ny):
        for j in range(nx):
            z0 = start[i, j]
            s = 1
            while True:
                r = math.floor(i + s * dy_step + 0.5)
                c = math.floor(j + s * dx_step + 0.5)
                if r < 0 or r >= ny or c < 0 or c >= nx:
                    break
                ray = z0 + s * rise
                if ray > highest:
                    break
                if base[r, c] < ray < top[r, c]:
                    out[i, j] = True
                    break
                s += 1
    return out


def _march(start, top, base, cell, elevation, azimuth):
    if not (np.isfinite(start).all() and np.isfinite(top).all()):
        raise ModelError("shadows: the surface model holds NaN; fill it first.")
    if elevation <= 0:
        return np.ones(start.shape, dtype=bool)
    a = math.radians(azimuth)
    rise = STEP * cell * math.tan(math.radians(elevation))
    # columns grow eastwards, rows southwards
    return _shadow(start, top, base, STEP * math.sin(a), -STEP * math.cos(a), rise, float(top.max()))


def cast_shadow(dsm: np.ndarray, cell: float, elevation: float, azimuth: float) -> np.ndarray:
    """Boolean grid: True where buildings or terrain hide the sun at (elevation, azimuth) in degrees.

    ``dsm`` rows run north to south, columns west to east; ``cell`` in metres.
    A sun below the horizon shades every cell.
    """
    dsm = np.ascontiguousarray(dsm, dtype="float64")
    return _march(dsm, dsm, np.broadcast_to(-np.inf, dsm.shape), cell, elevation, azimuth)


def crown_shadow(dsm: np.ndarray, crown_top: np.ndarray, crown_base: np.ndarray, cell: float,
                 elevation: float, azimuth: float) -> np.ndarray:
    """Boolean grid: True where a tree crown (between ``crown_base`` and ``crown_top``, m) hides the sun."""
    dsm = np.ascontiguousarray(dsm, dtype="float64")
    top = np.ascontiguousarray(crown_top, dtype="float64")
    return _march(dsm, top, np.ascontiguousarray(crown_base, dtype="float64"), cell, elevation, azimuth)
