"""Labels of the sensitive sites in the 3-D scene: a pin on each site, a board with its name, a stem between them.

The sites labelled are the site's sensitive sites (schools, nurseries, care homes...),
named by their name, else their type. Each pin stands on the roof of the site's
building (else on the ground). Pins and boards are sized in pixels of the viewer's
frame (:data:`jumeau.render.camera.VIEWER_SIZE`), so that the boards' capitals are
about 20 px tall whatever the district's size, and the boards are laid out in the
frame so that they do not overlap (:func:`layout_boards`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyvista as pv
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from jumeau.render.camera import VIEWER_SIZE, Camera
from jumeau.site.state import Site

PIN_COLOUR = "#c51b7d"
# Sizes in pixels of a VIEWER_SIZE frame, at the depth of what they mark.
LABEL_FONT_PX = 30  # label font size: capitals (0.73 em in DejaVu Sans) about 22 px tall
LABEL_WRAP = 18  # characters a line before a label's name is wrapped (balanced lines)
LABEL_TEXTURE_EM = 48  # font size of the label textures, pixels (sharper than the frame needs)
LABEL_MARGIN_PX = 8  # boards stay this far inside the frame
LABEL_GAP_PX = 6  # and this far from each other
STEM_PX = 28  # shortest stem between a pin and its board
PIN_PX = 24  # pin height
BELOW_COST_PX = 250  # a board under its pin counts as a stem this much longer than above it


def sensitive_sites(site: Site):
    """The sensitive sites of interest (a GeoDataFrame, maybe empty)."""
    sites = site.sites
    if len(sites) == 0 or "sensitive" not in sites.columns:
        return sites.iloc[0:0]
    return sites[sites["sensitive"].astype(bool)]


def site_name(row, site_id) -> str:
    """What a site's board says: its name, else its type, else its id."""
    for key in ("name", "type"):
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return str(site_id)


def site_footprint(site: Site, row):
    """A site's building footprint if it names one, else its own geometry."""
    building_id = row.get("building_id")
    if building_id is not None and building_id in site.buildings.index:
        return site.buildings.geometry.loc[building_id]
    return row.geometry


@dataclass(frozen=True)
class SiteMark:
    """A sensitive site's pin and board: its id, its name's image, where its pin stands (roof or ground)."""

    site_id: Any
    image: np.ndarray
    bottom: tuple[float, float, float]

    @property
    def size(self) -> tuple[float, float]:
        """The board's width and height in pixels of the viewer's frame."""
        return (self.image.shape[1] * LABEL_FONT_PX / LABEL_TEXTURE_EM,
                self.image.shape[0] * LABEL_FONT_PX / LABEL_TEXTURE_EM)

    @property
    def headroom(self) -> float:
        """Pixels of the frame above the pin's foot that the pin, the shortest stem and the board need."""
        return PIN_PX + STEM_PX + self.size[1] + LABEL_MARGIN_PX


def site_marks(site: Site, buildings: pv.PolyData, lift) -> list[SiteMark]:
    """The pin and board of each sensitive site, its pin on the roof of its building (else on the ground)."""
    marks = []
    for site_id, row in sensitive_sites(site).iterrows():
        point = site_footprint(site, row).representative_point()
        faces = np.flatnonzero(buildings.cell_data["building_id"] == row.get("building_id"))
        if len(faces):
            bottom = float(buildings.extract_cells(faces).points[:, 2].max())  # type: ignore[arg-type]  # dtype[int]
        else:
            bottom = lift(float(site.grid["elevation"].sel(x=point.x, y=point.y, method="nearest")))
        marks.append(SiteMark(site_id, _text_image(_wrap(site_name(row, site_id))), (point.x, point.y, bottom)))
    return marks


def draw_marks(plotter: pv.Plotter, marks: list[SiteMark], camera: Camera, ceiling: float, frame: Sequence[float],
               obstacles: Sequence[tuple[float, float, float, float]] = ()) -> None:
    """A pin on each sensitive site of interest and a board with its name, linked by a stem.

    Pins and boards are sized in pixels of ``frame`` (as tall as the viewer's) for
    ``camera``; the boards face it and are laid out in the frame (:func:`layout_boards`)
    so that none overlaps another, a pin or the ``obstacles`` (x0, y0, x1, y1 in pixels
    of the frame: the legend). Boards stand at their site's depth, or nearer the camera
    where the rays to their lower corners would pass under ``ceiling`` (the highest roof
    or tree): nothing of the scene then hides them. The pins and stems are the mesh
    ``sensitive_sites``, each board the mesh ``label:<site id>``.
    """
    if not marks:
        return
    forward, right, up = camera.basis()
    position = np.asarray(camera.position)
    bottoms = np.array([mark.bottom for mark in marks])
    depth = (bottoms - position) @ forward
    sizes = np.array([mark.size for mark in marks])
    # Sites behind the camera or off the frame keep a board straight above their pin, sized for the focal distance.
    shown = depth > 0.2 * camera.distance
    depth = np.where(shown, depth, camera.distance)
    scale = camera.metres_per_pixel(depth, frame[1])
    tops = bottoms + np.column_stack([np.zeros((len(bottoms), 2)), PIN_PX * scale])
    pixels, _ = camera.project(tops, frame)
    shown &= ((pixels >= 0) & (pixels <= frame)).all(axis=1)
    placed = pixels - [0.0, STEM_PX]
    placed[shown] = layout_boards(pixels[shown], sizes[shown], frame=frame, obstacles=obstacles)
    parts = []
    for index, mark in enumerate(marks):
        (centre, bottom), (width, height) = placed[index], sizes[index]
        box = np.array([[centre - width / 2, bottom], [centre + width / 2, bottom],
                        [centre + width / 2, bottom - height], [centre - width / 2, bottom - height]])
        metre = float(scale[index])
        if shown[index]:
            rays = camera.unproject(box[:2], 1.0, frame) - position  # forward component 1: parameters are depths
            limits = [(ceiling - position[2]) / ray[2] for ray in rays if ray[2] < 0 and position[2] > ceiling]
            board_depth = max(min([depth[index], *limits]), 0.05 * depth[index])
            corners = camera.unproject(box, board_depth, frame)
            # The stem joins the pin's top to the nearest point of the board, as seen from the camera.
            foot = camera.unproject(np.clip(pixels[index], box.min(axis=0), box.max(axis=0)), board_depth, frame)[0]
            stem_radius = 1.3 * float(camera.metres_per_pixel((depth[index] + board_depth) / 2, frame[1]))
        else:
            foot = tops[index] + np.array([0.0, 0.0, STEM_PX * metre])
            across, rise = (width / 2 * metre) * right, height * metre * up
            corners = np.array([foot - across, foot + across, foot + across + rise, foot - across + rise])
            stem_radius = 1.3 * metre
        parts.append(pv.Cone(center=tuple(tops[index] - [0, 0, PIN_PX * metre / 2]), direction=(0, 0, -1),
                             height=PIN_PX * metre, radius=PIN_PX * metre / 3, resolution=8))
        stem = foot - tops[index]
        if np.linalg.norm(stem) > 0:
            parts.append(pv.Cylinder(center=tuple((foot + tops[index]) / 2), direction=tuple(stem), radius=stem_radius,
                                     height=float(np.linalg.norm(stem)), resolution=6))
        _label(plotter, f"label:{mark.site_id}", mark.image, corners)
    plotter.add_mesh(pv.merge(parts), color=PIN_COLOUR, name="sensitive_sites")


def layout_boards(anchors: np.ndarray, sizes: np.ndarray, *, frame: Sequence[float] = VIEWER_SIZE,
                  obstacles: Sequence[tuple[float, float, float, float]] = ()) -> np.ndarray:
    """Bottom-centre pixel positions of boards of ``sizes`` (w, h) for pins at ``anchors`` (x, y down): none overlaps.

    Each board goes where its stem is shortest among candidate places above its pin
    (straight up, then up and aside; under the pin if nothing above is free), inside the
    frame, clear of the other boards and their stems, of the pins and of the
    ``obstacles`` (x0, y0, x1, y1). Boards are placed one after the other; of three
    orders (top pins first, bottom first, left to right) the one with the shortest stems
    in total wins. A board with no free place goes to its least crowded candidate.

    >>> layout_boards(np.array([[500.0, 300.0]]), np.array([[200.0, 50.0]])).tolist()
    [[500.0, 272.0]]
    """
    anchors, sizes = np.asarray(anchors, dtype="float64").reshape(-1, 2), np.asarray(sizes, dtype="float64")
    if len(anchors) == 0:
        return anchors
    width, height = frame
    # Candidate places: a board's lower edge ``rise`` pixels above its pin's top (negative: its upper edge that far
    # below the pin's tip), its centre ``side`` board widths aside.
    rise, side = (grid.ravel() for grid in np.meshgrid(
        np.r_[np.arange(STEM_PX, height + 1, 8.0), -np.arange(STEM_PX, height + 1, 8.0)],
        [0.0, -0.3, 0.3, -0.6, 0.6, -0.9, 0.9, -1.2, 1.2]))
    below = rise < 0
    pins = np.column_stack([anchors[:, 0] - 6, anchors[:, 1] - 2, anchors[:, 0] + 6, anchors[:, 1] + PIN_PX + 2])
    samples = np.linspace(0.05, 0.95, 19)  # points along a stem, to tell whether it crosses a board

    def overlap(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
        """Area of ``boxes`` (n, 4) covered by ``others`` (m, 4), summed over the others."""
        if len(others) == 0:
            return np.zeros(len(boxes))
        dx = np.minimum(boxes[:, None, 2], others[None, :, 2]) - np.maximum(boxes[:, None, 0], others[None, :, 0])
        dy = np.minimum(boxes[:, None, 3], others[None, :, 3]) - np.maximum(boxes[:, None, 1], others[None, :, 1])
        return (np.clip(dx, 0, None) * np.clip(dy, 0, None)).sum(axis=1)

    def covered(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """How many of ``points`` (n, k, 2) lie in one of ``boxes`` (m, 4), for each of the n."""
        if len(boxes) == 0:
            return np.zeros(len(points))
        x, y = points[..., 0, None], points[..., 1, None]
        inside = (x > boxes[:, 0]) & (x < boxes[:, 2]) & (y > boxes[:, 1]) & (y < boxes[:, 3])
        return inside.any(axis=-1).sum(axis=1)

    def crossing(boxes: np.ndarray, points: np.ndarray) -> np.ndarray:
        """How many of ``points`` (k, 2) lie in each of ``boxes`` (n, 4)."""
        if len(points) == 0:
            return np.zeros(len(boxes))
        x, y = points[None, :, 0], points[None, :, 1]
        return ((x > boxes[:, 0, None]) & (x < boxes[:, 2, None])
                & (y > boxes[:, 1, None]) & (y < boxes[:, 3, None])).sum(axis=1)

    def place(order: np.ndarray) -> tuple[float, np.ndarray]:
        taken = np.asarray(list(obstacles), dtype="float64").reshape(-1, 4)
        stems = np.empty((0, 2))
        result, total = anchors.copy(), 0.0
        for index in order:
            (x, y), (w, h) = anchors[index], sizes[index]
            centre = x + side * w
            bottom = np.where(below, y + PIN_PX - rise + h, y - rise)
            boxes = np.column_stack([centre - w / 2, bottom - h, centre + w / 2, bottom])
            inside = ((boxes[:, 0] >= LABEL_MARGIN_PX) & (boxes[:, 2] <= width - LABEL_MARGIN_PX)
                      & (boxes[:, 1] >= LABEL_MARGIN_PX) & (boxes[:, 3] <= height - LABEL_MARGIN_PX))
            padded = boxes + np.array([-LABEL_GAP_PX, -LABEL_GAP_PX, LABEL_GAP_PX, LABEL_GAP_PX])
            start = np.column_stack([np.full(len(boxes), x), np.where(below, y + PIN_PX, y)])
            end = np.column_stack([np.clip(x, boxes[:, 0], boxes[:, 2]), np.where(below, boxes[:, 1], boxes[:, 3])])
            along = start[:, None, :] + samples[None, :, None] * (end - start)[:, None, :]
            # Crowded: over a board, a pin or an obstacle; its stem across a board; a board across a stem.
            crowd = (overlap(padded, taken) + overlap(padded, np.delete(pins, index, axis=0))
                     + 500 * covered(along, taken) + 500 * crossing(padded, stems))
            cost = (np.hypot(np.clip(np.abs(side * w) - w / 2, 0, None), np.abs(rise)) + 0.25 * np.abs(side * w)
                    + np.where(below, BELOW_COST_PX, 0.0))
            free = inside & (crowd == 0)
            # Where nothing is free: the least crowded place inside the frame, then the least outside.
            chosen = int(np.argmin(np.where(free, cost, np.inf))) if free.any() else int(
                np.lexsort((cost, crowd, ~inside))[0])
            result[index] = centre[chosen], bottom[chosen]
            taken = np.vstack([taken, boxes[chosen]])
            stems = np.vstack([stems, along[chosen]])
            total += float(cost[chosen]) if free.any() else 1e9
        return total, result

    orders = [np.argsort(anchors[:, 1]), np.argsort(-anchors[:, 1]), np.argsort(anchors[:, 0])]
    return min((place(order) for order in orders), key=lambda placed: placed[0])[1]


def _wrap(text: str) -> str:
    """``text`` on balanced lines of about :data:`LABEL_WRAP` characters."""
    if len(text) <= LABEL_WRAP:
        return text
    lines = math.ceil(len(text) / LABEL_WRAP)
    for width in range(math.ceil(len(text) / lines), len(text) + 1):
        wrapped = textwrap.wrap(text, width, break_long_words=False)
        if len(wrapped) <= lines:
            return "\n".join(wrapped)
    return text


def _label(plotter: pv.Plotter, name: str, image: np.ndarray, corners: np.ndarray) -> None:
    """A board showing ``image`` on the quad ``corners`` (lower left, lower right, upper right, upper left).

    Drawn as a textured quad, not a 2-D text actor, because vtk.js exports carry no text actors.
    """
    board = pv.PolyData.from_regular_faces(corners, [[0, 1, 2, 3]])
    board.active_texture_coordinates = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype="float32")
    plotter.add_mesh(board, texture=pv.Texture(image), lighting=False, name=name)


def _text_image(text: str) -> np.ndarray:
    """``text`` (maybe on several lines) on a white, bordered box, as an RGB image (rows from the top).

    The font size is :data:`LABEL_TEXTURE_EM` pixels; the image is cropped to the box.
    """
    figure = Figure(dpi=100)
    canvas = FigureCanvasAgg(figure)
    artist = figure.text(0.5, 0.5, text, fontsize=LABEL_TEXTURE_EM * 72 / 100, color="#202020", ha="center",
                         va="center", multialignment="center", linespacing=1.15,
                         bbox={"boxstyle": "square,pad=0.3", "facecolor": "white", "edgecolor": PIN_COLOUR,
                               "linewidth": 4})
    canvas.draw()
    patch = artist.get_bbox_patch()
    assert patch is not None  # the text was given a bbox
    box = patch.get_window_extent(canvas.get_renderer())
    figure.set_size_inches((box.width + 4) / figure.dpi, (box.height + 4) / figure.dpi)
    figure.patch.set_alpha(0)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    box = patch.get_window_extent(canvas.get_renderer())
    top = rgba.shape[0] - math.ceil(box.y1 + 1)
    crop = rgba[max(top, 0): rgba.shape[0] - max(math.floor(box.y0 - 1), 0),
                max(math.floor(box.x0 - 1), 0): math.ceil(box.x1 + 1)]
    alpha = crop[..., 3:] / 255.0
    return np.round(crop[..., :3] * alpha + 255 * (1 - alpha)).astype("uint8")
