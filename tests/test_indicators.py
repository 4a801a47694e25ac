"""Indicator definitions on hand-made results, and the scorecard's normalisation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import jumeau
from jumeau.plan.scenario import Forcing, HeatForcing
from jumeau.study.compare import scorecard
from jumeau.study.indicators import INDICATORS, building_values, compute, floodable, open_water


@pytest.fixture
def site(city):
    return jumeau.load_site(city.write())


def results(site, depth: np.ndarray, t_air: np.ndarray, outflow: float = 12.5, stress_hours: np.ndarray | None = None):
    like = site.grid["elevation"]
    grid = {"y": like["y"], "x": like["x"]}
    flood = xr.Dataset({"max_depth": (("y", "x"), depth, {"units": "m"}),
                        "hazard_rating": (("y", "x"), depth * 2.0, {"units": "1"})}, coords=grid,
                       attrs={"volume_outflow": outflow})
    hours = np.zeros(site.shape, dtype="float32") if stress_hours is None else stress_hours
    heat = xr.Dataset({"t_air": (("y", "x"), t_air, {"units": "degC"}),
                       "utci": (("y", "x"), t_air + 5, {"units": "degC"}),
                       "surface_temperature": (("y", "x"), t_air + 10, {"units": "degC"}),
                       "very_strong_stress_hours": (("y", "x"), hours, {"units": "h"})}, coords=grid)
    return flood, heat


def building_cells(site, building_id: int) -> np.ndarray:
    return site.grid["building_id"].values == building_id


def test_water_at_the_walls_of_one_building(site):
    depth = np.zeros(site.shape, dtype="float32")
    a = building_cells(site, 1)
    rows, cols = np.nonzero(a)
    depth[rows.min() - 1, cols.min() + 2] = 0.25  # the ground cell just north of building A
    flood, heat = results(site, depth, np.full(site.shape, 30.0))
    table, buildings, _ = compute(site, flood, heat, Forcing())
    values = table.set_index("indicator")["value"]
    assert buildings.loc[1, "wall_depth"] == pytest.approx(0.25)
    assert buildings["flooded"].tolist() == [True, False, False]
    assert values["buildings_flooded"] == 1
    assert values["residents_flooded"] == pytest.approx(buildings.loc[1, "population"])
    assert values["flooded_area_10cm"] == pytest.approx(site.cell_area / 1e4)
    assert values["runoff_leaving"] == 12.5
    assert set(values.index) == set(INDICATORS)


def test_water_inside_a_building_cell_does_not_count_at_its_walls(site):
    depth = np.where(building_cells(site, 1), 1.0, 0.0).astype("float32")
    wall = building_values(site, xr.DataArray(depth, dims=("y", "x")), "wall")
    assert wall[0] == 0.0


def test_air_temperature_of_a_building_is_the_mean_over_its_cells(site):
    t_air = np.full(site.shape, 30.0)
    cells = np.argwhere(building_cells(site, 2))
    t_air[tuple(cells[0])] = 40.0
    means = building_values(site, xr.DataArray(t_air, dims=("y", "x")), "mean")
    assert means[1] == pytest.approx(30.0 + 10.0 / len(cells))


def test_a_building_mean_leaves_out_cells_without_a_value(site):
    """A cell without a value (NaN) is unknown, not 0: the mean is over the building's other cells."""
    t_air = np.full(site.shape, 30.0)
    cells = np.argwhere(building_cells(site, 2))
    t_air[tuple(cells[0])] = np.nan
    means = building_values(site, xr.DataArray(t_air, dims=("y", "x")), "mean")
    assert means[1] == pytest.approx(30.0)


def test_strong_heat_is_the_upper_third_of_the_heat_island(site):
    forcing = Forcing(heat=HeatForcing(t_ref=30, uhi_max=3))
    t_air = np.full(site.shape, 31.9)  # below 30 + 2 = 32
    t_air[building_cells(site, 1)] = 32.0
    flood, heat = results(site, np.zeros(site.shape, dtype="float32"), t_air)
    table, buildings, _ = compute(site, flood, heat, forcing)
    values = table.set_index("indicator")["value"]
    assert buildings["strong_heat"].tolist() == [True, False, False]
    assert values["residents_strong_heat"] == pytest.approx(buildings.loc[1, "population"])


def test_felt_heat_is_counted_on_the_public_space_and_at_each_home_door(site):
    """Hours of very strong stress: the mean over the outdoor ground, the area with 6 h or more, and
    the homes whose surroundings (the ground nearest to them, within 20 m) have 6 h or more."""
    hours = np.full(site.shape, 2.0, dtype="float32")
    a = building_cells(site, 1)
    rows, cols = np.nonzero(a)
    hours[rows.min() - 3: rows.min(), cols.min(): cols.max() + 1] = 9.0  # a hot strip north of building A
    hours[a] = 50.0  # on the roof: not where people are
    flood, heat = results(site, np.zeros(site.shape, dtype="float32"), np.full(site.shape, 30.0),
                          stress_hours=hours)
    table, buildings, _ = compute(site, flood, heat, Forcing())
    values = table.set_index("indicator")["value"]
    outdoor = site.grid["building_id"].values == 0
    assert values["stress_hours_outdoor"] == pytest.approx(hours[outdoor].mean())
    assert values["long_stress_area"] == pytest.approx((hours[outdoor] >= 6).sum() * site.cell_area / 1e4)
    assert 2.0 < buildings.loc[1, "stress_hours_around"] < 9.0 and buildings.loc[2, "stress_hours_around"] == 2.0
    long = buildings["stress_hours_around"] >= 6
    assert values["residents_long_stress"] == pytest.approx(buildings.loc[long, "population"].sum())


def test_open_water_is_not_a_flood(city):
    landcover = np.full((40, 50), 7, dtype="uint8")
    landcover[:3, :] = 12  # a river along the north edge
    city.landcover(landcover)
    site = jumeau.load_site(city.write())
    assert open_water(site)[:3].all() and not open_water(site)[3:].any()
    flood, heat = results(site, np.where(open_water(site), 1.0, 0.0).astype("float32"), np.full(site.shape, 30.0))
    values = compute(site, flood, heat, Forcing())[0].set_index("indicator")["value"]
    assert values["flooded_area_10cm"] == 0


def test_water_held_in_a_floodable_park_is_not_a_flood_but_its_heat_counts(city):
    landcover = np.full((40, 50), 7, dtype="uint8")
    landcover[30:, 30:] = 13  # a floodable park in the south-east corner
    city.landcover(landcover)
    site = jumeau.load_site(city.write())
    park = floodable(site)
    assert park.sum() == 10 * 20 and not open_water(site).any()
    depth = np.where(park, 0.8, 0.0).astype("float32")
    depth[5, 5] = 0.7  # and one flooded street cell (its hazard rating, 1.4 here, is a danger for most)
    hours = np.where(park, 10.0, 0.0).astype("float32")
    flood, heat = results(site, depth, np.full(site.shape, 30.0), stress_hours=hours)
    values = compute(site, flood, heat, Forcing())[0].set_index("indicator")["value"]
    cell_ha = site.cell_area / 1e4
    assert values["flooded_area_10cm"] == pytest.approx(cell_ha)
    assert values["flooded_area_30cm"] == pytest.approx(cell_ha)
    assert values["high_hazard_area"] == pytest.approx(cell_ha)
    assert values["long_stress_area"] == pytest.approx(park.sum() * cell_ha)  # people walk in the park when dry


def test_scorecard_normalises_gains_by_the_best_scenario():
    keys = list(INDICATORS)
    values = pd.DataFrame({"baseline": 10.0, "a": 10.0, "b": 10.0}, index=keys)
    values.loc["flooded_area_10cm"] = [10.0, 8.0, 6.0]  # lower is better: a gains 2, b gains 4
    values.loc["investment"] = [0.0, 100.0, 0.0]
    scores = scorecard(values, "baseline", dict.fromkeys(("health", "environment", "cost", "fairness"), 1.0))
    health = sum(INDICATORS[k].dimension == "health" for k in keys)
    cost = sum(INDICATORS[k].dimension == "cost" for k in keys)
    assert scores.at["b", "health"] == pytest.approx(1.0 / health)
    assert scores.at["a", "health"] == pytest.approx(0.5 / health)
    assert scores.at["a", "cost"] == pytest.approx(-1.0 / cost)
    assert scores.at["b", "rank"] == 1 and scores.at["baseline", "overall"] == 0
    assert scores.at["a", "created"] > 0 > scores.at["a", "destroyed"]
