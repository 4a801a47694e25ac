"""Flood model validation: TR-55 runoff, Hunter's planar wave, Stoker's dam break, mass balance, lake at
rest, symmetry, Manning's normal depth, buildings, storms."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy.optimize import brentq

from jumeau.errors import InputError, ModelError
from jumeau.flood import Inflow, Level, Losses, runoff_depth, simulate, storms

INCH = 25.4


def grid(z: np.ndarray, dx: float = 2.0) -> xr.DataArray:
    ny, nx = z.shape
    return xr.DataArray(z.astype("float64"), dims=("y", "x"),
                        coords={"y": (np.arange(ny)[::-1] + 0.5) * dx, "x": (np.arange(nx) + 0.5) * dx})


@pytest.mark.parametrize(("rain_in", "cn", "expected_in"), [
    (1.0, 98, 0.79), (1.0, 90, 0.32), (3.0, 80, 1.25), (3.0, 70, 0.71), (5.0, 60, 1.30), (5.0, 50, 0.69),
    (10.0, 40, 2.23),
])
def test_scs_runoff_matches_tr55_table_2_1(rain_in, cn, expected_in):
    """USDA-NRCS TR-55 (1986), Table 2-1: runoff depth (in) for rainfall and curve number."""
    assert float(runoff_depth(rain_in * INCH, cn)) / INCH == pytest.approx(expected_in, abs=0.015)


G = 9.81


def stoker(h_left, h_right):
    """Stoker (1957)'s dam break on a wet, flat, frictionless bed (full shallow-water equations): the
    middle state's depth and the bore's speed."""
    c_left = np.sqrt(G * h_left)

    def middle(speed):  # the bore's speed S: the middle state behind it reached by the rarefaction
        root = np.sqrt(1 + 8 * speed**2 / (G * h_right))
        h_middle = h_right / 2 * (root - 1)
        u_middle = speed - G * h_right / (4 * speed) * (1 + root)
        return h_middle, u_middle - 2 * (c_left - np.sqrt(G * h_middle))

    speed = brentq(lambda s: middle(s)[1], 1e-6, 10 * c_left)
    return middle(speed)[0], speed


def local_inertial_dam_break(x, t, h_left, h_right):
    """The same dam break solved exactly for the equations the scheme discretises, the shallow-water ones
    without advection (h_t + q_x = 0, q_t + (g h²/2)_x = 0: a p-system): a rarefaction along which
    dq/dh = −√(g h), fan h = ξ²/g, then a bore of speed √(g (h_m + h_r)/2) (Rankine–Hugoniot)."""
    def mismatch(h_middle):
        return 2 / 3 * np.sqrt(G) * (h_left**1.5 - h_middle**1.5) - np.sqrt(G * (h_middle + h_right) / 2) * (
            h_middle - h_right)

    h_middle = brentq(mismatch, h_right, h_left)
    speed = np.sqrt(G * (h_middle + h_right) / 2)
    xi = x / t
    depth = np.where(xi < -np.sqrt(G * h_left), h_left,
                     np.where(xi <= -np.sqrt(G * h_middle), xi * xi / G, np.where(xi < speed, h_middle, h_right)))
    return depth, h_middle, speed


def test_dam_break_on_a_wet_bed():
    """A 1 m column released onto 0.5 m of still water (200 m channel, 0.5 m cells, n = 0.001), after 20 s.

    Against the exact solution of the scheme's own equations, the scheme is tight: the middle depth
    within 0.5 %, the bore within 2 m, the depth within 1 cm RMS away from the bore. Against
    Stoker's solution of the full equations the gap is the local-inertial approximation's, not the
    scheme's: without advection the middle state is 6 % deeper and the bore 16 % slower at this
    middle Froude number (0.35); de Almeida & Bates (2013, *Water Resources Research* 49) find the
    approximation sound for Froude numbers below 0.5, as urban pluvial flows mostly are."""
    dx, length, t, h_left, h_right = 0.5, 200.0, 20.0, 1.0, 0.5
    x = (np.arange(int(length / dx)) + 0.5) * dx - length / 2
    result = simulate(grid(np.zeros((3, x.size)), dx), duration=t, manning=1e-3, boundary="closed",
                      initial_depth=np.tile(np.where(x < 0, h_left, h_right), (3, 1)))
    depth = result["final_depth"].values[1]
    assert abs(result.attrs["volume_relative_error"]) < 1e-12
    assert depth.min() >= h_right - 1e-6 and depth.max() <= h_left + 1e-6  # no overshoot at the bore
    exact, h_middle, speed = local_inertial_dam_break(x, t, h_left, h_right)
    middle = (x > -np.sqrt(G * h_middle) * t + 5) & (x < speed * t - 5)
    assert depth[middle].mean() == pytest.approx(h_middle, rel=0.005)
    bore = x[depth > (h_middle + h_right) / 2].max()
    assert abs(bore - speed * t) < 2.0
    away = np.abs(x - speed * t) > 5
    assert np.sqrt(np.mean((depth[away] - exact[away]) ** 2)) < 0.01
    h_stoker, s_stoker = stoker(h_left, h_right)
    assert h_stoker < h_middle < 1.07 * h_stoker
    assert 0.8 * s_stoker * t < bore < s_stoker * t


def test_no_runoff_until_initial_abstraction():
    s = 25400 / 70 - 254
    assert runoff_depth(0.2 * s, 70) == 0
    assert runoff_depth(0.2 * s + 1, 70) > 0
    assert runoff_depth(0.05 * s + 1, 70, initial_abstraction=0.05) > 0


def test_hunter_planar_wave():
    """Hunter et al. (2005), used by Bates et al. (2010, §4.1): h(x,t) = [(7/3) n² u² (u t − x)]^(3/7)."""
    n, u, dx, end = 0.01, 0.4, 25.0, 500.0
    def exact(x, t):
        return np.where(u * t > x, (7 / 3 * n * n * u * u * np.maximum(u * t - x, 0)) ** (3 / 7), 0.0)
    times = np.linspace(0, end, 2001)
    result = simulate(grid(np.zeros((3, 60)), dx), duration=end, manning=n,
                      boundary={"west": Level(times, exact(0.0, times)), "east": "closed"}, alpha=0.7)
    depth = result["final_depth"].values[1]
    x = (np.arange(60) + 0.5) * dx
    expected = exact(x, end)
    front_model = x[depth > 0.01].max()
    assert abs(front_model - u * end) <= dx
    behind = x < u * end - dx
    assert np.sqrt(np.mean((depth[behind] - expected[behind]) ** 2)) < 0.005


def test_closed_basin_stores_exactly_the_rain():
    rng = np.random.default_rng(3)
    z = rng.random((30, 40)) * 0.5
    result = simulate(grid(z), duration=1800, rain=60.0, boundary="closed")
    assert result.attrs["volume_outflow"] == 0
    assert result.attrs["volume_rain"] == pytest.approx(60 / 1000 * 0.5 * 30 * 40 * 4, rel=1e-12)
    assert abs(result.attrs["volume_stored"] - result.attrs["volume_rain"]) / result.attrs["volume_rain"] < 1e-9


def test_open_edges_balance_rain_storage_outflow_losses():
    z = np.add.outer(np.zeros(30), np.linspace(2, 0, 40)) + np.random.default_rng(4).random((30, 40)) * 0.05
    cn = np.full(z.shape, 80.0)
    drainage = np.zeros(z.shape)
    drainage[:, :10] = 15.0
    storm = storms.design_storm(10, 30)
    result = simulate(grid(z), duration=3600, rain=storm, losses=Losses(cn), drainage=drainage)
    a = result.attrs
    assert a["volume_outflow"] > 0 and a["volume_infiltration"] > 0 and a["volume_drainage"] > 0
    independent = a["volume_stored"] + a["volume_outflow"] + a["volume_infiltration"] + a["volume_drainage"]
    assert abs(a["volume_rain"] - independent) / a["volume_rain"] < 1e-6
    assert float(result["final_depth"].sum()) * 4 == pytest.approx(a["volume_stored"], rel=1e-6)


def test_lake_at_rest_stays_at_rest():
    rng = np.random.default_rng(5)
    z = rng.random((30, 30)) * 0.8
    level = 1.0
    result = simulate(grid(z), duration=600, initial_depth=level - z, boundary="closed")
    assert float(result["max_speed"].max()) < 1e-6
    np.testing.assert_allclose(result["final_depth"].values + z, level, atol=1e-6)


def test_symmetric_inputs_give_symmetric_results():
    y, x = np.mgrid[-20:21, -20:21]
    z = 0.01 * (x**2 + y**2) ** 0.5
    depth = np.where(x**2 + y**2 < 9, 0.5, 0.0)
    result = simulate(grid(z), duration=300, initial_depth=depth, boundary="closed")
    final = result["final_depth"].values
    np.testing.assert_allclose(final, final[::-1, :], atol=1e-9)
    np.testing.assert_allclose(final, final[:, ::-1], atol=1e-9)
    np.testing.assert_allclose(final, final.T, atol=1e-9)


def test_uniform_flow_reaches_mannings_normal_depth():
    """Steady uniform flow on a plane of slope S: h = (q n / √S)^(3/5)."""
    slope, n, q = 0.001, 0.03, 0.05  # q in m²/s
    nx, dx = 200, 5.0
    z = np.tile(slope * dx * (nx - np.arange(nx)), (3, 1))
    inflow = [Inflow(x=0.5 * dx, y=(row + 0.5) * dx, times=[0, 1e6], discharge=[q * dx, q * dx]) for row in range(3)]
    result = simulate(grid(z, dx), duration=6 * 3600, manning=n, inflows=inflow,
                      boundary={"east": "open", "west": "closed", "north": "closed", "south": "closed"})
    normal = (q * n / slope**0.5) ** 0.6
    middle = result["final_depth"].values[1, 80:120]
    assert np.abs(middle / normal - 1).max() < 0.01


def test_no_water_ever_enters_buildings():
    z = np.zeros((20, 20))
    blocked = np.zeros(z.shape, bool)
    blocked[8:12, 8:12] = True
    result = simulate(grid(z), duration=900, rain=100.0, blocked=blocked, boundary="closed", snapshot_every=60)
    assert float(result["depth"].values[:, blocked].max()) == 0
    assert float(result["max_depth"].values[blocked].max()) == 0
    # roof rain reached the ground: the closed basin holds all the rain
    assert result.attrs["volume_stored"] == pytest.approx(result.attrs["volume_rain"], rel=1e-9)


def test_green_roofs_hold_their_retention_depth():
    z = np.zeros((10, 10))
    blocked = np.zeros(z.shape, bool)
    blocked[3:6, 3:6] = True
    held = np.where(blocked, 5.0, 0.0)
    result = simulate(grid(z), duration=600, rain=60.0, blocked=blocked, roof_retention=held, boundary="closed")
    assert result.attrs["volume_roof_retained"] == pytest.approx(9 * 4 * 5 / 1000)
    assert abs(result.attrs["volume_relative_error"]) < 1e-9


@pytest.mark.parametrize("shape", ["chicago", "block"])
def test_storms_integrate_to_the_montana_depth(shape):
    law = storms.montana(100)
    storm = storms.design_storm(100, 60, shape)
    assert storm.total_depth == pytest.approx(float(law.depth(60)), rel=1e-12)
    steps = np.linspace(0, 3600, 997)
    increments = np.diff([storm.cumulative(t) for t in steps])
    assert (increments >= 0).all() and increments.sum() == pytest.approx(storm.total_depth, rel=1e-12)


def test_chicago_peak_is_where_asked():
    storm = storms.design_storm(10, 60, "chicago", peak=0.3)
    minutes = np.arange(60) * 60.0
    intensity = storm.intensity(minutes, step=60.0)
    assert np.argmax(intensity) in (17, 18)


def test_hyetograph_csv(tmp_path):
    path = tmp_path / "pluie.csv"
    path.write_text("time,intensity\n0,30\n10,90\n20,0\n30,0\n", encoding="utf-8")
    storm = storms.read_hyetograph(path)
    assert storm.total_depth == pytest.approx(30 * 10 / 60 + 90 * 10 / 60)
    path.write_text("time,intensity\n0,30\n10,-5\n20,0\n", encoding="utf-8")
    with pytest.raises(InputError, match="negative"):
        storms.read_hyetograph(path)


def test_bad_inputs_are_refused():
    z = grid(np.zeros((5, 5)))
    with pytest.raises(ModelError, match="duration"):
        simulate(z, duration=0)
    with pytest.raises(ModelError, match="manning"):
        simulate(z, duration=10, manning=np.zeros((4, 4)))
    with pytest.raises(ModelError, match="boundary"):
        simulate(z, duration=10, boundary={"up": "open"})
    with pytest.raises(ModelError, match="curve number"):
        simulate(z, duration=10, losses=Losses(np.full((5, 5), 120.0)))
    with pytest.raises(InputError, match="return period"):
        storms.design_storm(500, 60)
    nan = z.copy()
    nan.values[0, 0] = np.nan
    with pytest.raises(ModelError, match="without a value"):
        simulate(nan, duration=10)


def test_inverse_cube_root_is_accurate_to_float32_round_off():
    """The friction term's h^(-1/3) (bit-level guess + Newton, in float32, see kernels) matches the library
    within a few float32 ulps (2^-23 ≈ 1.2e-7)."""
    from jumeau.flood.kernels import _inverse_cube_root

    depths = np.concatenate([np.logspace(-6, 3, 2000), [1e-4, 0.05, 1.0, 7.3, 100.0]]).astype(np.float32)
    ours = np.array([_inverse_cube_root(x) for x in depths], dtype=np.float64)
    assert np.max(np.abs(ours * np.cbrt(depths.astype(np.float64)) - 1.0)) < 3e-7
