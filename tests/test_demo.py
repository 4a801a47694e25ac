"""The demo district: the committed files match the generator, and it has what it promises."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from conftest import DEMO_DIR
from shapely import affinity

from jumeau import demo
from jumeau.site.schema import read_site_file

REGENERATE = "run `jumeau demo-data` to regenerate"
RASTERS = ("elevation.tif", "landcover.tif")
VECTORS = ("buildings.gpkg", "trees.gpkg", "sites.gpkg", "soil.gpkg")
FILES = (*RASTERS, *VECTORS, "site.yaml")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    start = time.perf_counter()
    site_file = demo.write_demo(folder)
    elapsed = time.perf_counter() - start
    assert site_file == folder / "site.yaml"
    assert elapsed < 30.0, f"write_demo took {elapsed:.1f} s"
    return folder


def _world(geom):
    return affinity.translate(geom, *demo.ORIGIN)


def _raster(path: Path):
    with rasterio.open(path) as src:
        return src.read(1), src.transform, src.crs, src.nodata, src.dtypes[0]


def _vector(path: Path) -> gpd.GeoDataFrame:
    frame = gpd.read_file(path)
    keys = [c for c in frame.columns if c != "geometry"]
    return frame.sort_values(keys).reset_index(drop=True)


def _differences(expected: Path, actual: Path) -> list[str]:
    """What differs in content between two demo folders (not bytes: GPKG and GeoTIFF hold timestamps)."""
    problems = []
    for name in FILES:
        if not (expected / name).is_file():
            problems.append(f"{expected / name} is missing")
    if problems:
        return problems
    for name in RASTERS:
        (a, ta, ca, na, da), (b, tb, cb, nb, db) = _raster(expected / name), _raster(actual / name)
        if (da, ta, ca, na) != (db, tb, cb, nb):
            problems.append(f"{name}: dtype/transform/CRS/nodata differ")
        elif not np.array_equal(a, b):
            problems.append(f"{name}: {np.count_nonzero(a != b)} cells differ")
    for name in VECTORS:
        a, b = _vector(expected / name), _vector(actual / name)
        if a.crs != b.crs or list(a.columns) != list(b.columns) or len(a) != len(b):
            problems.append(f"{name}: CRS, columns or row count differ ({len(a)} vs {len(b)} rows)")
            continue
        try:
            pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
        except AssertionError as exc:
            problems.append(f"{name}: attributes differ ({str(exc).splitlines()[0]})")
        same = shapely.equals_exact(a.geometry.values, b.geometry.values, tolerance=1e-6)
        if not same.all():
            problems.append(f"{name}: {np.count_nonzero(~same)} geometries differ")
    if (expected / "site.yaml").read_text(encoding="utf-8") != (actual / "site.yaml").read_text(encoding="utf-8"):
        problems.append("site.yaml differs")
    return problems


def test_committed_demo_matches_generator(generated):
    problems = _differences(DEMO_DIR, generated)
    assert not problems, f"data/demo is out of date with jumeau/demo.py ({'; '.join(problems)}): {REGENERATE}"


def test_generator_is_deterministic(generated, tmp_path):
    demo.write_demo(tmp_path)
    problems = _differences(generated, tmp_path)
    assert not problems, "two runs of write_demo differ: " + "; ".join(problems)


def test_site_file_is_valid(generated):
    site = read_site_file(generated / "site.yaml")
    assert site.name == "Quartier de démonstration (fictif)"
    for source in (site.elevation, site.landcover, site.buildings, site.trees, site.sites, site.soil_group):
        assert source.path.is_file(), source.path
    assert (site.buildings.floors, site.buildings.population) == ("nb_etages", "population")
    assert "jumeau demo-data" in (generated / "site.yaml").read_text(encoding="utf-8").splitlines()[1]


def test_rasters_grid_and_values(generated):
    z, transform, crs, nodata, dtype = _raster(generated / "elevation.tif")
    assert crs.to_epsg() == 2154 and dtype == "float32" and nodata == demo.ELEVATION_NODATA
    assert z.shape == (500, 750)
    assert (transform.a, transform.e, transform.c, transform.f) == (2.0, -2.0, 430_000.0, 6_713_000.0)
    assert not (z == nodata).any() and np.isfinite(z).all()
    assert np.allclose(z * 100, np.round(z * 100), atol=1e-3), "elevations are rounded to the centimetre"
    assert 16.0 < z.min() and 40.0 < z.max() < 46.0
    assert 26.0 < z[-1].mean() < 30.5, "the south edge is ~28 m"

    lc, lc_transform, lc_crs, lc_nodata, lc_dtype = _raster(generated / "landcover.tif")
    assert (lc_transform, lc_crs, lc_dtype, lc_nodata) == (transform, crs, "uint8", 0)
    assert set(np.unique(lc)) == set(range(1, 14)), "no holes, and every baseline class 1–13 is used"


def _cells(transform, shape):
    """World x, y of every cell centre."""
    rows, cols = np.indices(shape)
    x, y = rasterio.transform.xy(transform, rows.ravel(), cols.ravel())
    return np.asarray(x).reshape(shape), np.asarray(y).reshape(shape)


def test_low_lying_quarter_is_a_closed_depression(generated):
    """The hollow holds water: every cell of a ring around it is >1 m above its bottom.

    Any path out of the hollow crosses the ring, so the water it holds is at least as
    deep as the ring's lowest cell is above the bottom (a lower bound on the spill depth).
    """
    z, transform, *_ = _raster(generated / "elevation.tif")
    x, y = _cells(transform, z.shape)
    (cx, cy), (ax, ay) = demo.DEPRESSION_CENTRE, demo.DEPRESSION_SEMI_AXES
    r = np.hypot((x - demo.ORIGIN[0] - cx) / ax, (y - demo.ORIGIN[1] - cy) / ay)
    bottom = z[r < 1.0].min()
    ring = z[(r >= 1.05) & (r <= 1.3)].min()
    assert 1.0 < ring - bottom < 2.0
    assert 17.5 < bottom < 20.0

    buildings = _vector(generated / "buildings.gpkg")
    hollow = affinity.scale(_world(shapely.Point(cx, cy).buffer(1.0)), ax, ay)
    houses = buildings[buildings.centroid.within(hollow) & (buildings["usage"] == "Résidentiel")]
    assert len(houses) >= 10, "the hollow is built up with houses"
    sites = gpd.read_file(generated / "sites.gpkg")
    assert sites.loc[sites["type"] == "EHPAD"].within(hollow).all(), "the EHPAD is in the hollow"


def test_stream_runs_east_in_its_channel(generated):
    z, transform, *_ = _raster(generated / "elevation.tif")
    lc = _raster(generated / "landcover.tif")[0]
    x, y = _cells(transform, z.shape)
    xl = x[0] - demo.ORIGIN[0]
    band = np.abs(y - demo.ORIGIN[1] - demo.stream_y(x - demo.ORIGIN[0])) < 40.0
    lowest = np.argmin(np.where(band, z, np.inf), axis=0)
    in_water = lc[lowest, np.arange(z.shape[1])] == demo.WATER
    assert in_water.mean() > 0.95, "the lowest cell of the valley floor is the stream, nearly everywhere"
    bed = z[lowest, np.arange(z.shape[1])]
    drop_per_km = (bed[xl < 100].mean() - bed[xl > 1400].mean()) / 1.4
    assert 1.2 < drop_per_km < 1.8
    assert np.all(np.diff(bed[in_water]) <= 0.0), "the bed falls downstream without pits"


def test_sites_of_interest_sit_on_their_buildings(generated):
    sites = gpd.read_file(generated / "sites.gpkg")
    buildings = _vector(generated / "buildings.gpkg").set_index("id")
    assert sorted(sites["type"]) == sorted(demo.SITE_USES)
    for site in sites.itertuples():
        building = buildings.loc[site.id_batiment]
        assert building["usage"] == demo.SITE_USES[site.type]
        assert building.geometry.distance(site.geometry) < 1.0, site.nom


def test_school_has_a_large_paved_yard(generated):
    lc, transform, *_ = _raster(generated / "landcover.tif")
    x, y = _cells(transform, lc.shape)
    school = gpd.read_file(generated / "sites.gpkg").set_index("type").geometry["école"]
    near = np.hypot(x - school.x, y - school.y) < 60.0
    assert np.count_nonzero(near & (lc == demo.PAVING)) * 4.0 > 4000.0


def test_supermarket_car_park(generated):
    lc, transform, *_ = _raster(generated / "landcover.tif")
    x, y = _cells(transform, lc.shape)
    car_park = _world(demo.CAR_PARK)
    cells = shapely.contains_xy(car_park, x, y)
    assert 14_000 < cells.sum() * 4.0 < 16_000
    assert (lc[cells] == demo.PARKING).mean() > 0.95
    buildings = _vector(generated / "buildings.gpkg")
    shops = buildings[buildings["usage"] == "Commercial et services"]
    assert (shops.distance(car_park) < 30.0).any(), "the car park serves a shop"


def test_park(generated):
    lc, transform, *_ = _raster(generated / "landcover.tif")
    x, y = _cells(transform, lc.shape)
    park = shapely.contains_xy(_world(demo.PARK), x, y)

    def area(mask):
        return mask.sum() * 4.0

    assert 35_000 < area(park) < 50_000
    assert area(park & (lc == demo.WATER)) > 1000.0, "a pond"
    assert area(park & (lc == demo.WOODLAND)) > 5000.0
    assert np.isin(lc[park], [demo.MEADOW, demo.WOODLAND, demo.WATER, demo.GRAVEL]).mean() > 0.98


def test_tree_lined_streets(generated):
    trees = gpd.read_file(generated / "trees.gpkg")
    assert (trees["hauteur"] > 0).all() and (trees["rayon_houppier"] > 0).all()
    extent = _world(demo.EXTENT)
    for street in demo.MAIN_STREETS:
        axis = _world(street.line).intersection(extent)
        along = trees.within(axis.buffer(street.width / 2, cap_style="flat")).sum()
        if street.tree_lined:
            assert along > 0.7 * 2 * axis.length / 9.0, f"{street.name}: {along} trees"
        else:
            assert along == 0, f"{street.name} should be bare, has {along} trees"


def test_buildings_are_valid_and_do_not_overlap(generated):
    buildings = _vector(generated / "buildings.gpkg")
    assert buildings.crs.to_epsg() == 2154
    assert 800 <= len(buildings) <= 2000
    assert buildings["id"].is_unique and buildings["id"].str.fullmatch(r"B\d{5}").all()
    geoms = buildings.geometry.values
    assert shapely.is_valid(geoms).all() and (buildings.geom_type == "Polygon").all()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert (overlap < 0.01).all(), f"{np.count_nonzero(overlap >= 0.01)} overlapping pairs"


def test_building_attributes(generated):
    buildings = _vector(generated / "buildings.gpkg")
    assert buildings["nb_etages"].notna().all() and (buildings["nb_etages"] >= 1).all()
    missing = buildings["hauteur"].isna().mean()
    assert 0.01 < missing < 0.03, "~2% of buildings lack a height, as in BD TOPO"
    heights = buildings["hauteur"].dropna()
    assert heights.between(2.5, 30.0).all()
    assert {"Résidentiel", "Commercial et services", "Industriel", "Enseignement", "Santé", "Ehpad",
            "Crèche", "Bureaux"} <= set(buildings["usage"])
    residents = np.round(buildings.area * buildings["nb_etages"] / demo.FLOOR_AREA_PER_PERSON)
    lives_there = buildings["usage"].isin(demo.RESIDENT_USES)
    assert (buildings.loc[lives_there, "population"] == residents[lives_there]).all()
    assert (buildings.loc[~lives_there, "population"] == 0).all()


def test_land_cover_agrees_with_buildings(generated):
    lc, transform, *_ = _raster(generated / "landcover.tif")
    buildings = _vector(generated / "buildings.gpkg")
    points = buildings.geometry.representative_point()
    rows, cols = rasterio.transform.rowcol(transform, points.x, points.y)
    assert (lc[np.asarray(rows), np.asarray(cols)] == demo.BUILDING).mean() > 0.99
    trees = gpd.read_file(generated / "trees.gpkg")
    assert not trees.within(buildings.union_all()).any(), "no tree grows inside a building"


def test_soil_groups_tile_the_district(generated):
    soil = gpd.read_file(generated / "soil.gpkg")
    assert sorted(soil["groupe"]) == ["A", "B", "C", "D"]
    extent = _world(demo.EXTENT)
    assert abs(soil.area.sum() - extent.area) < 1.0, "no overlaps"
    assert soil.union_all().symmetric_difference(extent).area < 1.0, "no gaps"
    stream = _world(demo.stream_line()).intersection(extent)
    alluvium = soil.set_index("groupe").geometry["D"]
    assert alluvium.contains(stream), "the valley floor is alluvium (group D)"
