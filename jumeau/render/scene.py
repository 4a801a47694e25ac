"""3-D scene of a Site for the viewer and for reports: terrain, buildings, trees, water, sites.

The scene is kept light enough for a browser (a few hundred thousand triangles, a few
MB of HTML): the demo district's scene builds in a fraction of a second.

- terrain: the elevation grid block-averaged to at most :data:`MAX_TERRAIN_NODES` nodes;
- buildings: every footprint (holes and multi-part footprints included) triangulated
  by GEOS (``shapely.constrained_delaunay_triangles``) and extruded from the lowest
  terrain under it to that ground plus the building's height, merged into one mesh
  whose ``building_id`` cell data names the building of every face;
- trees: one low-poly crown per block of canopy cells;
- water: the cells where a depth exceeds a threshold, at elevation + depth;
- sensitive sites: a pin and a label board standing above each.

Colours: a result layer colours the ground (block mean) and the buildings (maximum
over the footprint, else over the cells around it, i.e. at its walls) with the layer's
declared colour map (the 2-D maps' one; :data:`jumeau.outputs.DIFFERENCE_CMAP`
centred on zero for differences) and an explicit colour range, so two compared
scenes can share it (:func:`shared_clim`).

>>> import jumeau
>>> from jumeau.render import scene
>>> plotter = scene.build_scene(jumeau.demo_site())  # doctest: +SKIP
>>> scene.export_html(plotter, "scene.html")          # doctest: +SKIP
>>> scene.screenshot(plotter, "scene.png")            # doctest: +SKIP
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyvista as pv
import shapely
import xarray as xr
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from trame_vtk.modules.vtk.serializers import (
    SynchronizationContext,
    extract_array_hash,
    initialize_serializers,
    reference_id,
    serialize,
)
from trame_vtk.tools.vtksz2html import write_html

from jumeau.errors import InputError
from jumeau.io.atomic import atomic_path
from jumeau.outputs import DIFFERENCE_CMAP
from jumeau.render.maps import declared
from jumeau.site.state import Site

MAX_TERRAIN_NODES = 100_000
MAX_WATER_CELLS = 40_000
TREE_BLOCK = 4  # cells per side of the blocks that each become one tree crown
MIN_TREE_COVER = 0.25  # blocks less covered than this get no crown
WATER_THRESHOLD = 0.05  # m
COLORS = {"building": "#d9d2c5", "tree": "#3f7f3a", "water": "#1f78b4", "pin": "#c51b7d", "nan": "#bdbdbd"}
WATER_OPACITY = 0.6
VIEW_AZIMUTH = -25.0  # degrees from south, towards the west: the default camera and label boards face it
VIEW_ELEVATION = 40.0  # degrees above the horizon
LABEL_HEIGHT = 0.03  # label board height, as a fraction of the site's larger side
WINDOW_SIZE = (1280, 800)


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
                language: str = "fr", window_size: Sequence[int] = WINDOW_SIZE) -> pv.Plotter:
    """An off-screen PyVista plotter holding the 3-D scene of ``site``.

    ``color_by`` is a result on the site's grid (or the name of a site layer) that colours
    the ground and the buildings; ``clim`` fixes its colour range (default: its own range,
    symmetric about zero if ``diverging``); ``diverging`` selects a colormap centred on
    zero, for differences between scenarios. ``water_depth`` (m, on the site's grid) draws
    a semi-transparent water surface where it exceeds ``water_threshold``. Heights are
    multiplied by ``exaggeration`` above the lowest terrain point. The colour map and the
    colour bar's title in ``language`` ("fr" or "en") come from the layer's declaration
    (:func:`jumeau.render.maps.declared`), as on the 2-D maps; an undeclared layer is
    titled by its ``long_name_<language>`` or ``long_name`` attribute.

    Meshes are named actors of the plotter: ``terrain``, ``buildings``, ``trees``,
    ``water``, ``sensitive_sites`` and ``label:<site id>``.
    """
    if len(site.buildings) == 0:
        raise InputError(f"Site {site.name!r} has no buildings: a 3-D scene needs at least one footprint. "
                         "Check the buildings layer of the site file.")
    if exaggeration <= 0:
        raise InputError(f"Vertical exaggeration must be positive, got {exaggeration}.")
    values = None if color_by is None else _on_grid(site, color_by, "color_by")
    depth = None if water_depth is None else _on_grid(site, water_depth, "water_depth")
    elevation = site.grid["elevation"].values.astype("float64")
    base = float(np.nanmin(elevation))

    def lift(z: np.ndarray) -> np.ndarray:
        return base + (z - base) * exaggeration

    coloring: dict[str, Any] | None = None
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
        coloring = {
            "cmap": cmap or (DIFFERENCE_CMAP if diverging else default_cmap), "clim": (float(low), float(high)),
            "nan_color": COLORS["nan"],
            "scalar_bar_args": {"title": title or label, "n_labels": 5,
                                "fmt": "%.1f", "position_x": 0.3, "position_y": 0.06, "width": 0.4},
        }

    _prefer_egl_without_display()
    plotter = pv.Plotter(off_screen=True, window_size=list(window_size))
    plotter.set_background("white")  # type: ignore[arg-type]  # pyvista's decorated method confuses mypy

    terrain = _terrain(site, elevation, values, lift)
    if coloring is None:
        plotter.add_mesh(terrain, scalars="rgb", rgb=True, name="terrain", show_scalar_bar=False)
    else:
        plotter.add_mesh(terrain, scalars="value", name="terrain", **coloring)
        # Numbers and title under the bar, not over it, so that they do not overlap in screenshots.
        plotter.scalar_bar.SetTextPositionToPrecedeScalarBar()

    buildings = _buildings(site, elevation, lift)
    if coloring is None:
        plotter.add_mesh(buildings, color=COLORS["building"], name="buildings")
    else:
        assert values is not None  # colours are set only for values
        buildings.cell_data["value"] = _building_values(site, values)[buildings.cell_data["building_index"]]
        plotter.add_mesh(buildings, scalars="value", name="buildings", show_scalar_bar=False,
                         **{key: value for key, value in coloring.items() if key != "scalar_bar_args"})

    trees = _trees(site, elevation, lift)
    if trees.n_cells:
        plotter.add_mesh(trees, color=COLORS["tree"], name="trees")
    if depth is not None:
        water = _water(site, elevation, depth.values, water_threshold, lift)
        if water.n_cells:
            plotter.add_mesh(water, color=COLORS["water"], opacity=WATER_OPACITY, name="water")
    _sensitive_sites(plotter, site, buildings, lift)
    _camera(plotter, site, lift)
    return plotter


def export_html(plotter: pv.Plotter, path: str | os.PathLike) -> Path:
    """Write the scene as one self-contained HTML page (vtk.js viewer and data inline).

    The scene is serialised with trame-vtk's vtk.js serialisers into the OfflineLocalView
    archive that PyVista's ``export_html`` produces, and embedded in trame-vtk's static
    viewer page. Serialising directly avoids what PyVista's own path needs for the same
    bytes: a trame web server launched on a local port and ``nest_asyncio`` patching the
    event loop, which would run inside the Streamlit server. The file is written atomically.
    """
    initialize_serializers()
    context = SynchronizationContext()
    context.set_ignore_last_dependencies(True)
    window = plotter.render_window
    plotter.render()
    camera = plotter.renderer.GetActiveCamera()
    scene = serialize(None, window, reference_id(window), context, 1)
    scene["extra"] = {"vtkRefId": reference_id(window), "centerOfRotation": camera.GetFocalPoint(),
                      "camera": reference_id(camera)}
    hashes = {entry["hash"]: {**entry, "content": context.get_cached_data_array(entry["hash"], False)}
              for entry in extract_array_hash(scene)}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("index.json", json.dumps({"hashes": hashes, "scene": scene}))
    target = Path(path)
    with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8") as page:
        write_html(archive.getvalue(), page)
    return target


def screenshot(plotter: pv.Plotter, path: str | os.PathLike, *, size: Sequence[int] = (1600, 1000)) -> Path:
    """Render the scene off screen to a PNG of ``size`` pixels (width, height), written atomically."""
    target = Path(path)
    with atomic_path(target) as tmp:
        plotter.screenshot(str(tmp), window_size=list(size))
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
    """The ground as a quad mesh over block means of the grid, at most MAX_TERRAIN_NODES nodes."""
    step = max(1, math.ceil(math.sqrt(elevation.size / MAX_TERRAIN_NODES)))
    x = _block_means(site.grid["x"].values[np.newaxis, :], step)[0]
    y = _block_means(site.grid["y"].values[:, np.newaxis], step)[:, 0]
    z = _block_means(elevation, step)
    ys, xs = np.meshgrid(y, x, indexing="ij")
    points = np.column_stack([xs.ravel(), ys.ravel(), lift(z).ravel()])
    node = np.arange(z.size).reshape(z.shape)
    quads = np.column_stack([node[:-1, :-1].ravel(), node[:-1, 1:].ravel(), node[1:, 1:].ravel(), node[1:, :-1].ravel()])
    mesh = pv.PolyData.from_regular_faces(points, quads)  # type: ignore[arg-type]  # stubs want dtype[int]
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


def _sensitive_sites(plotter: pv.Plotter, site: Site, buildings: pv.PolyData, lift) -> None:
    """A pin above each sensitive site of interest and a board with its name above the pin.

    Neighbours along the boards' direction get stems of alternating height so that the
    boards of nearby sites do not hide each other.
    """
    sites = site.sites[site.sites["sensitive"].astype(bool)] if len(site.sites) else site.sites
    if len(sites) == 0:
        return
    xmin, ymin, xmax, ymax = site.grid.rio.bounds()
    board = LABEL_HEIGHT * max(xmax - xmin, ymax - ymin)
    points = [geometry.representative_point() for geometry in sites.geometry]
    azimuth = math.radians(VIEW_AZIMUTH)
    across = [point.x * math.cos(azimuth) + point.y * math.sin(azimuth) for point in points]
    rank = np.argsort(np.argsort(across))
    pins = []
    for (site_id, row), point, order in zip(sites.iterrows(), points, rank, strict=True):
        faces = np.flatnonzero(buildings.cell_data["building_id"] == row["building_id"])
        if len(faces):
            bottom = buildings.extract_cells(faces).points[:, 2].max()  # type: ignore[arg-type]  # dtype[int]
        else:
            bottom = lift(float(site.grid["elevation"].sel(x=point.x, y=point.y, method="nearest")))
        stem = (2.0 + 1.5 * (order % 2)) * board
        pins.append(pv.Cone(center=(point.x, point.y, bottom + board / 2), direction=(0, 0, -1), height=board,
                            radius=board / 3, resolution=8))
        pins.append(pv.Cylinder(center=(point.x, point.y, bottom + board + stem / 2), direction=(0, 0, 1),
                                radius=board / 10, height=stem, resolution=6))
        _label(plotter, f"label:{site_id}", str(row.get("name") or row.get("type") or site_id),
               (point.x, point.y, bottom + board + stem), board)
    plotter.add_mesh(pv.merge(pins), color=COLORS["pin"], name="sensitive_sites")


def _label(plotter: pv.Plotter, name: str, text: str, anchor: tuple[float, float, float], height: float) -> None:
    """A vertical board showing ``text``, its bottom centre at ``anchor``, facing the default camera.

    Drawn as a textured quad, not a 2-D text actor, because vtk.js exports carry no text actors.
    """
    image = _text_image(text)
    width = height * image.shape[1] / image.shape[0]
    azimuth = math.radians(VIEW_AZIMUTH)
    across = np.array([math.cos(azimuth), math.sin(azimuth), 0.0]) * width / 2
    up = np.array([0.0, 0.0, height])
    origin = np.asarray(anchor, dtype="float64")
    points = np.array([origin - across, origin + across, origin + across + up, origin - across + up])
    board = pv.PolyData.from_regular_faces(points, [[0, 1, 2, 3]])
    board.active_texture_coordinates = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype="float32")
    plotter.add_mesh(board, texture=pv.Texture(image), lighting=False, name=name)


def _text_image(text: str) -> np.ndarray:
    """``text`` on a white, bordered box, as an RGB image (rows from the top)."""
    figure = Figure(dpi=100)
    canvas = FigureCanvasAgg(figure)
    artist = figure.text(0.5, 0.5, text, fontsize=28, color="#202020", ha="center", va="center",
                         bbox={"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": COLORS["pin"],
                               "linewidth": 3})
    canvas.draw()
    patch = artist.get_bbox_patch()
    assert patch is not None  # the text was given a bbox
    box = patch.get_window_extent(canvas.get_renderer())
    figure.set_size_inches((box.width + 8) / figure.dpi, (box.height + 8) / figure.dpi)
    figure.patch.set_alpha(0)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    alpha = rgba[..., 3:] / 255.0
    return np.round(rgba[..., :3] * alpha + 255 * (1 - alpha)).astype("uint8")


def _camera(plotter: pv.Plotter, site: Site, lift) -> None:
    """An oblique view from the south-south-west over the whole site."""
    xmin, ymin, xmax, ymax = site.grid.rio.bounds()
    centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2, lift(float(site.grid["elevation"].mean()))])
    distance = max(xmax - xmin, ymax - ymin)
    azimuth, elevation = math.radians(VIEW_AZIMUTH), math.radians(VIEW_ELEVATION)
    direction = np.array([math.sin(azimuth) * math.cos(elevation), -math.cos(azimuth) * math.cos(elevation),
                          math.sin(elevation)])
    plotter.camera_position = [tuple(centre + distance * direction), tuple(centre), (0.0, 0.0, 1.0)]
    # Fit the whole district (labels included) in view from that direction, then fill the frame.
    plotter.reset_camera()  # type: ignore[call-arg]  # pyvista's decorated method confuses mypy
    plotter.camera.zoom(1.4)
