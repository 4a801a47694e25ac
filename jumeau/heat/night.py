"""Night-time overheating potential from street geometry (sky view factor).

Oke (1981), "Canyon geometry and the nocturnal urban heat island: comparison of scale
model and field observations", *J. Climatology* 1: 237–254: on calm, clear nights the
maximum urban–rural temperature difference follows the sky view factor of the canyon
floor, ``ΔT_max = 15.27 − 13.88 · SVF`` (°C), fitted on canyons of 31 cities (SVF
≈ 0.2–0.9; it gives 1.4 °C at SVF = 1, so it is an upper bound for open ground and is
clipped at 0). It is a *potential*: wind, clouds and the rural reference lower it; and
vegetation (green cover) releases less stored heat than mineral ground, which is why
the index is weighted by the imperviousness around the cell (averaged over
``radius`` metres), so that a park with an open sky scores low and a paved, enclosed
street high.
"""

from __future__ import annotations

import numpy as np

from jumeau.heat.convolution import convolve, exponential_kernel

VALID_SVF = (0.2, 0.9)


def oke_max_uhi(svf: np.ndarray) -> np.ndarray:
    """Oke's (1981) maximum nocturnal heat island (°C) from the sky view factor.

    >>> oke_max_uhi(np.array([0.3, 1.0])).round(2).tolist()   # a deep canyon, an open field
    [11.11, 1.39]
    """
    return np.clip(15.27 - 13.88 * np.asarray(svf, dtype="float64"), 0.0, None)


def night_overheating(svf: np.ndarray, impervious: np.ndarray, cell: float, radius: float = 50.0) -> np.ndarray:
    """Night overheating index (°C): Oke's ΔT_max × neighbourhood imperviousness (0–1)."""
    impervious = np.asarray(impervious, dtype="float64")
    sealed = convolve(impervious, exponential_kernel(max(radius / cell, 1.0), within=impervious.shape))
    return oke_max_uhi(svf) * np.clip(sealed, 0.0, 1.0)
