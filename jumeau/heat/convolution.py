"""Neighbourhood kernels of the heat model and their edge-corrected FFT convolution.

InVEST's Urban Cooling Model (``pygeoprocessing.kernels`` and ``convolve_2d`` with
``ignore_nodata_and_edges=True``) averages over the cells that exist: near the edge
of the grid (or next to nodata) the weights are renormalised over the valid cells.
The same is done here with overlap-add FFT convolution (``scipy.signal.oaconvolve``),
whose cost does not grow with the kernel's radius.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import oaconvolve


def exponential_kernel(distance_px: float, reach: float = 5.0) -> np.ndarray:
    """``exp(−d / r)`` for d ≤ reach·r (pixels), normalised to sum to 1 (InVEST's decay kernel)."""
    r = max(float(distance_px), 1e-9)
    n = int(np.ceil(reach * r))
    y, x = np.mgrid[-n:n + 1, -n:n + 1]
    d = np.hypot(x, y)
    kernel = np.where(d <= reach * r, np.exp(-d / r), 0.0)
    return kernel / kernel.sum()


def disk_kernel(radius_px: float) -> np.ndarray:
    """1 within ``radius_px`` of the centre (InVEST's dichotomous kernel, not normalised)."""
    n = int(np.ceil(radius_px))
    y, x = np.mgrid[-n:n + 1, -n:n + 1]
    return (np.hypot(x, y) <= radius_px).astype("float64")


def convolve(signal: np.ndarray, kernel: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Kernel-weighted sum of ``signal`` around each cell, renormalised over valid cells.

    The result is ``Σ w·s / Σ w`` over valid neighbours, times ``Σ w`` of the whole
    kernel: a weighted mean for normalised kernels, and an edge-corrected sum
    (the sum the full neighbourhood would have at the same density) for a disk.
    """
    valid = np.isfinite(signal) if valid is None else valid & np.isfinite(signal)
    top = oaconvolve(np.where(valid, signal, 0.0), kernel, mode="same")
    bottom = oaconvolve(valid.astype("float64"), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        result = np.where(valid & (bottom > 1e-12), top / bottom, np.nan)
    return result * kernel.sum()
