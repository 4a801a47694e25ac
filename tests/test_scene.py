"""The 3-D scene (jumeau.render.scene) on a small city the tests write, and on the demo district: geometry, works, views,
labels, colour bar, exports, errors."""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import re
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import xarray as xr
from conftest import CRS, RES, X0, Y0, CityFiles
from PIL import Image
from shapely.geometry import MultiPolygon, Point, Polygon, box
from trame_vtk.modules.vtk.serializers import reference_id

import jumeau
from jumeau.errors import InputError
from jumeau.render import maps, scene
from jumeau.render.camera import Camera, fit_camera
from jumeau.render.labels import layout_boards
from jumeau.render.legend import ColourBar

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
    assert plotter.legend.colour_bar.title == "Température de l'air (°C)"  # t_air is declared: its French label


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



def test_the_page_carries_float32_geometry_around_the_centre_and_draws_the_same(site, tmp_path):
    plotter = scene.build_scene(site, color_by="elevation")
    before = plotter.screenshot(None, return_img=True).astype(int)
    centre = np.asarray(plotter.camera.focal_point)
    page = scene.export_html(plotter, tmp_path / "scene.html").read_text(encoding="utf-8")
    payload = re.search(r'const base64Str = "([^"]+)"', page).group(1)
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(payload))) as archive:
        hashes = json.loads(archive.read("index.json"))["hashes"]
    assert {entry["type"] for entry in hashes.values()} <= {"Float32Array", "Int32Array", "Uint8Array"}
    terrain = mesh(plotter, "terrain")
    half_extent = max(site.shape) * site.resolution
    assert terrain.points.dtype == np.float32 and np.abs(terrain.points[:, :2]).max() < half_extent
    assert np.allclose(plotter.camera.focal_point, centre - np.round(centre))  # the camera moved with the scene
    after = plotter.screenshot(None, return_img=True).astype(int)
    assert (np.abs(after - before).max(axis=-1) > 8).mean() < 1e-3

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
    assert title(scene.build_scene(site, color_by=declared, language="fr")) == "Température de l'air (°C)"
    assert title(scene.build_scene(site, color_by=declared, language="en")) == "Air temperature (°C)"
    undeclared = result(site, np.full(site.shape, 30.0), "felt").assign_attrs(long_name="felt heat",
                                                                              long_name_fr="chaleur ressentie")
    assert title(scene.build_scene(site, color_by=undeclared, language="fr")) == "chaleur ressentie (°C)"
    assert title(scene.build_scene(site, color_by=undeclared, language="en")) == "felt heat (°C)"
    assert title(scene.build_scene(site, color_by=declared, title="Écart")) == "Écart"


def title(plotter) -> str:
    return plotter.legend.colour_bar.title


@pytest.mark.parametrize("with_colour", [False, True])
def test_terrain_is_resampled_to_the_node_budget(site, monkeypatch, with_colour):
    monkeypatch.setattr(scene, "MAX_TERRAIN_NODES", 250)  # 40 × 50 cells: blocks of 3 × 3, partial at the edges
    plotter = scene.build_scene(site, color_by="elevation" if with_colour else None)
    terrain = mesh(plotter, "terrain")
    assert terrain.n_points == 14 * 17 <= 250
    assert terrain.points[:, 2].min() >= float(site.grid["elevation"].min()) - 1e-4
    assert terrain.points[:, 2].max() <= float(site.grid["elevation"].max()) + 1e-4


# -- the scenario's works ----------------------------------------------------------------------------------

def test_works_are_outlined_by_one_magenta_ring_per_area(site):
    works = np.zeros(site.shape, dtype=bool)
    works[5:15, 5:20] = True  # rows, cols: two separate areas
    works[25:35, 30:45] = True
    plotter = scene.build_scene(site, works=works)
    tubes = mesh(plotter, "works")
    assert plotter.actors["works"].prop.color.hex_rgb == maps.WORKS_COLOUR
    regions = tubes.connectivity("all")
    assert len(np.unique(regions["RegionId"])) == 2
    x, y = site.grid["x"].values, site.grid["y"].values
    for rows, cols in [(slice(5, 15), slice(5, 20)), (slice(25, 35), slice(30, 45))]:
        edges = (x[cols.start] - RES / 2, x[cols.stop - 1] + RES / 2, y[rows.stop - 1] - RES / 2, y[rows.start] + RES / 2)
        centre = ((edges[0] + edges[1]) / 2, (edges[2] + edges[3]) / 2)
        region = regions.extract_points(np.abs(regions.points[:, 0] - centre[0]) < (edges[1] - edges[0]) / 2 + 5)
        region = region.extract_points(np.abs(region.points[:, 1] - centre[1]) < (edges[3] - edges[2]) / 2 + 5)
        xmin, xmax, ymin, ymax, _, _ = region.bounds
        tube = (xmax - xmin - (edges[1] - edges[0])) / 2  # the tube's radius, around the ring
        assert 0 < tube < 2 * RES
        assert (xmin, xmax, ymin, ymax) == pytest.approx((edges[0] - tube, edges[1] + tube, edges[2] - tube,
                                                          edges[3] + tube), abs=0.02)
        ground = site.grid["elevation"].sel(x=xr.DataArray(region.points[:, 0]), y=xr.DataArray(region.points[:, 1]),
                                            method="nearest").values
        assert (region.points[:, 2] > ground).all() and (region.points[:, 2] < ground + 5).all()  # draped, lifted
    assert plotter.legend is not None and plotter.legend.works and "Travaux" in plotter.legend.works_label


def test_works_on_roofs_are_drawn_at_roof_height(site):
    works = site.grid["building_id"].values == site.buildings.index[site.buildings["id"] == "A"][0]
    tubes = mesh(scene.build_scene(site, works=works), "works")
    roof = mesh(scene.build_scene(site), "buildings")
    building = roof.extract_cells(np.flatnonzero(roof.cell_data["building_id"] == site.buildings.index[0]))
    assert tubes.points[:, 2].min() > building.points[:, 2].max()


def test_no_works_no_outline_and_a_wrong_mask_is_refused(site):
    plotter = scene.build_scene(site, works=np.zeros(site.shape, dtype=bool))
    assert "works" not in plotter.actors and plotter.legend is None
    with pytest.raises(InputError, match="works has shape"):
        scene.build_scene(site, works=np.ones((3, 3), dtype=bool))


# -- views -------------------------------------------------------------------------------------------------

def test_camera_views_name_the_presets_in_the_chosen_language(site):
    views = scene.camera_views(site, "fr")
    assert list(views)[:2] == ["overview", "street"]
    assert views["overview"] == "Vue d'ensemble" and views["street"] == "Vue de la rue"
    assert {views[f"site:{site_id}"] for site_id in site.sites.index} == {"École Jules Ferry", "Crèche Les Lutins"}
    english = scene.camera_views(site, "en")
    assert english["overview"] == "Overview" and english["street"] == "Street view"


def camera_of(plotter) -> Camera:
    camera = plotter.camera
    return Camera(tuple(camera.position), tuple(camera.focal_point), tuple(camera.up), camera.view_angle)


def test_each_preset_sets_its_camera(site):
    xmin, ymin, xmax, ymax = site.grid.rio.bounds()
    overview = camera_of(scene.build_scene(site))
    street = camera_of(scene.build_scene(site, view="street"))
    for camera in (overview, street):
        assert camera.view_angle == 30.0  # vtk.js's default: the HTML page frames the scene as VTK does
        assert xmin < camera.focal_point[0] < xmax and ymin < camera.focal_point[1] < ymax
        west, south = np.subtract(camera.focal_point, camera.position)[:2]
        assert west > 0 and south > 2 * west  # from the south-south-west
    assert overview.elevation == pytest.approx(35.0, abs=0.1)
    assert street.elevation == pytest.approx(15.0, abs=0.1)
    assert street.distance < overview.distance / 2
    assert street.focal_point[:2] == pytest.approx(((xmin + xmax) / 2, (ymin + ymax) / 2))
    for site_id, row in site.sites.iterrows():
        camera = camera_of(scene.build_scene(site, view=f"site:{site_id}"))
        assert 150.0 <= camera.distance <= 250.0
        assert camera.elevation == pytest.approx(35.0, abs=0.1)
        point = row.geometry.representative_point() if row["building_id"] not in site.buildings.index else \
            site.buildings.geometry.loc[row["building_id"]].representative_point()
        assert camera.focal_point[:2] == pytest.approx((point.x, point.y), abs=0.01)


def test_unknown_view_is_refused_naming_the_valid_ones(site):
    with pytest.raises(InputError, match=r"'bird'.*overview, street, site:"):
        scene.build_scene(site, view="bird")


def test_fit_camera_fills_the_frame_exactly():
    points = np.array([(x, y, z) for x in (0.0, 1500.0) for y in (0.0, 1000.0) for z in (0.0, 30.0)])
    camera = fit_camera(points, -25.0, 35.0, size=(1100, 620), fill=0.9)
    pixels, depth = camera.project(points, (1100, 620))
    assert (depth > 0).all()
    spans = np.ptp(pixels, axis=0) / (1100, 620)
    assert max(spans) == pytest.approx(0.9, abs=1e-6) and min(spans) <= 0.9 + 1e-6
    centre = (pixels.min(axis=0) + pixels.max(axis=0)) / 2
    assert centre == pytest.approx((550, 310), abs=1e-3)
    assert camera.unproject(pixels, depth, (1100, 620)) == pytest.approx(points)


FRAME = (1100, 620)  # the viewer's frame (jumeau.render.camera.VIEWER_SIZE)


def render(plotter, only: set[str] | None = None, hide: tuple[str, ...] = ()) -> np.ndarray:
    """An RGB screenshot of the frame's size, with only some actors or without others."""
    visible = {name: actor.visibility for name, actor in plotter.actors.items()}
    for name, actor in plotter.actors.items():
        actor.visibility = (name in only) if only is not None else not name.startswith(hide)
    try:
        return np.asarray(plotter.screenshot(None, return_img=True, window_size=list(FRAME)))[..., :3]
    finally:
        for name, actor in plotter.actors.items():
            actor.visibility = visible[name]


def frame_fill(plotter) -> tuple[float, float]:
    """Share of the frame's width and height spanned by the district (non-white pixels, labels hidden)."""
    ink = (render(plotter, hide=("label:", "sensitive_sites")) < 250).any(axis=2)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return (cols[-1] - cols[0] + 1) / FRAME[0], (rows[-1] - rows[0] + 1) / FRAME[1]


def text_heights(plotter) -> dict[str, int]:
    """Per label board: the height in pixels of its tallest line of text (dark ink) in the frame."""
    heights = {}
    for name in [name for name in plotter.actors if name.startswith("label:")]:
        dark = (render(plotter, only={name}) < 110).all(axis=2).any(axis=1)
        edges = np.flatnonzero(np.diff(np.r_[0, dark.astype(int), 0]))
        heights[name] = int(np.max(edges[1::2] - edges[::2]))
    return heights


def board_boxes(plotter) -> dict[str, tuple[float, float, float, float]]:
    """Each label board's bounding box in the frame (pixels, y up), projected by VTK itself."""
    plotter.window_size = list(FRAME)
    plotter.render()
    renderer, boxes = plotter.renderer, {}
    for name in [name for name in plotter.actors if name.startswith("label:")]:
        corners = []
        for point in mesh(plotter, name).points:
            renderer.SetWorldPoint(*point, 1.0)
            renderer.WorldToDisplay()
            corners.append(renderer.GetDisplayPoint()[:2])
        corners = np.array(corners)
        boxes[name] = (*corners.min(axis=0), *corners.max(axis=0))
    return boxes


def assert_apart(boxes: dict) -> None:
    for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
        apart = box_a[2] <= box_b[0] or box_b[2] <= box_a[0] or box_a[3] <= box_b[1] or box_b[3] <= box_a[1]
        assert apart, f"{a} {box_a} overlaps {b} {box_b}"


@pytest.fixture(scope="module")
def demo_overview():
    """The demo district's overview, coloured, with works (4 sensitive sites close together in its centre)."""
    demo = jumeau.demo_site()
    works = np.zeros(demo.shape, dtype=bool)
    works[300:340, 200:260] = True
    t_air = (34.0 + 2.0 * demo.grid["impervious"]).rename("t_air")
    return scene.build_scene(demo, color_by=t_air, clim=(33.0, 36.0), works=works)


def test_the_overview_fills_the_viewers_frame(site, demo_overview):
    for plotter in (scene.build_scene(site), demo_overview):
        width, height = frame_fill(plotter)
        assert max(width, height) >= 0.8, (width, height)


def test_labels_are_readable_and_apart_in_the_overview(site, demo_overview):
    for plotter, sites in ((scene.build_scene(site), 2), (demo_overview, 4)):
        heights = text_heights(plotter)
        assert len(heights) == sites
        assert min(heights.values()) >= 20, heights  # capitals' height at least; they were ~6 px
        boxes = board_boxes(plotter)
        assert_apart(boxes)
        for x0, y0, x1, y1 in boxes.values():
            assert x0 >= 0 and y0 >= 0 and x1 <= FRAME[0] and y1 <= FRAME[1]  # inside the frame


def test_board_layout_keeps_boards_apart_and_inside():
    anchors = np.array([(500.0, 300.0), (520.0, 310.0), (540.0, 290.0), (560.0, 305.0), (530.0, 60.0)])
    sizes = np.array([(260.0, 90.0)] * 5)
    placed = layout_boards(anchors, sizes, obstacles=[(690, 520, 1090, 610)])
    boxes = {i: (x - w / 2, y - h, x + w / 2, y) for i, ((x, y), (w, h)) in enumerate(zip(placed, sizes, strict=True))}
    assert_apart({**boxes, "legend": (690, 520, 1090, 610)})
    for x0, y0, x1, y1 in boxes.values():
        assert x0 >= 0 and y0 >= 0 and x1 <= 1100 and y1 <= 620
    assert placed[4][1] > anchors[4][1]  # no room above the top one: its board goes under its pin


# -- colour bar --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, units", [("t_air", "°C"), ("max_depth", "m")])
def test_the_3d_colours_are_the_declared_colour_map(site, tmp_path, name, units):
    from matplotlib import colormaps

    from jumeau.render.maps import declared, draw_map

    layer = result(site, np.linspace(0.1, 0.9, site.shape[0] * site.shape[1]).reshape(site.shape), name, units)
    plotter = scene.build_scene(site, color_by=layer, clim=(0.0, 1.0))
    cmap = declared(name).cmap
    assert plotter.legend.colour_bar.cmap == cmap
    assert draw_map(layer).axes[0].images[0].get_cmap().name == cmap  # the 2-D map's
    expected = np.round(colormaps[cmap](np.linspace(0, 1, 256))[:, :3] * 255)
    for actor in ("terrain", "buildings"):
        table = plotter.actors[actor].mapper.lookup_table.values[:, :3]
        assert np.abs(table - expected).max() <= 1
    # What vtk.js colours with: the lookup tables of the coloured actors' mappers in the page.
    tables = exported(scene.export_html(plotter, tmp_path / "scene.html"))["tables"]
    for actor in ("terrain", "buildings"):
        table = np.array(tables[reference_id(plotter.actors[actor].mapper)])
        assert np.abs(table[:, :3] - expected).max() <= 1


def exported(path) -> dict:
    """The vtk.js scene of an exported page: its objects' types, lookup tables and camera; and the legend <img>."""
    page = path.read_text(encoding="utf-8")
    payload = re.search(r'const base64Str = "([^"]+)"', page).group(1)
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(payload))) as archive:
        data = json.loads(archive.read("index.json"))
    objects = list(scene._walk(data["scene"]))
    legend = re.search(r'<img id="jumeau-legend" alt="([^"]*)" ([^>]*)src="data:image/png;base64,([^"]+)"', page)
    return {"types": {entry.get("type") for entry in objects}, "page": page,
            "tables": {entry["parent"]: entry["properties"]["table"] for entry in objects
                       if entry.get("type") == "vtkLookupTable"},
            "cameras": [entry["properties"] for entry in objects if "Camera" in str(entry.get("type"))],
            "legend": legend}


@pytest.mark.parametrize("language, bar_title, decimal, other", [("fr", "Hauteur d'eau maximale (m)", ",", "."),
                                                                 ("en", "Maximum water depth (m)", ".", ",")])
def test_the_colour_bar_is_in_the_pages_language(site, tmp_path, language, bar_title, decimal, other):
    depth = result(site, np.linspace(0.0, 0.85, site.shape[0] * site.shape[1]).reshape(site.shape), "max_depth", "m")
    plotter = scene.build_scene(site, color_by=depth, clim=(0.0, 0.85), language=language)
    bar = plotter.legend.colour_bar
    assert bar.title == bar_title
    texts = [text for _, text in bar.ticks()]
    assert texts == [f"0{decimal}{d}" for d in "02468"] and not any(other in text for text in texts)
    figure = plotter.legend.figure()
    assert [label.get_text() for label in figure.axes[0].get_xticklabels()] == texts
    assert bar_title in [text.get_text() for text in figure.texts]
    page = exported(scene.export_html(plotter, tmp_path / "scene.html"))
    assert "vtkScalarBarActor" not in page["types"]  # vtk.js would draw its own bar: English numbers, serif
    assert page["legend"] is not None and page["legend"].group(1) == html.escape(bar_title, quote=True)
    assert 'data-cmap="Blues"' in page["legend"].group(2) and 'data-clim="0.0 0.85"' in page["legend"].group(2)
    legend = np.asarray(Image.open(io.BytesIO(base64.b64decode(page["legend"].group(3)))))
    assert legend.shape[:2] == (2 * bar_height(plotter), 2 * 400) and legend[..., :3].std() > 10
    assert f'<html lang="{language}">' in page["page"]
    assert page["cameras"][0]["viewAngle"] == 30.0


def bar_height(plotter) -> int:
    return plotter.legend.size[1]


def test_french_numbers():
    assert maps.format_number(1234.5, 1, "fr") == "1\u202f234,5"
    assert maps.format_number(-0.25, 2, "fr") == "−0,25"
    assert maps.format_number(-0.001, 1, "fr") == "0,0"
    assert maps.format_number(1234.5, 1, "en") == "1,234.5"
    assert [text for _, text in ColourBar("inferno", (31.2, 36.4), "T", "fr").ticks()] == \
        ["32", "33", "34", "35", "36"]


def test_the_screenshot_shows_the_same_colour_bar(site, tmp_path):
    plotter = scene.build_scene(site, color_by=result(site, np.full(site.shape, 30.0)), clim=(25.0, 35.0))
    image = np.asarray(Image.open(scene.screenshot(plotter, tmp_path / "scene.png", size=FRAME)))[..., :3]
    legend = plotter.legend.image(1.0)
    rows, cols = legend.shape[:2]
    corner = image[FRAME[1] - 10 - rows:FRAME[1] - 10, FRAME[0] - 10 - cols:FRAME[0] - 10].astype(float)
    # The bar's pixels (opaque) are the legend's own.
    opaque = legend[..., 3] == 255
    assert opaque.mean() > 0.05
    assert np.abs(corner[opaque] - legend[..., :3][opaque]).max() <= 1


def test_the_viewer_gets_a_page_and_a_png_for_slides(site):
    from viewer import scene3d

    layer = result(site, np.full(site.shape, 30.0))
    depth = result(site, np.zeros(site.shape), "max_depth", "m")
    works = np.zeros(site.shape, dtype=bool)
    works[10:20, 10:20] = True
    page = scene3d.scene_html(site, layer, depth, (25.0, 35.0), "fr", works=works, view="street")
    assert "OfflineLocalView.load" in page and 'alt="Température de l&#x27;air (°C)"' in page
    png = scene3d.scene_png(site, layer, depth, (25.0, 35.0), "en", works=works, view=f"site:{site.sites.index[0]}",
                            size=(640, 360))
    image = Image.open(io.BytesIO(png))
    assert image.size == (640, 360) and np.asarray(image)[..., :3].std() > 10
