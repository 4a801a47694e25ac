"""Tmrt against field measurements: Gustav Adolfs torg and the GVC courtyard, Gothenburg.

The harness is ``benchmarks/gothenburg.py`` (it also prints the README's tables). Thresholds
from the issue: at each site, Tmrt RMSE ≤ 5 °C and R² ≥ 0.85 over every measured hour; the
fluxes from above and below are checked against bounds that a sound model meets (K↓ follows
sun and shade, L↓ and L↑ within tens of W/m²).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import gothenburg  # noqa: E402

DATA = gothenburg.data_folder()
pytestmark = pytest.mark.skipif(DATA is None, reason="Gothenburg validation data absent (JUMEAU_VALIDATION_DATA)")


@pytest.fixture(scope="module", params=list(gothenburg.SITES))
def site(request):
    view = gothenburg.scene(request.param, DATA)
    tables = {lag: gothenburg.evaluate(request.param, DATA, lag, view) for lag in (0, 1)}
    return request.param, tables


def test_met_file_rows_name_the_start_of_their_hour():
    """On the clear 26 July 2006, global radiation keeps a steady ratio to the clear sky (median absolute
    deviation; a hazy early hour aside) only if a row's time is the start of its hour."""
    spread = {}
    for label in ("start", "middle", "end"):
        hours = gothenburg.met_file("gustav_adolfs", "20060726", DATA, label=label).hours
        ratio = (hours["global"] / hours["clear_global"])[hours["elevation"] > 25]
        spread[label] = float((ratio - ratio.median()).abs().median())
    assert spread["start"] < 0.02 and 2 * spread["start"] < spread["middle"] < spread["end"], spread


def test_the_clock_of_the_measurements_is_found_from_the_sun_at_the_station(site):
    name, tables = site
    errors = {lag: gothenburg.statistics(t["Kdown"], t["model_Kdown"])["rmse"] for lag, t in tables.items()}
    lag = min(errors, key=errors.get)
    assert lag == {"gustav_adolfs": 1, "gvc": 0}[name]
    assert errors[1 - lag] > 2 * errors[lag]  # not a close call


def test_tmrt_matches_the_measurements(site):
    name, tables = site
    table = tables[{"gustav_adolfs": 1, "gvc": 0}[name]]
    tmrt = gothenburg.statistics(table["Tmrt"], table["model_Tmrt"])
    assert tmrt["hours"] == {"gustav_adolfs": 43, "gvc": 30}[name]
    assert tmrt["rmse"] <= 5.0 and tmrt["r2"] >= 0.85, tmrt
    k_down = gothenburg.statistics(table["Kdown"], table["model_Kdown"])
    l_down = gothenburg.statistics(table["Ldown"], table["model_Ldown"])
    l_up = gothenburg.statistics(table["Lup"], table["model_Lup"])
    assert k_down["r2"] >= 0.9 and k_down["rmse"] <= 80, k_down
    assert abs(l_down["bias"]) <= 50 and l_up["rmse"] <= 50 and l_up["r2"] >= 0.8, (l_down, l_up)
    assert np.isfinite(table["model_Tmrt"]).all() and table["model_Tmrt"].between(-10, 80).all()
