"""The 3-D scene (jumeau.render.scene) on a small city the tests write: geometry, colours, exports, errors."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile

import geopandas as gpd
import numpy as np
import pytest
from conftest import CRS, RES, X0, Y0, CityFiles
from PIL import Image
from shapely.geometry import MultiPolygon, Point, Polygon, box

import jumeau
from jumeau.errors import InputError
from jumeau.render import scene

COURTYARD = Polygon(box(X0 + 40, Y0 + 40, X0 + 70, Y0 + 70).exterior.coords,
                    [box(X0 + 50, Y0 + 50, X0 + 60, Y0 + 60).exterior.coords])
FOOTPRINTS = {
    "A": (box(X0 + 4, Y0 + 4, X0 + 24, Y0 + 14), 12.0),
    "courtyard": (COURTYARD, 6.5),
    "twin": (MultiPolygon([box(X0 + 80, Y0 + 4, X0 + 90, Y0 + 14), box(X0 + 80, Y0 + 20, X0 + 90, Y0 + 30)]), 3.0),
    "shed": (box(X0 + 90.2, Y0 + 70.2, X0 + 91.0, Y0 + 71.0), 2.5),  # smaller than a cell
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> jumeau.Site:
    city = CityFiles(tmp_path_factory.mktemp("scene"))
    city.buildings(gpd.GeoDataFrame({"id": list(FOOTPRINTS), "hauteur": [h for _, h in FOOTPRINTS.values()],
                                     "usage": ["Résidentiel", "École", "Résidentiel", "Annexe"]},
                                    geometry=[g for g, _ in FOOTPRINTS.values()], crs=CRS))
    city.vector(gpd.GeoDataFrame({"h": [10.0, 8.0], "r": [5.0, 4.0]},
                                 geometry=[Point(X0 + 30, Y0 + 60), Point(X0 + 10, Y0 + 30)], crs=CRS), "trees.gpkg")
    city.vector(gpd.GeoDataFrame({"type": ["École", "Crèche"], "nom": ["École Jules Ferry", "Crèche Les Lutins"]},
                                 geometry=[Point(X0 + 45, Y0 + 45), Point(X0 + 35, Y0 + 20)], crs=CRS), "sites.gpkg")
    return jumeau.load_site(city.write(trees={"path": "trees.gpkg", "height": "h", "crown_radius": "r"},
                                       sites={"path": "sites.gpkg", "type": "type", "name": "nom"}))


def result(site: jumeau.Site, values: np.ndarray, name: str = "t_air", units: str = "°C"):
    return site.grid["elevation"].copy(data=values.astype("float32")).rename(name).assign_attrs(
        units=units, long_name=name)


def mesh(plotter, name: str):
    return plotter.actors[name].mapper.dataset


def test_every_building_is_in_the_merged_mesh(site):
    buildings = mesh(scene.build_scene(site), "buildings")
    assert sorted(np.unique(buildings.cell_data["building_id"])) == sorted(site.buildings.index)


@pytest.mark.parametrize("exaggeration", [1.0, 2.5])
def test_building_top_is_lowest_ground_under_it_plus_height(site, exaggeration):
    buildings = mesh(scene.build_scene(site, exaggeration=exaggeration), "buildings")
    elevation = site.grid["elevation"]
    base = float(elevation.min())
    for building_id, building in site.buildings.iterrows():
        cells = elevation.values[site.grid["building_id"].values == building_id]
        ground = cells.min() if cells.size else float(elevation.sel(x=building.geometry.centroid.x,
                                                                    y=building.geometry.centroid.y, method="nearest"))
        part = buildings.extract_cells(np.flatnonzero(buildings.cell_data["building_id"] == building_id))
        assert part.points[:, 2].max() == pytest.approx(base + (ground + building["height"] - base) * exaggeration, abs=1e-3)
        assert part.points[:, 2].min() == pytest.approx(base + (ground - base) * exaggeration, abs=1e-3)


def test_roofs_cover_footprints_exactly_holes_left_open(site):
    buildings = mesh(scene.build_scene(site), "buildings").compute_cell_sizes(length=False, volume=False)
    areas = buildings.cell_data["Area"]
    is_roof = buildings.cell_normals[:, 2] ** 2 > 0.99
    for building_id, building in site.buildings.iterrows():
        mine = is_roof & (buildings.cell_data["building_id"] == building_id)
        assert areas[mine].sum() == pytest.approx(building.geometry.area, rel=1e-6)


def test_water_only_where_depth_exceeds_threshold(site):
    depth = np.zeros(site.shape)
    depth[10, 10] = 0.30
    depth[10, 11] = 0.04  # below the 5 cm threshold
    depth[20:22, 30:33] = 0.10
    water = mesh(scene.build_scene(site, water_depth=result(site, depth, "max_depth", "m")), "water")
    assert water.n_cells == 7
    flat = water.copy()
    flat.points[:, 2] = 0.0
    assert flat.compute_cell_sizes()["Area"].sum() == pytest.approx(7 * RES**2)
    x, y = site.grid["x"].values, site.grid["y"].values
    for cx, cy, _ in water.cell_centers().points:
        row, col = np.argmin(np.abs(y - cy)), np.argmin(np.abs(x - cx))
        assert depth[row, col] > scene.WATER_THRESHOLD
    lone = water.extract_cells([0]).points[:, 2]
    assert lone == pytest.approx(site.grid["elevation"].values[10, 10] + 0.30, abs=1e-4)


def test_no_water_mesh_when_nothing_is_deep_enough(site):
    plotter = scene.build_scene(site, water_depth=result(site, np.full(site.shape, 0.01), "max_depth", "m"))
    assert "water" not in plotter.actors


def test_explicit_colour_range_is_honoured_on_ground_and_buildings(site):
    values = result(site, 25 + np.random.default_rng(0).random(site.shape) * 5)
    plotter = scene.build_scene(site, color_by=values, clim=(20.0, 40.0))
    for name in ("terrain", "buildings"):
        assert tuple(plotter.actors[name].mapper.scalar_range) == (20.0, 40.0)
    buildings = mesh(plotter, "buildings")
    courtyard = site.buildings.index[site.buildings["id"] == "courtyard"][0]
    expected = values.values[site.grid["building_id"].values == courtyard].max()
    assert buildings.cell_data["value"][buildings.cell_data["building_id"] == courtyard] == pytest.approx(expected)
    assert "Température de l'air (°C)" in plotter.scalar_bars  # t_air is declared: its French label


def test_building_without_value_inside_takes_it_at_its_walls(site):
    values = np.full(site.shape, 30.0)
    values[site.grid["building_id"].values > 0] = np.nan
    buildings = mesh(scene.build_scene(site, color_by=result(site, values)), "buildings")
    assert np.all(buildings.cell_data["value"] == 30.0)


def test_differences_get_a_diverging_colormap_centred_on_zero(site):
    difference = result(site, np.linspace(-1.0, 3.0, site.shape[0] * site.shape[1]).reshape(site.shape), "delta")
    plotter = scene.build_scene(site, color_by=difference, diverging=True)
    low, high = plotter.actors["terrain"].mapper.scalar_range
    assert low == -high == pytest.approx(-3.0)
    assert scene.shared_clim(difference, -2 * difference, diverging=True) == (-6.0, 6.0)
    assert scene.shared_clim(difference, difference + 1) == (-1.0, 4.0)


def test_sensitive_sites_get_a_pin_and_a_label(site):
    plotter = scene.build_scene(site)
    assert {f"label:{site_id}" for site_id in site.sites.index} <= set(plotter.actors)
    assert mesh(plotter, "sensitive_sites").n_cells > 0
    board = plotter.actors[f"label:{site.sites.index[0]}"]
    assert board.texture is not None


def test_html_export_is_a_self_contained_vtkjs_scene(site, tmp_path):
    target = scene.export_html(scene.build_scene(site), tmp_path / "scene.html")
    page = target.read_text(encoding="utf-8")
    assert "OfflineLocalView.load" in page and "<script src=\"http" not in page
    payload = re.search(r'const base64Str = "([^"]+)"', page).group(1)
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(payload))) as archive:
        data = json.loads(archive.read("index.json"))
    scene_text = json.dumps(data["scene"])
    assert "vtkPolyData" in scene_text and data["hashes"]
    assert [p.name for p in tmp_path.iterdir()] == ["scene.html"]  # no temporary file left


def test_screenshot_is_a_non_blank_png(site, tmp_path):
    target = scene.screenshot(scene.build_scene(site), tmp_path / "scene.png", size=(320, 200))
    image = np.asarray(Image.open(target))
    assert image.shape[:2] == (200, 320)
    assert image[..., :3].std() > 10
    assert [p.name for p in tmp_path.iterdir()] == ["scene.png"]


def test_layer_of_the_wrong_shape_is_refused(site):
    wrong = result(site, np.zeros(site.shape)).isel(x=slice(0, -1))
    with pytest.raises(InputError, match="shape"):
        scene.build_scene(site, color_by=wrong)


def test_layer_on_another_grid_is_refused(site):
    shifted = result(site, np.zeros(site.shape))
    shifted = shifted.assign_coords(x=shifted["x"] + 100.0)
    with pytest.raises(InputError, match="x coordinates differ"):
        scene.build_scene(site, water_depth=shifted)


@pytest.mark.parametrize("layer, message", [(np.zeros((40, 50)), "must be an xarray.DataArray"),
                                            ("surface_temperature", "no layer 'surface_temperature'")])
def test_bare_arrays_and_unknown_layers_are_refused(site, layer, message):
    with pytest.raises(InputError, match=message):
        scene.build_scene(site, color_by=layer)


def test_layer_with_other_dims_is_refused(site):
    with pytest.raises(InputError, match="dims"):
        scene.build_scene(site, color_by=result(site, np.zeros(site.shape)).rename(y="row"))


def test_site_without_buildings_is_refused(site):
    with pytest.raises(InputError, match="no buildings"):
        scene.build_scene(site.evolve(buildings=site.buildings.iloc[0:0]))


def test_bad_colour_range_and_exaggeration_are_refused(site):
    with pytest.raises(InputError, match="increasing"):
        scene.build_scene(site, color_by="elevation", clim=(40, 20))
    with pytest.raises(InputError, match="positive"):
        scene.build_scene(site, exaggeration=0)


def test_large_floods_are_drawn_in_blocks(site, monkeypatch):
    monkeypatch.setattr(scene, "MAX_WATER_CELLS", 4)
    depth = np.zeros(site.shape)
    depth[:14, :14] = 0.5  # 196 wet cells: four 7×7 blocks
    water = mesh(scene.build_scene(site, water_depth=result(site, depth, "max_depth", "m")), "water")
    assert water.n_cells == 4
    assert water.bounds[:4] == pytest.approx((X0, X0 + 14 * RES, Y0 + (40 - 14) * RES, Y0 + 40 * RES))


def test_colour_bar_title_in_the_chosen_language_or_as_given(site):
    declared = result(site, np.full(site.shape, 30.0))  # t_air: its label and colours are declared in jumeau.outputs
    plotter = scene.build_scene(site, color_by=declared, language="fr")
    assert "Température de l'air (°C)" in plotter.scalar_bars
    assert "Air temperature (°C)" in scene.build_scene(site, color_by=declared, language="en").scalar_bars
    undeclared = result(site, np.full(site.shape, 30.0), "felt").assign_attrs(long_name="felt heat",
                                                                              long_name_fr="chaleur ressentie")
    assert "chaleur ressentie (°C)" in scene.build_scene(site, color_by=undeclared, language="fr").scalar_bars
    assert "felt heat (°C)" in scene.build_scene(site, color_by=undeclared, language="en").scalar_bars
    assert "Écart" in scene.build_scene(site, color_by=declared, title="Écart").scalar_bars


def test_a_layer_has_the_same_colours_in_3d_as_on_the_2d_map(site):
    from jumeau.render.maps import draw_map

    layer = result(site, np.linspace(30, 35, site.shape[0] * site.shape[1]).reshape(site.shape))
    figure = draw_map(layer)
    plotter = scene.build_scene(site, color_by=layer)
    assert figure.axes[0].images[0].get_cmap().name == "inferno"
    assert plotter.scalar_bars["Température de l'air (°C)"].GetLookupTable().GetTable().GetNumberOfTuples() > 0
    assert plotter.actors["terrain"].mapper.lookup_table.cmap.name == "inferno"


@pytest.mark.parametrize("with_colour", [False, True])
def test_terrain_is_resampled_to_the_node_budget(site, monkeypatch, with_colour):
    monkeypatch.setattr(scene, "MAX_TERRAIN_NODES", 250)  # 40 × 50 cells: blocks of 3 × 3, partial at the edges
    plotter = scene.build_scene(site, color_by="elevation" if with_colour else None)
    terrain = mesh(plotter, "terrain")
    assert terrain.n_points == 14 * 17 <= 250
    assert terrain.points[:, 2].min() >= float(site.grid["elevation"].min()) - 1e-4
    assert terrain.points[:, 2].max() <= float(site.grid["elevation"].max()) + 1e-4
