"""The felt heat of the demo district through a heat-wave day: physical ranges, and scenarios that show where they act."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

import jumeau
from jumeau.heat import felt
from jumeau.heat.model import heat_site, radiation_scene
from jumeau.plan.interventions import apply
from jumeau.plan.scenario import ScenarioSet
from jumeau.study.indicators import works_area

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo():
    site = jumeau.demo_site()
    scenarios = ScenarioSet.load(sorted((ROOT / "scenarios").glob("*.yaml")))
    forcing = scenarios.forcing("baseline").heat
    runs = {}
    for name in ("baseline", "cour_oasis", "rues_arborees"):
        changed = apply(site, scenarios.interventions(name))
        runs[name] = (changed, heat_site(changed, forcing))
    return site, scenarios, forcing, runs


def test_felt_heat_stays_within_physical_bounds(demo):
    _, _, forcing, runs = demo
    site, heat = runs["baseline"]
    t_air = heat["t_air"].values
    outdoor = site.grid["building_id"].values == 0
    t_mrt, utci = heat["t_mrt"].values[outdoor], heat["utci"].values[outdoor]
    assert (t_mrt > t_air[outdoor] - 8).all() and (t_mrt < t_air[outdoor] + 45).all()  # shade .. full sun
    assert np.percentile(t_mrt, 95) > t_air[outdoor].mean() + 20  # the summer sun is felt
    assert (utci > 30).all() and (utci < 50).all()
    surface = heat["surface_temperature"].values
    assert (surface >= t_air - 0.1).all() and (surface < t_air + 35).all()  # (15:00–16:00 is a hair below the high)
    hours = len(forcing.felt_hours())
    very, strong = heat["very_strong_stress_hours"].values, heat["strong_stress_hours"].values
    assert (very <= strong + 1e-6).all() and (strong <= hours + 1e-6).all() and (heat["sun_hours"].values <= hours + 1e-6).all()
    assert heat["utci_hourly"].shape == heat["t_mrt_hourly"].shape == (hours, *site.shape)
    assert very[outdoor].max() <= hours and (very[outdoor] < very[outdoor].max()).mean() > 0.1  # not saturated


def test_trees_lower_felt_heat_where_they_are_planted_and_nowhere_far(demo):
    _, _, _, runs = demo
    base = runs["baseline"][1]["very_strong_stress_hours"].values
    for name, least in (("cour_oasis", 0.5), ("rues_arborees", 2.0)):
        site, heat = runs[name]
        works = works_area(site) > 0
        fall = base - heat["very_strong_stress_hours"].values
        assert fall[works].mean() >= least, (name, fall[works].mean())
        distant = ndimage.distance_transform_edt(~works, sampling=site.resolution) > 60
        # far away only the cooler air acts (the cooling model's 500 m mixing): a hair, never a warming
        assert -1e-3 < fall[distant].mean() < 0.05 * fall[works].mean()


def test_sky_view_factors_are_reused_when_the_surface_is_unchanged(demo):
    site, scenarios, _, runs = demo
    green_roofs = apply(site, scenarios.interventions("toitures_vegetales"))
    assert radiation_scene(green_roofs).view is radiation_scene(site).view
    assert radiation_scene(runs["rues_arborees"][0]).view is not radiation_scene(site).view


def test_an_hour_computed_strip_by_strip_is_the_whole_grid_computed_at_once(demo):
    """The strips see, through their halo, all the ground a person sees below: no seam between them."""
    site, _, forcing, _ = demo
    lon, lat = site.lonlat
    scene = radiation_scene(site).rows(slice(100, 190))
    rows = felt.day_weather(forcing, lon, lat).iloc[::4]
    excess = np.linspace(0.0, 2.0, scene.dsm.size).reshape(scene.dsm.shape)
    whole = felt.felt_heat(scene, rows, (lon, lat), excess, rows.index[0], strip_rows=1000)
    strips = felt.felt_heat(scene, rows, (lon, lat), excess, rows.index[0], strip_rows=7)
    for name, values in whole.items():
        assert np.allclose(strips[name], values, atol=1e-4, equal_nan=True), name
    assert len(felt.strips(90, 5, 7)) == 13 and felt.strips(90, 5, 7)[1] == (slice(2, 19), slice(5, 12), slice(7, 14))
