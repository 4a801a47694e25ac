"""InVEST urban cooling reproduced: InVEST's own reference test, uniform cover, kernels, 2 ha rule."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import convolve2d

from jumeau.errors import ModelError
from jumeau.heat.convolution import convolve, disk_kernel, exponential_kernel
from jumeau.heat.cooling import urban_cooling, wet_bulb_globe_temperature

LULC = np.array([[2, 3, 1, 5, 5, 5], [3, 3, 1, 1, 4, 5], [5, 5, 4, 2, 3, 1], [4, 1, 4, 2, 2, 1], [1, 5, 4, 1, 1, 2]])
ET0 = np.array([[800, 799, 567, 234, 422, 422], [765, 867, 765, 654, 456, 677], [556, 443, 456, 265, 876, 890],
                [433, 266, 677, 776, 900, 687], [456, 832, 234, 234, 234, 554]], dtype=float)
TABLE = {"kc": [1, 1.1, 0.9, 0.3, 0.2], "albedo": [0.05, 0.1, 0.2, 0.3, 0.4], "shade": [0, 1, 0, 0.2, 0],
         "green": [0, 1, 1, 0, 0]}


def grid(values: np.ndarray, cell: float = 30.0) -> xr.DataArray:
    ny, nx = values.shape
    return xr.DataArray(np.asarray(values, dtype="float64"), dims=("y", "x"),
                        coords={"y": (np.arange(ny)[::-1] + 0.5) * cell, "x": (np.arange(nx) + 0.5) * cell})


def by_class(column: str, lulc: np.ndarray = LULC, cell: float = 30.0) -> xr.DataArray:
    return grid(np.asarray(TABLE[column], dtype=float)[lulc - 1], cell)


def test_invest_reference_cc_rasters():
    """InVEST's test_cc_rasters (tests/test_ucm.py): 5×6 grid, 30 m cells."""
    result = urban_cooling(kc=by_class("kc"), green_area=by_class("green"), shade=by_class("shade"),
                           albedo=by_class("albedo"), et0=grid(ET0), t_ref=23.5, uhi_max=2.05,
                           cooling_distance=90, mixing_radius=300)
    np.testing.assert_allclose(result["cc"].values[0], [0.815556, 0.1998, 0.136, 0.0904, 0.098756, 0.098756], atol=1e-6)
    np.testing.assert_allclose(result["cc"].values[-1], [0.11133333, 0.11697778, 0.1956, 0.062, 0.062, 0.75542223],
                               atol=1e-6)
    assert float(result["cc_park"].values[0, 0]) == pytest.approx(0.183541, abs=1e-6)


def test_uniform_cover_gives_uniform_temperature():
    lulc = np.full((40, 50), 4)
    result = urban_cooling(kc=by_class("kc", lulc, 10), green_area=by_class("green", lulc, 10),
                           shade=by_class("shade", lulc, 10), albedo=by_class("albedo", lulc, 10), et0=5.0,
                           t_ref=30, uhi_max=3, cooling_distance=100, mixing_radius=200)
    cc = 0.6 * 0.2 + 0.2 * 0.3 + 0.2 * 0.3
    np.testing.assert_allclose(result["t_air"].values, 30 + (1 - cc) * 3, atol=1e-6)


def test_kernels_sum_to_one_and_edges_are_renormalised():
    kernel = exponential_kernel(4)
    assert kernel.weights.sum() == pytest.approx(1.0)
    assert kernel.weights.shape == (41, 41)
    constant = np.full((30, 30), 7.0)
    np.testing.assert_allclose(convolve(constant, kernel), 7.0, atol=1e-9)
    disk = disk_kernel(3)
    assert disk.total == 29  # the lattice points within 3 cells of the centre
    np.testing.assert_allclose(convolve(np.ones((20, 20)), disk), 29, atol=1e-9)


@pytest.mark.parametrize("make", [lambda within: exponential_kernel(30, within=within),
                                  lambda within: disk_kernel(40, within=within)])
def test_a_kernel_cropped_to_the_grid_gives_the_same_result(make):
    """Kernels wider than the grid (a 500 m mixing radius at 1 m) are built only as far as the grid reaches."""
    rng = np.random.default_rng(3)
    signal = rng.random((23, 31))
    signal[:4, :6] = np.nan  # a nodata corner
    whole, cropped = make(None), make(signal.shape)
    assert cropped.weights.shape == (45, 61)
    assert cropped.total == pytest.approx(whole.total, rel=1e-12)
    np.testing.assert_allclose(convolve(signal, cropped), convolve(signal, whole), rtol=1e-9, atol=1e-12)
    valid = np.isfinite(signal)  # and both are the direct sums
    direct = (convolve2d(np.where(valid, signal, 0), whole.weights, "same")
              / convolve2d(valid.astype(float), whole.weights, "same") * whole.total)
    np.testing.assert_allclose(convolve(signal, cropped), np.where(valid, direct, np.nan), rtol=1e-9)


def test_two_hectare_rule_switches_exactly_at_the_threshold():
    """A bare cell inside a park of exactly 2 ha takes the park's cooling; one green cell less, its own."""
    lulc = np.full((70, 80), 5)  # bare ground, low CC
    lulc[20:40, 20:60] = 2  # 800 green cells of 25 m² = 2 ha...
    lulc[30, 40] = 5  # ... less the bare cell looked at
    lulc[19, 40] = 2  # ... plus one: exactly 800 again

    def run(lulc_map):
        return urban_cooling(kc=by_class("kc", lulc_map, 5), green_area=by_class("green", lulc_map, 5),
                             shade=by_class("shade", lulc_map, 5), albedo=by_class("albedo", lulc_map, 5),
                             et0=5.0, t_ref=30, uhi_max=3, cooling_distance=115, mixing_radius=5)

    at_threshold = run(lulc)
    assert at_threshold["green_area_within_distance"].values[30, 40] == 2e4
    assert at_threshold["hm"].values[30, 40] == at_threshold["cc_park"].values[30, 40]
    assert at_threshold["cc_park"].values[30, 40] > at_threshold["cc"].values[30, 40]
    below = lulc.copy()
    below[19, 40] = 5
    under = run(below)
    assert under["green_area_within_distance"].values[30, 40] == 2e4 - 25
    assert under["hm"].values[30, 40] == under["cc"].values[30, 40]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 29), st.integers(0, 29), st.integers(1, 6))
def test_more_green_never_warms_the_air(row, col, size):
    rng = np.random.default_rng(7)
    lulc = rng.choice([1, 4, 5], size=(30, 30))
    greener = lulc.copy()
    greener[row:row + size, col:col + size] = 2
    def run(lulc_map):
        return urban_cooling(kc=by_class("kc", lulc_map, 10), green_area=by_class("green", lulc_map, 10),
                             shade=by_class("shade", lulc_map, 10), albedo=by_class("albedo", lulc_map, 10),
                             et0=5.0, t_ref=30, uhi_max=3, cooling_distance=60, mixing_radius=60)["t_air"].values
    assert (run(greener) <= run(lulc) + 1e-5).all()


def test_wbgt_matches_invest_formula():
    t = np.array([30.0])
    e = 0.5 * 6.105 * np.exp(17.27 * 30 / (237.7 + 30))
    assert wet_bulb_globe_temperature(t, 50)[0] == pytest.approx(0.567 * 30 + 0.393 * e + 3.94)


def test_bad_inputs():
    with pytest.raises(ModelError, match="cooling_distance"):
        urban_cooling(kc=by_class("kc"), green_area=by_class("green"), shade=by_class("shade"),
                      albedo=by_class("albedo"), et0=grid(ET0), t_ref=23.5, uhi_max=2, cooling_distance=-1,
                      mixing_radius=300)
    with pytest.raises(ModelError, match="shape"):
        urban_cooling(kc=by_class("kc"), green_area=np.ones((3, 3)), shade=by_class("shade"),
                      albedo=by_class("albedo"), et0=grid(ET0), t_ref=23.5, uhi_max=2, cooling_distance=90,
                      mixing_radius=300)
    with pytest.raises(ModelError, match="relative_humidity"):
        wet_bulb_globe_temperature(np.array([30.0]), 120)
