"""The twin's regular grid: projected CRS, square cells, bounds snapped to a lattice.

Rules (documented in ``docs/site-file.md``):

* CRS: the site file's ``crs``, else the elevation's. It must be projected with metre
  units; a geographic CRS is refused with the local projection to use instead.
* Resolution: the site file's ``resolution``, else the elevation's cell width.
* Bounds: the site file's ``bounds``, else the study area's, else the intersection of
  the raster/areal inputs (elevation, land cover, soil, canopy). Bounds are snapped
  to the resolution lattice anchored on the elevation's origin, outward for bounds
  the user gave (nothing asked for is cut) and inward for an intersection (no cell
  without data).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyproj
from affine import Affine
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from jumeau import machine
from jumeau.errors import InputError

Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class Grid:
    """A north-up regular grid (row 0 is the northern edge)."""

    crs: pyproj.CRS
    resolution: float
    bounds: Bounds

    @property
    def width(self) -> int:
        return round((self.bounds[2] - self.bounds[0]) / self.resolution)

    @property
    def height(self) -> int:
        return round((self.bounds[3] - self.bounds[1]) / self.resolution)

    @property
    def shape(self) -> tuple[int, int]:
        return self.height, self.width

    @property
    def transform(self) -> Affine:
        return Affine(self.resolution, 0.0, self.bounds[0], 0.0, -self.resolution, self.bounds[3])

    @property
    def x(self) -> np.ndarray:
        return self.bounds[0] + (np.arange(self.width) + 0.5) * self.resolution

    @property
    def y(self) -> np.ndarray:
        return self.bounds[3] - (np.arange(self.height) + 0.5) * self.resolution


def parse_crs(value: object, where: str) -> pyproj.CRS:
    """A pyproj CRS from user text, or an :class:`InputError` saying where it came from."""
    try:
        return pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError:
        raise InputError(f"{where}: {value!r} is not a CRS pyproj understands. Use an EPSG code such as 'EPSG:2154'.") from None


def require_projected(crs: pyproj.CRS, where: str, lonlat_bounds: Bounds | None = None) -> None:
    """Refuse geographic or non-metric CRSs, suggesting the local projected CRS."""
    if crs.is_projected and all(axis.unit_name in ("metre", "meter") for axis in crs.axis_info[:2]):
        return
    hint = "a projected CRS in metres (in France: EPSG:2154, Lambert-93)"
    if lonlat_bounds is not None:
        hint = suggest_projected_crs(lonlat_bounds)
    raise InputError(
        f"{where}: CRS {crs.name!r} is {'geographic (degrees)' if crs.is_geographic else 'not in metres'}; "
        f"jumeau works on a grid in metres. Set `crs:` in the site file to {hint} "
        "(inputs are reprojected to it)."
    )


def suggest_projected_crs(lonlat_bounds: Bounds) -> str:
    """The local projected CRS for an area given in longitude/latitude."""
    west, south, east, north = lonlat_bounds
    if -5.5 <= west and east <= 10.0 and 41.0 <= south and north <= 51.5:
        return "EPSG:2154 (Lambert-93, metropolitan France)"
    found = query_utm_crs_info(
        datum_name="WGS 84", area_of_interest=AreaOfInterest(west, south, east, north)
    )
    if found:
        return f"{found[0].auth_name}:{found[0].code} ({found[0].name})"
    return "the local UTM zone"


def snap(bounds: Bounds, resolution: float, origin: tuple[float, float], outward: bool) -> Bounds:
    """Snap bounds onto the lattice ``origin + k·resolution`` (tolerant to float noise)."""
    ox, oy = origin
    low, high = (math.floor, math.ceil) if outward else (math.ceil, math.floor)

    def lattice(value: float, offset: float, rounder) -> float:
        # Rounding the cell count first stops 1e-12 noise from adding a whole cell.
        return offset + rounder(round((value - offset) / resolution, 6)) * resolution

    return (
        lattice(bounds[0], ox, low),
        lattice(bounds[1], oy, low),
        lattice(bounds[2], ox, high),
        lattice(bounds[3], oy, high),
    )


def intersect(named_bounds: dict[str, Bounds]) -> Bounds:
    """Intersection of several inputs' bounds; refuse inputs that do not overlap."""
    items = list(named_bounds.items())
    xmin, ymin, xmax, ymax = items[0][1]
    for _name, (a, b, c, d) in items[1:]:
        xmin, ymin, xmax, ymax = max(xmin, a), max(ymin, b), min(xmax, c), min(ymax, d)
    if xmin >= xmax or ymin >= ymax:
        listed = "\n".join(f"  {name}: x {b[0]:.1f}–{b[2]:.1f}, y {b[1]:.1f}–{b[3]:.1f}" for name, b in items)
        raise InputError(
            "The inputs do not overlap, so there is no common area to model:\n"
            f"{listed}\nCheck that they cover the same district and that each file's CRS is right."
        )
    return xmin, ymin, xmax, ymax


LOAD_BYTES_PER_CELL = 150  # peak of a load: 591 MiB for the 4 M-cell synthetic city (benchmarks/bench_load.py)


def check_size(grid: Grid, max_cells: int, where: str) -> None:
    """Refuse grids above the cell limit or the available memory, saying which resolution would fit."""
    cells = grid.width * grid.height
    short = machine.shortfall(cells * LOAD_BYTES_PER_CELL, f"loading {cells:,} cells")
    if cells <= max_cells and short is None:
        return
    fitting = grid.resolution * math.sqrt(cells / max_cells)
    available = machine.available_memory()
    if available is not None:
        fitting = max(fitting, grid.resolution * math.sqrt(cells * LOAD_BYTES_PER_CELL / available))
    fitting = math.ceil(fitting * 2) / 2  # next half-metre keeps the lattice readable
    reason = (f"above the limit of {max_cells:,}" if cells > max_cells else
              f"more than the memory allows ({short})")
    raise InputError(
        f"{where}: the grid would have {grid.width} × {grid.height} = {cells:,} cells at "
        f"{grid.resolution:g} m, {reason}. Use `resolution: {fitting:g}` (or coarser), a smaller "
        "`bounds`/study area, or raise `max_cells` if the machine has the memory."
    )
