"""Shadows cast over a surface model (terrain + buildings + trees) by the sun.

A cell is in shadow when, marching from it towards the sun, the surface rises above
the sun's ray: ``dsm(p + s·u) > dsm(p) + s·tan(elevation)`` for some distance ``s``
(u the horizontal unit vector towards the sun's azimuth). Marching stops when the
ray is above the highest point of the surface. Steps of half a cell, nearest-cell
sampling; compiled with numba, rows in parallel.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from jumeau.errors import ModelError


@numba.njit(cache=True, parallel=True)
def _shadow(dsm, cell, dx_step, dy_step, rise, top):
    ny, nx = dsm.shape
    out = np.zeros((ny, nx), dtype=np.bool_)
    for i in numba.prange(ny):
        for j in range(nx):
            z0 = dsm[i, j]
            s = 1
            while True:
                x = j + s * dx_step
                y = i + s * dy_step
                r = math.floor(y + 0.5)
                c = math.floor(x + 0.5)
                if r < 0 or r >= ny or c < 0 or c >= nx:
                    break
                ray = z0 + s * rise
                if ray > top:
                    break
                if dsm[r, c] > ray:
                    out[i, j] = True
                    break
                s += 1
    return out


def cast_shadow(dsm: np.ndarray, cell: float, elevation: float, azimuth: float) -> np.ndarray:
    """Boolean grid: True where the sun at (elevation, azimuth) in degrees is hidden.

    ``dsm`` rows run north to south, columns west to east; ``cell`` in metres.
    A sun below the horizon shades every cell.
    """
    dsm = np.ascontiguousarray(dsm, dtype="float64")
    if not np.isfinite(dsm).all():
        raise ModelError("shadows: the surface model holds NaN; fill it first.")
    if elevation <= 0:
        return np.ones(dsm.shape, dtype=bool)
    step = 0.5  # cells per marching step
    a = math.radians(azimuth)
    dx_step = step * math.sin(a)  # east
    dy_step = -step * math.cos(a)  # rows grow southwards
    rise = step * cell * math.tan(math.radians(elevation))
    return _shadow(dsm, cell, dx_step, dy_step, rise, float(dsm.max()))
