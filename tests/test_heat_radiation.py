"""The radiation model (Tmrt from six-directional fluxes) on cases with a known answer, and its monotonicity."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jumeau.heat import radiation, skyview, stress
from jumeau.heat.radiation import STEFAN_BOLTZMANN as SIGMA

NOON = {"sunrise": 5.0, "sunset": 21.0, "max_elevation": 60.0, "solar_hour": 15.0}  # 15 h: the warming's peak


def hour(elevation=50.0, azimuth=180.0, direct=800.0, diffuse=100.0, t_air=30.0, humidity=40.0):
    return pd.Series({"elevation": elevation, "azimuth": azimuth, "direct_normal": direct, "diffuse": diffuse,
                      "t_air": t_air, "relative_humidity": humidity, "clearness": 1.0, "wind": 1.0})


def scene(dsm, canopy=None, albedo=0.2, cell=1.0, slope=0.5, intercept=-5.0, radius=60.0):
    dsm = np.asarray(dsm, dtype="float64")
    ground = np.zeros_like(dsm)
    canopy = np.zeros_like(dsm) if canopy is None else canopy
    full = lambda v: np.full(dsm.shape, float(v))  # noqa: E731
    return radiation.Scene(dsm=dsm, elevation=ground, canopy=canopy, scattered=np.zeros_like(dsm), ground=dsm <= 0,
                           albedo=full(albedo),
                           emissivity=full(0.95), tg_slope=full(slope), tg_intercept=full(intercept), cell=cell,
                           view=skyview.sky_views(dsm, cell, crowns=ground + canopy, radius=radius))


def fluxes(place, weather=None, path=None):
    weather = hour() if weather is None else weather
    path = [(weather["elevation"], weather["azimuth"])] if path is None else path
    return radiation.fluxes(place, weather, path, solar_hour=NOON["solar_hour"], sunrise=NOON["sunrise"],
                            sunset=NOON["sunset"], max_elevation=NOON["max_elevation"])


def test_an_open_field_has_the_closed_form_tmrt():
    """SVF 1: sky above, sun on the top and the south face, sunlit ground at its peak warming."""
    place = scene(np.zeros((21, 21)), cell=2.0)
    np.testing.assert_allclose(place.view.open[0], 1.0, atol=1e-9)
    np.testing.assert_allclose(place.view.open[1:], 0.5, atol=0.005)  # a wall of the person sees half the sky
    result = fluxes(place)
    sun = math.radians(50.0)
    beam = 800 * math.sin(sun)
    k_down, k_up = beam + 100, 0.2 * (beam + 100)
    k_sides = np.array([0.0, 800 * math.cos(sun), 0.0, 0.0]) + 100 * 0.5 + 0.5 * k_up  # only the south face in sun
    sky = radiation.sky_emissivity(30.0, 40.0, 1.0) * SIGMA * 303.15**4
    t_ground = 30 + (0.5 * 60 - 5)  # slope · η_max + intercept at the peak
    l_up = 0.95 * SIGMA * (t_ground + 273.15) ** 4 + 0.05 * sky
    l_side = 0.5 * sky + 0.5 * l_up
    absorbed = 0.7 * (0.06 * (k_down + k_up) + 0.22 * k_sides.sum()) + 0.97 * (0.06 * (sky + l_up) + 0.88 * l_side)
    expected = (absorbed / (0.97 * SIGMA)) ** 0.25 - 273.15
    centre = (10, 10)
    assert result.ground_temperature[centre] == pytest.approx(t_ground)
    assert result.k_down[centre] == pytest.approx(k_down, rel=1e-3)
    assert result.mean_radiant_temperature[centre] == pytest.approx(expected, abs=0.1)
    assert 55 < expected < 75  # a person in full summer sun


def test_absorbed_radiation_closes_on_the_six_fluxes():
    """Sstr is the angular-factor sum of the six fluxes (Σ F = 1 for a standing person); a blackbody
    surrounding at T gives Tmrt = T."""
    assert 2 * radiation.UP_DOWN + 4 * radiation.SIDE == pytest.approx(1.0)
    field = np.full((2, 2), SIGMA * 300.0**4)
    dark = radiation.Fluxes(np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((4, 2, 2)), field, field,
                            np.stack([field] * 4), np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((2, 2)))
    np.testing.assert_allclose(dark.mean_radiant_temperature, 300.0 - 273.15, atol=1e-9)
    place = scene(np.zeros((11, 11)))
    result = fluxes(place)
    by_hand = (0.7 * (0.06 * (result.k_down + result.k_up) + 0.22 * result.k_sides.sum(axis=0))
               + 0.97 * (0.06 * (result.l_down + result.l_up) + 0.22 * result.l_sides.sum(axis=0)))
    np.testing.assert_allclose(result.absorbed, by_hand)


def canyon(along: str) -> np.ndarray:
    """A street 10 m wide between 30 m walls, running east–west or north–south across a 60 m square."""
    dsm = np.full((60, 60), 30.0)
    if along == "east-west":
        dsm[25:35, :] = 0.0
    else:
        dsm[:, 25:35] = 0.0
    return dsm


def test_a_deep_canyon_at_noon_is_in_the_sun_only_along_the_sun():
    weather = hour(elevation=66.0, azimuth=180.0)
    shaded = fluxes(scene(canyon("east-west")), weather)  # the south wall's shadow (13 m) covers the street
    lit = fluxes(scene(canyon("north-south")), weather)  # the sun shines down the street
    assert shaded.sunlit[30, 30] == 0 and lit.sunlit[30, 30] == 1
    assert shaded.k_down[30, 30] < 0.2 * lit.k_down[30, 30]
    assert lit.mean_radiant_temperature[30, 30] - shaded.mean_radiant_temperature[30, 30] > 15


def test_an_opaque_crown_takes_the_direct_sun_off_a_person_beneath():
    canopy = np.zeros((41, 41))
    rows, cols = np.ogrid[:41, :41]
    canopy[(rows - 20) ** 2 + (cols - 20) ** 2 <= 16] = 10.0  # a crown 4 m in radius, 10 m high
    place = scene(np.zeros((41, 41)), canopy=canopy)
    weather = hour(elevation=60.0)
    result = fluxes(place, weather)
    assert result.sunlit[20, 20] == pytest.approx(radiation.CROWN_TRANSMISSIVITY)
    assert result.k_down[20, 20] < 800 * math.sin(math.radians(60)) * 0.05 + 100
    open_field = fluxes(scene(np.zeros((41, 41))), weather)
    assert open_field.mean_radiant_temperature[20, 20] - result.mean_radiant_temperature[20, 20] > 10
    low = fluxes(place, hour(elevation=8.0, azimuth=180.0))  # a low sun passes under the crown
    assert low.sunlit[20, 20] == 1.0


def test_sky_emissivity_is_that_of_a_clear_or_overcast_sky():
    clear = radiation.sky_emissivity(20.0, 50.0, 1.0)
    assert 0.70 < clear < 0.85  # Prata (1996) at 20 °C and 50 %
    assert radiation.sky_emissivity(20.0, 50.0, 0.0) == 1.0  # overcast: clouds radiate as a blackbody
    assert radiation.sky_emissivity(30.0, 80.0, 1.0) > radiation.sky_emissivity(30.0, 20.0, 1.0)


@st.composite
def districts(draw):
    dsm = np.zeros((24, 24))
    for _ in range(draw(st.integers(0, 4))):
        r, c = draw(st.integers(0, 20)), draw(st.integers(0, 20))
        dsm[r:r + draw(st.integers(2, 6)), c:c + draw(st.integers(2, 6))] = draw(st.floats(3.0, 25.0))
    sun = (draw(st.floats(15.0, 70.0)), draw(st.floats(90.0, 270.0)))
    return dsm, sun


class Shadier(radiation.Scene):
    """The same place with a tree crown over every sunlit cell."""

    def light(self, elevation, azimuth):
        return np.minimum(super().light(elevation, azimuth), 1)


@settings(max_examples=15, deadline=None)
@given(districts())
def test_more_shade_or_darker_surroundings_never_warm_a_shaded_person(case):
    dsm, (elevation, azimuth) = case
    place = scene(dsm, radius=30.0)
    weather = hour(elevation=elevation, azimuth=azimuth)
    before = fluxes(place, weather)
    shaded = (before.sunlit == 0) & place.ground
    shadier = fluxes(Shadier(**vars(place)), weather)
    darker = fluxes(radiation.Scene(**{**vars(place), "albedo": place.albedo * 0.5}), weather)
    for after in (shadier, darker):
        assert (after.mean_radiant_temperature[shaded] <= before.mean_radiant_temperature[shaded] + 1e-9).all()


@settings(max_examples=15, deadline=None)
@given(districts(), st.integers(4, 19), st.integers(4, 19))
def test_a_tree_never_raises_the_daytime_utci_of_a_person_it_shades(case, row, col):
    """Where the crown takes the sun off a person, felt heat falls.

    (Where the person was already in a building's shadow, or a low sun passes under the crown,
    the crown replaces cold sky by leaves at air temperature: its long-wave can then raise Tmrt
    a little, as it does at night; that is physics, not tested away.)
    """
    dsm, (elevation, azimuth) = case
    dsm[row - 2:row + 3, col - 2:col + 3] = 0.0  # ground for the tree
    canopy = np.zeros_like(dsm)
    canopy[row - 2:row + 3, col - 2:col + 3] = 8.0
    weather = hour(elevation=elevation, azimuth=azimuth)
    without = fluxes(scene(dsm, radius=30.0), weather)
    with_tree = fluxes(scene(dsm, canopy=canopy, radius=30.0), weather)
    shaded_by_tree = (without.sunlit == 1) & (with_tree.sunlit < 1)
    assume(shaded_by_tree[row, col])
    t_mrt = np.array([without.mean_radiant_temperature[row, col], with_tree.mean_radiant_temperature[row, col]])
    felt = stress.utci(np.array([30.0, 30.0]), t_mrt, 40.0)
    assert felt[1] < felt[0]


def test_scattered_trees_shade_their_share_of_the_ground_and_of_the_people():
    """35 % scattered cover: the ground gets 65 % (+ transmitted) of the beam; a person under a tree
    keeps only the crown's transmissivity of the direct sun."""
    place = scene(np.zeros((21, 21)))
    sparse = radiation.Scene(**{**vars(place), "scattered": np.full((21, 21), 0.35)})
    open_field, among = fluxes(place), fluxes(sparse)
    expected = 1 - (1 - radiation.CROWN_TRANSMISSIVITY) * 0.35
    assert among.sunlit[10, 10] == pytest.approx(expected)
    assert among.ground_temperature[10, 10] < open_field.ground_temperature[10, 10]
    assert among.mean_radiant_temperature[10, 10] < open_field.mean_radiant_temperature[10, 10]  # leaves, cooler ground
    assert among.under_trees[10, 10] < among.mean_radiant_temperature[10, 10] - 10  # no direct sun
    np.testing.assert_allclose(open_field.under_trees, fluxes(place).under_trees)
