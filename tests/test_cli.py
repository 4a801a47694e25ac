"""The jumeau command line: summaries, maps, and errors without tracebacks."""

from __future__ import annotations

from typer.testing import CliRunner

from jumeau.cli import app

runner = CliRunner()


def test_info_prints_the_summary(city):
    result = runner.invoke(app, ["info", str(city.write())])
    assert result.exit_code == 0, result.output
    for expected in ("50 × 40 cells (2,000) at 2 m", "EPSG:2154", "Buildings without height", "Pelouse", "Mown lawn"):
        assert expected in result.output


def test_map_writes_a_png(city, tmp_path):
    target = tmp_path / "out" / "elevation.png"
    result = runner.invoke(app, ["map", str(city.write()), "elevation", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_map_of_unknown_layer_is_a_clear_error_and_writes_nothing(city, tmp_path):
    target = tmp_path / "nothing.png"
    result = runner.invoke(app, ["map", str(city.write()), "temperature", "-o", str(target)])
    assert result.exit_code == 2
    assert "No layer 'temperature' in the site. Layers: elevation" in result.output
    assert "Traceback" not in result.output
    assert not target.exists()


def test_bad_input_exits_with_message_not_traceback(city):
    result = runner.invoke(app, ["info", str(city.write(max_cells=10))])
    assert result.exit_code == 2
    assert "error:" in result.output and "resolution:" in result.output
    assert "Traceback" not in result.output


def test_repairs_are_reported(city):
    from conftest import sloping_dem

    values = sloping_dem()
    values[0, 0] = -9999
    city.elevation(values, nodata=-9999)
    result = runner.invoke(app, ["info", str(city.write())])
    assert result.exit_code == 0
    assert "repaired:" in result.output and "1 nodata cell" in result.output
