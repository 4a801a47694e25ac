"""Cast shadows, sky view factor, night heat and heat stress against known geometry."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from jumeau.errors import ModelError
from jumeau.heat import night, shadows, skyview, stress, sun


@pytest.mark.parametrize(("elevation", "azimuth"), [(30.0, 180.0), (45.0, 225.0), (20.0, 90.0)])
def test_isolated_building_casts_a_shadow_of_h_over_tan_elevation(elevation, azimuth):
    cell, height = 1.0, 12.0
    dsm = np.zeros((301, 301))
    dsm[148:153, 148:153] = height
    shade = shadows.cast_shadow(dsm, cell, elevation, azimuth)
    expected = height / math.tan(math.radians(elevation))
    # walk away from the sun from the building's edge along the shadow's axis
    a = math.radians(azimuth)
    dx, dy = -math.sin(a), math.cos(a)  # away from the sun; rows grow south
    centre = np.array([150.0, 150.0])
    length = 0.0
    for s in np.arange(0, 150, 0.25):
        r, c = round(centre[0] + s * dy), round(centre[1] + s * dx)
        if dsm[r, c] == 0 and not shade[r, c]:
            break
        length = s
    edge = 2.5 / max(abs(dx), abs(dy))  # from the centre to the building's face along the axis
    assert abs((length - edge) - expected) <= cell * 1.5


def test_sun_below_horizon_shades_everything():
    assert shadows.cast_shadow(np.zeros((5, 5)), 1.0, -3.0, 0.0).all()


@pytest.mark.parametrize(("ratio", "expected"), [(0.5, 0.7071), (1.0, 0.4472), (2.0, 0.2425)])
def test_street_canyon_sky_view_factor(ratio, expected):
    """Infinite canyon, centre line: SVF = cos(atan(2H/W)) (Oke 1987)."""
    width = 21
    height = ratio * 21
    dsm = np.zeros((600, width + 40))
    dsm[:, :20] = height
    dsm[:, 20 + width:] = height
    svf = skyview.sky_view_factor(dsm, 1.0, radius=290, directions=72)
    assert svf[300, 20 + width // 2] == pytest.approx(expected, abs=0.03)


def test_open_flat_ground_sees_the_whole_sky():
    svf = skyview.sky_view_factor(np.zeros((50, 50)), 2.0)
    np.testing.assert_allclose(svf, 1.0, atol=0.01)


def test_oke_relation_and_night_index():
    assert night.oke_max_uhi(np.array([1.0]))[0] == pytest.approx(1.39)
    assert night.oke_max_uhi(np.array([0.3]))[0] == pytest.approx(15.27 - 13.88 * 0.3)
    index = night.night_overheating(np.full((20, 20), 0.4), np.zeros((20, 20)), 2.0)
    assert (index == 0).all()


def test_sun_is_high_at_midsummer_noon_in_angers():
    (noon,) = sun.sun_positions(-0.55, 47.47, dt.date(2026, 6, 21), [13.8])
    assert noon.elevation == pytest.approx(90 - 47.47 + 23.44, abs=0.5)
    assert 170 < noon.azimuth < 190 and noon.direct_normal > 700


def test_utci_classes():
    np.testing.assert_array_equal(stress.stress_class(np.array([20.0, 27.0, 33.0, 40.0, 47.0])), [0, 1, 2, 3, 4])
    felt = stress.utci(np.full(2, 33.0), np.array([33.0, 60.0]), 40.0)
    assert felt[1] > felt[0] + 5  # the sun's radiation is felt


def test_bad_inputs():
    with pytest.raises(ModelError, match="NaN"):
        shadows.cast_shadow(np.full((3, 3), np.nan), 1.0, 30, 180)
    with pytest.raises(ModelError, match="directions"):
        skyview.sky_view_factor(np.zeros((3, 3)), 1.0, directions=4)
    with pytest.raises(ModelError, match="longitude"):
        sun.sun_positions(500.0, 47.0, dt.date(2026, 7, 1), [12])
