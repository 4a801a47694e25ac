"""The heat-wave day hour by hour: the design day, measured met files, and what the felt heat needs of them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from pydantic import ValidationError

from jumeau.errors import InputError
from jumeau.heat import felt, weather
from jumeau.heat.forcing import HeatForcing

ANGERS = (-0.55, 47.47)
DAY = dt.date(2026, 7, 21)


def test_the_design_day_runs_from_the_night_low_to_the_afternoon_high():
    day = weather.design_day(*ANGERS, DAY, t_min=20, t_max=35, relative_humidity_at_max=30).hours
    clock = day.index.hour
    assert day["t_air"].max() == pytest.approx(35, abs=0.1) and clock[day["t_air"].argmax()] in (14, 15)
    assert day["t_air"].min() == pytest.approx(20, abs=0.7)  # the low at sunrise (about 06:30 in July)
    assert day.at[day.index[clock == 15][0], "relative_humidity"] == pytest.approx(30, abs=1)
    assert (day["relative_humidity"] > 30).sum() >= 20  # the same dew point is more humid in cooler air
    noon = day.iloc[13]
    assert 800 < noon["global"] < 950 and noon["clearness"] == pytest.approx(1.0)
    assert (day.loc[day["elevation"] <= 0, ["global", "direct_normal", "diffuse"]] == 0).all().all()


def met_file(tmp_path, rows, columns=24):
    text = "%iy id it imin qn qh qe qs qf U RH Tair pres rain kdown snow ldown fcld wuh xsmd lai kdiff kdir wdir\n"
    for hour, (global_, t_air) in enumerate(rows):
        values = [2026, 202, hour, 0, *[-999] * 5, 1.5, 40, t_air, -999, -999, global_, *[-999] * 9]
        text += " ".join(str(v) for v in values[:columns]) + "\n"
    path = tmp_path / "met.txt"
    path.write_text(text)
    return path


def test_a_met_file_without_diffuse_and_direct_is_split_by_erbs(tmp_path):
    path = met_file(tmp_path, [(max(0.0, 800 * np.sin(np.pi * (h - 5) / 15)), 25 + h / 4) for h in range(24)])
    hours = weather.read_met_file(path, *ANGERS, 1.0).hours
    day = hours[hours["elevation"] > 10]
    assert (day["diffuse"] > 0).all() and (day["direct_normal"] > 0).all()
    horizontal = day["diffuse"] + day["direct_normal"] * np.sin(np.radians(day["elevation"]))
    np.testing.assert_allclose(horizontal, day["global"], rtol=0.02)
    assert str(hours.index[0].tz) == "UTC+01:00" and hours.index[0].minute == 30  # a row names its hour's end


def test_bad_met_files_are_refused_with_the_file_named(tmp_path):
    with pytest.raises(InputError, match="columns"):
        weather.read_met_file(met_file(tmp_path, [(0, 20)] * 24, columns=20), *ANGERS, 1.0)
    rows = [(0, 20)] * 24
    rows[12] = (-999, 20)
    with pytest.raises(InputError, match=r"met.txt: global radiation \(kdown\) is missing"):
        weather.read_met_file(met_file(tmp_path, rows), *ANGERS, 1.0)
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(InputError, match="empty.txt"):
        weather.read_met_file(tmp_path / "empty.txt", *ANGERS, 1.0)


def test_felt_hours_need_weather_for_each_of_them(tmp_path):
    path = met_file(tmp_path, [(0, 20)] * 12)  # 00:00 to 11:00 only
    forcing = HeatForcing(weather=path, date=DAY, hours=[10, 11, 12], hour=12)
    with pytest.raises(InputError, match=r"met.txt: no weather for 2026-07-21 at .*12 h"):
        felt.day_weather(forcing, *ANGERS)
    rows = felt.day_weather(HeatForcing(date=DAY, hours=[9, 15], hour=12), *ANGERS)
    assert rows.index.tolist() == [9.0, 12.0, 15.0] and rows["t_air"].is_monotonic_increasing


def test_the_forcing_refuses_a_night_warmer_than_the_day_and_hours_off_the_clock():
    with pytest.raises(ValidationError, match="t_min"):
        HeatForcing(t_ref=25, t_min=30)
    with pytest.raises(ValidationError, match="hours"):
        HeatForcing(hours=[8, 25])
    assert HeatForcing(hours=[12, 9, 12]).hours == [9.0, 12.0]
