"""`jumeau flood` and `jumeau heat` on a small site: files written, balance printed, errors readable."""

from __future__ import annotations

from typer.testing import CliRunner

from jumeau.cli import app


def test_flood_command_writes_results_and_balance(city, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["flood", str(city.write()), "--return-period", "10", "--duration", "15",
                                      "--after-rain", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "volume balance" in result.output and "relative_error" in result.output
    for name in ("flood.nc", "flood_max_depth.tif", "flood_max_depth.png", "flood_hazard_rating.tif"):
        assert (out / name).stat().st_size > 0


def test_heat_command_writes_results(city, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["heat", str(city.write()), "--t-ref", "33", "--uhi-max", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("heat.nc", "heat_t_air.tif", "heat_utci.png", "heat_very_strong_stress_hours.tif"):
        assert (out / name).stat().st_size > 0
    assert "h of very strong heat stress outdoors" in " ".join(result.output.split())


def test_heat_command_refuses_a_missing_met_file_and_a_night_above_the_day(city, tmp_path):
    out = tmp_path / "out"
    missing = CliRunner().invoke(app, ["heat", str(city.write()), "--weather", str(tmp_path / "met.txt"), "-o", str(out)])
    assert missing.exit_code != 0 and "--weather" in missing.output and "met.txt" in missing.output
    night = CliRunner().invoke(app, ["heat", str(city.write()), "--t-ref", "25", "--t-min", "30", "-o", str(out)])
    assert night.exit_code != 0 and "t_min" in night.output and "Traceback" not in night.output
    assert not out.exists()  # refused before anything is written


def test_model_commands_report_bad_input_plainly(city, tmp_path):
    result = CliRunner().invoke(app, ["flood", str(city.write()), "--return-period", "5000", "-o", str(tmp_path)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "--return-period" in result.output and "100" in result.output


def test_flood_screening_writes_depressions_and_says_it_is_a_screening(city, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["flood", str(city.write()), "--screening", "--return-period", "50",
                                      "-o", str(out)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "SCREENING, not a simulation" in result.output
    for name in ("screening.nc", "screening_ponding_depth.tif", "screening_ponding_depth.png",
                 "screening_depressions.csv"):
        assert (out / name).stat().st_size > 0
    assert not (out / "flood.nc").exists()


def test_model_options_out_of_the_schema_bounds_name_the_option(city, tmp_path):
    """Bounds and defaults come from the forcing schemas; strict ones are named by their option."""
    for args, option in ((["heat", "--hour", "24"], "--hour"), (["flood", "--duration", "0"], "--duration"),
                         (["heat", "--humidity", "150"], "--humidity")):
        result = CliRunner().invoke(app, [args[0], str(city.write()), *args[1:], "-o", str(tmp_path)])
        assert result.exit_code != 0, args
        assert option in result.output and "Traceback" not in result.output, result.output
