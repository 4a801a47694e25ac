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
    values[5, 5] = -9999  # a hole inside the terrain
    city.elevation(values, nodata=-9999)
    result = runner.invoke(app, ["info", str(city.write())])
    assert result.exit_code == 0
    assert "repaired:" in result.output and "1 nodata cell" in result.output


def said(result) -> str:
    """The command's output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def test_an_output_folder_that_is_a_file_is_refused_before_computing(city, tmp_path):
    """`jumeau run -o a_file` and `jumeau flood -o a_file/sub` name the path at once, no scenario computed."""
    blocker = tmp_path / "results"
    blocker.write_text("not a folder")
    scenario = tmp_path / "baseline.yaml"
    scenario.write_text("id: baseline\ntitle: Actuel\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(city.write()), str(scenario), "-o", str(blocker)])
    assert result.exit_code == 2 and "is a file, not a folder" in said(result) and "Traceback" not in result.output
    result = runner.invoke(app, ["flood", str(city.write()), "-o", str(blocker / "sub")])
    assert result.exit_code == 2 and "a part of the path is a file" in said(result)
    assert blocker.read_text() == "not a folder"


def test_a_read_only_output_folder_is_refused(city, tmp_path, monkeypatch):
    """A folder the user may not write in (simulated: the tests may run as root, who writes anywhere)."""
    import errno

    import jumeau.io.atomic as atomic

    def refused(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic, "_probe", refused)
    result = runner.invoke(app, ["heat", str(city.write()), "-o", str(tmp_path / "locked")])
    assert result.exit_code == 2 and "no permission to write there" in said(result)


def test_a_full_disk_is_a_clear_error_and_leaves_nothing(city, tmp_path, monkeypatch):
    """ENOSPC while writing a result: the message says the disk is full; no temporary file is left."""
    import errno

    import jumeau.io.writers as writers

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writers.xr.Dataset, "to_netcdf", full)
    out = tmp_path / "out"
    result = runner.invoke(app, ["heat", str(city.write()), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "cannot write (No space left on device); the disk is full" in said(result)
    assert list(out.iterdir()) == []


def test_a_grid_too_coarse_for_the_site_is_refused_with_a_resolution_that_fits(city):
    """A resolution leaving one or two cells across the site: `jumeau info` crashed on it; now a clear error."""
    result = runner.invoke(app, ["info", str(city.write(resolution=50))])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "less than 3 cells of 50 m across" in said(result) and "use a resolution of at most" in said(result)
