"""Neighbourhood kernels of the heat model and their edge-corrected FFT convolution.

InVEST's Urban Cooling Model (``pygeoprocessing.kernels`` and ``convolve_2d`` with
``ignore_nodata_and_edges=True``) averages over the cells that exist: near the edge
of the grid (or next to nodata) the weights are renormalised over the valid cells.
The same is done here by FFT (``scipy.fft``), whose cost does not grow with the kernel's
radius.

A kernel is built only as far as the grid can reach (offsets below its size): at 1 m a
500 m mixing radius spans 5,001 × 5,001 cells (1.2 GB of kernel and FFT buffers for a
district of 500 × 500 cells), of which the parts beyond the grid's size never weigh on a
cell. What is cut off changes nothing: those offsets never meet a valid cell. The whole
kernel's sum is kept, since the edge-corrected sum of a disk is scaled by it. Only the
grid's own cells of the result are wanted, so the FFT is padded just enough that the
circular convolution's wrap-around misses them (``n + k//2`` cells along an axis, not the
``n + k − 1`` of a full linear convolution): with the kernel at its widest this is 4 times
the grid's cells instead of 9, and the heat model's peak memory stays under 300 bytes per
cell (``benchmarks/bench_heat.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import fft

ROWS_PER_CHUNK = 256  # rows of the whole kernel summed at a time, to keep its sum's memory small


@dataclass(frozen=True)
class Kernel:
    """Weights over cell offsets (centred, cropped to a grid's reach) and the sum of the whole kernel's."""

    weights: np.ndarray
    total: float


def _radial(weight: Callable[[np.ndarray], np.ndarray], n: int, within: tuple[int, ...] | None) -> Kernel:
    """``weight(distance)`` over offsets up to ``n`` cells, cropped to a grid of shape ``within``."""
    reach_y, reach_x = (n, n) if within is None else (min(n, within[0] - 1), min(n, within[1] - 1))
    dy, dx = np.ogrid[-reach_y:reach_y + 1, -reach_x:reach_x + 1]
    weights = weight(np.hypot(dx, dy))
    if (reach_y, reach_x) == (n, n):
        return Kernel(weights, float(weights.sum()))
    columns = np.arange(-n, n + 1)[None, :]
    total = sum(float(weight(np.hypot(columns, np.arange(start, min(start + ROWS_PER_CHUNK, n + 1))[:, None])).sum())
                for start in range(-n, n + 1, ROWS_PER_CHUNK))
    return Kernel(weights, total)


def exponential_kernel(distance_px: float, reach: float = 5.0, within: tuple[int, ...] | None = None) -> Kernel:
    """``exp(−d / r)`` for d ≤ reach·r (pixels), normalised to sum to 1 (InVEST's decay kernel).

    ``within``: the shape of the grid it is applied to (the kernel is cropped to its reach).
    """
    r = max(float(distance_px), 1e-9)
    kernel = _radial(lambda d: np.where(d <= reach * r, np.exp(-d / r), 0.0), int(np.ceil(reach * r)), within)
    return Kernel(kernel.weights / kernel.total, 1.0)


def disk_kernel(radius_px: float, within: tuple[int, ...] | None = None) -> Kernel:
    """1 within ``radius_px`` of the centre (InVEST's dichotomous kernel, not normalised)."""
    return _radial(lambda d: (d <= radius_px).astype("float64"), int(np.ceil(radius_px)), within)


def convolve(signal: np.ndarray, kernel: Kernel, valid: np.ndarray | None = None) -> np.ndarray:
    """Kernel-weighted sum of ``signal`` around each cell, renormalised over valid cells.

    The result is ``Σ w·s / Σ w`` over valid neighbours, times ``Σ w`` of the whole
    kernel: a weighted mean for normalised kernels, and an edge-corrected sum
    (the sum the full neighbourhood would have at the same density) for a disk.
    """
    valid = np.isfinite(signal) if valid is None else valid & np.isfinite(signal)
    (ny, nx), (hy, hx) = signal.shape, (size // 2 for size in kernel.weights.shape)
    shape = (fft.next_fast_len(ny + hy, real=True), fft.next_fast_len(nx + hx, real=True))
    weights = fft.rfft2(kernel.weights, shape)

    def smoothed(values: np.ndarray) -> np.ndarray:
        return fft.irfft2(fft.rfft2(values, shape) * weights, shape)[hy:hy + ny, hx:hx + nx]

    top = smoothed(np.where(valid, signal, 0.0))
    bottom = smoothed(valid.astype("float64"))
    with np.errstate(invalid="ignore", divide="ignore"):
        result = np.where(valid & (bottom > 1e-12), top / bottom, np.nan)
    return result * kernel.total
