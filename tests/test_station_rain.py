"""Rain as French planners have it: a station's Montana coefficients (Météo-France: a and b per return
period and range of durations) in the scenario file or on the command line, never extrapolated; the
shipped French regional set refused outside France."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from jumeau.cli import app
from jumeau.errors import ModelError, ScenarioError
from jumeau.flood import storms
from jumeau.flood.forcing import StormForcing, law, storm_of
from jumeau.flood.model import storm_law
from jumeau.plan.scenario import load_scenario

# a station's set as Météo-France publishes it: 6 min–1 h and 1 h–24 h, for 10 and 50 years
STATION = """\
id: s
title: S
forcing:
  storm:
    station: Angers-Beaucouzé
    return_period: {period}
    duration: {duration}
    montana:
      - {{return_period: 10, a: 5.9, b: 0.59, durations: [6, 60]}}
      - {{return_period: 10, a: 12.0, b: 0.76, durations: [60, 720]}}
      - {{return_period: 50, a: 7.8, b: 0.58, durations: [6, 60]}}
      - {{return_period: 50, a: 16.0, b: 0.75, durations: [60, 720]}}
"""


def scenario(tmp_path, text: str):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def test_a_station_set_gives_the_law_of_each_duration_range(tmp_path):
    storm = scenario(tmp_path, STATION.format(period=50, duration=180)).forcing.storm
    assert storm_of(storm).total_depth == pytest.approx(16.0 * 180 ** 0.25, rel=1e-12)  # the 1 h–24 h law
    assert law(storm).depth(30) == pytest.approx(7.8 * 30 ** 0.42)  # the 6 min–1 h law
    block = storm.model_copy(update={"hyetograph": "block", "duration": 45})
    assert storm_of(block).total_depth == pytest.approx(7.8 * 45 ** 0.42)


def test_a_return_period_between_two_is_interpolated_in_log_t(tmp_path):
    storm = scenario(tmp_path, STATION.format(period=20, duration=60)).forcing.storm
    share = np.log(20 / 10) / np.log(50 / 10)
    a, b = 5.9 + share * (7.8 - 5.9), 0.59 + share * (0.58 - 0.59)
    assert storm_of(storm).total_depth == pytest.approx(a * 60 ** (1 - b), rel=1e-12)


@pytest.mark.parametrize(("period", "duration", "message"), [
    (100, 60, "return period 100 years is outside the coefficients of 'Angers-Beaucouzé' (10–50 years"),
    (50, 1000, "a 1000-min storm is beyond the Montana coefficients of 'Angers-Beaucouzé' (up to 720 min)"),
])
def test_the_law_is_never_extrapolated(tmp_path, period, duration, message):
    with pytest.raises(ScenarioError, match=r"line \d+") as caught:
        scenario(tmp_path, STATION.format(period=period, duration=duration))
    assert message in str(caught.value)


@pytest.mark.parametrize(("entries", "message"), [
    ("[{return_period: 10, a: 5.9, b: 0.59, durations: [6, 60]}, {return_period: 10, a: 12, b: 0.76, "
     "durations: [90, 1440]}]", "the Montana durations of 10 years must follow each other (60 min, then 90 min)"),
    ("[{return_period: 10, a: 5.9, b: 1.2}]", "montana → 0 → b: Input should be less than 1"),
    ("[{return_period: 10, a: 5.9, b: 0.59, durations: [60, 6]}]", "give [shortest, longest] in minutes"),
    ("[{return_period: 5, a: 5.0, b: 0.6, durations: [6, 60]}, {return_period: 50, a: 7.8, b: 0.58, "
     "durations: [6, 120]}]", "whose coefficients of 'x' cover different durations"),
])
def test_bad_station_sets_are_refused_when_read(tmp_path, entries, message):
    text = f"id: s\ntitle: S\nforcing:\n  storm:\n    station: x\n    return_period: 10\n    duration: 30\n" \
           f"    montana: {entries}\n"
    with pytest.raises(ScenarioError) as caught:
        scenario(tmp_path, text)
    assert message in str(caught.value)


def test_the_shipped_set_covers_two_hours_and_is_refused_outside_france():
    with pytest.raises(Exception, match="a 180-min storm is beyond the Montana coefficients of 'IT77 région I'"):
        StormForcing(duration=180)
    amsterdam, angers = SimpleNamespace(lonlat=(4.9, 52.37)), SimpleNamespace(lonlat=(-0.55, 47.47))
    with pytest.raises(ModelError, match=r"outside mainland France .* Give your station's coefficients"):
        storm_law(amsterdam, StormForcing(return_period=10))
    assert "shipped" in storm_law(angers, StormForcing(return_period=10))
    own = StormForcing(return_period=10, station="Schiphol", montana=[{"return_period": 10, "a": 5, "b": 0.6}])
    assert storm_law(amsterdam, own) == "Montana coefficients of Schiphol (given), 10 years"


def test_the_shipped_table_reads_as_before():
    assert storms.montana(100).depth(60) == pytest.approx(8.65 * 60 ** (1 - 0.579))


def test_station_coefficients_on_the_command_line(city, tmp_path):
    result = CliRunner().invoke(app, ["flood", str(city.write()), "--screening", "--station", "Angers",
                                      "--montana", "30,6.2,0.56,6-60", "--montana", "30,13.4,0.75,60-1440",
                                      "--return-period", "30", "--duration", "120", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    for bad, said in (("30,x,1", "write T,a,b or T,a,b,start-end"), ("30,6,1.5", "--montana")):
        result = CliRunner().invoke(app, ["flood", str(city.write()), "--montana", bad, "--return-period", "30",
                                          "-o", str(tmp_path / "out")])
        assert result.exit_code == 2 and said in " ".join(result.output.split()) and "Traceback" not in result.output
