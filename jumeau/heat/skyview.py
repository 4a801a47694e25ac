"""Sky view factor of a surface model by horizon scanning.

For each cell and each of ``directions`` azimuths, the horizon angle β is the largest
elevation angle of the surface seen along the azimuth within ``radius`` metres; the
sky view factor of a horizontal surface is ``SVF = 1 − mean(sin² β)`` over azimuths
(Oke 1987, *Boundary Layer Climates*; Johnson & Watson 1984). For an infinite street
canyon, at its centre line, this gives ``cos(atan(2H/W))``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from jumeau.errors import ModelError


@numba.njit(cache=True, parallel=True)
def _svf(dsm, cell, directions, steps, top):
    ny, nx = dsm.shape
    out = np.empty((ny, nx))
    cos_a = np.empty(directions)
    sin_a = np.empty(directions)
    for k in range(directions):
        a = 2.0 * math.pi * k / directions
        sin_a[k] = math.sin(a)
        cos_a[k] = math.cos(a)
    for i in numba.prange(ny):
        for j in range(nx):
            z0 = dsm[i, j]
            total = 0.0
            for k in range(directions):
                best = 0.0  # tan of the horizon angle
                for s in range(1, steps + 1):
                    r = math.floor(i - s * cos_a[k] + 0.5)
                    c = math.floor(j + s * sin_a[k] + 0.5)
                    if r < 0 or r >= ny or c < 0 or c >= nx:
                        break
                    distance = s * cell
                    if (top - z0) / distance <= best:
                        break  # nothing further can rise above the current horizon
                    slope = (dsm[r, c] - z0) / distance
                    best = max(best, slope)
                total += best * best / (1.0 + best * best)  # sin² of the angle
            out[i, j] = 1.0 - total / directions
    return out


def sky_view_factor(dsm: np.ndarray, cell: float, radius: float = 100.0, directions: int = 36) -> np.ndarray:
    """SVF (0–1) of every cell of a surface model; ``radius`` (m) limits the horizon search."""
    dsm = np.ascontiguousarray(dsm, dtype="float64")
    if not np.isfinite(dsm).all():
        raise ModelError("sky view factor: the surface model holds NaN; fill it first.")
    if directions < 8 or radius <= cell:
        raise ModelError("sky view factor: use at least 8 directions and a radius above one cell.")
    return _svf(dsm, cell, directions, int(radius / cell), float(dsm.max()))
