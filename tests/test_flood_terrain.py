"""The flood model on the terrain real districts have: thin sheets, steep-sided ponds, flat open edges,
terraces and pits. Each case failed before the scheme's friction, outfall and speed rules were fixed
(issue 17); each keeps a physical bound that a hazard map shown to a council can rely on."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr
from scipy import ndimage

from jumeau.errors import ModelError, ModelWarning
from jumeau.flood import Inflow, simulate, storms


def grid(z: np.ndarray, dx: float = 2.0) -> xr.DataArray:
    ny, nx = z.shape
    return xr.DataArray(z.astype("float64"), dims=("y", "x"),
                        coords={"y": (np.arange(ny)[::-1] + 0.5) * dx, "x": (np.arange(nx) + 0.5) * dx})


@pytest.mark.parametrize("dx", [1.0, 2.0, 5.0])
def test_sheet_flow_on_a_plane_reaches_the_kinematic_wave(dx):
    """Rain of 20 mm/h on a 1 % plane 100 m long (n = 0.03): at equilibrium the discharge at x is
    i·x, the depth Manning's normal depth of it, h = (i x n / √S)^(3/5) (kinematic wave), and the
    speed i·x / h. Compared 20 m below the divide (where 5 m cells cannot follow h ∝ x^0.6) down
    to the last cell (the free outfall draws it down)."""
    n, slope, rain, length = 0.03, 0.01, 20.0, 100.0
    nx = int(length / dx)
    x = (np.arange(nx) + 0.5) * dx
    result = simulate(grid(np.tile(slope * (length - x), (3, 1)), dx), duration=3 * 3600, rain=rain, manning=n,
                      boundary={"east": "open", "west": "closed", "north": "closed", "south": "closed"})
    i = rain / 1000 / 3600
    kinematic = (i * x * n / slope**0.5) ** 0.6
    compared = (x >= 20) & (np.arange(nx) < nx - 1)
    depth = result["final_depth"].values[1]
    speed = result["max_speed"].values[1]
    assert np.abs(depth[compared] / kinematic[compared] - 1).max() < 0.05
    assert np.abs(speed[compared] / (i * x / kinematic)[compared] - 1).max() < 0.05
    assert abs(result.attrs["volume_relative_error"]) < 1e-9


def test_a_pond_over_pits_comes_to_rest():
    """A bowl (3 % slopes, 2 m cells, closed) whose floor has one-cell pits up to 1.5 m deep on 5 % of its
    cells, 100 mm in 30 min, then 2.5 h: over the last 5 minutes no water level moves by a millimetre.
    (At the published α = 0.7 a checkerboard kept it moving by 3 cm: docs/flood.md.)"""
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:40, 0:40]
    z = 0.06 * np.hypot(x - 19.5, y - 19.5) - np.where(rng.random((40, 40)) < 0.05, 1.5 * rng.random((40, 40)), 0.0)
    end = 3 * 3600
    result = simulate(grid(z), duration=end, rain=storms.BlockStorm(depth=100.0, duration=1800.0), boundary="closed",
                      snapshot_every=end - 300)
    depth = result["final_depth"].values
    moved = np.abs(depth - result["depth"].values[-1])[depth > 0.05]
    assert moved.max() < 0.001


def test_a_steep_sided_pond_settles_flat_and_at_rest():
    """A 40 × 40 cone (z = min(2, 0.8 + 0.06 r), 2 m cells, closed), 50 mm in 30 min, then 3 h: the
    pond's surface is flat and still (landlab's OverlandFlow settles at 1.827 m)."""
    y, x = np.mgrid[0:40, 0:40]
    z = np.minimum(2.0, 0.8 + 0.06 * np.hypot(x - 19.5, y - 19.5) * 2.0)
    end = 1800 + 3 * 3600
    result = simulate(grid(z), duration=end, rain=storms.BlockStorm(depth=50.0, duration=1800.0),
                      boundary="closed", snapshot_every=end / 2)
    depth = result["final_depth"].values
    pond = depth > 0.05
    surface = (depth + z)[pond]
    assert surface.std() < 0.001 and surface.max() - surface.min() < 0.005
    assert surface.mean() == pytest.approx(1.827, abs=0.005)
    # over the last 1.75 h the pond only fills with what drains off its banks: it rises as one, no sloshing
    rise = (depth - result["depth"].values[-1])[pond]
    assert rise.std() < 1e-4
    assert float(result["max_speed"].values.max()) < 1.0  # 26.5 m/s before the fix
    assert abs(result.attrs["volume_relative_error"]) < 1e-9


def test_supercritical_sheet_flow_is_held_at_the_froude_limit_and_said_so():
    """A smooth 2 % × 1 % plane with n = 0.015 under the 100-year storm runs supercritical (Froude about
    1.4), which the local-inertial equations cannot carry: unbounded, it blew up to speeds of 380 m/s.
    Held at Froude 1, the speeds stay below the gravity wave's, and the run says where it held them."""
    y, x = np.mgrid[0:120, 0:120].astype(float)
    with pytest.warns(ModelWarning, match=r"on \d+ cell\(s\) the flow reached the Froude limit 1"):
        result = simulate(grid(30 - 0.02 * x - 0.01 * y, 1.0), duration=3600, rain=storms.design_storm(100, 60),
                          manning=0.015)
    assert result.attrs["froude_capped_cells"] > 0.5 * x.size
    depth = result["max_depth"].values
    assert depth.max() < 0.05  # a sheet: 2 cm, where the unbounded scheme piled 20 cm
    # |u| and |v| each at most √(g h_f); the faces' depths, taken during a step, may top the cells' maxima a little
    assert float(result["max_speed"].max()) <= 1.05 * np.sqrt(2 * 9.81 * depth.max())
    assert abs(result.attrs["volume_relative_error"]) < 1e-9


def test_subcritical_flow_is_not_held():
    z = np.tile(0.001 * (200 - np.arange(100) * 2.0), (3, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelWarning)
        result = simulate(grid(z), duration=1800, rain=20.0, manning=0.03,
                          boundary={"east": "open", "west": "closed", "north": "closed", "south": "closed"})
    assert result.attrs["froude_capped_cells"] == 0


def test_an_open_edge_on_flat_ground_lets_water_out():
    """The ghost cell copied the edge's depth: on flat ground no slope, so an 'open' edge was a wall."""
    z = np.zeros((5, 100))
    result = simulate(grid(z), duration=600, initial_depth=np.full(z.shape, 0.2), boundary={"east": "open"})
    assert result.attrs["volume_outflow"] > 0.5 * result.attrs["volume_initial"]
    assert abs(result.attrs["volume_relative_error"]) < 1e-9
    # at the edge, water leaves at about the critical discharge of its depth: no faster
    assert float(result["max_speed"].max()) < np.sqrt(9.81 * 0.2) * 1.5


def test_an_inflow_on_a_building_is_refused():
    blocked = np.zeros((10, 10), bool)
    blocked[3:7, 3:7] = True
    inflow = Inflow(x=10.0, y=10.0, times=[0, 600], discharge=[0.5, 0.5])
    with pytest.raises(ModelError, match="blocked \\(building\\) cell"):
        simulate(grid(np.zeros((10, 10))), duration=600, inflows=[inflow], blocked=blocked)


def terraced(smooth: bool, size: int = 200) -> np.ndarray:
    """A 2 % × 1 % slope at 1 m, resampled as real DEMs often are: 0.12 m terraces averaged over
    5 × 4-cell blocks, and one-cell pits 0.3 m deep in about 1 % of the cells (none side by side:
    two adjacent pits are a pond, whose waves rightly set the time step)."""
    y, x = np.mgrid[0:size, 0:size].astype(float)
    z = 30 - 0.02 * x - 0.01 * y
    if smooth:
        return z
    z = np.floor(z / 0.12) * 0.12
    blocks = z.reshape(size // 4, 4, size // 5, 5).mean(axis=(1, 3))
    z = np.repeat(np.repeat(blocks, 4, axis=0), 5, axis=1)
    pits = np.random.default_rng(1).random(z.shape) < 0.01
    pits &= ndimage.convolve(pits.astype(int), np.ones((3, 3), int), mode="constant") == 1  # one-cell pits
    pits[[0, -1], :] = pits[:, [0, -1]] = False  # an open edge continues the inner slope: a pit there is a drop
    return z - 0.3 * pits


@pytest.mark.slow
def test_terraced_and_pitted_terrain_gives_physical_speeds_and_steps():
    """The reproduction of a real 1 m terrain model's failure (speeds of thousands of m/s): with the
    100-year, 1-hour storm, sheet flow under 0.5 m stays below 5 m/s, mass is conserved and the time
    step is not collapsed by the steps and pits (within 2× the smoothed terrain's step count)."""
    storm = storms.design_storm(100, 60)
    runs = {smooth: simulate(grid(terraced(smooth), 1.0), duration=2 * 3600, rain=storm, manning=0.015)
            for smooth in (False, True)}
    result = runs[False]
    shallow = result["max_depth"].values < 0.5
    assert float(result["max_speed"].values[shallow].max()) <= 5.0
    assert abs(result.attrs["volume_relative_error"]) < 1e-9
    assert result.attrs["steps"] <= 2 * runs[True].attrs["steps"]


@pytest.mark.parametrize("dx", [4.0, 2.0, 1.0])
def test_the_planar_wave_at_finer_cells(dx):
    """Hunter et al. (2005)'s planar wave (as in test_flood_validation, which uses 25 m cells) at the cells
    of a district model. Measured, not converging: 25 m behind the analytical front the depth is within
    5 mm, but the 1 cm front lags 12–21 m behind the analytical one at every cell size (docs/flood.md)."""
    from jumeau.flood import Level

    n, u, end = 0.01, 0.4, 500.0

    def exact(x, t):
        return np.where(u * t > x, (7 / 3 * n * n * u * u * np.maximum(u * t - x, 0)) ** (3 / 7), 0.0)

    nx = int(400 / dx)
    times = np.linspace(0, end, 2001)
    result = simulate(grid(np.zeros((3, nx)), dx), duration=end, manning=n,
                      boundary={"west": Level(times, exact(0.0, times)), "east": "closed"})
    depth = result["final_depth"].values[1]
    x = (np.arange(nx) + 0.5) * dx
    behind = x < u * end - 25
    assert np.sqrt(np.mean((depth[behind] - exact(x, end)[behind]) ** 2)) < 0.005
    assert u * end - 25 <= x[depth > 0.01].max() <= u * end
