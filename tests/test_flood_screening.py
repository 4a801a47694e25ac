"""Bluespot screening: priority-flood fill, depression volumes, ponding that holds the runoff."""

from __future__ import annotations

import numpy as np
import pytest

import jumeau
from jumeau.flood.screening import _ponding_level, priority_flood, screen


def test_priority_flood_fills_a_bowl_to_its_rim():
    y, x = np.mgrid[-10:11, -10:11]
    bowl = np.hypot(x, y) * 0.1  # a cone; its lowest edge cell (the rim's outlet) is at 1.0 m
    bowl[10, 10] = 0.0
    filled = priority_flood(bowl)
    assert filled[10, 10] == pytest.approx(1.0)
    assert (filled >= bowl).all()
    assert filled[0, 0] == bowl[0, 0]  # edges are outlets, never filled


def test_a_notch_in_the_rim_sets_the_level():
    surface = np.full((9, 9), 2.0)
    surface[2:7, 2:7] = 0.0
    surface[4, 0:2] = 0.5  # a channel through the rim to the edge at 0.5 m
    filled = priority_flood(surface)
    assert filled[4, 4] == pytest.approx(0.5)


def test_ponding_level_holds_the_volume():
    ground = np.array([0.0, 0.1, 0.2, 0.5])
    level = _ponding_level(ground, volume=0.3 * 4, cell_area=4.0, brim=1.0)
    assert np.clip(level - ground, 0, None).sum() * 4.0 == pytest.approx(1.2)
    assert _ponding_level(ground, volume=1e6, cell_area=4.0, brim=1.0) == 1.0


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
    assert ponded == pytest.approx(min(biggest["runoff_m3"], biggest["capacity_m3"]), rel=1e-6)
    assert (result["ponding_depth"].values[site.grid["building_id"].values > 0] == 0).all()
