"""Every bad input gets a JumeauError naming the file/field/value and the fix, or a counted repair warning."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from conftest import CRS, NX, NY, X0, Y0, sloping_dem
from shapely.geometry import Polygon, box

import jumeau
from jumeau.errors import InputError, RepairWarning
from jumeau.site.classes import ClassTable


def test_missing_site_file(tmp_path):
    with pytest.raises(InputError, match=r"nowhere\.yaml: file not found"):
        jumeau.load_site(tmp_path / "nowhere.yaml")


def test_missing_input_file(city):
    with pytest.raises(InputError, match=r"elevation: file .*missing\.tif not found.*Check `path:`"):
        jumeau.load_site(city.write(elevation={"path": "missing.tif"}))
    with pytest.raises(InputError, match=r"buildings: file .*gone\.gpkg not found"):
        jumeau.load_site(city.write(buildings={"path": "gone.gpkg"}))


def test_unreadable_raster(city):
    city.path("broken.tif").write_text("this is not a GeoTIFF")
    with pytest.raises(InputError, match=r"elevation: .*broken\.tif is not a readable raster.*GeoTIFF or an ESRI ASCII grid"):
        jumeau.load_site(city.write(elevation={"path": "broken.tif"}))


def test_unreadable_vector(city):
    city.path("broken.gpkg").write_bytes(b"\x00garbage" * 10)
    with pytest.raises(InputError, match=r"buildings: .*broken\.gpkg is not a readable vector file.*GeoPackage"):
        jumeau.load_site(city.write(buildings={"path": "broken.gpkg"}))


def test_wrong_elevation_format_in_schema(city):
    with pytest.raises(InputError, match=r"line \d+: elevation → path: .*elevation must be a raster"):
        jumeau.load_site(city.write(elevation={"path": "dem.gpkg"}))


def test_raster_without_crs(city):
    city.elevation(crs=None)
    with pytest.raises(InputError, match=r"elevation: .*dem\.tif has no coordinate reference system.*`crs: EPSG:…`"):
        jumeau.load_site(city.write())


def test_vector_without_crs(city):
    frame = gpd.GeoDataFrame({"hauteur": [9.0]}, geometry=[box(X0, Y0, X0 + 10, Y0 + 10)])
    city.buildings(frame)
    with pytest.raises(InputError, match=r"buildings: .*buildings\.gpkg has no coordinate reference system"):
        jumeau.load_site(city.write())


def test_non_overlapping_extents(city):
    city.landcover(np.full((NY, NX), 7, dtype="uint8"), x0=X0 + 5000)
    with pytest.raises(InputError, match=r"(?s)do not overlap.*elevation .*dem\.tif: x 500000\.0–500100\.0.*landcover"):
        jumeau.load_site(city.write())


def test_buildings_outside_the_area(city):
    city.buildings(gpd.GeoDataFrame({"hauteur": [9.0]}, geometry=[box(X0 + 9000, Y0, X0 + 9010, Y0 + 10)], crs=CRS))
    with pytest.raises(InputError, match=r"none of the 1 footprints .* lies in the modelled area"):
        jumeau.load_site(city.write())


def test_elevation_all_nodata(city):
    city.elevation(np.full((NY, NX), -9999, dtype="float32"), nodata=-9999)
    with pytest.raises(InputError, match=r"elevation: .*dem\.tif holds only nodata"):
        jumeau.load_site(city.write())


def test_undeclared_nodata_elevation(city):
    values = sloping_dem()
    values[3, 3] = -9999
    city.elevation(values)
    with pytest.raises(InputError, match=r"spans -9999 to .* Declare its nodata value"):
        jumeau.load_site(city.write())


def test_nodata_holes_are_filled_with_a_counted_warning(city):
    values = sloping_dem()
    values[10:12, 10:13] = -9999
    city.elevation(values, nodata=-9999)
    with pytest.warns(RepairWarning, match=r"elevation: 6 nodata cell\(s\) of dem\.tif"):
        site = jumeau.load_site(city.write())
    filled = site.grid["elevation"].values[10:12, 10:13]
    np.testing.assert_allclose(filled, sloping_dem()[10:12, 10:13], atol=0.2)  # a plane interpolates to itself


def test_invalid_geometries_are_repaired_with_a_count(city):
    bowtie = Polygon([(X0 + 10, Y0 + 10), (X0 + 30, Y0 + 30), (X0 + 30, Y0 + 10), (X0 + 10, Y0 + 30)])
    frame = gpd.GeoDataFrame({"hauteur": [9.0, 6.0]}, geometry=[bowtie, box(X0 + 50, Y0 + 50, X0 + 60, Y0 + 60)], crs=CRS)
    city.buildings(frame)
    with pytest.warns(RepairWarning, match=r"buildings: 1 invalid geometry of buildings\.gpkg repaired"):
        site = jumeau.load_site(city.write())
    assert site.buildings.geometry.is_valid.all()
    assert site.buildings.geometry.iloc[0].area == pytest.approx(200.0)


def test_point_layer_for_footprints(city):
    from shapely.geometry import Point

    city.buildings(gpd.GeoDataFrame({"hauteur": [9.0]}, geometry=[Point(X0 + 10, Y0 + 10)], crs=CRS))
    with pytest.raises(InputError, match=r"buildings: .* holds Point geometries; polygons are needed"):
        jumeau.load_site(city.write())


def test_landcover_codes_missing_from_the_class_table(city):
    values = np.full((NY, NX), 7, dtype="uint8")
    values[0, :5] = 77
    values[1, :2] = 250
    city.landcover(values)
    with pytest.raises(InputError, match=r"code\(s\) not in the class table .*: 77 \(5 cells\), 250 \(2 cells\).*remap"):
        jumeau.load_site(city.write())


def test_landcover_gaps_need_a_fill_class(city):
    values = np.full((NY, NX), 7, dtype="uint8")
    values[5, 5] = 0
    city.landcover(values, nodata=0)
    with pytest.raises(InputError, match=r"landcover: 1 cell\(s\) .* not covered.*`fill_class:`"):
        jumeau.load_site(city.write())
    site = jumeau.load_site(city.write(landcover={"path": "landcover.tif", "fill_class": 9}))
    assert site.grid["landcover"].values[5, 5] == 9


@pytest.mark.parametrize("height", [-3.0, 650.0])
def test_negative_or_absurd_heights(city, height):
    frame = gpd.GeoDataFrame({"hauteur": [9.0, height]},
                             geometry=[box(X0, Y0, X0 + 10, Y0 + 10), box(X0 + 20, Y0, X0 + 30, Y0 + 10)], crs=CRS)
    city.buildings(frame)
    with pytest.raises(InputError,
                       match=rf"1 building\(s\) .* negative or absurd .*row 2: {height:g} m.*invalid_heights: default"):
        jumeau.load_site(city.write())
    with pytest.warns(RepairWarning, match="treated as missing"):
        site = jumeau.load_site(city.write(buildings={"path": "buildings.gpkg", "invalid_heights": "default"}))
    assert site.buildings["height"].tolist() == [9.0, 6.0]


def test_buildings_without_any_height_and_no_default(city):
    city.buildings(gpd.GeoDataFrame({"nom": ["x"]}, geometry=[box(X0, Y0, X0 + 10, Y0 + 10)], crs=CRS), default_height=None)
    with pytest.raises(InputError, match=r"1 of 1 building\(s\) .* have no height.*`height:`.*`floors:`.*`default_height:`"):
        jumeau.load_site(city.write())


def test_named_field_that_does_not_exist(city):
    city.buildings(height="h_max")
    with pytest.raises(InputError,
                       match=r"buildings: .* has no field 'h_max' \(given as `height:`\). Fields: id, hauteur, usage"):
        jumeau.load_site(city.write())


def test_geographic_crs_is_refused_with_the_local_projection(city):
    city.elevation(x0=-0.56, y0=47.47, res=0.0001, crs="EPSG:4326")  # Angers, in degrees
    with pytest.raises(InputError, match=r"geographic \(degrees\).*EPSG:2154 \(Lambert-93"):
        jumeau.load_site(city.write())


def test_geographic_crs_outside_france_suggests_utm(city):
    city.elevation(x0=13.40, y0=52.52, res=0.0001, crs="EPSG:4326")  # Berlin
    with pytest.raises(InputError, match=r"EPSG:32633"):
        jumeau.load_site(city.write())


def test_geographic_working_crs_is_refused(city):
    with pytest.raises(InputError, match=r"geographic"):
        jumeau.load_site(city.write(crs="EPSG:4326"))


def test_grid_above_the_cell_limit_names_a_resolution_that_fits(city):
    with pytest.raises(InputError, match=r"50 × 40 = 2,000 cells at 2 m, above the limit of 500\. Use `resolution: 4`"):
        jumeau.load_site(city.write(max_cells=500))


def test_site_file_typos_point_at_the_line(city):
    path = city.write()
    text = path.read_text().replace("buildings:\n  path: buildings.gpkg", "buildings:\n  path: buildings.gpkg\n  heigth: toit")
    path.write_text(text)
    line = text.splitlines().index("  heigth: toit") + 1
    with pytest.raises(InputError, match=rf"line {line}: buildings → heigth: unknown key \(allowed here: path, layer, "
                                         r"crs, encoding, id, height"):
        jumeau.load_site(path)


def test_site_file_yaml_syntax_error(city):
    path = city.path("site.yaml")
    path.write_text("name: x\nelevation: {path: dem.tif\n")
    with pytest.raises(InputError, match=r"site\.yaml line \d+, column \d+: not valid YAML"):
        jumeau.load_site(path)


def test_a_latin1_site_file_is_read_with_a_warning(city):
    """Saved by a French Windows editor (Windows-1252): read, accents right, and the user told to save as UTF-8."""
    path = city.write()
    text = path.read_text(encoding="utf-8")
    path.write_bytes((text.rstrip("\n") + "\n# quartier à végétaliser\n").encode("cp1252"))
    with pytest.warns(RepairWarning, match=r"site\.yaml is not UTF-8 \(first at line \d+\); read as Windows-1252"):
        jumeau.load_site(path)


def test_a_scenario_file_in_an_unknown_encoding_is_refused_at_its_line(tmp_path):
    from jumeau.errors import ScenarioError
    from jumeau.plan.scenario import load_scenario

    path = tmp_path / "cour.yaml"
    path.write_bytes(b"id: cour\ntitle: Cour \x81\n")  # 0x81: not UTF-8, undefined in Windows-1252
    with pytest.raises(ScenarioError, match=r"cour\.yaml line 2: byte 0x81 is neither UTF-8 nor Windows-1252.*UTF-8"):
        load_scenario(path)


def test_a_latin1_scenario_keeps_its_accents(tmp_path):
    from jumeau.plan.scenario import load_scenario

    path = tmp_path / "cour.yaml"
    path.write_bytes("id: cour\ntitle: Cour végétalisée\n".encode("cp1252"))
    with pytest.warns(RepairWarning, match="cour.yaml is not UTF-8"):
        assert load_scenario(path).title == "Cour végétalisée"


def test_site_file_must_be_a_mapping(city):
    path = city.path("site.yaml")
    path.write_text("- just\n- a list\n")
    with pytest.raises(InputError, match="expected a mapping"):
        jumeau.load_site(path)


def test_bad_class_table(tmp_path):
    path = tmp_path / "classes.csv"
    path.write_text("lucode,name,shade\n1,roof,0\n")
    with pytest.raises(InputError, match=r"lacks column\(s\) kc, albedo"):
        ClassTable.read(path)
    path.write_text("lucode,name,shade,kc,albedo,green_area,CN_A,CN_B,CN_C,CN_D,mannings_n,impervious\n1,roof,0,0.1,1.7,0,98,98,98,98,0.015,1\n")
    with pytest.raises(InputError, match=r"column 'albedo', class 1 \(roof\): 1.7 is outside \[0.0, 1.0\]"):
        ClassTable.read(path)
    path.write_text("lucode,name,shade,kc,albedo,green_area,CN_A,CN_B,CN_C,CN_D,mannings_n,impervious\n1,roof,0,x,0.1,0,98,98,98,98,0.015,1\n")
    with pytest.raises(InputError, match=r"column 'kc', row 2: 'x' is not a number"):
        ClassTable.read(path)


def test_unknown_building_class(city):
    with pytest.raises(InputError, match=r"building_class 99 is not in the class table"):
        jumeau.load_site(city.write(landcover={"path": "landcover.tif", "building_class": 99}))


def test_soil_group_with_wrong_letters(city):
    city.vector(gpd.GeoDataFrame({"g": ["E"]}, geometry=[box(X0, Y0, X0 + 100, Y0 + 80)], crs=CRS), "soil.gpkg")
    with pytest.raises(InputError, match=r"soil_group: field 'g' .* holds 'E'; expected .* A, B, C or D"):
        jumeau.load_site(city.write(soil_group={"path": "soil.gpkg", "field": "g"}))


def test_trees_with_implausible_heights(city):
    from shapely.geometry import Point

    city.vector(gpd.GeoDataFrame({"h": [-2.0]}, geometry=[Point(X0 + 5, Y0 + 5)], crs=CRS), "trees.gpkg")
    with pytest.raises(InputError, match=r"trees: field 'h' .* row 1: -2 m is not a plausible value"):
        jumeau.load_site(city.write(trees={"path": "trees.gpkg", "height": "h"}))



def test_a_class_table_without_a_roof_role_needs_building_class(city):
    import pandas as pd

    from jumeau.data import CLASS_TABLE

    table = pd.read_csv(CLASS_TABLE).drop(columns="role")
    table.to_csv(city.path("invest.csv"), index=False)
    with pytest.raises(InputError, match=r"building_class is 'roof'.*no class the role roof.*building_class: null"):
        jumeau.load_site(city.write(landcover={"path": "landcover.tif", "classes": "invest.csv"}))
    site = jumeau.load_site(city.write(landcover={"path": "landcover.tif", "classes": "invest.csv", "building_class": 1}))
    assert (site.grid["landcover"].values[site.grid["building_id"].values > 0] == 1).all()


def test_a_grid_beyond_the_available_memory_is_refused_before_loading(city, monkeypatch):
    """Raised max_cells and a fine resolution on a small machine: refused with the figures, not allocated."""
    import jumeau.machine as machine

    monkeypatch.setattr(machine, "available_memory", lambda: 100e3)  # 100 kB: the 100 × 80 m site at 1 m needs more
    with pytest.raises(InputError, match=r"more than the memory allows \(loading 8,000 cells needs about .* GiB of "
                                         r"memory and this machine has 0\.0 GiB available\)\. Use `resolution: "):
        jumeau.load_site(city.write(resolution=1.0, max_cells=10**9))


def test_a_flood_beyond_the_available_memory_is_refused_before_running(monkeypatch):
    import xarray as xr

    import jumeau.machine as machine
    from jumeau.errors import ModelError
    from jumeau.flood import simulate

    monkeypatch.setattr(machine, "available_memory", lambda: 1e6)
    z = xr.DataArray(np.zeros((100, 100)), dims=("y", "x"),
                     coords={"y": np.arange(100)[::-1] + 0.5, "x": np.arange(100) + 0.5})
    with pytest.raises(ModelError, match=r"the flood on 10,000 cells needs about .* GiB .* Use a coarser resolution"):
        simulate(z, duration=60, rain=10.0)


def test_a_heat_model_beyond_the_available_memory_is_refused_before_running(city, monkeypatch):
    import jumeau.machine as machine
    from jumeau.errors import ModelError
    from jumeau.heat.forcing import HeatForcing
    from jumeau.heat.model import heat_site

    site = jumeau.load_site(city.write())
    cells = site.grid.sizes["y"] * site.grid.sizes["x"]
    monkeypatch.setattr(machine, "available_memory", lambda: 1e3)
    with pytest.raises(ModelError, match=rf"the heat model on {cells:,} cells needs about .* GiB of memory and this "
                                         r"machine has 0\.0 GiB available\. Use a coarser resolution"):
        heat_site(site, HeatForcing())
