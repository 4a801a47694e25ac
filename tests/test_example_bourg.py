"""The second example district, data/bourg: files shaped like IGN, Theia and INSEE deliveries, which
`jumeau init` turns into a site file that loads without hand edits, every repair stated."""

from __future__ import annotations

import importlib.util
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import rasterio
from typer.testing import CliRunner

import jumeau
from jumeau.cli import app
from jumeau.errors import RepairWarning
from jumeau.site.terrain import TERRACED_SHARE, terraced_share

BOURG = Path(__file__).resolve().parents[1] / "data" / "bourg"
WRITTEN_BY_INIT = ("site.yaml", "elevation.vrt")


def generator():
    spec = importlib.util.spec_from_file_location("make_files", BOURG / "make_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downloads(into: Path) -> Path:
    """A copy of the downloaded files, without what `jumeau init` wrote."""
    shutil.copytree(BOURG, into, ignore=shutil.ignore_patterns(*WRITTEN_BY_INIT, "*.py", "README.md", "__pycache__"))
    return into


def load(site_file: Path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        site = jumeau.load_site(site_file)
    return site, " ".join(str(w.message) for w in caught if issubclass(w.category, RepairWarning))


def test_the_shipped_files_are_what_the_generator_writes(tmp_path):
    generator().write(tmp_path / "new")
    copy = downloads(tmp_path / "shipped")
    shipped = sorted(p.relative_to(copy) for p in copy.rglob("*") if p.is_file())
    assert sorted(p.relative_to(tmp_path / "new") for p in (tmp_path / "new").rglob("*") if p.is_file()) == shipped
    tmp_path = tmp_path / "new"
    for relative in shipped:
        if relative.suffix == ".asc":
            assert (tmp_path / relative).read_text() == (BOURG / relative).read_text(), relative
        elif relative.suffix == ".tif":
            with rasterio.open(tmp_path / relative) as new, rasterio.open(BOURG / relative) as old:
                assert new.transform == old.transform and (new.read() == old.read()).all()
        elif relative.suffix in (".shp", ".gpkg"):
            new, old = pyogrio.read_dataframe(tmp_path / relative), pyogrio.read_dataframe(BOURG / relative)
            assert new.drop(columns="geometry").equals(old.drop(columns="geometry")), relative
            assert new.geometry.geom_equals_exact(old.geometry, 1e-6).all(), relative
    assert not (BOURG / "BDTOPO" / "BATI" / "BATIMENT.cpg").exists()  # the fault it carries


def test_jumeau_init_writes_the_shipped_site_file_which_loads_without_edits(tmp_path):
    folder = downloads(tmp_path / "bourg")
    result = CliRunner().invoke(app, ["init", str(folder), "--name", "Le Bourg (fictif)"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in WRITTEN_BY_INIT:
        assert (folder / name).read_text(encoding="utf-8") == (BOURG / name).read_text(encoding="utf-8"), name
    site, said = load(folder / "site.yaml")

    # terrain: four tiles mosaicked, the corner without data cut off, pits and terraces reported
    assert site.shape == (300, 370) and np.isfinite(site.grid["elevation"].values).all()
    assert "the grid is cut to the largest rectangle with terrain" in said
    assert "has 37 one-cell pit(s)" in said and "is in flat steps (terraces" in said
    # buildings: read as UTF-8 though no .cpg says so; the commune's population refused
    assert "no .cpg file and its text is UTF-8" in said
    assert "field 'POPULATION' of BATIMENT.shp is not used as residents per building" in said
    buildings = site.buildings
    assert (buildings["use"] == "residential").sum() > 40 and (buildings["use"] == "other").sum() <= 2
    # residents: scaled to the INSEE squares, a village centre's count (not the commune's 1,243 per building)
    assert "scaled tile by tile to 3 tile(s) of carreaux_200m_met.gpkg" in said
    residents = float(buildings["population"].sum())
    assert 100 < residents < 250
    assert buildings.loc[buildings["population"] > 0, "use"].isin(["residential", "commercial"]).all()
    # land cover: each BD TOPO layer drawn where it lies, woods that shade
    def code(x, y):
        return int(site.grid["landcover"].sel(x=486_000 + x, y=6_741_000 + y, method="nearest"))
    assert code(200, 30) == 12 and code(100, 150) == 2  # the river, the Grande Rue
    assert code(320, 270) == 7 and code(115, 97) == 3 and code(242, 120) == 5  # pitch, city-stade, cemetery
    assert code(60, 265) == 10 and site.parameter("shade")[site.grid["landcover"].values == 10].min() >= 0.9
    sites = site.sites.set_index("name")
    assert sites.loc["École Paul Bert", "category"] == "school" and sites.loc["EHPAD Le Clos Fleuri", "sensitive"]


def test_the_bourg_terrain_conditioned_on_request(tmp_path):
    folder = tmp_path / "bourg"
    shutil.copytree(BOURG, folder, ignore=shutil.ignore_patterns("*.py", "README.md"))
    text = (folder / "site.yaml").read_text(encoding="utf-8")
    (folder / "site.yaml").write_text(text.replace("  # fill_pits: true ", "  fill_pits: true ")
                                      .replace("  # smooth_terraces: true ", "  smooth_terraces: true "), encoding="utf-8")
    raw, _ = load(BOURG / "site.yaml")
    site, said = load(folder / "site.yaml")
    assert "37 one-cell pit(s)" in said and "filled to their lowest neighbour" in said
    assert "terraces of elevation.vrt smoothed" in said
    assert terraced_share(site.grid["elevation"].values, 1.0) < TERRACED_SHARE / 4 < terraced_share(
        raw.grid["elevation"].values, 1.0)


@pytest.mark.parametrize("name", WRITTEN_BY_INIT)
def test_the_files_init_wrote_name_no_absolute_path(name):
    text = (BOURG / name).read_text(encoding="utf-8")
    assert "/work" not in text and "/tmp" not in text and str(Path.home()) not in text


def test_jumeau_init_options_for_the_buildings(tmp_path):
    folder = downloads(tmp_path / "bourg")
    result = CliRunner().invoke(app, ["init", str(folder), "--no-id", "--encoding", "latin1", "--population-total",
                                      "180"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = (folder / "site.yaml").read_text(encoding="utf-8")
    assert "  id: false\n" in text and "  encoding: iso8859-1\n" in text and "  population_total: 180.0\n" in text
    assert "population_tiles" not in text and "the INSEE tiles found in the folder left out" in text
    site, said = load(folder / "site.yaml")
    assert float(site.buildings["population"].sum()) == pytest.approx(180.0, abs=0.5)
    assert (site.buildings["use"] == "residential").sum() < 5  # "RÃ©sidentiel": UTF-8 read as Latin-1, as asked


@pytest.mark.parametrize(("options", "message"), [
    (["--encoding", "klingon"], r"--encoding 'klingon' is not a text encoding Python knows"),
    (["--population-total", "0"], r"--population-total 0: give the residents of the district, above 0"),
])
def test_jumeau_init_refuses_bad_building_options(tmp_path, options, message):
    folder = downloads(tmp_path / "bourg")
    result = CliRunner().invoke(app, ["init", str(folder), *options], env={"COLUMNS": "200"})
    assert result.exit_code != 0 and re.search(message, " ".join(result.output.split())), result.output
    assert not (folder / "site.yaml").exists()


def test_jumeau_init_building_options_need_a_buildings_file(tmp_path):
    folder = downloads(tmp_path / "bourg")
    shutil.rmtree(folder / "BDTOPO" / "BATI")
    result = CliRunner().invoke(app, ["init", str(folder), "--no-id"], env={"COLUMNS": "200"})
    assert result.exit_code != 0 and "no buildings file found (BD TOPO BATIMENT) for --no-id" in " ".join(result.output.split())
