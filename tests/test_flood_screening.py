"""Bluespot screening: the depressions' fill, spill and merge against volumes worked by hand and against the
flood model's settled water, every volume accounted for."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy import ndimage

import jumeau
from jumeau.flood import simulate, storms
from jumeau.flood.depressions import settle
from jumeau.flood.screening import screen


def two_basins() -> np.ndarray:
    """A 30 × 60 box (rim 5 m, floor 2 m) holding basin A (floor 1 m, 460 cells) and basin B (floor 0.5 m,
    460 cells) either side of an 80-cell ridge at 1.5 m."""
    z = np.full((30, 60), 5.0)
    z[1:-1, 1:-1] = 2.0
    z[5:25, 5:28] = 1.0
    z[5:25, 32:55] = 0.5
    z[5:25, 28:32] = 1.5
    return z


def rain_at(z: np.ndarray, volume: float) -> np.ndarray:
    runoff = np.zeros(z.shape)
    runoff[10, 10] = volume  # in basin A
    return runoff


def test_a_bowl_holds_all_its_runoff_flat():
    y, x = np.mgrid[0:41, 0:41]
    z = 0.01 * np.hypot(x - 20, y - 20)
    depth, left, _ = settle(z, np.ones(z.shape, bool), np.full(z.shape, 0.01))
    assert left == 0.0
    assert depth.sum() == pytest.approx(0.01 * z.size, rel=1e-12)
    level = (z + depth)[depth > 0]
    assert level.max() - level.min() < 1e-12


def test_a_notch_in_the_rim_sets_the_brim():
    z = np.full((9, 9), 2.0)
    z[2:7, 2:7] = 0.0
    z[4, 0:2] = 0.5  # a channel through the rim to the edge at 0.5 m
    _, _, filled = settle(z, np.ones(z.shape, bool), np.zeros(z.shape))
    assert filled[4, 4] == pytest.approx(0.5)
    assert filled[0, 0] == z[0, 0]  # outside any depression: the ground itself


def test_a_full_basin_spills_over_the_saddle_into_its_neighbour():
    """A holds 230 m³ (per m² of cell) up to the ridge; 414 given: A brim-full at 1.5 m, B takes 184 → 0.9 m."""
    z = two_basins()
    depth, left, _ = settle(z, np.ones(z.shape, bool), rain_at(z, 414.0))
    assert (z + depth)[10, 10] == pytest.approx(1.5, abs=1e-12)
    assert (z + depth)[10, 40] == pytest.approx(0.5 + 184.0 / 460, abs=1e-12)
    assert depth[5:25, 28:32].max() == 0.0 and left == 0.0


def test_two_full_basins_fill_together_above_their_saddle():
    """Both full hold 690; 800 given: the 110 left rest on A, B and the ridge (1000 cells) at 1.61 m."""
    z = two_basins()
    depth, left, _ = settle(z, np.ones(z.shape, bool), rain_at(z, 800.0))
    level = (z + depth)[5:25, 5:55]
    assert np.allclose(level, 1.61, atol=1e-12)
    assert depth.sum() == pytest.approx(800.0, rel=1e-12) and left == 0.0


def test_overflow_runs_down_to_the_next_depression_then_out():
    """On a slope to an edge, an upper hollow's overflow fills a lower one; the rest leaves the grid."""
    z = np.tile(np.linspace(10, 0, 80), (20, 1))
    z[0, :] = z[-1, :] = 20.0
    z[5:15, 10:20] -= 1.0
    z[5:15, 50:60] -= 1.0
    _, _, filled = settle(z, np.ones(z.shape, bool), np.zeros(z.shape))
    capacity = (filled - z)[5:15, 50:60].sum()
    depth, left, _ = settle(z, np.ones(z.shape, bool), rain_at(z, 500.0))
    assert depth[5:15, 50:60].sum() == pytest.approx(capacity, rel=1e-12)  # the lower hollow, full
    assert depth.sum() + left == pytest.approx(500.0, rel=1e-12) and left > 0


def test_every_volume_is_accounted_for_on_pitted_terrain_with_buildings():
    """A tilted, noisy (pitted) 300 × 350 terrain with blocks that hold no water: held + left = runoff to 1e-9."""
    rng = np.random.default_rng(1)
    z = np.add.outer(np.linspace(0, 5, 300), np.linspace(0, 3, 350)) + 0.3 * rng.random((300, 350))
    storing = np.ones(z.shape, bool)
    storing[100:120, 100:140] = storing[200:230, 50:60] = False
    runoff = np.where(storing, 0.05, 0.0)
    depth, left, filled = settle(z, storing, runoff)
    assert abs(depth.sum() + left - runoff.sum()) < 1e-9 * runoff.sum()
    assert (depth[~storing] == 0).all()
    assert (filled >= z).all() and (depth <= filled - z + 1e-12).all()
    assert 0.5 < depth.sum() / runoff.sum() < 1.0  # most held in the many pits, some out over the edges


def bathtub() -> np.ndarray:
    """A bowl (2 m cells) whose floor holds three pointed hollows, 0.5–1 m deep, nested in it."""
    y, x = np.mgrid[0:40, 0:60] * 2.0
    z = 0.02 * np.hypot(x - 60, (y - 40) * 1.5)
    for cx, cy, depth, radius in ((30, 40, 0.8, 12), (60, 38, 0.5, 10), (92, 42, 1.0, 12)):
        z -= depth * np.clip(1 - np.hypot(x - cx, y - cy) / radius, 0, None)
    return z


@pytest.mark.parametrize("rain", [20.0, 40.0, 80.0])
def test_settled_levels_match_the_flood_model(rain):
    """The three hollows apart (20 mm), merged into one pond (40, 80 mm): each pond's level is within 2 cm of
    the flood model's 5.5 h after a 30-min storm (closed edges, no losses)."""
    z = bathtub()
    depth, left, _ = settle(z, np.ones(z.shape, bool), np.full(z.shape, rain / 1000))
    coords = {"y": (np.arange(40)[::-1] + 0.5) * 2.0, "x": (np.arange(60) + 0.5) * 2.0}
    dynamic = simulate(xr.DataArray(z, dims=("y", "x"), coords=coords), duration=6 * 3600, boundary="closed",
                       rain=storms.BlockStorm(depth=rain, duration=1800.0))["final_depth"].values
    ponds, count = ndimage.label(depth > 0.01)
    assert count == (3 if rain == 20.0 else 1) and left == 0.0
    for pond in range(1, count + 1):
        cells = (ponds == pond) & (dynamic > 0.01)
        assert abs(np.median((z + dynamic)[cells]) - (z + depth)[ponds == pond].mean()) < 0.02


def test_screening_on_a_hollow(city):
    y, x = np.mgrid[0:40, 0:50]
    dem = (30.0 + 0.02 * x + 0.05 * np.hypot(x - 30, y - 20)).astype("float32")
    dem[18:23, 28:33] -= 0.8  # a hollow 0.8 m deep
    city.elevation(dem)
    site = jumeau.load_site(city.write())
    result, table = screen(site, storm_depth=60.0)
    assert len(table) >= 1
    biggest = table.sort_values("capacity_m3").iloc[-1]
    cells = result["depression_id"].values == biggest["depression"]
    assert cells[20, 30]
    ponded = float(result["ponding_depth"].values[cells].sum()) * site.cell_area
    assert ponded == pytest.approx(biggest["held_m3"], rel=1e-6)
    assert 0 < biggest["held_m3"] <= biggest["capacity_m3"] * (1 + 1e-9)
    assert (result["ponding_depth"].values[site.grid["building_id"].values > 0] == 0).all()
    assert abs(result.attrs["volume_relative_error"]) < 1e-9
    assert result.attrs["volume_held"] + result.attrs["volume_outflow"] == pytest.approx(result.attrs["volume_runoff"])


def test_centimetre_pits_are_not_listed_but_their_water_is_mapped(city):
    """A terrain with 5 cm of noise (as a LiDAR model has): its one-cell pits hold water on the map, but
    only the hollow holding a cubic metre or more is a depression in the table."""
    rng = np.random.default_rng(4)
    y, x = np.mgrid[0:40, 0:50]
    dem = (30.0 + 0.02 * x + 0.05 * rng.random((40, 50))).astype("float32")
    dem[18:23, 28:33] -= 0.8
    city.elevation(dem)
    site = jumeau.load_site(city.write())
    every, _ = screen(site, storm_depth=60.0, min_volume=0.0)
    result, table = screen(site, storm_depth=60.0)
    assert int(every["depression_id"].max()) > 5 * len(table) and len(table) >= 1
    assert (table["capacity_m3"] >= 1.0).all()
    np.testing.assert_array_equal(result["ponding_depth"].values, every["ponding_depth"].values)
