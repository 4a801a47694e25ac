"""3-D scene of a Site for the viewer and for reports: terrain, buildings, trees, water, works, sites.

The scene is kept light enough for a browser (a few hundred thousand triangles, a few
MB of HTML): the demo district's scene builds in a fraction of a second.

- terrain: the elevation grid block-averaged to at most :data:`MAX_TERRAIN_NODES` nodes;
- buildings: every footprint (holes and multi-part footprints included) triangulated
  by GEOS (``shapely.constrained_delaunay_triangles``) and extruded from the lowest
  terrain under it to that ground plus the building's height, merged into one mesh
  whose ``building_id`` cell data names the building of every face;
- trees: one low-poly crown per block of canopy cells;
- water: the cells where a depth exceeds a threshold, at elevation + depth;
- works: the outline of each connected area of a scenario's works, a magenta tube
  draped on the ground (or on the roofs the works cover);
- sensitive sites: a pin on each and a board with its name, the boards laid out in the
  frame so that they do not overlap (:mod:`jumeau.render.labels`).

Views: the camera is one of the presets of :func:`camera_views` (the whole district
filling the frame, a low street view, each sensitive site; :mod:`jumeau.render.viewpoints`),
computed for the viewer's frame (:data:`jumeau.render.camera.VIEWER_SIZE`). Pins,
labels and the works' tubes are sized in pixels of that frame, so the labels' capitals
are about 20 px tall whatever the district's size.

Colours: a result layer colours the ground (block mean) and the buildings (maximum
over the footprint, else over the cells around it, i.e. at its walls) with the layer's
declared colour map (the 2-D maps' one; :data:`jumeau.outputs.DIFFERENCE_CMAP`
centred on zero for differences) and an explicit colour range, so two compared
scenes can share it (:func:`shared_clim`). Its colour bar (:mod:`jumeau.render.legend`)
is drawn by matplotlib with the same colour map and range, its title and numbers in the
page's language (decimal comma in French), and laid over the HTML page and the
screenshots: the vtk.js page would otherwise draw its own bar (English numbers, serif,
across the whole height).

>>> import jumeau
>>> from jumeau.render import scene
>>> sorted(scene.camera_views(jumeau.demo_site(), "en").items())[:2]
[('overview', 'Overview'), ('site:1', 'EHPAD Les Saules')]
>>> plotter = scene.build_scene(jumeau.demo_site(), view="street")  # doctest: +SKIP
>>> scene.export_html(plotter, "scene.html")                       # doctest: +SKIP
>>> scene.screenshot(plotter, "scene.png")                         # doctest: +SKIP
"""

from __future__ import annotations

import html
import io
import itertools
import json
import math
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import PIL.Image
import pyvista as pv
import rasterio.features
import shapely
import xarray as xr
from matplotlib.colors import to_rgb
from rasterio.transform import Affine
from trame_vtk.modules.vtk.serializers import (
    SynchronizationContext,
    extract_array_hash,
    initialize_serializers,
    reference_id,
    serialize,
)
from trame_vtk.tools.vtksz2html import write_html
from vtkmodules.util import vtkConstants
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy

from jumeau.errors import InputError
from jumeau.io.atomic import atomic_path
from jumeau.outputs import DIFFERENCE_CMAP
from jumeau.render.camera import VIEWER_SIZE, Camera
from jumeau.render.labels import draw_marks, site_marks
from jumeau.render.legend import ColourBar, Legend
from jumeau.render.maps import WORKS_COLOUR, declared
from jumeau.render.viewpoints import camera_views, view_camera
from jumeau.site.state import Site

MAX_TERRAIN_NODES = 100_000
MAX_WATER_CELLS = 40_000
TREE_BLOCK = 4  # cells per side of the blocks that each become one tree crown
MIN_TREE_COVER = 0.25  # blocks less covered than this get no crown
WATER_THRESHOLD = 0.05  # m
COLORS = {"building": "#d9d2c5", "tree": "#3f7f3a", "water": "#1f78b4", "nan": "#bdbdbd", "works": WORKS_COLOUR}
WATER_OPACITY = 0.6
WINDOW_SIZE = VIEWER_SIZE  # the plotter's, by default: the viewer's frame
WORKS_RADIUS_PX = 2.5  # works outline tube radius, at the view's focal distance, in pixels of a VIEWER_SIZE frame
WORKS_SIMPLIFY = 2.0  # cells: tolerance of the works outline's simplification
WORKS_DRAPE = 4.0  # cells: longest segment of a works outline (it follows the ground between vertices)


class ScenePlotter(pv.Plotter):
    """An off-screen PyVista plotter holding a scene, with what its overlay shows and the view it was built for."""

    legend: Legend | None = None
    view: str = "overview"
    language: str = "fr"


def shared_clim(*layers: xr.DataArray, diverging: bool = False) -> tuple[float, float]:
    """One colour range for several layers (compared scenarios), centred on zero if ``diverging``."""
    low = float(min(np.nanmin(layer.values) for layer in layers))
    high = float(max(np.nanmax(layer.values) for layer in layers))
    if diverging:
        bound = max(abs(low), abs(high)) or 1.0
        return -bound, bound
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def build_scene(site: Site, *, color_by: str | xr.DataArray | None = None, water_depth: xr.DataArray | None = None,
                clim: Sequence[float] | None = None, diverging: bool = False, cmap: str | None = None,
                title: str | None = None, exaggeration: float = 1.0, water_threshold: float = WATER_THRESHOLD,
                language: str = "fr", window_size: Sequence[int] = WINDOW_SIZE, works: np.ndarray | None = None,
                view: str = "overview") -> ScenePlotter:
    """An off-screen PyVista plotter holding the 3-D scene of ``site``, seen from the preset ``view``.

    ``color_by`` is a result on the site's grid (or the name of a site layer) that colours
    the ground and the buildings; ``clim`` fixes its colour range (default: its own range,
    symmetric about zero if ``diverging``); ``diverging`` selects a colormap centred on
    zero, for differences between scenarios. ``water_depth`` (m, on the site's grid) draws
    a semi-transparent water surface where it exceeds ``water_threshold``. Heights are
    multiplied by ``exaggeration`` above the lowest terrain point. The colour map and the
    colour bar's title in ``language`` ("fr" or "en") come from the layer's declaration
    (:func:`jumeau.render.maps.declared`), as on the 2-D maps; an undeclared layer is
    titled by its ``long_name_<language>`` or ``long_name`` attribute. ``works`` is a
    boolean mask on the site's grid (e.g. ``works_area > 0`` of a run), outlined in magenta.
    ``view`` is one of :func:`camera_views` (``"overview"``, ``"street"``, ``"site:<id>"``);
    its camera, pins and labels are fitted to a frame of ``window_size``'s shape (the
    viewer's, :data:`VIEWER_SIZE`, by default; a screenshot of another shape crops or
    widens the view).

    Meshes are named actors of the plotter: ``terrain``, ``buildings``, ``trees``,
    ``water``, ``works``, ``sensitive_sites`` (pins and stems) and ``label:<site id>``.
    The colour bar is not a VTK actor: it is ``plotter.legend``, which :func:`export_html`
    and :func:`screenshot` lay over the scene.
    """
    if len(site.buildings) == 0:
        raise InputError(f"Site {site.name!r} has no buildings: a 3-D scene needs at least one footprint. "
                         "Check the buildings layer of the site file.")
    if exaggeration <= 0:
        raise InputError(f"Vertical exaggeration must be positive, got {exaggeration}.")
    views = camera_views(site, language)
    if view not in views:
        raise InputError(f"Unknown 3-D view {view!r} for site {site.name!r}; choose one of: {', '.join(views)}.")
    values = None if color_by is None else _on_grid(site, color_by, "color_by")
    depth = None if water_depth is None else _on_grid(site, water_depth, "water_depth")
    mask = None if works is None else _works_mask(site, works)
    elevation = site.grid["elevation"].values.astype("float64")
    base = float(np.nanmin(elevation))

    def lift(z):
        return base + (z - base) * exaggeration

    coloring: dict[str, Any] | None = None
    colour_bar = None
    if values is not None:
        low, high = clim if clim is not None else shared_clim(values, diverging=diverging)
        if not high > low:
            raise InputError(f"Colour range must be increasing, got clim=({low}, {high}).")
        spec = declared(str(values.name))
        if spec is not None:
            label, default_cmap = spec.label(language, units=True), spec.cmap
        else:
            attrs = values.attrs
            name = attrs.get(f"long_name_{language}") or attrs.get("long_name") or values.name or "value"
            label = f"{name} ({attrs['units']})" if attrs.get("units") else str(name)
            default_cmap = "viridis"
        colour_bar = ColourBar(cmap or (DIFFERENCE_CMAP if diverging else default_cmap), (float(low), float(high)),
                               title or label, language)
        coloring = {"cmap": colour_bar.cmap, "clim": colour_bar.clim, "nan_color": COLORS["nan"],
                    "show_scalar_bar": False}

    _prefer_egl_without_display()
    plotter = ScenePlotter(off_screen=True, window_size=list(window_size))
    plotter.set_background("white")  # type: ignore[arg-type]  # pyvista's decorated method confuses mypy
    plotter.view, plotter.language = view, language

    terrain = _terrain(site, elevation, values, lift)
    if coloring is None:
        plotter.add_mesh(terrain, scalars="rgb", rgb=True, name="terrain", show_scalar_bar=False)
    else:
        plotter.add_mesh(terrain, scalars="value", name="terrain", **coloring)

    buildings = _buildings(site, elevation, lift)
    if coloring is None:
        plotter.add_mesh(buildings, color=COLORS["building"], name="buildings")
    else:
        assert values is not None  # colours are set only for values
        buildings.cell_data["value"] = _building_values(site, values)[buildings.cell_data["building_index"]]
        plotter.add_mesh(buildings, scalars="value", name="buildings", **coloring)

    trees = _trees(site, elevation, lift)
    if trees.n_cells:
        plotter.add_mesh(trees, color=COLORS["tree"], name="trees")
    if depth is not None:
        water = _water(site, elevation, depth.values, water_threshold, lift)
        if water.n_cells:
            plotter.add_mesh(water, color=COLORS["water"], opacity=WATER_OPACITY, name="water")

    # Cameras and labels are fitted to a frame of the window's shape, in pixels of a frame as tall as the viewer's.
    frame = (VIEWER_SIZE[1] * window_size[0] / window_size[1], float(VIEWER_SIZE[1]))
    marks = site_marks(site, buildings, lift)
    camera = view_camera(site, view, elevation, buildings, lift, marks, frame)
    has_works = False
    if mask is not None and mask.any():
        tubes = _works(site, mask, elevation, lift, radius=max(0.25, WORKS_RADIUS_PX * float(
            camera.metres_per_pixel(camera.distance))))
        if tubes.n_cells:
            plotter.add_mesh(tubes, color=COLORS["works"], name="works", smooth_shading=True)
            has_works = True
    legend = Legend(colour_bar, has_works, language) if colour_bar is not None or has_works else None
    plotter.legend = legend
    ceiling = max(float(buildings.points[:, 2].max()), float(trees.points[:, 2].max()) if trees.n_points else -np.inf)
    # The legend is laid over the frame's bottom right corner (export_html, screenshot): no board goes under it.
    draw_marks(plotter, marks, camera, ceiling + 1.0, frame, obstacles=[legend.box(frame)] if legend is not None else [])
    _set_camera(plotter, camera)
    return plotter


def _set_camera(plotter: pv.Plotter, camera: Camera) -> None:
    plotter.camera_position = [camera.position, camera.focal_point, camera.view_up]
    plotter.camera.view_angle = camera.view_angle
    plotter.renderer.ResetCameraClippingRange()


def export_html(plotter: pv.Plotter, path: str | os.PathLike) -> Path:
    """Write the scene as one self-contained HTML page (vtk.js viewer and data inline).

    The scene is serialised with trame-vtk's vtk.js serialisers into the OfflineLocalView
    archive that PyVista's ``export_html`` produces, and embedded in trame-vtk's static
    viewer page. Serialising directly avoids what PyVista's own path needs for the same
    bytes: a trame web server launched on a local port and ``nest_asyncio`` patching the
    event loop, which would run inside the Streamlit server. The camera's view angle,
    which trame-vtk leaves out, is added, so that the page frames the scene as VTK does.
    The scene's legend (colour bar, works) is laid over the page as a PNG image at its
    bottom right (:meth:`Legend.html`). The file is written atomically.

    The page carries the scene in float32 around its focal point (:func:`_to_local_float32`),
    which changes the plotter's meshes and camera in place (the picture stays the same).
    """
    _to_local_float32(plotter)
    initialize_serializers()
    context = SynchronizationContext()
    context.set_ignore_last_dependencies(True)
    window = plotter.render_window
    plotter.render()
    camera = plotter.renderer.GetActiveCamera()
    scene = serialize(None, window, reference_id(window), context, 1)
    camera_id = reference_id(camera)
    for entry in _walk(scene):
        if entry.get("id") == camera_id and isinstance(entry.get("properties"), dict):
            entry["properties"]["viewAngle"] = camera.GetViewAngle()
    scene["extra"] = {"vtkRefId": reference_id(window), "centerOfRotation": camera.GetFocalPoint(), "camera": camera_id}
    hashes = {entry["hash"]: {**entry, "content": context.get_cached_data_array(entry["hash"], False)}
              for entry in extract_array_hash(scene)}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("index.json", json.dumps({"hashes": hashes, "scene": scene}))
    page = io.StringIO()
    write_html(archive.getvalue(), page)
    text = page.getvalue()
    language = getattr(plotter, "language", "fr")
    text = text.replace('<html lang="en">', f'<html lang="{html.escape(language)}">', 1)
    legend = getattr(plotter, "legend", None)
    if legend is not None:
        end = text.rindex("</body>")
        text = text[:end] + legend.html() + text[end:]
    target = Path(path)
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def _to_local_float32(plotter: pv.Plotter) -> None:
    """Move the scene (meshes and camera) so that its focal point, rounded to the metre, is the origin, and store
    its coordinates and values in float32.

    Lambert-93 coordinates (millions of metres) need float64, and the browser decodes,
    unzips and parses every byte of the page before it draws: in metres from the scene's
    centre, float32 keeps a tenth of a millimetre and halves the page's geometry.
    """
    origin = np.round(np.asarray(plotter.camera.focal_point, dtype="float64"))
    moved: set[str] = set()
    for actor in plotter.actors.values():
        mapper = getattr(actor, "mapper", None)
        data = mapper.GetInputDataObject(0, 0) if mapper is not None else None  # what the mapper draws
        if data is None or data.GetAddressAsString("vtkObject") in moved:
            continue
        moved.add(data.GetAddressAsString("vtkObject"))
        if not data.GetNumberOfPoints():
            continue
        # through VTK's own calls: pyvista's wrapper of the mapper's input would be a copy
        points = vtk_to_numpy(data.GetPoints().GetData()).astype("float64")
        data.SetPoints(pv.vtk_points((points - origin).astype("float32")))
        for arrays in (data.GetPointData(), data.GetCellData()):
            for index in range(arrays.GetNumberOfArrays()):
                array = arrays.GetArray(index)
                if array is not None and array.GetDataType() == vtkConstants.VTK_DOUBLE:
                    single = numpy_to_vtk(vtk_to_numpy(array).astype("float32"), deep=True)
                    single.SetName(array.GetName())
                    arrays.AddArray(single)  # in the place of the array of that name, active attribute kept
    camera = plotter.camera
    camera.position = tuple(np.asarray(camera.position) - origin)
    camera.focal_point = tuple(np.asarray(camera.focal_point) - origin)
    plotter.renderer.ResetCameraClippingRange()


def _walk(node):
    """Every dict in a nested JSON-like structure."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def screenshot(plotter: pv.Plotter, path: str | os.PathLike, *, size: Sequence[int] = (1600, 1000)) -> Path:
    """Render the scene off screen to a PNG of ``size`` pixels (width, height), written atomically.

    The legend (colour bar, works) is drawn at the bottom right, scaled with the image's
    height as the labels are (it is the viewer's at 620 px).
    """
    width, height = int(size[0]), int(size[1])
    rendered = plotter.screenshot(None, return_img=True, window_size=[width, height])
    assert rendered is not None  # return_img
    image = np.array(rendered[..., :3], dtype="uint8")
    legend = getattr(plotter, "legend", None)
    if legend is not None:
        legend.draw_over(image, scale=height / VIEWER_SIZE[1])
    target = Path(path)
    with atomic_path(target) as tmp:
        PIL.Image.fromarray(image).save(tmp, format="PNG")  # Pillow: matplotlib's own PNG writer
    return target


def _prefer_egl_without_display() -> None:
    """Make VTK open an EGL (headless) window where there is no X display.

    VTK otherwise tries X first and logs "bad X server connection" before it falls back.
    """
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")


def _on_grid(site: Site, layer: str | xr.DataArray, argument: str) -> xr.DataArray:
    """``layer`` as a DataArray on the site's grid, or an InputError saying how it differs."""
    if isinstance(layer, str):
        if layer not in site.grid.data_vars:
            raise InputError(f"{argument}: no layer {layer!r} in site {site.name!r}. "
                             f"Layers: {', '.join(map(str, site.grid.data_vars))}; or pass a result DataArray.")
        return site.grid[layer]
    if not isinstance(layer, xr.DataArray):
        raise InputError(f"{argument} must be an xarray.DataArray on the site's grid (dims y, x), "
                         f"got {type(layer).__name__}.")
    label = f"{argument} {layer.name!r}" if layer.name is not None else argument
    if set(layer.dims) != {"y", "x"}:
        raise InputError(f"{label} has dims {layer.dims}; expected ('y', 'x') like the site's grid.")
    layer = layer.transpose("y", "x")
    if layer.shape != site.shape:
        raise InputError(f"{label} has shape {layer.shape} but the site's grid is {site.shape} (y, x): "
                         "compute it on this site or reproject it onto its grid.")
    tolerance = site.resolution / 2
    for dim in ("y", "x"):
        if dim not in layer.coords or not np.allclose(layer[dim].values, site.grid[dim].values, rtol=0, atol=tolerance):
            raise InputError(f"{label}: its {dim} coordinates differ from the site's grid (by more than half a "
                             "cell): the layer belongs to another site or grid.")
    return layer.astype("float64")


def _block_means(grid: np.ndarray, step: int) -> np.ndarray:
    """Means over ``step``×``step`` blocks, ignoring NaN (edge blocks may be partial)."""
    rows, cols = -(-grid.shape[0] // step), -(-grid.shape[1] // step)
    padded = np.full((rows * step, cols * step), np.nan)
    padded[:grid.shape[0], :grid.shape[1]] = grid
    blocks = padded.reshape(rows, step, cols, step)
    valid = ~np.isnan(blocks)
    count = valid.sum(axis=(1, 3))
    total = np.where(valid, blocks, 0.0).sum(axis=(1, 3))
    return np.divide(total, count, out=np.full(count.shape, np.nan), where=count > 0)


def _terrain(site: Site, elevation: np.ndarray, values: xr.DataArray | None, lift) -> pv.PolyData:
    """The ground as a mesh over block means of the grid, at most MAX_TERRAIN_NODES nodes.

    One triangle strip per row of blocks: 2 indices per node where quads take 5 per cell,
    and the indices are most of the bytes a browser reads for the ground."""
    step = max(1, math.ceil(math.sqrt(elevation.size / MAX_TERRAIN_NODES)))
    x = _block_means(site.grid["x"].values[np.newaxis, :], step)[0]
    y = _block_means(site.grid["y"].values[:, np.newaxis], step)[:, 0]
    z = _block_means(elevation, step)
    ys, xs = np.meshgrid(y, x, indexing="ij")
    points = np.column_stack([xs.ravel(), ys.ravel(), lift(z).ravel()])
    node = np.arange(z.size).reshape(z.shape)
    rows, cols = z.shape
    zigzag = np.stack([node[:-1], node[1:]], axis=2).reshape(rows - 1, 2 * cols)  # north, south, north, south…
    strips = np.column_stack([np.full(rows - 1, 2 * cols), zigzag]).ravel()
    mesh = pv.PolyData(points, strips=strips)
    if values is None:
        # One cell per block (its first): land-cover codes cannot be averaged.
        codes, inverse = np.unique(site.grid["landcover"].values[::step, ::step], return_inverse=True)
        palette = site.classes.table["color"]
        colors = np.array([to_rgb(palette.get(code, COLORS["nan"])) for code in codes])
        mesh.point_data["rgb"] = np.round(colors[inverse.ravel()] * 255).astype("uint8")
    else:
        mesh.point_data["value"] = _block_means(values.values, step).ravel()
    return mesh


def _footprints(site: Site) -> tuple[np.ndarray, np.ndarray]:
    """Single polygons of all footprints and the row (in ``site.buildings``) of each."""
    parts, rows = shapely.get_parts(site.buildings.geometry.to_numpy(), return_index=True)
    polygonal = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    return parts[polygonal], rows[polygonal]


def _building_cells(site: Site) -> tuple[np.ndarray, np.ndarray]:
    """The grid cells covered by a building of ``site.buildings`` (boolean mask) and its row for each."""
    ids = site.grid["building_id"].values
    index = site.buildings.index.to_numpy()
    lookup = np.full(max(int(ids.max()), int(index.max())) + 1, -1)
    lookup[index] = np.arange(len(index))
    rows = lookup[ids]
    return rows >= 0, rows[rows >= 0]


def _building_ground(site: Site, elevation: np.ndarray) -> np.ndarray:
    """Lowest terrain elevation under each building (at its centroid if it covers no cell)."""
    cells, rows = _building_cells(site)
    ground = np.full(len(site.buildings), np.inf)
    np.minimum.at(ground, rows, elevation[cells])
    missing = ~np.isfinite(ground)
    if missing.any():
        centroids = site.buildings.geometry[missing].centroid
        ground[missing] = site.grid["elevation"].sel(
            x=xr.DataArray(centroids.x.to_numpy()), y=xr.DataArray(centroids.y.to_numpy()), method="nearest").values
    return ground


def _buildings(site: Site, elevation: np.ndarray, lift) -> pv.PolyData:
    """All buildings extruded and merged, with cell data ``building_id`` and ``building_index`` (row)."""
    heights = site.buildings["height"].to_numpy(dtype="float64")
    if not np.isfinite(heights).all() or (heights < 0).any():
        bad = site.buildings.index[~(np.isfinite(heights) & (heights >= 0))].tolist()
        raise InputError(f"Buildings {bad[:10]} have no valid height; give them a height >= 0 m.")
    polygons, rows = _footprints(site)
    if len(polygons) == 0:
        raise InputError(f"Site {site.name!r} has buildings but no polygonal footprint to extrude.")
    ground = _building_ground(site, elevation)
    bottom, top = lift(ground), lift(ground + heights)

    triangles, triangle_polygon = shapely.get_parts(shapely.constrained_delaunay_triangles(polygons), return_index=True)
    roof = shapely.get_coordinates(shapely.get_exterior_ring(triangles)).reshape(-1, 4, 2)[:, :3]
    roof_rows = rows[triangle_polygon]
    roof_points = np.column_stack([roof.reshape(-1, 2), np.repeat(top[roof_rows], 3)])

    rings, ring_polygon = shapely.get_rings(polygons, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    same_ring = coord_ring[1:] == coord_ring[:-1]
    start, end = coords[:-1][same_ring], coords[1:][same_ring]
    wall_rows = rows[ring_polygon[coord_ring[:-1][same_ring]]]
    low, high = bottom[wall_rows], top[wall_rows]
    wall_points = np.stack([np.column_stack([start, low]), np.column_stack([end, low]),
                            np.column_stack([end, high]), np.column_stack([start, high])], axis=1).reshape(-1, 3)

    n_roof = len(roof_points)
    faces = np.concatenate([
        np.column_stack([np.full(len(roof_rows), 3), np.arange(n_roof).reshape(-1, 3)]).ravel(),
        np.column_stack([np.full(len(wall_rows), 4), n_roof + np.arange(len(wall_points)).reshape(-1, 4)]).ravel(),
    ])
    mesh = pv.PolyData(np.vstack([roof_points, wall_points]), faces=faces)
    face_rows = np.concatenate([roof_rows, wall_rows])
    mesh.cell_data["building_index"] = face_rows
    mesh.cell_data["building_id"] = site.buildings.index.to_numpy()[face_rows]
    return mesh


def _building_values(site: Site, values: xr.DataArray) -> np.ndarray:
    """Per building: the maximum of ``values`` over its cells, else over the cells around it."""
    grid = values.values
    cells, rows = _building_cells(site)
    result = np.full(len(site.buildings), -np.inf)
    np.maximum.at(result, rows, np.where(np.isnan(grid[cells]), -np.inf, grid[cells]))
    result[np.isinf(result)] = np.nan
    missing = np.flatnonzero(np.isnan(result))
    if len(missing):
        # Values are often undefined inside buildings (no flow, no air): read them at the walls.
        x0, y0 = float(site.grid["x"][0]), float(site.grid["y"][0])
        res = site.resolution
        bounds = shapely.bounds(site.buildings.geometry.to_numpy()[missing])
        for row, (xmin, ymin, xmax, ymax) in zip(missing, bounds, strict=True):
            col0, col1 = max(int((xmin - x0) / res) - 1, 0), int((xmax - x0) / res) + 2
            row0, row1 = max(int((y0 - ymax) / res) - 1, 0), int((y0 - ymin) / res) + 2
            window = grid[row0:row1, col0:col1]
            if np.isfinite(window).any():
                result[row] = np.nanmax(window)
    return result


def _trees(site: Site, elevation: np.ndarray, lift) -> pv.PolyData:
    """One low-poly crown (two hexagonal pyramids) per block of canopy cells."""
    cover = _block_means(site.grid["canopy_cover"].values.astype("float64"), TREE_BLOCK)
    height = _block_means(site.grid["canopy_height"].values.astype("float64"), TREE_BLOCK)
    keep = (cover >= MIN_TREE_COVER) & (height > 0)
    block_rows, block_cols = np.nonzero(keep)
    if len(block_rows) == 0:
        return pv.PolyData()
    x = _block_means(site.grid["x"].values[np.newaxis, :], TREE_BLOCK)[0][block_cols]
    y = _block_means(site.grid["y"].values[:, np.newaxis], TREE_BLOCK)[:, 0][block_rows]
    ground = _block_means(elevation, TREE_BLOCK)[block_rows, block_cols]
    # A mean canopy height under-estimates the trees of a partly covered block: scale it back.
    tree_height = height[block_rows, block_cols] / cover[block_rows, block_cols]
    radius = np.sqrt(cover[block_rows, block_cols] * (TREE_BLOCK * site.resolution) ** 2 / np.pi)
    angles = np.linspace(0, 2 * np.pi, 7)[:-1]
    template = np.vstack([[0, 0, 1], np.column_stack([np.cos(angles), np.sin(angles), np.zeros(6)]), [0, 0, -1]])
    centre_z = ground + 0.6 * tree_height
    half_depth = 0.4 * tree_height
    points = np.empty((len(x), len(template), 3))
    points[..., 0] = x[:, None] + template[:, 0] * radius[:, None]
    points[..., 1] = y[:, None] + template[:, 1] * radius[:, None]
    points[..., 2] = lift(centre_z[:, None] + template[:, 2] * half_depth[:, None])
    ring = np.arange(1, 7)
    nxt = np.roll(ring, -1)
    crown = np.vstack([np.column_stack([np.zeros(6, int), ring, nxt]), np.column_stack([np.full(6, 7), nxt, ring])])
    faces = (crown[None, :, :] + len(template) * np.arange(len(x))[:, None, None]).reshape(-1, 3)
    return pv.PolyData.from_regular_faces(points.reshape(-1, 3), faces)  # type: ignore[arg-type]  # dtype[int]


def _water(site: Site, elevation: np.ndarray, depth: np.ndarray, threshold: float, lift) -> pv.PolyData:
    """Quads where ``depth > threshold``, their corners at the mean water level of the wet quads around them.

    Quads are grid cells, or blocks of cells (wet where at least half their cells are)
    when more than :data:`MAX_WATER_CELLS` cells are wet, to keep the scene light.
    """
    wet = np.nan_to_num(depth, nan=0.0) > threshold
    if not wet.any():
        return pv.PolyData()
    step = max(1, math.ceil(math.sqrt(wet.sum() / MAX_WATER_CELLS)))
    level = _block_means(np.where(wet, elevation + np.nan_to_num(depth), np.nan), step)
    wet = _block_means(wet.astype("float64"), step) >= (0.5 if step > 1 else 1.0)
    level = np.where(wet, level, 0.0)
    rows, cols = wet.shape
    total = np.zeros((rows + 1, cols + 1))
    count = np.zeros((rows + 1, cols + 1))
    for dr in (0, 1):
        for dc in (0, 1):
            total[dr:dr + rows, dc:dc + cols] += level
            count[dr:dr + rows, dc:dc + cols] += wet
    corner = np.arange((rows + 1) * (cols + 1)).reshape(rows + 1, cols + 1)
    r, c = np.nonzero(wet)
    quads = np.column_stack([corner[r, c], corner[r, c + 1], corner[r + 1, c + 1], corner[r + 1, c]])
    used, faces = np.unique(quads, return_inverse=True)
    res = site.resolution
    x, y = site.grid["x"].values, site.grid["y"].values
    edge_x = x[0] - res / 2 + res * np.minimum(np.arange(cols + 1) * step, len(x))
    edge_y = y[0] + res / 2 - res * np.minimum(np.arange(rows + 1) * step, len(y))  # y descends: north first
    used_r, used_c = np.divmod(used, cols + 1)
    z = total.ravel()[used] / count.ravel()[used]
    points = np.column_stack([edge_x[used_c], edge_y[used_r], lift(z)])
    return pv.PolyData.from_regular_faces(points, faces.reshape(-1, 4))  # type: ignore[arg-type]  # dtype[int]


def _works_mask(site: Site, works) -> np.ndarray:
    """``works`` as a boolean array of the site's shape, or an InputError saying how it differs."""
    if isinstance(works, xr.DataArray):
        works = _on_grid(site, works, "works").values
    mask = np.asarray(works)
    if mask.shape != site.shape:
        raise InputError(f"works has shape {mask.shape} but the site's grid is {site.shape} (y, x): give a mask of "
                         "the cells where the scenario's works act on this site's grid (e.g. works_area > 0).")
    return np.nan_to_num(mask.astype("float64")) > 0


def _works(site: Site, mask: np.ndarray, elevation: np.ndarray, lift, radius: float) -> pv.PolyData:
    """A tube along the outline of each connected area of ``mask``, draped on its ground (or roofs)."""
    res = site.resolution
    x0, y0 = float(site.grid["x"][0]) - res / 2, float(site.grid["y"][0]) + res / 2  # the grid's north-west corner
    rings = []
    for geometry, _ in rasterio.features.shapes(mask.astype("uint8"), mask=mask, transform=Affine(res, 0.0, x0, 0.0, -res, y0)):
        exterior = shapely.Polygon(geometry["coordinates"][0])
        ring = shapely.simplify(exterior, WORKS_SIMPLIFY * res, preserve_topology=True).exterior
        rings.append(shapely.segmentize(ring, WORKS_DRAPE * res))
    if not rings:
        return pv.PolyData()
    coords, ring_index = shapely.get_coordinates(rings, return_index=True)
    # The surface the works lie on: ground, or roof where the works cover a building.
    surface = elevation.copy()
    if "building_height" in site.grid:
        height = np.nan_to_num(site.grid["building_height"].values.astype("float64"))
        surface = np.where(site.grid["building_id"].values > 0, surface + height, surface)
    rows, cols = mask.shape
    # A vertex lies on cell edges: take the highest of the (up to four) works cells around it, else of all four.
    col = np.floor((coords[:, 0] - x0) / res + 0.5).astype(int)
    row = np.floor((y0 - coords[:, 1]) / res + 0.5).astype(int)
    best = np.full(len(coords), -np.inf)
    fallback = np.full(len(coords), -np.inf)
    for dr, dc in itertools.product((-1, 0), (-1, 0)):
        r, c = np.clip(row + dr, 0, rows - 1), np.clip(col + dc, 0, cols - 1)
        fallback = np.fmax(fallback, elevation[r, c])
        best = np.where(mask[r, c], np.fmax(best, surface[r, c]), best)
    z = lift(np.where(np.isfinite(best), best, fallback)) + radius + 0.5
    points = np.column_stack([coords, z])
    starts = np.flatnonzero(np.r_[True, ring_index[1:] != ring_index[:-1]])
    counts = np.diff(np.r_[starts, len(coords)])
    lines = np.concatenate([np.r_[count, np.arange(start, start + count)] for start, count in zip(starts, counts,
                                                                                                   strict=True)])
    outline = pv.PolyData(points, lines=lines)
    return outline.tube(radius=radius, n_sides=6, capping=False)
