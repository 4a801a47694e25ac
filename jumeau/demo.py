"""A deterministic procedural demo district, written as the files a city would bring.

``write_demo(folder)`` lays out a fictional district of 1500 m (x) × 1000 m (y) near Angers
(Lambert-93, EPSG:2154, lower-left corner at x=430 000, y=6 712 000) and writes it as
a 2 m elevation model, a land-cover raster, building footprints, trees, sites of
interest, soil groups and the ``site.yaml`` that ties them together. The layout is
drawn in local metres from the lower-left corner; the same seed gives the same files
on every run, so the copy committed in the repository's ``data/demo/`` can be checked
against it, and :func:`demo_site_file` can make the demo wherever jumeau is installed
(a wheel ships the generator, not the files).

The district (local coordinates, metres):

* **Stream valley** — a brook meanders west → east through the southern third
  (y ≈ 190–260), in a 1 m deep, ~5 m wide channel on a floor at ~20 m a.s.l. that
  falls 1.5 m/km downstream. A hill rises to ~44 m in the north (x ≈ 560, y ≈ 980),
  the south side climbs gently to ~28 m. A 60 m riparian strip of meadow and wetland
  with alders and willows follows the stream.
* **Low-lying quarter** — a closed hollow ~1.6 m deep, 150 × 100 m, centred on
  (675, 305) on the north bank, behind the riparian strip: small houses on two lanes
  and the EHPAD "Les Saules" (~(710, 325)). It ponds in heavy rain.
* **Main streets** — Boulevard Jean Jaurès (E–W, y = 430, 20 m) and Avenue de la Gare
  (N–S, x = 760, 18 m, crossing the stream) are lined with plane and lime trees; Rue des
  Vignes (x = 330), Rue du Coteau (y = 800) and Rue de l'Industrie (x = 1180) are bare.
  Side streets are 8–10 m wide with narrow pavements.
* **Dense mineral centre** — x 770–1170, y 440–800: perimeter blocks of 4–7 storeys
  round paved or small garden courtyards, Place du Marché (~(910, 565)), the école
  Jules Ferry with its large paved schoolyard (~(910, 655)) and the crèche
  "Les P'tits Loups" in a courtyard (~(1012, 655)). Few trees.
* **Hospital** — Centre hospitalier du Val, x 770–995, y 807–1000, with lawns and a car
  park; lower perimeter blocks east of it (x 1005–1172).
* **Supermarket car park** — 150 × 100 m of asphalt at x 1190–1340, y 442–542, by the
  supermarket (x 1192–1300, y 556–622); a DIY store east of it.
* **Industrial zone** — east of x = 1188: large low sheds (6–10 m) in gravel or paved
  yards, on both sides of the boulevard, with one vacant plot.
* **Park** — Parc des Tilleuls, x 465–745, y 445–595 (4.2 ha): meadow, a wood, a pond
  (~(610, 520)) and gravel paths, west of the centre.
* **Housing** — 1–2 storey detached houses with gardens in the north-west (a grid
  turned 10°), on the north bank west of the valley quarter and south of the stream
  (grid turned −5°); 1960s housing slabs with lawns and car parks between the
  stream and the boulevard east of the avenue; a sports ground at x 340–575.
* **Edges** — the Bois du Coteau on the hilltop, fields south-east of the stream.
* **Soil** — alluvium (group D) on the valley floor, sandy terrace (A) south of it,
  loam (B) on the north slope, clay-with-flints (C) on the hilltop plateau.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import math
import os
import zlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr
from rasterio import features
from rasterio.transform import from_origin
from scipy import ndimage
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from jumeau.io.atomic import atomic_dir, write_text
from jumeau.io.writers import write_geotiff, write_vector

SEED = 2154
CRS = "EPSG:2154"
ORIGIN = (430_000.0, 6_712_000.0)
"""Lower-left corner of the district in Lambert-93."""
WIDTH, HEIGHT, CELL = 1500.0, 1000.0, 2.0
SHAPE = (int(HEIGHT / CELL), int(WIDTH / CELL))
EXTENT = box(0.0, 0.0, WIDTH, HEIGHT)
ELEVATION_NODATA = -9999.0
LANDCOVER_NODATA = 0

# Land-cover codes of jumeau's class table (data/landcover_classes.csv).
BUILDING, ROAD, PAVING, PARKING, GRAVEL, BARE_SOIL = 1, 2, 3, 4, 5, 6
LAWN, GARDEN, MEADOW, WOODLAND, CROPLAND, WATER, WETLAND = 7, 8, 9, 10, 11, 12, 13

FLOOR_AREA_PER_PERSON = 40.0
"""m² of residential floor area per resident (the site file's default)."""
MISSING_HEIGHT_SHARE = 0.02
"""Share of buildings left without ``hauteur``, as in BD TOPO, so the floors fallback is used."""

# Layout landmarks, local metres; the tests check the files against them.
PARK = box(465.0, 445.0, 745.0, 595.0)
CAR_PARK = box(1190.0, 442.0, 1340.0, 542.0)
DEPRESSION_CENTRE = (675.0, 305.0)
DEPRESSION_SEMI_AXES = (75.0, 50.0)
DEPRESSION_DEPTH = 1.8
RIPARIAN_HALF_WIDTH = 32.0
SITE_USES = {"école": "Enseignement", "EHPAD": "Ehpad", "hôpital": "Santé", "crèche": "Crèche"}


@dataclasses.dataclass(frozen=True)
class Street:
    """A street: axis, full width (carriageway + pavements) and carriageway width, metres."""

    name: str
    line: BaseGeometry
    width: float
    carriageway: float
    tree_lined: bool = False


MAIN_STREETS = (
    Street("Boulevard Jean Jaurès", LineString([(-10, 430), (1510, 430)]), 20.0, 12.0, tree_lined=True),
    Street("Avenue de la Gare", LineString([(760, -10), (760, 1010)]), 18.0, 10.0, tree_lined=True),
    Street("Rue des Vignes", LineString([(330, -10), (330, 1010)]), 14.0, 8.0),
    Street("Rue du Coteau", LineString([(-10, 800), (1510, 800)]), 14.0, 8.0),
    Street("Rue de l'Industrie", LineString([(1180, 300), (1180, 1010)]), 16.0, 10.0),
)

# Street axes of the dense centre: N–S (x, width) and E–W (y, width).
CENTRE_COLUMNS = ((760.0, 18.0), (860.0, 10.0), (960.0, 10.0), (1065.0, 10.0), (1180.0, 16.0))
CENTRE_ROWS = ((430.0, 20.0), (520.0, 10.0), (610.0, 10.0), (700.0, 10.0), (800.0, 14.0))

RESIDENTIAL, SHOPS, OFFICES, INDUSTRY = "Résidentiel", "Commercial et services", "Bureaux", "Industriel"
RESIDENT_USES = (RESIDENTIAL, "Ehpad")
"""Uses whose buildings house residents (care-home residents live in the EHPAD)."""


def stream_y(x):
    """The stream's centreline: y (local metres) as a function of x; a gentle meander."""
    return 225.0 + 28.0 * np.sin(2 * np.pi * x / 900.0 + 0.6) + 9.0 * np.sin(2 * np.pi * x / 330.0 + 1.3)


def valley_floor(x):
    """Valley-floor elevation (m a.s.l.), falling 1.5 m/km to the east."""
    return 20.6 - 0.0015 * x


def _rng(tag: str) -> np.random.Generator:
    """A generator per feature, so changing one feature leaves the others' draws alone."""
    return np.random.default_rng([SEED, zlib.crc32(tag.encode())])


def _smoothstep(t):
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def stream_line() -> LineString:
    """The stream's centreline, running 20 m past the district's edges."""
    x = np.arange(-20.0, WIDTH + 21.0, 5.0)
    return LineString(np.column_stack([x, stream_y(x)]))


def _side_of_stream(north: bool) -> Polygon:
    """Everything north (or south) of the stream's centreline, beyond the district's edges."""
    x = np.arange(-20.0, WIDTH + 21.0, 5.0)
    edge = [(-20.0, HEIGHT + 20.0), (WIDTH + 20.0, HEIGHT + 20.0)] if north else [(-20.0, -20.0), (WIDTH + 20.0, -20.0)]
    return Polygon(list(zip(x, stream_y(x), strict=True)) + edge[::-1])


NORTH_BANK = _side_of_stream(north=True).difference(stream_line().buffer(RIPARIAN_HALF_WIDTH))
SOUTH_BANK = _side_of_stream(north=False).difference(stream_line().buffer(RIPARIAN_HALF_WIDTH))


def _height(floors: int, rng: np.random.Generator, storey: float = 3.0, roof: tuple[float, float] = (0.5, 2.5)) -> float:
    return round(floors * storey + rng.uniform(*roof), 1)


@dataclasses.dataclass
class _Plan:
    """Everything the generator lays out, in local metres."""

    cover: list = dataclasses.field(default_factory=list)  # (geometry, lucode), painted in order
    streets: list = dataclasses.field(default_factory=list)
    buildings: list = dataclasses.field(default_factory=list)
    trees: list = dataclasses.field(default_factory=list)
    sites: list = dataclasses.field(default_factory=list)

    def paint(self, geom: BaseGeometry, lucode: int) -> None:
        self.cover.append((geom, lucode))

    def building(self, geom: Polygon, floors: int, use: str, height: float) -> int:
        self.buildings.append({"geometry": geom, "nb_etages": floors, "usage": use, "hauteur": height})
        return len(self.buildings) - 1

    def tree(self, x: float, y: float, height: float, crown: float, street: str | None = None) -> None:
        self.trees.append(
            {"x": x, "y": y, "hauteur": round(height, 1), "rayon_houppier": round(crown, 1), "street": street}
        )

    def site(self, kind: str, name: str, building: int) -> None:
        self.sites.append({"type": kind, "nom": name, "building": building})


# --------------------------------------------------------------------------- terrain


def _terrain() -> np.ndarray:
    """Bare-earth elevation on the grid (rows north → south), metres, rounded to the cm."""
    rng = _rng("terrain")
    xs = (np.arange(SHAPE[1]) + 0.5) * CELL
    ys = HEIGHT - (np.arange(SHAPE[0]) + 0.5) * CELL
    x, y = np.meshgrid(xs, ys)
    d = y - stream_y(x)  # signed distance north of the stream, measured along y
    floor = valley_floor(x)
    # The north bank keeps a ~110 m wide alluvial flat (where the low-lying quarter is)
    # before the slope climbs to the hill; the south side rises sooner but lower.
    north = 19.0 * _smoothstep((d - 110.0) / 600.0)
    south = 8.0 * _smoothstep((-d - 40.0) / 190.0)
    hill = 5.0 * np.exp(-0.5 * (((x - 560.0) / 320.0) ** 2 + ((y - 980.0) / 160.0) ** 2))
    # A smoothed random field, quieter on the flat valley floor than on the slopes.
    noise = ndimage.gaussian_filter(rng.standard_normal(SHAPE), sigma=20, mode="reflect")
    noise /= noise.std()
    amplitude = 0.1 + 0.5 * _smoothstep((np.abs(d) - 40.0) / 300.0)
    z = floor + north + south + hill + amplitude * noise
    z -= _depression(x, y)
    z = _channel(z, d, floor)
    return np.round(z, 2).astype(np.float32)


def _depression(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Depth of the low-lying quarter's hollow: flat-bottomed, fading to zero at its rim."""
    (cx, cy), (ax, ay) = DEPRESSION_CENTRE, DEPRESSION_SEMI_AXES
    r = np.hypot((x - cx) / ax, (y - cy) / ay)
    return DEPRESSION_DEPTH * _smoothstep((1.0 - r) / 0.6)


def _channel(z: np.ndarray, d: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Cut the stream channel: a bed 1 m below the floor, ~3 m wide at the bottom, ~6 m at the top.

    The bed follows the valley floor without noise so the stream runs downhill without pits.
    """
    ad = np.abs(d)
    bed = np.where(ad <= 1.6, floor - 1.0, floor - 1.0 + 0.6 * (ad - 1.6) / 1.4)
    return np.where(ad <= 3.0, np.minimum(z, bed), z)


# --------------------------------------------------------------------------- streets and helpers


def _paint_streets(plan: _Plan) -> None:
    """Pavements first, then every carriageway over them, so crossings stay asphalt."""
    for street in plan.streets:
        plan.paint(street.line.buffer(street.width / 2, cap_style="flat"), PAVING)
    for street in plan.streets:
        plan.paint(street.line.buffer(street.carriageway / 2, cap_style="flat"), ROAD)


def _main_street_margin() -> BaseGeometry:
    """Main streets plus 1 m, which neighbourhoods keep clear of."""
    return shapely.union_all([s.line.buffer(s.width / 2 + 1.0, cap_style="flat") for s in MAIN_STREETS])


def _cuts(length: float, lo: float, hi: float, rng: np.random.Generator) -> list[float]:
    """Positions cutting ``length`` into pieces of ``lo``–``hi`` metres (the last absorbs the rest)."""
    cuts = [0.0]
    while length - cuts[-1] > hi:
        cuts.append(cuts[-1] + rng.uniform(lo, hi))
    if len(cuts) > 1 and length - cuts[-1] < lo:
        cuts.pop()
    return cuts + [length]


def _scatter_trees(plan: _Plan, area: BaseGeometry, count: int, rng: np.random.Generator,
                   height: tuple[float, float], crown: tuple[float, float]) -> None:
    """Up to ``count`` trees at random points of ``area`` (rejection sampling)."""
    if area.is_empty or count <= 0:
        return
    x0, y0, x1, y1 = area.bounds
    placed = 0
    for _ in range(count * 20):
        px, py = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if area.contains(Point(px, py)):
            plan.tree(px, py, rng.uniform(*height), rng.uniform(*crown))
            placed += 1
            if placed == count:
                return


def _grid_trees(plan: _Plan, area: BaseGeometry, spacing: float, rng: np.random.Generator,
                height: tuple[float, float], crown: tuple[float, float]) -> None:
    """Trees on a jittered grid filling ``area``, as woods are planted."""
    x0, y0, x1, y1 = area.bounds
    for x in np.arange(x0 + spacing / 2, x1, spacing):
        for y in np.arange(y0 + spacing / 2, y1, spacing):
            px, py = x + rng.uniform(-2.5, 2.5), y + rng.uniform(-2.5, 2.5)
            if area.contains(Point(px, py)):
                plan.tree(px, py, rng.uniform(*height), rng.uniform(*crown))


# --------------------------------------------------------------------------- stream and open land


def _stream(plan: _Plan) -> None:
    """Riparian meadow, wetland patches, the water channel and bankside trees."""
    rng = _rng("stream")
    line = stream_line()
    plan.paint(line.buffer(RIPARIAN_HALF_WIDTH).intersection(EXTENT), MEADOW)
    for x0, x1 in ((90.0, 270.0), (880.0, 1060.0), (1260.0, 1420.0)):
        stretch = line.intersection(box(x0, -50, x1, HEIGHT + 50))
        plan.paint(stretch.buffer(15.0), WETLAND)
    plan.paint(line.buffer(2.5).intersection(EXTENT), WATER)
    # Alders and willows line the banks, with gaps.
    for s in np.arange(5.0, line.length, 11.0):
        p, q = line.interpolate(s), line.interpolate(s + 1.0)
        nx, ny = -(q.y - p.y), q.x - p.x
        norm = math.hypot(nx, ny)
        for side in (-1.0, 1.0):
            if rng.random() < 0.6:
                offset = side * rng.uniform(6.0, 11.0)
                plan.tree(p.x + offset * nx / norm, p.y + offset * ny / norm, rng.uniform(8, 18), rng.uniform(3, 6))


def _fields(plan: _Plan) -> None:
    """Cropland south-east of the stream, with a hedge along its western edge."""
    rng = _rng("fields")
    plan.paint(box(1230.0, 0.0, WIDTH, HEIGHT).intersection(SOUTH_BANK), CROPLAND)
    for y in np.arange(6.0, 190.0, 12.0):
        plan.tree(1233.0 + rng.uniform(-1, 1), y, rng.uniform(6, 12), rng.uniform(2, 4))


def _hill_wood() -> Polygon:
    """The Bois du Coteau: an oval on the hilltop, cut by the district's north edge."""
    return affinity.scale(Point(560.0, 1010.0).buffer(1.0), 210.0, 85.0).intersection(box(0, 0, 752.0, HEIGHT))


def _woodland(plan: _Plan) -> None:
    """The Bois du Coteau on the hilltop, planted as a jittered 8 m grid of trees."""
    rng = _rng("woodland")
    wood = _hill_wood()
    plan.paint(wood, WOODLAND)
    _grid_trees(plan, wood, 8.0, rng, height=(12, 22), crown=(3, 5.5))


def _park(plan: _Plan) -> None:
    """Parc des Tilleuls: meadow, a wood on its west side, a pond and gravel paths."""
    rng = _rng("park")
    plan.paint(PARK, MEADOW)
    wood = shapely.union_all([Point(505, 540).buffer(38), Point(530, 480).buffer(30), Point(500, 575).buffer(22)])
    wood = wood.intersection(PARK.buffer(-3))
    plan.paint(wood, WOODLAND)
    pond = affinity.scale(Point(610.0, 520.0).buffer(1.0), 32.0, 18.0)
    paths = shapely.union_all([
        LineString([(465, 520), (560, 505), (655, 555), (745, 560)]),
        LineString([(560, 505), (600, 445)]),
        LineString([(655, 555), (690, 595)]),
        LineString([(600, 445), (700, 490), (745, 470)]),
    ]).buffer(2.0).intersection(PARK)
    plan.paint(paths, GRAVEL)
    plan.paint(pond, WATER)
    _grid_trees(plan, wood, 7.0, rng, height=(10, 20), crown=(3, 5))
    open_meadow = PARK.buffer(-4).difference(wood.buffer(4)).difference(pond.buffer(6)).difference(paths.buffer(3))
    _scatter_trees(plan, open_meadow, 30, rng, height=(8, 18), crown=(3, 6))


# --------------------------------------------------------------------------- houses


@dataclasses.dataclass(frozen=True)
class _HouseStyle:
    """Sizes (metres) of lots and houses in a neighbourhood, and its share of two-storey houses."""

    lot_width: tuple[float, float] = (14.0, 20.0)
    width: tuple[float, float] = (8.0, 12.0)
    depth: tuple[float, float] = (8.0, 11.0)
    two_storey_share: float = 0.45


SMALL_HOUSES = _HouseStyle(lot_width=(12.0, 16.0), width=(7.0, 9.5), depth=(7.0, 9.0), two_storey_share=0.15)


def _house(lot: Polygon, fits: Polygon, front_south: bool, style: _HouseStyle,
           rng: np.random.Generator) -> Polygon | None:
    """A house near the street side of ``lot``, sometimes with a garage; None if it does not fit."""
    x0, y0, x1, y1 = lot.bounds
    width = min(rng.uniform(*style.width), x1 - x0 - 3.0)
    depth = rng.uniform(*style.depth)
    setback = rng.uniform(3.0, 7.0)
    hx0 = x0 + rng.uniform(1.5, max(1.5, x1 - x0 - width - 1.5))
    hy0 = y0 + setback if front_south else y1 - setback - depth
    house = box(hx0, hy0, hx0 + width, hy0 + depth)
    if rng.random() < 0.35:  # a garage against one side, flush with the front
        gw = rng.uniform(3.0, 4.0)
        gx = hx0 + width if rng.random() < 0.5 else hx0 - gw
        gy = hy0 if front_south else hy0 + depth - 6.0
        garage = box(gx, gy, gx + gw, gy + 6.0)
        if fits.contains(garage):
            house = shapely.union(house, garage).normalize()
    turned = affinity.rotate(house, rng.uniform(-3.0, 3.0), origin="centroid")
    for candidate in (turned, house):
        if candidate.geom_type == "Polygon" and fits.contains(candidate):
            return candidate
    return None


def _suburb(plan: _Plan, zone: BaseGeometry, origin: tuple[float, float], angle: float,
            pitch: tuple[float, float], rng: np.random.Generator, style: _HouseStyle = _HouseStyle(),
            street_width: float = 9.0) -> None:
    """Detached houses with gardens on a street grid turned by ``angle`` degrees about ``origin``.

    The grid is laid out axis-aligned in the turned frame: each block holds two rows of
    lots backing onto each other, each lot facing its street; lots cut by the zone edge
    are kept if most of them remains and their street can reach them (inside the zone or
    a main street). Leftover land in the zone is public lawn.
    """
    plan.paint(zone, LAWN)
    local = affinity.rotate(zone, -angle, origin=origin)

    def turn(geom):  # from the grid's frame back to the district's
        return affinity.rotate(geom, angle, origin=origin)

    (ox, oy), (px, py) = origin, pitch
    x0, y0, x1, y1 = local.bounds
    half = street_width / 2
    reach = local.buffer(half + 1.5)
    main = affinity.rotate(_main_street_margin(), -angle, origin=origin)
    access = reach.union(main)
    fronts, built_cells = [], []  # where streets are needed: along lot fronts, between built blocks
    for i in range(math.floor((x0 - ox) / px), math.ceil((x1 - ox) / px)):
        for j in range(math.floor((y0 - oy) / py), math.ceil((y1 - oy) / py)):
            cell = box(ox + i * px, oy + j * py, ox + (i + 1) * px, oy + (j + 1) * py)
            if not local.intersects(cell):
                continue
            bx0, by0, bx1, by1 = cell.buffer(-half, join_style="mitre").bounds
            ymid = (by0 + by1) / 2
            built = False
            for ly0, ly1, front_south in ((by0, ymid, True), (ymid, by1, False)):
                cuts = _cuts(bx1 - bx0, *style.lot_width, rng)
                for a, b in itertools.pairwise(cuts):
                    lot = box(bx0 + a, ly0, bx0 + b, ly1)
                    kept = lot.intersection(local)
                    street_y = cell.bounds[1] if front_south else cell.bounds[3]
                    if (kept.geom_type != "Polygon" or kept.area < 0.7 * lot.area
                            or not access.contains(Point(bx0 + (a + b) / 2, street_y))):
                        continue
                    built = True
                    fronts.append(box(bx0 + a - 15.0, street_y - 1.0, bx0 + b + 15.0, street_y + 1.0))
                    plan.paint(turn(kept), GARDEN)
                    house = _house(lot, kept.buffer(-1.0), front_south, style, rng)
                    if house is not None:
                        floors = 2 if rng.random() < style.two_storey_share else 1
                        plan.building(turn(house), floors, RESIDENTIAL, _height(floors, rng, 2.8, (1.5, 3.0)))
                        _garden_trees(plan, kept, house, front_south, rng, turn)
            if built:
                built_cells.append(cell.buffer(1.0))
    # E–W streets where lots face them (running on 15 m to meet the next street),
    # N–S streets between the blocks that were built; never beyond the zone, and not
    # where a grid line runs along a main street (its lots face the main street).
    east_west = shapely.union_all(fronts).intersection(reach)
    north_south = shapely.union_all(built_cells).intersection(reach)
    for line, needed in _grid_lines(local.bounds, origin, pitch, east_west, north_south):
        piece = line.intersection(needed)
        if piece.difference(main).length > 20.0:
            plan.streets.append(Street("", turn(piece), street_width, street_width - 3.0))


def _grid_lines(bounds, origin, pitch, east_west, north_south):
    """The grid's lines over ``bounds``, each with the area it may run in."""
    (x0, y0, x1, y1), (ox, oy), (px, py) = bounds, origin, pitch
    for x in ox + px * np.arange(math.floor((x0 - ox) / px), math.ceil((x1 - ox) / px) + 1):
        yield LineString([(x, y0 - 10), (x, y1 + 10)]), north_south
    for y in oy + py * np.arange(math.floor((y0 - oy) / py), math.ceil((y1 - oy) / py) + 1):
        yield LineString([(x0 - 10, y), (x1 + 10, y)]), east_west


def _garden_trees(plan: _Plan, lot: Polygon, house: Polygon, front_south: bool,
                  rng: np.random.Generator, turn) -> None:
    """0–3 trees in the back garden, clear of the house."""
    x0, y0, x1, y1 = lot.bounds
    back = box(x0, (y0 + y1) / 2, x1, y1) if front_south else box(x0, y0, x1, (y0 + y1) / 2)
    area = back.intersection(lot.buffer(-1.5)).difference(house.buffer(3.0))
    count = int(rng.choice([0, 1, 1, 2, 3]))
    if area.is_empty or count == 0:
        return
    bx0, by0, bx1, by1 = area.bounds
    for _ in range(count):
        p = Point(rng.uniform(bx0, bx1), rng.uniform(by0, by1))
        if area.contains(p):
            p = turn(p)
            plan.tree(p.x, p.y, rng.uniform(4, 12), rng.uniform(1.5, 4))


def _housing_areas(plan: _Plan) -> None:
    """The three neighbourhoods of detached houses."""
    clear = _main_street_margin()
    north_west = (
        box(0, 440, 752, HEIGHT)
        .difference(PARK.buffer(8.0))
        .difference(_hill_wood().buffer(5.0))
        .difference(clear)
    )
    _suburb(plan, north_west, origin=(330.0, 800.0), angle=10.0, pitch=(112.0, 58.0), rng=_rng("houses-nw"))
    north_bank = box(0, 0, 323.0, 421.0).intersection(NORTH_BANK).difference(clear)
    _suburb(plan, north_bank, origin=(0.0, 420.0), angle=0.0, pitch=(105.0, 56.0), rng=_rng("houses-bank"))
    south = box(0, 0, 1230.0, HEIGHT).intersection(SOUTH_BANK).difference(clear)
    _suburb(plan, south, origin=(330.0, 0.0), angle=-5.0, pitch=(120.0, 58.0), rng=_rng("houses-south"))


def _low_quarter(plan: _Plan) -> None:
    """Small houses in the hollow by the stream, and the EHPAD at its east end, by the avenue."""
    rng = _rng("low-quarter")
    grounds = box(678.0, 304.5, 748.0, 356.0)
    plan.paint(grounds, LAWN)
    ehpad = box(684.0, 310.0, 742.0, 324.0).union(box(684.0, 324.0, 698.0, 350.0)).normalize()
    index = plan.building(ehpad, 3, "Ehpad", 10.5)
    plan.site("EHPAD", "EHPAD Les Saules", index)
    _scatter_trees(plan, box(700.0, 328.0, 745.0, 354.0), 4, rng, height=(6, 12), crown=(2, 4))
    quarter = box(575.0, 244.0, 748.0, 421.0).intersection(NORTH_BANK).difference(_main_street_margin())
    # Lanes at y = 300 (through the bottom of the hollow) and y = 370; the x pitch is
    # wider than the quarter so no N–S lane is drawn.
    _suburb(plan, quarter.difference(grounds), origin=(500.0, 300.0), angle=0.0, pitch=(400.0, 70.0),
            rng=rng, style=SMALL_HOUSES, street_width=8.0)


# --------------------------------------------------------------------------- dense centre


def _centre_blocks() -> dict[tuple[int, int], Polygon]:
    """The centre's blocks between its street axes, keyed (column, row) from the south-west."""
    blocks = {}
    for i, ((xa, wa), (xb, wb)) in enumerate(itertools.pairwise(CENTRE_COLUMNS)):
        for j, ((ya, ha), (yb, hb)) in enumerate(itertools.pairwise(CENTRE_ROWS)):
            blocks[i, j] = box(xa + wa / 2, ya + ha / 2, xb - wb / 2, yb - hb / 2)
    return blocks


def _perimeter_block(plan: _Plan, block: Polygon, rng: np.random.Generator,
                     floors: tuple[int, int] = (4, 7), courtyard_garden: float = 0.35) -> Polygon:
    """Buildings of 11–14 m depth round a courtyard; returns the courtyard.

    Each side is cut into plots of 10–24 m, each its own building with its own height;
    a few plots are left open as passages into the courtyard.
    """
    x0, y0, x1, y1 = block.bounds
    depth = rng.uniform(11.0, 14.0)
    plan.paint(block, PAVING)
    courtyard = box(x0 + depth, y0 + depth, x1 - depth, y1 - depth)
    plan.paint(courtyard, GARDEN if rng.random() < courtyard_garden else PAVING)
    strips = (  # (x0, y0, x1, y1, along x?)
        (x0, y0, x1, y0 + depth, True),
        (x0, y1 - depth, x1, y1, True),
        (x0, y0 + depth, x0 + depth, y1 - depth, False),
        (x1 - depth, y0 + depth, x1, y1 - depth, False),
    )
    for sx0, sy0, sx1, sy1, along_x in strips:
        length = (sx1 - sx0) if along_x else (sy1 - sy0)
        cuts = _cuts(length, 10.0, 24.0, rng)
        for a, b in itertools.pairwise(cuts):
            if rng.random() < 0.07:
                continue
            plot = box(sx0 + a, sy0, sx0 + b, sy1) if along_x else box(sx0, sy0 + a, sx1, sy0 + b)
            n = int(rng.integers(floors[0], floors[1] + 1))
            use = rng.choice([RESIDENTIAL, SHOPS, OFFICES], p=[0.75, 0.15, 0.10])
            plan.building(plot, n, str(use), _height(n, rng))
    return courtyard


def _centre(plan: _Plan) -> None:
    """Perimeter blocks, Place du Marché, the school and its yard, the crèche."""
    rng = _rng("centre")
    blocks = _centre_blocks()
    for (x, wx) in CENTRE_COLUMNS[1:-1]:
        plan.streets.append(Street("", LineString([(x, CENTRE_ROWS[0][0]), (x, CENTRE_ROWS[-1][0])]), wx, wx - 4.0))
    for (y, wy) in CENTRE_ROWS[1:-1]:
        plan.streets.append(Street("", LineString([(CENTRE_COLUMNS[0][0], y), (CENTRE_COLUMNS[-1][0], y)]), wy, wy - 4.0))
    for key, block in blocks.items():
        if key == (1, 1):
            _square(plan, block, rng)
        elif key == (1, 2):
            _school(plan, block, rng)
        else:
            courtyard = _perimeter_block(plan, block, rng, courtyard_garden=1.0 if key == (2, 2) else 0.35)
            if key == (2, 2):
                _creche(plan, courtyard, rng)
            elif not courtyard.is_empty:
                _scatter_trees(plan, courtyard.buffer(-4.0), int(rng.integers(0, 3)), rng, (6, 12), (2, 4))


def _square(plan: _Plan, block: Polygon, rng: np.random.Generator) -> None:
    """Place du Marché: paved, with a row of plane trees along its north and south edges."""
    plan.paint(block, PAVING)
    x0, y0, x1, y1 = block.bounds
    for x in np.arange(x0 + 8.0, x1 - 4.0, 15.0):
        for y in (y0 + 6.0, y1 - 6.0):
            plan.tree(x, y, rng.uniform(11, 15), rng.uniform(4, 5.5))


def _school(plan: _Plan, block: Polygon, rng: np.random.Generator) -> None:
    """École Jules Ferry: an L-shaped building along two streets and a large paved yard.

    The yard is plain paving (class 3) with two trees: the baseline a "cour oasis"
    scenario depaves.
    """
    x0, y0, x1, y1 = block.bounds
    plan.paint(block, PAVING)
    school = box(x0, y1 - 14.0, x1, y1).union(box(x0, y0 + 30.0, x0 + 14.0, y1 - 14.0)).normalize()
    index = plan.building(school, 3, "Enseignement", 11.5)
    plan.site("école", "École élémentaire Jules Ferry", index)
    plan.building(box(x0, y0, x0 + 14.0, y0 + 28.0), 1, "Enseignement", 7.5)  # the school gym
    for px, py in ((x0 + 40.0, y0 + 25.0), (x1 - 18.0, y0 + 40.0)):
        plan.tree(px, py, rng.uniform(8, 11), rng.uniform(3, 4))


def _creche(plan: _Plan, courtyard: Polygon, rng: np.random.Generator) -> None:
    """The crèche: a one-storey building in a garden courtyard."""
    cx, cy = courtyard.centroid.x, courtyard.centroid.y
    index = plan.building(box(cx - 10.0, cy - 6.0, cx + 10.0, cy + 6.0), 1, "Crèche", 4.2)
    plan.site("crèche", "Crèche Les P'tits Loups", index)
    _scatter_trees(plan, courtyard.buffer(-3.0).difference(box(cx - 14, cy - 10, cx + 14, cy + 10)), 3, rng, (6, 10), (2, 3.5))


def _north_centre(plan: _Plan) -> None:
    """Four lower perimeter blocks north of Rue du Coteau, east of the hospital."""
    rng = _rng("north-centre")
    for line in (LineString([(1000, 800), (1000, 1010)]), LineString([(1090, 800), (1090, 1010)]),
                 LineString([(1000, 905), (1180, 905)])):
        plan.streets.append(Street("", line, 10.0, 6.0))
    for xa, xb in ((1005.0, 1085.0), (1095.0, 1172.0)):
        for ya, yb in ((807.0, 900.0), (910.0, HEIGHT)):
            courtyard = _perimeter_block(plan, box(xa, ya, xb, yb), rng, floors=(3, 5), courtyard_garden=0.6)
            _scatter_trees(plan, courtyard.buffer(-4.0), int(rng.integers(0, 3)), rng, (6, 12), (2, 4))


def _hospital(plan: _Plan) -> None:
    """Centre hospitalier du Val: a slab with two wings, a services block, lawns and a car park."""
    rng = _rng("hospital")
    grounds = box(769.0, 807.0, 995.0, HEIGHT)
    plan.paint(grounds, LAWN)
    plan.paint(box(775.0, 815.0, 845.0, 905.0), PARKING)
    plan.paint(box(845.0, 807.0, 853.0, 915.0), ROAD)  # the access drive
    plan.paint(box(853.0, 868.0, 985.0, 916.0), PAVING)
    main = plan.building(box(860.0, 880.0, 978.0, 902.0), 6, "Santé", 21.5)
    plan.site("hôpital", "Centre hospitalier du Val", main)
    plan.building(box(870.0, 830.0, 890.0, 880.0), 4, "Santé", 14.0)
    plan.building(box(945.0, 830.0, 965.0, 880.0), 4, "Santé", 14.0)
    plan.building(box(865.0, 935.0, 940.0, 962.0), 3, "Santé", 11.0)
    lawn = grounds.buffer(-4.0).difference(box(770, 810, 990, 966).buffer(3.0))
    _scatter_trees(plan, lawn, 12, rng, (8, 16), (3, 5))
    _scatter_trees(plan, box(895.0, 812.0, 940.0, 876.0), 5, rng, (8, 14), (3, 5))


# --------------------------------------------------------------------------- housing estate and sports


def _estate(plan: _Plan) -> None:
    """1960s housing slabs (4–9 storeys) on lawns, each with a car park in front."""
    rng = _rng("estate")
    zone = box(769.0, 0.0, 1172.0, 421.0).intersection(NORTH_BANK)
    plan.paint(zone, LAWN)
    street = Street("", LineString([(965.0, 430.0), (965.0, stream_y(965.0) + RIPARIAN_HALF_WIDTH + 4.0)]), 9.0, 6.0)
    plan.streets.append(street)
    keep_clear = street.line.buffer(12.0)
    fits = zone.buffer(-10.0)
    for row_y in (392.0, 338.0, 284.0):
        x = 785.0 + rng.uniform(0.0, 15.0)
        while x < 1160.0:
            length = rng.uniform(45.0, 65.0)
            slab = box(x, row_y - 6.0, x + length, row_y + 6.0)
            car_park = box(x + 4.0, row_y - 28.0, x + length - 4.0, row_y - 12.0)
            if fits.contains(slab) and not slab.intersects(keep_clear):
                if fits.contains(car_park) and not car_park.intersects(keep_clear):
                    plan.paint(car_park, PARKING)
                n = int(rng.integers(4, 10))
                plan.building(slab, n, RESIDENTIAL, _height(n, rng, 2.9, (0.5, 1.2)))
            x += length + rng.uniform(25.0, 35.0)
    _scatter_trees(plan, zone.buffer(-6.0), 25, rng, (8, 16), (3, 5))


def _sports(plan: _Plan) -> None:
    """Stade municipal: a pitch inside a running track, a gymnasium and its car park."""
    zone = box(340.0, 0.0, 575.0, 421.0).intersection(NORTH_BANK)
    plan.paint(zone, LAWN)
    plan.paint(box(349.0, 292.0, 466.0, 372.0), GRAVEL)
    plan.paint(box(355.0, 300.0, 460.0, 364.0), LAWN)
    plan.paint(box(485.0, 330.0, 545.0, 362.0), PARKING)
    plan.building(box(485.0, 370.0, 540.0, 402.0), 1, "Sportif", 9.5)


# --------------------------------------------------------------------------- shops and industry


def _retail(plan: _Plan) -> None:
    """The supermarket with its large car park, and a DIY store east of it."""
    plan.paint(box(1188.0, 440.0, 1345.0, 634.0), PAVING)
    plan.paint(CAR_PARK, PARKING)
    plan.building(box(1192.0, 556.0, 1300.0, 622.0), 1, SHOPS, 8.5)
    plan.paint(box(1355.0, 440.0, WIDTH, 634.0), PAVING)
    plan.paint(box(1360.0, 446.0, 1495.0, 512.0), PARKING)
    plan.building(box(1380.0, 522.0, 1472.0, 600.0), 1, SHOPS, 9.0)
    plan.streets.append(Street("", LineString([(1350, 430), (1350, 1010)]), 10.0, 7.0))
    plan.streets.append(Street("", LineString([(1180, 640), (1510, 640)]), 12.0, 8.0))
    plan.streets.append(Street("", LineString([(1180, 820), (1510, 820)]), 12.0, 8.0))


def _industry(plan: _Plan) -> None:
    """Sheds of 6–10 m in gravel or paved yards, some with a two-storey office; one vacant plot."""
    rng = _rng("industry")
    plan.streets.append(Street("Rue des Artisans", LineString([(1180, 350), (WIDTH + 10, 350)]), 10.0, 7.0))
    plots = [box(1188.0, 0.0, 1340.0, 345.0), box(1340.0, 0.0, WIDTH, 345.0),
             box(1188.0, 355.0, 1340.0, 421.0), box(1340.0, 355.0, WIDTH, 421.0)]
    for x0, x1 in ((1188.0, 1344.0), (1356.0, WIDTH)):
        for y0, y1 in ((646.0, 814.0), (826.0, HEIGHT)):
            plots += [box(x0, y0, x1, (y0 + y1) / 2), box(x0, (y0 + y1) / 2, x1, y1)]
    for k, plot in enumerate(plots):
        plot = plot.intersection(NORTH_BANK)
        if k == 1:  # a vacant plot awaiting redevelopment
            plan.paint(plot, BARE_SOIL)
            continue
        plan.paint(plot, GRAVEL if rng.random() < 0.55 else PAVING)
        _sheds(plan, plot, rng)


def _sheds(plan: _Plan, plot: Polygon, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = plot.bounds
    fits = plot.buffer(-6.0)
    for _ in range(10):  # a few tries at a shed size that fits the (possibly cut) plot
        w = (x1 - x0) * rng.uniform(0.45, 0.7)
        h = (y1 - y0) * rng.uniform(0.4, 0.6)
        sx = x0 + 8.0 + rng.uniform(0.0, max(0.0, x1 - x0 - w - 16.0))
        sy = y0 + 8.0 + rng.uniform(0.0, max(0.0, y1 - y0 - h - 16.0))
        shed = box(sx, sy, sx + w, sy + h)
        if fits.contains(shed):
            break
    else:
        return
    plan.building(shed, 1, INDUSTRY, round(rng.uniform(6.0, 10.0), 1))
    office = box(sx, sy + h, sx + min(22.0, w), sy + h + 12.0)
    if rng.random() < 0.5 and fits.contains(office):
        plan.building(office, 2, OFFICES, _height(2, rng, 3.2, (0.3, 1.0)))
    lot_park = box(sx + w + 4.0, sy, min(x1 - 4.0, sx + w + 30.0), sy + min(h, 40.0))
    if lot_park.area > 200.0 and fits.buffer(4.0).contains(lot_park):
        plan.paint(lot_park, PARKING)


# --------------------------------------------------------------------------- street trees and assembly


def _street_trees(plan: _Plan) -> None:
    """Plane and lime trees every ~9 m on both pavements of the tree-lined main streets.

    Trees stop short of crossings and of the bridge over the stream.
    """
    stream = stream_line().buffer(14.0)
    for k, street in enumerate(s for s in MAIN_STREETS if s.tree_lined):
        rng = _rng(f"street-trees-{k}")
        (ax, ay), (bx, by) = street.line.coords
        length = math.hypot(bx - ax, by - ay)
        ux, uy = (bx - ax) / length, (by - ay) / length
        offset = (street.width + street.carriageway) / 4  # the middle of the pavement
        mean_height = rng.uniform(12, 15)
        for s in np.arange(4.5, length, 9.0):
            for side in (-1.0, 1.0):
                px, py = ax + s * ux - side * offset * uy, ay + s * uy + side * offset * ux
                if EXTENT.contains(Point(px, py)) and not stream.contains(Point(px, py)):
                    plan.tree(px, py, mean_height + rng.uniform(-2, 2), rng.uniform(3.5, 5), street=street.name)


def _keep_trees(plan: _Plan) -> list[dict]:
    """Drop trees inside or against a building, on a street (other than their own row) or outside."""
    buildings = shapely.STRtree([b["geometry"] for b in plan.buildings])
    streets = [(s.name, s.line.buffer(s.width / 2, cap_style="flat")) for s in plan.streets]
    street_tree = shapely.STRtree([g for _, g in streets])
    inner = EXTENT.buffer(-1.0)
    kept = []
    for tree in plan.trees:
        p = Point(tree["x"], tree["y"])
        if not inner.contains(p) or len(buildings.query(p, predicate="dwithin", distance=1.5)):
            continue
        # Street-row trees keep 3 m clear of crossing streets; other trees just stay off streets.
        margin = 3.0 if tree["street"] else 0.0
        hits = street_tree.query(p, predicate="dwithin", distance=margin)
        if any(streets[i][0] != tree["street"] for i in hits):
            continue
        kept.append(tree)
    return kept


def _layout() -> _Plan:
    """Lay out the whole district (local metres). Paint order matters: later covers earlier."""
    plan = _Plan()
    plan.streets.extend(MAIN_STREETS)
    _fields(plan)
    _woodland(plan)
    _park(plan)
    _housing_areas(plan)
    _low_quarter(plan)
    _sports(plan)
    _estate(plan)
    _centre(plan)
    _north_centre(plan)
    _hospital(plan)
    _retail(plan)
    _industry(plan)
    _stream(plan)
    _paint_streets(plan)
    _street_trees(plan)
    for b in plan.buildings:
        plan.paint(b["geometry"], BUILDING)
    return plan


# --------------------------------------------------------------------------- files


def _to_lambert93(geoms) -> np.ndarray:
    return shapely.transform(np.asarray(geoms, dtype=object), lambda xy: xy + np.array(ORIGIN))


def _raster(values: np.ndarray, nodata: float, name: str, units: str | None) -> xr.DataArray:
    xs = ORIGIN[0] + (np.arange(SHAPE[1]) + 0.5) * CELL
    ys = ORIGIN[1] + HEIGHT - (np.arange(SHAPE[0]) + 0.5) * CELL
    attrs = {"long_name": name} | ({"units": units} if units else {})
    layer = xr.DataArray(values, dims=("y", "x"), coords={"y": ys, "x": xs}, attrs=attrs)
    return layer.rio.write_crs(CRS).rio.write_nodata(nodata)


def _landcover(plan: _Plan) -> np.ndarray:
    shapes = [(geom, code) for geom, code in plan.cover if not geom.is_empty]
    return features.rasterize(
        shapes, out_shape=SHAPE, transform=from_origin(0.0, HEIGHT, CELL, CELL), fill=MEADOW, dtype="uint8"
    )


def _buildings_frame(plan: _Plan) -> gpd.GeoDataFrame:
    rng = _rng("missing-heights")
    frame = pd.DataFrame([{k: v for k, v in b.items() if k != "geometry"} for b in plan.buildings])
    frame.insert(0, "id", [f"B{i + 1:05d}" for i in range(len(frame))])
    missing = rng.choice(len(frame), size=round(MISSING_HEIGHT_SHARE * len(frame)), replace=False)
    frame.loc[np.sort(missing), "hauteur"] = np.nan
    frame["nb_etages"] = frame["nb_etages"].astype("int32")
    area = shapely.area(np.array([b["geometry"] for b in plan.buildings], dtype=object))
    residents = np.round(area * frame["nb_etages"] / FLOOR_AREA_PER_PERSON)
    frame["population"] = np.where(frame["usage"].isin(RESIDENT_USES), residents, 0).astype("int32")
    geometry = _to_lambert93([b["geometry"] for b in plan.buildings])
    return gpd.GeoDataFrame(frame[["id", "hauteur", "nb_etages", "usage", "population"]], geometry=geometry, crs=CRS)


def _trees_frame(trees: list[dict]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({
        "id": [f"T{i + 1:05d}" for i in range(len(trees))],
        "hauteur": [t["hauteur"] for t in trees],
        "rayon_houppier": [t["rayon_houppier"] for t in trees],
    })
    points = shapely.points([(t["x"], t["y"]) for t in trees])
    return gpd.GeoDataFrame(frame, geometry=_to_lambert93(points), crs=CRS)


def _sites_frame(plan: _Plan, buildings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Sites as points on their building (a point inside its footprint)."""
    rows = [{"type": s["type"], "nom": s["nom"], "id_batiment": buildings["id"].iloc[s["building"]]} for s in plan.sites]
    points = [buildings.geometry.iloc[s["building"]].representative_point() for s in plan.sites]
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=points, crs=CRS)


def _soil_frame() -> gpd.GeoDataFrame:
    """Four bands tiling the district: terrace sand (A), alluvium (D), slope loam (B), plateau clay (C)."""
    x = np.linspace(0.0, WIDTH, 301)
    lower = list(zip(x, stream_y(x) - 60.0, strict=True))
    upper = list(zip(x, stream_y(x) + 110.0, strict=True))
    plateau = list(zip(x, 760.0 + 25.0 * np.sin(2 * np.pi * x / 1100.0 + 0.4), strict=True))
    bands = {
        "A": Polygon([(0.0, 0.0), (WIDTH, 0.0)] + lower[::-1]),
        "D": Polygon(lower + upper[::-1]),
        "B": Polygon(upper + plateau[::-1]),
        "C": Polygon(plateau + [(WIDTH, HEIGHT), (0.0, HEIGHT)]),
    }
    return gpd.GeoDataFrame({"groupe": list(bands)}, geometry=_to_lambert93(list(bands.values())), crs=CRS)


SITE_YAML = """\
# Demo district of jumeau: a fictional 1.5 × 1 km quarter near Angers (Lambert-93).
# Generated by `jumeau demo-data` (jumeau/demo.py): do not edit by hand, change the
# generator and regenerate.
name: Quartier de démonstration (fictif)
elevation: {path: elevation.tif}
landcover: {path: landcover.tif}
buildings: {path: buildings.gpkg, id: id, height: hauteur, floors: nb_etages, use: usage, population: population}
trees: {path: trees.gpkg, height: hauteur, crown_radius: rayon_houppier}
sites: {path: sites.gpkg, type: type, name: nom}
soil_group: {path: soil.gpkg, field: groupe}
"""


def write_demo(folder: str | os.PathLike) -> Path:
    """Generate the demo district into ``folder`` and return the path of its site file.

    The output depends only on :data:`SEED`: every run writes the same content.
    """
    folder = Path(folder)
    plan = _layout()
    write_geotiff(_raster(_terrain(), ELEVATION_NODATA, "bare-earth elevation", "m"), folder / "elevation.tif")
    landcover = _raster(_landcover(plan), LANDCOVER_NODATA, "land-cover class (lucode)", None)
    write_geotiff(landcover, folder / "landcover.tif")
    buildings = _buildings_frame(plan)
    write_vector(buildings, folder / "buildings.gpkg")
    write_vector(_trees_frame(_keep_trees(plan)), folder / "trees.gpkg")
    write_vector(_sites_frame(plan, buildings), folder / "sites.gpkg")
    write_vector(_soil_frame(), folder / "soil.gpkg")
    return write_text(folder / "site.yaml", SITE_YAML)


def demo_site_file() -> Path:
    """The demo's site file, generated once per version of this module into the user's cache.

    The folder is ``$XDG_CACHE_HOME/jumeau`` (else ``~/.cache/jumeau``), named after a hash
    of this file, so a changed generator makes a new copy; it is written whole or not at
    all, so concurrent first calls cannot see half a demo.
    """
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jumeau"
    folder = cache / f"demo-{digest}"
    if not (folder / "site.yaml").is_file():
        with atomic_dir(folder) as tmp:
            write_demo(tmp)
    return folder / "site.yaml"
