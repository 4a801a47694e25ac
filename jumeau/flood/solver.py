"""``simulate``: 2-D pluvial flooding on an elevation grid, with losses, drainage and buildings.

The scheme is the local-inertial approximation of the shallow-water equations of
Bates, Horritt & Fewtrell (2010, *J. Hydrology* 387: 33–45) with the θ-weighted
discharge of de Almeida et al. (2012, *Water Resources Research* 48, W05528), friction
on the new discharge and the Froude limit (see :mod:`jumeau.flood.kernels` and
``docs/flood.md``). The time step adapts to the fastest signal across a face,
``Δt = α·Δx/max(|u| + √(g·h_f))`` (after Bates et al. 2010, eq. 12; α = 0.6 by default, inside the 2-D
stability bound 1/√2 with a margin for the faces that deepen over pits: see ``docs/flood.md``).

Each step: rain of the step (after SCS-CN losses) falls on ground cells; roof rain
(blocked cells) goes either to the nearest ground cell (``roof_rain="ground"``, by
default: downpipes discharge at the foot of the walls, :mod:`jumeau.flood.roofs`) or to the storm sewers
(``"network"``), less what a green roof holds; inflow hydrographs add their volume;
then fluxes are computed, limited so that no cell gives more than it holds, depths
updated, and the storm-sewer sink removes up to its capacity of standing water on
connected cells. Depths and every volume are float64 and the balance is returned;
discharges and per-cell parameters are float32, which halves their memory traffic.
"""

from __future__ import annotations

import math
import time as clock
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import rioxarray  # noqa: F401 - registers the .rio accessor
import xarray as xr

from jumeau import outputs
from jumeau.errors import ModelError, ModelWarning
from jumeau.flood import hazard, kernels
from jumeau.flood.losses import Losses, retention
from jumeau.flood.roofs import downpipes
from jumeau.flood.storms import BlockStorm, Storm
from jumeau.machine import require_memory

EDGES = ("north", "south", "west", "east")
ARRIVAL_DEPTH = 0.05  # m: "water has arrived" (issue: first time depth > 5 cm)
SPEED_DEPTH = 0.001  # m: a face's velocity is its discharge over its flow depth, but at least this (see update_cells)
SLOWEST_WAVE = math.sqrt(kernels.G * 1e-3)  # m/s: the time step is never longer than for 1 mm of still water
# Bytes per cell of a run: the arrays below (about 140 B, float64 depths, elevations and
# sums, float32 faces, parameters and maxima), the results and their temporaries.
FLOOD_BYTES_PER_CELL = 200


@dataclass(frozen=True)
class Inflow:
    """A point inflow hydrograph: discharge (m³/s) at ``times`` (s), linear in between, at (x, y)."""

    x: float
    y: float
    times: Sequence[float]
    discharge: Sequence[float]

    def volume(self, t0: float, t1: float) -> float:
        """Volume (m³) between t0 and t1 (trapezoidal on the hydrograph, exact for linear pieces)."""
        grid = np.union1d(np.clip(np.asarray(self.times, float), t0, t1), [t0, t1])
        q = np.interp(grid, self.times, self.discharge, left=0.0, right=0.0)
        return float(np.trapezoid(q, grid))


@dataclass(frozen=True)
class Level:
    """An imposed water level (m) on an edge, over time (s); linear in between."""

    times: Sequence[float]
    level: Sequence[float]

    def at(self, t: float) -> float:
        return float(np.interp(t, self.times, self.level))


def simulate(
    elevation: xr.DataArray, *, duration: float, rain: Storm | float | None = None, rain_factor=None,
    manning: float | xr.DataArray | np.ndarray = 0.03, losses: Losses | None = None, inflows: Sequence[Inflow] = (),
    blocked=None, boundary: str | dict = "open", initial_depth=None, drainage=None, roof_rain: str = "ground",
    roof_retention=None, snapshot_every: float | None = None, alpha: float = 0.6, theta: float = 0.7,
    dry_depth: float = 1e-4, max_step: float = 10.0, progress: Callable[[float], None] | None = None,
) -> xr.Dataset:
    """Run the flood model; return a CF Dataset of results with the volume balance in ``attrs``.

    ``elevation``: DataArray (y, x) in metres on a regular grid (y descending). ``duration``
    (s) of the simulation. ``rain``: a :class:`~jumeau.flood.storms.Storm` or a constant
    intensity (mm/h, for the whole duration); ``rain_factor`` an optional grid multiplying
    it. ``manning``: n (s m^-1/3), scalar or grid. ``losses``: SCS-CN losses. ``inflows``:
    point hydrographs. ``blocked``: cells water cannot enter (buildings). ``boundary``:
    "closed", "open" (free outflow) or a mapping edge → "closed" | "open" | :class:`Level`.
    ``initial_depth``: grid (m). ``drainage``: storm-sewer capacity grid (mm/h; 0 where not
    connected). ``roof_rain``: "ground" or "network". ``roof_retention``: grid (mm) of rain
    held on (green) roofs. ``snapshot_every``: seconds between depth snapshots.
    """
    z, dx = _grid(elevation)
    ny, nx = z.shape
    cell_area = dx * dx
    snapshots_kept = math.floor(duration / snapshot_every) + 1 if snapshot_every else 0
    require_memory(z.size, FLOOD_BYTES_PER_CELL + 4 * snapshots_kept, "the flood", " or fewer depth snapshots")
    blocked = _mask(blocked, z.shape, "blocked")
    n = _field(manning, z.shape, "manning")
    if np.any(n <= 0):
        raise ModelError("manning: Manning's n must be positive everywhere.")
    # Per-cell parameters and the discharges are float32: half the memory traffic, and they
    # need no more digits; depths, elevations and every volume stay float64 so mass is exact.
    n2 = (n * n).astype(np.float32)
    h = np.zeros(z.shape) if initial_depth is None else _field(initial_depth, z.shape, "initial_depth").copy()
    if np.any(h < 0):
        raise ModelError("initial_depth: depths must not be negative.")
    if np.any(h[blocked] > 0):
        raise ModelError("initial_depth: water given inside blocked (building) cells; remove it or unblock them.")
    if duration <= 0:
        raise ModelError(f"duration: {duration:g} s; give a positive simulated time.")
    storm = _storm(rain, duration)
    factor = (np.ones(z.shape) if rain_factor is None else _field(rain_factor, z.shape, "rain_factor")).astype(np.float32)
    s = (retention(losses.curve_number) if losses is not None else np.full(z.shape, -1.0)).astype(np.float32)
    lam = losses.initial_abstraction if losses is not None else 0.2
    drain_rate = np.zeros(z.shape, np.float32) if drainage is None else (
        _field(drainage, z.shape, "drainage") / 1000.0 / 3600.0).astype(np.float32)
    held = np.zeros(z.shape) if roof_retention is None else np.nan_to_num(_field(roof_retention, z.shape, "roof_retention"))
    if roof_rain not in ("ground", "network"):
        raise ModelError(f"roof_rain: {roof_rain!r}; use 'ground' or 'network'.")
    roofs = np.flatnonzero(blocked)
    receivers = downpipes(blocked) if roof_rain == "ground" else np.full(roofs.size, -1, np.int64)
    roof_held = held.ravel()[roofs]
    kinds, levels = _boundaries(boundary)
    edge_levels = np.zeros(4)
    sources = [(_cell_of(elevation, inflow), inflow) for inflow in inflows]
    for (row, col), inflow in sources:
        if blocked[row, col]:
            raise ModelError(f"inflow at ({inflow.x:g}, {inflow.y:g}) falls on a blocked (building) cell, where "
                             "water cannot go; place it on the ground where the water arrives (a street, a yard).")

    # qx, qy: the step's limited discharges (kept for the next step's momentum); raw_x, raw_y: before limiting
    qx, raw_x = np.zeros((ny, nx + 1), np.float32), np.zeros((ny, nx + 1), np.float32)
    qy, raw_y = np.zeros((ny + 1, nx), np.float32), np.zeros((ny + 1, nx), np.float32)
    stats: dict[str, np.ndarray] = {name: np.zeros(z.shape, np.float32)
                                    for name in ("max_speed", "time_of_max_depth", "max_hazard")}
    stats["max_depth"] = h.copy()  # float64: compared with the depth on every step
    stats["arrival_time"] = np.where(h > ARRIVAL_DEPTH, 0.0, np.nan).astype(np.float32)
    rain_sums = np.zeros(4)  # gross rain, roof rain to the ground and to the network, held on roofs (m³)
    volume = {"initial": float(h.sum() * cell_area), "inflow": 0.0, "outflow": 0.0, "edge_inflow": 0.0}
    snapshots: list[np.ndarray] = []
    snapshot_times: list[float] = []
    snapshot_step = snapshot_every or math.inf
    next_snapshot = 0.0 if snapshot_every else math.inf
    t, p_before, steps = 0.0, 0.0, 0
    started = clock.perf_counter()
    scratch = np.ones((ny + 2, nx + 2))  # limiting factors with a ring of ones
    # per cell, the cumulative ground runoff (mm) and water drained (m), summed at the end (see the kernels)
    runoff, drained = np.zeros(z.shape), np.zeros(z.shape)
    factor_total = float(factor.sum(dtype=np.float64))
    depth_x, depth_y = np.zeros(qx.shape, np.float32), np.zeros(qy.shape, np.float32)
    wave = np.zeros(z.shape, np.float32)  # per cell, the fastest signal across its faces in the last step (m/s)
    capped = np.zeros(z.shape, np.float32)  # per cell, the steps its flow was held at the Froude cap
    fastest = math.sqrt(kernels.G * float(h.max()))  # before any flow, no face is deeper than the deepest cell
    level_edges = [(edge, _edge_bed(z, edge)) for edge, level in enumerate(levels) if level is not None]
    step_lengths = []
    while t < duration - 1e-9:
        for edge, bed in level_edges:  # an imposed level is water flowing in over that edge
            fastest = max(fastest, math.sqrt(kernels.G * max(float((edge_levels[edge] - bed).max()), 0.0)))
        dt = min(max_step, alpha * dx / max(fastest, SLOWEST_WAVE), duration - t)
        step_lengths.append(dt)
        if next_snapshot <= t + 1e-9:
            snapshots.append(h.astype("float32"))
            snapshot_times.append(t)
            next_snapshot += snapshot_step
        for edge, level in enumerate(levels):
            if level is not None:
                edge_levels[edge] = level.at(t + dt)
        p_after = storm.cumulative(t + dt) if storm is not None else 0.0
        if p_after > p_before:
            roofs_held, to_ground, to_network = kernels.add_rain(
                h, p_before, p_after, factor, s, lam, blocked, roofs, receivers, roof_held, runoff)
            gross = (p_after - p_before) * factor_total
            rain_sums += (gross / 1000.0 * cell_area, to_ground * cell_area, to_network * cell_area,
                          roofs_held / 1000.0 * cell_area)
        p_before = p_after
        for (row, col), inflow in sources:
            added = inflow.volume(t, t + dt)
            h[row, col] += added / cell_area
            volume["inflow"] += added
        kernels.face_fluxes(h, z, n2, blocked, qx, qy, raw_x, raw_y, depth_x, depth_y, dt, dx, theta, dry_depth, kinds,
                            edge_levels)
        t += dt
        steps += 1
        out_of_edges, into_edges = kernels.update_cells(
            h, raw_x, raw_y, qx, qy, scratch, drain_rate, drained, depth_x, depth_y, t, stats["max_depth"],
            stats["time_of_max_depth"], stats["arrival_time"], stats["max_speed"], stats["max_hazard"], wave, capped, dt,
            dx, ARRIVAL_DEPTH, dry_depth, SPEED_DEPTH)
        volume["outflow"] += out_of_edges
        volume["edge_inflow"] += into_edges
        fastest = float(wave.max())  # sets the next step: the faces' signals, not a pit's standing water
        if progress is not None and steps % 200 == 0:
            progress(t / duration)
    if progress is not None:
        progress(1.0)
    seconds = clock.perf_counter() - started
    gross, to_ground, to_network, held_on_roofs = rain_sums
    ground_runoff = float(runoff.sum()) / 1000.0 * cell_area
    sewers = float(drained.sum()) * cell_area
    stored = float(h.sum() * cell_area)
    balance = {
        "volume_initial": volume["initial"], "volume_rain": gross, "volume_inflow": volume["inflow"],
        "volume_infiltration": gross - ground_runoff - to_ground - to_network - held_on_roofs,
        "volume_roof_retained": held_on_roofs, "volume_drainage": to_network + sewers,
        "volume_outflow": volume["outflow"], "volume_edge_inflow": volume["edge_inflow"], "volume_stored": stored,
    }
    entered = volume["initial"] + ground_runoff + to_ground + volume["inflow"] + volume["edge_inflow"]
    left = sewers + volume["outflow"] + stored
    balance["volume_error"] = entered - left
    balance["volume_relative_error"] = (entered - left) / max(entered, 1e-12)
    balance.update(steps=steps, wall_seconds=seconds, cell_updates_per_second=steps * z.size / max(seconds, 1e-9),
                   step_min=float(np.min(step_lengths)) if steps else 0.0,
                   step_median=float(np.median(step_lengths)) if steps else 0.0,
                   froude_capped_cells=int((capped > 0).sum()), froude_capped_cell_steps=float(capped.sum()))
    if balance["froude_capped_cells"]:
        warnings.warn(
            f"flood: on {balance['froude_capped_cells']} cell(s) the flow reached the Froude limit {kernels.FROUDE_MAX:g} "
            "(steep, fast, shallow water, beyond what the local-inertial equations represent) and was held there; "
            "speeds on those cells are lower bounds and depths upper bounds. The count is in the results' "
            "attributes (froude_capped_cells).", ModelWarning, stacklevel=2)
    return _dataset(elevation, h, stats, blocked, snapshots, snapshot_times, balance, duration)


def _grid(elevation: xr.DataArray) -> tuple[np.ndarray, float]:
    if not isinstance(elevation, xr.DataArray) or elevation.dims != ("y", "x"):
        raise ModelError("elevation: give an xarray.DataArray with dims ('y', 'x') in metres.")
    if elevation.sizes["x"] < 2 or elevation.sizes["y"] < 2:
        raise ModelError("elevation: the grid needs at least 2 × 2 cells.")
    x, y = elevation["x"].values, elevation["y"].values
    dx, dy = np.diff(x), np.diff(y)
    if not (np.allclose(dx, dx[0]) and np.allclose(dy, -dx[0])):
        raise ModelError("elevation: the grid must be regular with square cells, x increasing and y decreasing.")
    z = np.asarray(elevation.values, dtype="float64")
    if not np.isfinite(z).all():
        raise ModelError(f"elevation: {int((~np.isfinite(z)).sum())} cell(s) without a value; fill them first.")
    return np.ascontiguousarray(z), float(dx[0])


def _field(value, shape, name: str) -> np.ndarray:
    array = np.asarray(value.values if isinstance(value, xr.DataArray) else value, dtype="float64")
    try:
        array = np.broadcast_to(array, shape)
    except ValueError:
        raise ModelError(f"{name}: shape {array.shape} does not match the elevation grid {shape}.") from None
    if not np.isfinite(array).all() and name != "roof_retention":
        raise ModelError(f"{name}: holds NaN or infinite values.")
    return np.ascontiguousarray(array)


def _mask(value, shape, name: str) -> np.ndarray:
    if value is None:
        return np.zeros(shape, dtype=bool)
    return np.ascontiguousarray(_field(value, shape, name) > 0)


def _edge_bed(z: np.ndarray, edge: int) -> np.ndarray:
    """The bed of the cells along an edge (north, south, west, east, as in :data:`EDGES`)."""
    return (z[0], z[-1], z[:, 0], z[:, -1])[edge]


def _storm(rain, duration: float) -> Storm | None:
    if rain is None:
        return None
    if isinstance(rain, int | float):
        if rain < 0:
            raise ModelError(f"rain: negative intensity {rain:g} mm/h.")
        return BlockStorm(depth=float(rain) * duration / 3600.0, duration=duration)
    if not hasattr(rain, "cumulative"):
        raise ModelError("rain: give a storm (jumeau.flood.storms) or a constant intensity in mm/h.")
    return rain


def _boundaries(boundary) -> tuple[np.ndarray, list]:
    names = {"closed": kernels.CLOSED, "open": kernels.OPEN}
    spec = {edge: boundary for edge in EDGES} if isinstance(boundary, str) else {e: "closed" for e in EDGES} | dict(boundary)
    unknown = sorted(set(spec) - set(EDGES))
    if unknown:
        raise ModelError(f"boundary: unknown edge(s) {unknown}; edges are {', '.join(EDGES)}.")
    kinds: list[int] = []
    levels: list[Level | None] = []
    for edge in EDGES:
        value = spec[edge]
        if isinstance(value, Level):
            kinds.append(kernels.LEVEL)
            levels.append(value)
        elif value in names:
            kinds.append(names[value])
            levels.append(None)
        else:
            raise ModelError(f"boundary: {edge} edge is {value!r}; use 'closed', 'open' or a Level.")
    return np.array(kinds, dtype=np.int64), levels


def _cell_of(elevation: xr.DataArray, inflow: Inflow) -> tuple[int, int]:
    col = int(np.argmin(np.abs(elevation["x"].values - inflow.x)))
    row = int(np.argmin(np.abs(elevation["y"].values - inflow.y)))
    dx = float(abs(elevation["x"][1] - elevation["x"][0]))
    if abs(elevation["x"].values[col] - inflow.x) > dx or abs(elevation["y"].values[row] - inflow.y) > dx:
        raise ModelError(f"inflow at ({inflow.x:g}, {inflow.y:g}) lies outside the grid.")
    if len(inflow.times) != len(inflow.discharge) or np.any(np.diff(inflow.times) <= 0):
        raise ModelError("inflow: times must increase and match the discharges one to one.")
    return row, col


def _dataset(elevation, h, stats, blocked, snapshots, times, balance, duration) -> xr.Dataset:
    coords = {"y": elevation["y"], "x": elevation["x"]}
    dims = ("y", "x")
    speed = np.where(stats["max_depth"] > 0, stats["max_speed"], 0.0)
    time_of_max = np.where(stats["max_depth"] > 0, stats["time_of_max_depth"], np.nan)
    data = {
        "max_depth": (dims, stats["max_depth"].astype("float32"), outputs.attrs("max_depth")),
        "max_speed": (dims, speed.astype("float32"), outputs.attrs("max_speed")),
        "time_of_max_depth": (dims, time_of_max.astype("float32"), outputs.attrs("time_of_max_depth")),
        "arrival_time": (dims, stats["arrival_time"].astype("float32"), outputs.attrs("arrival_time", depth=ARRIVAL_DEPTH)),
        "final_depth": (dims, h.astype("float32"), outputs.attrs("final_depth")),
        "hazard_rating": (dims, stats["max_hazard"].astype("float32"), outputs.attrs("hazard_rating")),
        "hazard_class": (dims, hazard.classify(stats["max_hazard"]), outputs.attrs("hazard_class")),
    }
    dataset = xr.Dataset(data, coords=coords)
    if snapshots:
        dataset["depth"] = (("time", *dims), np.stack(snapshots), outputs.attrs("depth"))
        dataset = dataset.assign_coords(time=("time", np.asarray(times), {"units": "s", "long_name": "time from the start"}))
    dataset.attrs.update({k: float(v) for k, v in balance.items()})
    dataset.attrs.update(Conventions="CF-1.8", title="jumeau flood simulation", simulated_seconds=float(duration),
                         scheme="local inertial (Bates et al. 2010; de Almeida et al. 2012)")
    if elevation.rio.crs is not None:
        dataset = dataset.rio.write_crs(elevation.rio.crs, inplace=True)  # a copy would double the peak
    dataset["max_depth"].values[blocked] = 0.0
    return dataset
