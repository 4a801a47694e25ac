"""A sea or river level on an edge of the grid, from the site file: water it pushes in floods the low
ground up to that level, the balance counts it, and it is part of the cache key."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import X0

import jumeau
from jumeau.flood.forcing import StormForcing
from jumeau.flood.model import flood_site
from jumeau.study.runner import site_digest

# a light, short storm: the edge does the flooding
STORM = StormForcing(return_period=2, duration=15, after_rain=45, drainage_capacity=0)


def west_cell(result, x: float):
    return result["final_depth"].sel(x=X0 + x, method="nearest").values


def test_a_sea_level_floods_the_low_ground_up_to_it(city):
    """The plane rises from 30 m (west) to 40 m (east); the sea at 35 m on the west edge."""
    site = jumeau.load_site(city.write(boundary={"west": {"level": 35.0}, "north": "closed", "south": "closed"}))
    result = flood_site(site, STORM)
    surface = west_cell(result, 11.0) + 30.0 + 0.1 * 11.0  # the water surface near the sea
    assert np.median(surface) == pytest.approx(35.0, abs=0.05)
    assert np.all(west_cell(result, 71.0) < 0.05)  # the high ground above the sea stays dry
    assert result.attrs["volume_edge_inflow"] > 1000  # pushed in by the sea, counted
    assert abs(result.attrs["volume_relative_error"]) < 1e-9


def test_a_tide_from_a_file(city):
    (city.path("maree.csv")).write_text("time,level\n0,30\n20,33\n60,33\n", encoding="utf-8")
    site = jumeau.load_site(city.write(boundary={"west": {"file": "maree.csv"}, "north": "closed",
                                                 "south": "closed"}))
    result = flood_site(site, STORM)
    surface = west_cell(result, 11.0) + 30.0 + 0.1 * 11.0
    assert np.median(surface) == pytest.approx(33.0, abs=0.05)


@pytest.mark.parametrize(("edge", "message"), [
    ({"level": 2.0, "file": "maree.csv"}, "give either `level:` (m) or `file:`"),
    ({"file": "absent.csv"}, "absent.csv not found"),
    ("sea", "Input should be 'open' or 'closed'"),
])
def test_bad_edges_are_refused_with_their_line(city, edge, message):
    (city.path("maree.csv")).write_text("time,level\n0,30\n", encoding="utf-8")
    with pytest.raises(jumeau.InputError, match="line") as caught:
        jumeau.load_site(city.write(boundary={"west": edge}))
    assert message in str(caught.value)


def test_a_sea_level_is_part_of_the_cache_key(city):
    plain = jumeau.load_site(city.write())
    sea = jumeau.load_site(city.write(boundary={"west": {"level": 35.0}}))
    higher = jumeau.load_site(city.write(boundary={"west": {"level": 35.5}}))
    assert len({site_digest(plain), site_digest(sea), site_digest(higher)}) == 3
