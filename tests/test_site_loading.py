"""The loading rules of jumeau.load_site, each on a small city the test writes."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from conftest import CRS, NX, NY, RES, X0, Y0, write_raster
from shapely.geometry import Point, box

import jumeau
from jumeau.errors import RepairWarning
from jumeau.site.state import LAYERS


def test_site_holds_every_declared_layer_with_cf_attributes(city):
    site = jumeau.load_site(city.write())
    assert site.shape == (NY, NX)
    assert site.crs.to_epsg() == 2154
    for name, spec in LAYERS.items():
        assert site.grid[name].dims == ("y", "x")
        assert site.grid[name].dtype == np.dtype(spec.dtype)
        assert site.grid[name].attrs["units"] == spec.units
        assert site.grid[name].attrs["long_name"] == spec.long_name
    assert site.grid["elevation"].attrs["standard_name"] == "surface_altitude"
    assert site.grid.attrs["Conventions"] == "CF-1.8"


def test_grid_defaults_to_elevation_crs_resolution_and_cell_centres(city):
    site = jumeau.load_site(city.write())
    assert site.resolution == RES
    assert site.grid.rio.bounds() == (X0, Y0, X0 + NX * RES, Y0 + NY * RES)
    assert site.grid["x"].values[0] == pytest.approx(X0 + RES / 2)
    assert site.grid["y"].values[0] == pytest.approx(Y0 + NY * RES - RES / 2)  # north-up
    # The test DEM rises 0.1 m per metre eastward from 30 m: exact at cell centres.
    np.testing.assert_allclose(site.grid["elevation"].values[0, :3], [30.1, 30.3, 30.5], atol=1e-5)


def test_coarser_resolution_averages_the_elevation(city):
    site = jumeau.load_site(city.write(resolution=4.0))
    assert site.shape == (NY // 2, NX // 2)
    np.testing.assert_allclose(site.grid["elevation"].values[0, 0], (30.1 + 30.3) / 2, atol=1e-5)


def test_bounds_default_to_the_intersection_snapped_inward(city):
    landcover = np.full((20, 30), 7, dtype="uint8")  # 60 m × 40 m, shifted by 1 m: not on the DEM lattice
    city.landcover(landcover, x0=X0 + 11.0, y0=Y0 + 9.0)
    site = jumeau.load_site(city.write())
    assert site.grid.rio.bounds() == (X0 + 12.0, Y0 + 10.0, X0 + 70.0, Y0 + 48.0)


def test_explicit_bounds_snap_outward(city):
    site = jumeau.load_site(city.write(bounds=[X0 + 11.0, Y0 + 9.0, X0 + 31.0, Y0 + 29.5]))
    assert site.grid.rio.bounds() == (X0 + 10.0, Y0 + 8.0, X0 + 32.0, Y0 + 30.0)


def test_study_area_sets_bounds_and_mask(city):
    city.vector(gpd.GeoDataFrame(geometry=[Point(X0 + 50, Y0 + 40).buffer(20)], crs=CRS), "area.gpkg")
    site = jumeau.load_site(city.write(study_area={"path": "area.gpkg"}))
    assert site.grid.rio.bounds() == (X0 + 30.0, Y0 + 20.0, X0 + 70.0, Y0 + 60.0)
    mask = site.grid["study_area"].values
    assert mask[0, 0] == 0 and mask[10, 10] == 1


def test_inputs_in_another_crs_are_reprojected(city):
    # Land cover supplied in UTM 30N: warped onto the Lambert-93 grid.
    import pyproj

    to_utm = pyproj.Transformer.from_crs(CRS, "EPSG:32630", always_xy=True)
    ux, uy = to_utm.transform(X0 - 50, Y0 - 50)
    city.landcover(np.full((120, 120), 9, dtype="uint8"), x0=ux, y0=uy, crs="EPSG:32630")
    buildings = gpd.GeoDataFrame({"hauteur": [9.0]}, geometry=[box(X0 + 10, Y0 + 10, X0 + 30, Y0 + 20)], crs=CRS)
    city.buildings(buildings.to_crs("EPSG:32630"))
    site = jumeau.load_site(city.write())
    assert site.crs.to_epsg() == 2154
    assert set(np.unique(site.grid["landcover"])) == {1, 9}
    assert site.buildings.crs.to_epsg() == 2154
    assert site.buildings.iloc[0].geometry.area == pytest.approx(200, rel=1e-3)


def test_esri_ascii_grid_with_crs_in_the_site_file(city):
    city.elevation(name="dem.asc", driver="AAIGrid", crs=None)
    (city.folder / "dem.prj").unlink(missing_ok=True)
    site = jumeau.load_site(city.write(elevation={"path": "dem.asc", "crs": "EPSG:2154"}))
    np.testing.assert_allclose(site.grid["elevation"].values[5, :2], [30.1, 30.3], atol=1e-4)


def test_landcover_polygons_are_rasterized_small_over_large(city):
    park = gpd.GeoDataFrame(
        {"code": [9, 12]},
        geometry=[box(X0, Y0, X0 + 100, Y0 + 80), box(X0 + 40, Y0 + 40, X0 + 50, Y0 + 50)],  # a pond in a park
        crs=CRS,
    )
    city.vector(park, "landcover.gpkg")
    site = jumeau.load_site(city.write(landcover={"path": "landcover.gpkg", "field": "code"}))
    cover = site.grid["landcover"]
    assert int(cover.sel(x=X0 + 45, y=Y0 + 45, method="nearest")) == 12
    assert int(cover.sel(x=X0 + 70, y=Y0 + 30, method="nearest")) == 9
    assert (cover.values == 12).sum() == 25


@pytest.mark.parametrize(
    ("remap", "source_code", "expected"),
    [("umep", 5, 7), ("corine", 141, None), ({5: 10}, 5, 10)],
)
def test_landcover_remapping(city, remap, source_code, expected):
    city.landcover(np.full((NY, NX), source_code, dtype="uint8"))
    site = jumeau.load_site(city.write(landcover={"path": "landcover.tif", "remap": remap, "building_class": None}))
    codes = np.unique(site.grid["landcover"])
    assert len(codes) == 1
    if expected is None:  # CORINE 141 "green urban areas" must land on a green class
        assert site.classes.table.at[int(codes[0]), "green_area"] == 1
    else:
        assert codes[0] == expected


def test_remap_from_csv(city):
    city.landcover(np.full((NY, NX), 200, dtype="uint8"))
    (city.folder / "codes.csv").write_text("code,lucode\n200,8\n")
    site = jumeau.load_site(city.write(landcover={"path": "landcover.tif", "remap": "codes.csv"}))
    assert set(np.unique(site.grid["landcover"])) == {1, 8}


def test_buildings_are_burnt_into_landcover_and_heights(city):
    site = jumeau.load_site(city.write())
    grid = site.grid
    on = grid["building_id"].values > 0
    assert (grid["landcover"].values[on] == 1).all()
    assert (grid["building_height"].values[~on] == 0).all()
    a = site.buildings.index[site.buildings["id"] == "A"][0]
    cells = grid["building_id"].values == a
    assert cells.sum() == 50  # 20 m × 10 m at 2 m
    assert (grid["building_height"].values[cells] == 12.0).all()
    assert (grid["impervious"].values[on] == site.classes.table.at[1, "impervious"]).all()


def test_no_building_is_lost_for_being_smaller_than_a_cell(city):
    site = jumeau.load_site(city.write())
    shed = site.buildings[site.buildings["id"] == "C"]
    assert shed.geometry.area.iloc[0] < RES * RES
    assert shed["n_cells"].iloc[0] == 1
    assert (site.buildings["n_cells"] > 0).all()


def test_overlapping_footprints_taller_wins(city):
    frame = gpd.GeoDataFrame(
        {"hauteur": [20.0, 5.0]}, geometry=[box(X0 + 10, Y0 + 10, X0 + 30, Y0 + 30), box(X0 + 20, Y0 + 10, X0 + 40, Y0 + 30)],
        crs=CRS,
    )
    city.buildings(frame)
    site = jumeau.load_site(city.write())
    assert float(site.grid["building_height"].sel(x=X0 + 25, y=Y0 + 20, method="nearest")) == 20.0
    assert float(site.grid["building_height"].sel(x=X0 + 35, y=Y0 + 20, method="nearest")) == 5.0


@pytest.mark.parametrize(
    ("columns", "options", "expected", "source"),
    [
        ({"height": [9.5]}, {}, 9.5, "height"),
        ({"HAUTEUR": [11.0]}, {}, 11.0, "HAUTEUR"),
        ({"h_toit": [14.0]}, {"height": "h_toit"}, 14.0, "h_toit"),
        ({"b3_h_70p": [52.0], "b3_h_maaiveld": [40.0]}, {}, 12.0, "b3_h_70p-b3_h_maaiveld"),
        ({"NB_ETAGES": [4]}, {}, 12.0, "NB_ETAGES×3m"),
        ({"building:levels": [2]}, {"storey_height": 3.5}, 7.0, "building:levels×3.5m"),
        ({"hauteur": [np.nan], "nombre_d_etages": [3]}, {}, 9.0, "nombre_d_etages×3m"),
        ({"hauteur": [0.0]}, {}, 6.0, "default"),
    ],
)
def test_building_height_detection(city, columns, options, expected, source):
    frame = gpd.GeoDataFrame(columns, geometry=[box(X0 + 10, Y0 + 10, X0 + 20, Y0 + 20)], crs=CRS)
    city.buildings(frame, **options)
    if source == "default":
        with pytest.warns(RepairWarning, match="1 building.*default_height = 6 m"):
            site = jumeau.load_site(city.write())
    else:
        site = jumeau.load_site(city.write())
    assert site.buildings["height"].iloc[0] == pytest.approx(expected)
    assert site.buildings["height_source"].iloc[0] == source


def test_uses_population_and_sensitive_sites(city):
    frame = gpd.GeoDataFrame(
        {"id": ["H", "S", "M"], "hauteur": [9.0, 6.0, 6.0], "usage": ["Résidentiel", "Bureaux", "Résidentiel"]},
        geometry=[box(X0 + 0, Y0 + 0, X0 + 20, Y0 + 10), box(X0 + 40, Y0 + 40, X0 + 60, Y0 + 60),
                  box(X0 + 70, Y0, X0 + 80, Y0 + 10)],
        crs=CRS,
    )
    city.buildings(frame)
    sites = gpd.GeoDataFrame(
        {"type": ["École maternelle", "EHPAD", "Crèche"], "nom": ["École Jules Ferry", "Les Tilleuls", "Les Lutins"]},
        geometry=[Point(X0 + 50, Y0 + 50), Point(X0 + 75, Y0 + 14), Point(X0 + 95, Y0 + 75)], crs=CRS,
    )
    city.vector(sites, "sites.gpkg")
    site = jumeau.load_site(city.write(sites={"path": "sites.gpkg", "type": "type", "name": "nom"}))
    assert list(site.sites["category"]) == ["school", "care_home", "nursery"]
    assert site.sites["sensitive"].all()
    by_id = site.buildings.set_index("id")
    # The school point stands in the office building, the EHPAD point 4 m from a house.
    assert list(site.sites["building_id"]) == [site.buildings.index[site.buildings["id"] == "S"][0],
                                               site.buildings.index[site.buildings["id"] == "M"][0], 0]
    assert by_id.loc["S", "sensitive"] and by_id.loc["M", "sensitive"] and not by_id.loc["H", "sensitive"]
    # Residents estimated from floor area: 200 m² × 3 storeys / 40 m² per person.
    assert by_id.loc["H", "population"] == pytest.approx(15.0)
    assert by_id.loc["S", "population"] == 0
    assert by_id.loc["H", "population_estimated"]


def test_population_field_is_used_as_given(city):
    frame = gpd.GeoDataFrame({"hauteur": [9.0], "habitants": [42]}, geometry=[box(X0, Y0, X0 + 20, Y0 + 10)], crs=CRS)
    city.buildings(frame)
    site = jumeau.load_site(city.write())
    assert site.buildings["population"].iloc[0] == 42
    assert not site.buildings["population_estimated"].iloc[0]


def test_missing_population_values_are_estimated_and_said(city):
    """An empty population (NaN) is unknown, not zero: a dwelling gets an estimate, marked and counted."""
    frame = gpd.GeoDataFrame({"hauteur": [9.0, 9.0, 6.0], "habitants": [42.0, np.nan, np.nan],
                              "usage": ["Résidentiel", "Résidentiel", "Commercial"]},
                             geometry=[box(X0, Y0, X0 + 20, Y0 + 10), box(X0 + 30, Y0, X0 + 50, Y0 + 10),
                                       box(X0 + 60, Y0, X0 + 80, Y0 + 10)], crs=CRS)
    city.buildings(frame)
    with pytest.warns(RepairWarning, match=r"2 building\(s\) .* no value in 'habitants'.*residential \(1, marked"):
        site = jumeau.load_site(city.write())
    population, estimated = site.buildings["population"].tolist(), site.buildings["population_estimated"].tolist()
    assert population == [42.0, 15.0, 0.0]  # 200 m² × 3 storeys / 40 m² per resident
    assert estimated == [False, True, False]


def test_soil_group_letter_polygons_and_raster(city):
    site = jumeau.load_site(city.write(soil_group="c"))
    assert (site.grid["soil_group"].values == 3).all()
    soils = gpd.GeoDataFrame({"hsg": ["A", "B/D"]},
                             geometry=[box(X0, Y0, X0 + 50, Y0 + 80), box(X0 + 50, Y0, X0 + 100, Y0 + 80)], crs=CRS)
    city.vector(soils, "soils.gpkg")
    with pytest.warns(RepairWarning, match="dual group"):
        site = jumeau.load_site(city.write(soil_group={"path": "soils.gpkg", "field": "hsg"}))
    assert set(np.unique(site.grid["soil_group"].values[:, :25])) == {1}
    assert set(np.unique(site.grid["soil_group"].values[:, 25:])) == {4}
    write_raster(city.path("soil.tif"), np.full((NY, NX), 2, dtype="uint8"), nodata=0)
    site = jumeau.load_site(city.write(soil_group={"path": "soil.tif"}))
    assert (site.grid["soil_group"].values == 2).all()
    assert site.grid["soil_group"].attrs["flag_meanings"] == "A B C D"


def test_tree_points_give_fractional_canopy_cover_and_height(city):
    trees = gpd.GeoDataFrame({"h": [10.0, 15.0], "r": [4.0, 1.0]},
                             geometry=[Point(X0 + 50, Y0 + 40), Point(X0 + 11, Y0 + 71)], crs=CRS)
    city.vector(trees, "trees.gpkg")
    site = jumeau.load_site(city.write(trees={"path": "trees.gpkg", "height": "h", "crown_radius": "r"}))
    cover = site.grid["canopy_cover"].values
    # Total canopy area equals the crowns' area within supersampling error.
    assert cover.sum() * RES**2 == pytest.approx(math.pi * (16 + 1), rel=0.05)
    assert cover.max() == 1.0 and 0 < cover[cover > 0].min() < 1
    assert site.grid["canopy_height"].values.max() == 15.0
    assert float(site.grid["canopy_height"].sel(x=X0 + 50, y=Y0 + 40, method="nearest")) == 10.0


def test_canopy_height_raster(city):
    chm = np.zeros((NY * 2, NX * 2), dtype="float32")  # 1 m canopy model
    chm[:10, :10] = 12.0
    write_raster(city.path("chm.tif"), chm, res=1.0)
    site = jumeau.load_site(city.write(trees={"path": "chm.tif"}))
    assert site.grid["canopy_cover"].values.sum() * RES**2 == pytest.approx(100.0)
    assert site.grid["canopy_height"].values.max() == 12.0


def test_site_is_not_mutated_by_evolve(city):
    site = jumeau.load_site(city.write())
    changed = site.evolve(name="variant", grid=site.grid.copy(deep=True))
    assert site.name == "Test district" and changed.name == "variant"
    changed.grid["elevation"].values[:] = 0
    assert site.grid["elevation"].values.min() > 29


def test_landcover_areas_and_summary(city):
    site = jumeau.load_site(city.write())
    areas = site.landcover_areas()
    assert areas["area_m2"].sum() == pytest.approx(NX * NY * RES**2)
    assert areas["percent"].sum() == pytest.approx(100)
    summary = site.summary()
    assert summary["buildings"] == 3 and summary["cells"] == NX * NY
