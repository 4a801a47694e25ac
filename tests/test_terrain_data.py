"""The grid never extends over ground the terrain model does not describe (rotated or clipped tiles)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import NX, NY, RES, X0, Y0, sloping_dem

import jumeau
from jumeau.errors import InputError, RepairWarning
from jumeau.site.terrain import TERRACED_SHARE, largest_rectangle, outside_data, smooth_terraces, terraced_share


def rotated_dem() -> np.ndarray:
    """The test plane with nodata triangles in its four corners, as a tile rotated into another CRS leaves."""
    values = sloping_dem()
    rows, cols = np.mgrid[0:NY, 0:NX]
    corner = (np.minimum(rows, NY - 1 - rows) + np.minimum(cols, NX - 1 - cols)) < 8
    values[corner] = -9999
    return values


def test_the_default_grid_is_cut_to_where_the_terrain_has_data(city):
    city.elevation(rotated_dem(), nodata=-9999)
    with pytest.warns(RepairWarning, match=r"has no terrain in dem\.tif .* the grid is cut to the largest rectangle"):
        site = jumeau.load_site(city.write())
    ny, nx = site.shape
    assert (ny, nx) < (NY, NX) and ny * nx >= 0.6 * NY * NX
    # every cell's elevation is the terrain model's own (the plane): nothing interpolated, nothing invented
    x = site.grid["x"].values
    np.testing.assert_allclose(site.grid["elevation"].values, np.tile(30.0 + 0.1 * (x - X0), (ny, 1)), atol=1e-4)
    assert site.metadata["repairs"] and "cut to the largest rectangle" in site.metadata["repairs"][0]


def test_a_chosen_area_beyond_the_terrain_is_refused(city):
    city.elevation(rotated_dem(), nodata=-9999)
    with pytest.raises(InputError, match=r"of the grid chosen by bounds .* lies beyond the elevation's data \(dem\.tif\); "
                                         r"jumeau does not invent terrain there"):
        jumeau.load_site(city.write(bounds=[X0, Y0, X0 + NX * RES, Y0 + NY * RES]))


def test_a_hole_inside_the_terrain_is_still_filled(city):
    values = sloping_dem()
    values[15:18, 20:24] = -9999  # a lake surface left empty, surrounded by terrain
    city.elevation(values, nodata=-9999)
    with pytest.warns(RepairWarning, match=r"12 nodata cell\(s\) of dem\.tif .* filled by interpolation"):
        site = jumeau.load_site(city.write())
    assert site.shape == (NY, NX)


def test_a_missing_terrain_model_says_where_to_get_one(city):
    del city.config["elevation"]
    with pytest.raises(InputError, match=r"elevation: Field required: the bare-earth terrain model.*RGE ALTI.*LiDAR HD"):
        jumeau.load_site(city.write())


def test_outside_data_is_the_nodata_reaching_the_edge():
    values = np.ones((5, 6))
    values[0, 0] = values[1, 0] = np.nan  # from the edge
    values[2, 3] = np.nan  # enclosed
    assert outside_data(values).sum() == 2 and not outside_data(values)[2, 3]


@pytest.mark.parametrize("seed", range(40))
def test_the_largest_rectangle_is_the_largest(seed):
    inside = np.random.default_rng(seed).random((6, 7)) > 0.25
    r0, r1, c0, c1 = largest_rectangle(inside)
    assert inside[r0:r1, c0:c1].all()
    best = max((y1 - y0) * (x1 - x0) for y0 in range(6) for y1 in range(y0 + 1, 7) for x0 in range(7)
               for x1 in range(x0 + 1, 8) if inside[y0:y1, x0:x1].all())
    assert (r1 - r0) * (c1 - c0) == best


def pitted_terraced_dem() -> np.ndarray:
    """A 1 % slope rounded to 0.12 m steps (terraces 6 cells wide), with three one-cell pits 0.3 m deep."""
    x = (np.arange(NX) + 0.5) * RES
    values = np.tile(np.floor((30.0 + 0.01 * x) / 0.12) * 0.12, (NY, 1))
    for row, col in ((10, 10), (20, 30), (30, 40)):
        values[row, col] -= 0.3
    return values.astype("float32")


def test_pits_and_terraces_are_reported(city):
    city.elevation(pitted_terraced_dem())
    with pytest.warns(RepairWarning) as caught:
        site = jumeau.load_site(city.write())
    said = " ".join(str(w.message) for w in caught)
    assert "dem.tif has 3 one-cell pit(s)" in said and "Set `fill_pits: true`" in said
    assert "of the sloping ground of dem.tif is in flat steps (terraces" in said
    assert site.grid["elevation"].values[10, 10] < site.grid["elevation"].values[10, 9]  # left as given


def test_pits_are_filled_on_request_with_the_volume_stated(city):
    values = pitted_terraced_dem()
    city.elevation(values)
    city.config["elevation"]["fill_pits"] = True
    with pytest.warns(RepairWarning, match=r"3 one-cell pit\(s\) .* filled to their lowest neighbour, adding "
                                           r"\d+ m³ of ground"):
        site = jumeau.load_site(city.write())
    z = site.grid["elevation"].values
    for row, col in ((10, 10), (20, 30), (30, 40)):
        assert z[row, col] == pytest.approx(values[row - 1:row + 2, col - 1:col + 2].ravel()[[0, 1, 2, 3, 5, 6, 7, 8]].min())
    untouched = np.ones(z.shape, dtype=bool)
    untouched[[10, 20, 30], [10, 30, 40]] = False
    np.testing.assert_array_equal(z[untouched], values[untouched])


def test_terraces_are_smoothed_on_request_into_the_slope_they_were_rounded_from(city):
    values = pitted_terraced_dem()
    city.elevation(values)
    city.config["elevation"].update(fill_pits=True, smooth_terraces=True)
    with pytest.warns(RepairWarning) as caught:
        site = jumeau.load_site(city.write())
    said = " ".join(str(w.message) for w in caught)
    assert re.search(r"terraces of dem\.tif smoothed \(\d+% of its sloping ground was in flat steps\): a 1 × \d+-cell "
                     r"moving mean .* raised it by [\d,]+ m³ and lowered it by [\d,]+ m³, 0\.\d\d m at most", said), said
    assert "is in flat steps (terraces" not in said  # done, not advised
    z = site.grid["elevation"].values
    assert terraced_share(z, RES) < 0.02 < TERRACED_SHARE < terraced_share(values, RES)
    x = (np.arange(NX) + 0.5) * RES
    inner = (slice(None), slice(12, -12))  # a moving mean needs its window inside the grid
    ramp = np.tile(30.0 + 0.01 * x, (NY, 1))[inner]
    offset = float(np.mean(z[inner] - ramp))  # rounding down to 0.12 m lowered the ground by half a step on average
    assert abs(offset + 0.06) < 0.01 and np.abs(z[inner] - ramp - offset).max() < 0.02  # the staircase, a ramp again
    moved = np.abs(z - values)
    moved[[10, 20, 30], [10, 30, 40]] = 0.0  # the pits, filled
    assert moved.max() <= 0.12 + 1e-6  # no other cell moved by more than a step


def test_smoothing_leaves_flat_ground_as_it_is():
    z = np.zeros((40, 60))
    z[:, 30:] = 0.15  # a kerb on flat ground: not a terrace
    smoothed, said = smooth_terraces(z, 1.0)
    np.testing.assert_array_equal(smoothed, z)
    assert "raised it by 0 m³ and lowered it by 0 m³" in said
