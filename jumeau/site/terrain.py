"""The terrain model as real files give it: where it has data, its pits and its terraces.

**Where it has data**: the grid is never extended over ground the terrain model does not describe.

Tiles of RGE ALTI or LiDAR HD clipped to a commune, or a terrain model reprojected into
another CRS, leave nodata beyond their edges: inside the inputs' bounding box, the corners
of a rotated footprint have no terrain. Filling them by interpolation invents ground (9.6 %
of a real district's grid was invented that way, and the flood ran on it). Nodata that
reaches the grid's edge is therefore *outside the data*: the default grid is cropped to the
largest rectangle of cells that are not, and a grid the planner chose (``bounds``, study
area) that reaches over it is refused. Nodata enclosed by data (a hole, a lake's surface
left empty) is filled by interpolation, with a warning, as before.

**Pits and terraces**: terrain models resampled from coarser or rounded data hold one-cell
pits (a cell lower than its eight neighbours) and terraces (steps of flat cells on a
slope). A pit holds water the flood model keeps and a terrace makes flow speed up at each
step, so both are reported when loading (:func:`survey`), and pits can be filled to their
lowest neighbour (``elevation: {fill_pits: true}``), with the volume it adds stated.

Terraces can be smoothed (``elevation: {smooth_terraces: true}``, :func:`smooth_terraces`): on
sloping ground, a moving mean over exactly one step's length along each axis (the median length
of the level runs) turns a staircase into the ramp it was rounded from, since a mean over one
period of a staircase is linear. Flat ground keeps its microtopography; on slopes, kerbs and
walls no higher than a step are softened too, which is why it is not the default: use it on
terrain resampled from a coarser model, where the terrace warning shows. The ground raised and
lowered (m³) and the largest change are stated.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
from scipy import ndimage

from jumeau.errors import RepairWarning

PIT_DEPTH = 0.01  # m: a cell at least this much below all its neighbours is a pit
FLAT = 0.001  # m: neighbours closer than this in height are level
TERRACED_SHARE = 0.2  # share of sloping ground whose cells are level with their four neighbours
MAX_STEP_LENGTH = 15  # cells: a longer level run is a flat, not a terrace step, and does not set the mean's length


_RING = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=bool)


def pit_depths(z: np.ndarray) -> np.ndarray:
    """How far each one-cell pit lies below its lowest neighbour (0 elsewhere).

    A pit is an inner cell at least :data:`PIT_DEPTH` below all eight neighbours; an edge cell
    drains out of the grid.
    """
    lowest = ndimage.minimum_filter(z, footprint=_RING, mode="constant", cval=np.inf)
    depth = np.where(z < lowest - PIT_DEPTH, lowest - z, 0.0)
    depth[[0, -1], :] = depth[:, [0, -1]] = 0.0
    return depth


def survey(z: np.ndarray, cell: float, name: str, fill_pits: bool, smooth: bool = False) -> np.ndarray:
    """The terrain with its one-cell pits reported (and filled, if asked) and its terraces reported (and
    smoothed, if asked)."""
    depth = pit_depths(z)
    found = depth > 0
    if found.any():
        volume = float(depth.sum()) * cell**2
        summary = (f"{int(found.sum()):,} one-cell pit(s) ({found.mean():.2%} of the cells, median depth "
                   f"{float(np.median(depth[found])):.2f} m, {volume:,.0f} m³ in all)")
        if fill_pits:
            z = z + depth
            warnings.warn(f"elevation: {summary} of {name} filled to their lowest neighbour, adding {volume:,.0f} m³ "
                          "of ground.", RepairWarning, stacklevel=3)
        else:
            warnings.warn(f"elevation: {name} has {summary}: typical of resampled or rounded terrain, they hold water "
                          "in the flood model. Set `fill_pits: true` under `elevation:` to fill them.",
                          RepairWarning, stacklevel=3)
    share = terraced_share(z, cell)
    if smooth:
        z, said = smooth_terraces(z, cell)
        warnings.warn(f"elevation: terraces of {name} smoothed ({share:.0%} of its sloping ground was in flat steps): "
                      f"{said}.", RepairWarning, stacklevel=3)
    elif share > TERRACED_SHARE:
        warnings.warn(f"elevation: {share:.0%} of the sloping ground of {name} is in flat steps (terraces: heights "
                      "rounded or resampled from a coarser model); water speeds up at each step in the flood model. "
                      "Use a finer or unrounded terrain model (RGE ALTI 1 m, LiDAR HD) if you can, or set "
                      "`smooth_terraces: true` under `elevation:`.",
                      RepairWarning, stacklevel=3)
    return z


def terraced_share(z: np.ndarray, cell: float) -> float:
    """Share of sloping ground (over 5 cells, more than 0.5 %) whose cells are level with their four neighbours."""
    level = np.ones(z.shape, dtype=bool)
    for axis in (0, 1):
        step = np.abs(np.diff(z, axis=axis)) < FLAT
        pad = [(0, 0), (0, 0)]
        pad[axis] = (1, 0)
        level &= np.pad(step, pad, constant_values=True)
        pad[axis] = (0, 1)
        level &= np.pad(step, pad, constant_values=True)
    sloping = sloping_ground(z, cell)
    return float(level[sloping].mean()) if sloping.any() else 0.0


def sloping_ground(z: np.ndarray, cell: float) -> np.ndarray:
    """Cells whose ground slopes more than 0.5 % over 5 cells."""
    gy, gx = np.gradient(ndimage.uniform_filter(z, size=5, mode="nearest"), cell)
    return np.hypot(gx, gy) > 0.005


def step_length(z: np.ndarray, sloping: np.ndarray, axis: int) -> int:
    """The median length (cells) of the runs of level cells along ``axis`` on sloping ground, flats (runs longer
    than :data:`MAX_STEP_LENGTH`) aside; 1 if unterraced."""
    lines = np.moveaxis(z, axis, -1)
    slopes = np.moveaxis(sloping, axis, -1)
    runs = []
    for line, slope in zip(lines, slopes, strict=True):
        breaks = np.flatnonzero(np.abs(np.diff(line)) >= FLAT) + 1
        lengths = np.diff(breaks)  # the runs between two steps: a line's first and last are cut by the grid
        runs.append(lengths[slope[breaks[:-1]] & (lengths <= MAX_STEP_LENGTH)])
    found = np.concatenate(runs) if runs else np.zeros(0)
    return int(np.median(found)) if found.size else 1


def smooth_terraces(z: np.ndarray, cell: float) -> tuple[np.ndarray, str]:
    """The terrain with its sloping ground's terraces smoothed (see the module docstring), and what it changed."""
    sloping = sloping_ground(z, cell)
    smoothed = z
    lengths = []
    for axis in (0, 1):
        length = step_length(z, sloping, axis)
        lengths.append(length)
        # one period of the staircase, centred: an even length takes half a cell at each end
        weights = np.ones(length) if length % 2 else np.r_[0.5, np.ones(length - 1), 0.5]
        smoothed = ndimage.correlate1d(smoothed, weights / length, axis=axis, mode="nearest")
    result = np.where(sloping, smoothed, z)
    change = (result - z) * cell**2
    raised, lowered = float(np.maximum(change, 0.0).sum()), float(np.maximum(-change, 0.0).sum())
    said = (f"a {lengths[0]} × {lengths[1]}-cell moving mean over the sloping ground ({sloping.mean():.0%} of the cells) "
            f"raised it by {raised:,.0f} m³ and lowered it by {lowered:,.0f} m³, {float(np.abs(result - z).max()):.2f} m "
            "at most")
    return result, said


def outside_data(values: np.ndarray) -> np.ndarray:
    """Boolean grid: the NaN cells connected (through NaN cells) to the grid's edge."""
    missing = np.isnan(values)
    labels, _ = ndimage.label(missing)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return np.isin(labels, edge[edge > 0])


def largest_rectangle(inside: np.ndarray) -> tuple[int, int, int, int]:
    """Rows ``r0:r1`` and columns ``c0:c1`` of the largest all-True rectangle of ``inside``.

    >>> largest_rectangle(np.array([[0, 1, 1], [1, 1, 1], [0, 1, 1]], dtype=bool))
    (0, 3, 1, 3)
    """
    return _compiled()(np.ascontiguousarray(inside, dtype=np.bool_))


@functools.cache
def _compiled():
    import numba  # only for terrain with nodata at its edges: loading a site does not pay for numba otherwise

    return numba.njit(cache=True)(_largest_rectangle)


def _largest_rectangle(inside):
    """Row by row, the heights of True columns above form a histogram; its largest rectangle by a stack."""
    ny, nx = inside.shape
    heights = np.zeros(nx + 1, dtype=np.int64)  # a zero sentinel column closes every bar
    stack = np.empty(nx + 1, dtype=np.int64)
    best, found = 0, (0, 0, 0, 0)
    for row in range(ny):
        for col in range(nx):
            heights[col] = heights[col] + 1 if inside[row, col] else 0
        top = 0
        for col in range(nx + 1):
            while top > 0 and heights[stack[top - 1]] >= heights[col]:
                height = heights[stack[top - 1]]
                top -= 1
                left = stack[top - 1] + 1 if top > 0 else 0
                if height * (col - left) > best:
                    best = height * (col - left)
                    found = (row + 1 - height, row + 1, left, col)
            stack[top] = col
            top += 1
    return found
