"""A deterministic synthetic city for the loading benchmark, written as real files.

The district is a square of ``size`` × ``size`` cells in Lambert-93 (EPSG:2154), laid
out as a grid of blocks separated by roads. Each block holds 2 × 2 lots; a few blocks
are parks (woodland, meadow, urban farm, some with a pond and its wetland). The files
imitate what a French city would bring:

* ``mnt.tif``: float32 terrain, smooth hills plus centimetre noise, nodata (-9999) over
  ponds as in a LiDAR terrain model (no ground return over water);
* ``occupation_sol.tif``: uint8 land cover, codes 1–13 of ``data/landcover_classes.csv``;
* ``batiments.gpkg``: footprints (axis-aligned and rotated rectangles, one per lot, never
  overlapping) with BD TOPO-like ``cleabs``, ``hauteur`` and ``usage`` fields, including a
  few sheds smaller than a cell and a few footprints without height;
* ``arbres.gpkg``: tree points on green cells with ``hauteur`` and ``rayon``;
* ``equipements.gpkg``: sites of interest (schools, care homes...) in some buildings;
* ``sols.gpkg``: hydrologic soil group polygons with a ``groupe`` letter;
* ``site.yaml`` naming them all.

Everything derives from ``seed``, so a given set of parameters always gives the same
files; they are cached in ``benchmarks/results/cache/`` under a name made of the
parameters. Run ``python benchmarks/synthetic_city.py --help`` to write one by hand.
"""

from __future__ import annotations

import argparse
import itertools
import math
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio.features
import rioxarray  # noqa: F401 - registers the .rio accessor
import shapely
import xarray as xr
import yaml
from affine import Affine

from jumeau.io.writers import write_geotiff, write_vector

# Part of the cache key: bump it whenever the files written here change, so that a
# stale cached city is never benchmarked.
GENERATOR_VERSION = 2
CACHE_DIR = Path(__file__).resolve().parent / "results" / "cache"

CRS = "EPSG:2154"
ORIGIN = (650_000.0, 6_850_000.0)  # south-west corner, in Lambert-93 near Paris
DEM_NODATA = -9999.0

ROAD = 8.0  # m of carriageway between two blocks
PAVEMENT = 2.0  # m of paving along each road edge, on the block side
LOTS = 2  # lots per block side
MARGIN = 2.5  # m kept free between a footprint and its lot's edge: behind the pavement, never touching
PARK_SHARE = 0.08  # share of blocks without buildings
SHED_SHARE = 0.02  # footprints under a cell wide: exercise the loader's small-building rule
NO_HEIGHT_SHARE = 0.01  # footprints without `hauteur`, as in BD TOPO: exercise default heights
SITE_EVERY = 500  # one site of interest per this many buildings

# Land-cover codes of data/landcover_classes.csv
BUILDING, ROAD_ASPHALT, PAVING, PARKING, GRAVEL, BARE_SOIL = 1, 2, 3, 4, 5, 6
LAWN, GARDEN, MEADOW, WOODLAND, CROPLAND, WATER, WETLAND = 7, 8, 9, 10, 11, 12, 13
LOT_GROUND = ((GARDEN, 0.45), (PAVING, 0.2), (LAWN, 0.15), (PARKING, 0.1), (GRAVEL, 0.06), (BARE_SOIL, 0.04))
PARK_GROUND = ((WOODLAND, 0.35), (MEADOW, 0.3), (LAWN, 0.25), (CROPLAND, 0.1))
GREEN = (LAWN, GARDEN, MEADOW, WOODLAND)

# BD TOPO `usage1` spellings, with their share of footprints (sheds are "Annexe").
USES = (("Résidentiel", 0.72), ("Indifférencié", 0.1), ("Commercial et services", 0.09),
        ("Industriel", 0.04), ("Sportif", 0.02), ("Religieux", 0.01), ("Agricole", 0.02))
SITE_TYPES = ("école", "crèche", "EHPAD", "collège", "hôpital")
SOIL_LETTERS = ("A", "B", "C", "D")
SOIL_TILES = 6  # soil polygons per side


@dataclass(frozen=True)
class CityParameters:
    size: int = 2000  # cells per side
    resolution: float = 2.0  # m
    buildings: int = 20_000
    trees: int = 20_000
    seed: int = 20240611

    @property
    def key(self) -> str:
        return (f"city-{self.size}px-{self.resolution:g}m-{self.buildings}b-{self.trees}t"
                f"-seed{self.seed}-v{GENERATOR_VERSION}")

    @property
    def extent(self) -> float:
        return self.size * self.resolution


@dataclass(frozen=True)
class Layout:
    """The block grid: ``blocks`` × ``blocks`` blocks of ``pitch`` metres, roads between them."""

    extent: float
    blocks: int

    @classmethod
    def for_city(cls, city: CityParameters) -> Layout:
        # Enough blocks that the non-park ones hold at least one lot per building.
        blocks = math.ceil(math.sqrt(city.buildings / (LOTS**2 * (1 - PARK_SHARE))))
        layout = cls(city.extent, blocks)
        if layout.lot < 3 * MARGIN:
            raise ValueError(f"{city.buildings} buildings do not fit in {city.extent:g} m × {city.extent:g} m")
        return layout

    @property
    def pitch(self) -> float:
        return self.extent / self.blocks

    @property
    def lot(self) -> float:
        return (self.pitch - ROAD) / LOTS

    def position(self, offset: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Block index, lot index (-1 on roads) and distance to the nearest road edge, along one axis."""
        block = np.minimum((offset // self.pitch).astype(int), self.blocks - 1)
        within = offset - block * self.pitch - ROAD / 2  # from the block's first road edge
        lot = np.floor(within / self.lot).astype(int)
        lot[(within < 0) | (within >= LOTS * self.lot)] = -1
        to_road = np.minimum(within, LOTS * self.lot - within)
        return block, lot, to_road


def city(parameters: CityParameters = CityParameters(), cache_dir: Path = CACHE_DIR) -> Path:
    """The ``site.yaml`` of the city for ``parameters``, generating it on first use."""
    folder = cache_dir / parameters.key
    site_file = folder / "site.yaml"
    if site_file.is_file():
        return site_file
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Written aside then renamed, so an interrupted run never leaves a half city in the cache.
    staging = Path(tempfile.mkdtemp(prefix=f".{parameters.key}-", dir=cache_dir))
    try:
        write_city(parameters, staging)
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return site_file


def write_city(parameters: CityParameters, folder: Path) -> None:
    rng = np.random.default_rng(parameters.seed)
    layout = Layout.for_city(parameters)
    transform = Affine(parameters.resolution, 0, ORIGIN[0], 0, -parameters.resolution, ORIGIN[1] + parameters.extent)
    parks = _parks(layout, rng)
    buildings = _buildings(parameters, layout, parks, rng)
    landcover = _landcover(parameters, layout, parks, buildings, transform, rng)
    elevation = _elevation(parameters, rng)
    elevation[landcover == WATER] = DEM_NODATA

    write_geotiff(_raster(elevation, transform, DEM_NODATA), folder / "mnt.tif")
    write_geotiff(_raster(landcover, transform, None), folder / "occupation_sol.tif")
    write_vector(buildings, folder / "batiments.gpkg")
    write_vector(_trees(parameters, landcover, transform, rng), folder / "arbres.gpkg")
    write_vector(_sites(buildings, rng), folder / "equipements.gpkg")
    write_vector(_soils(parameters, rng), folder / "sols.gpkg")
    config = {
        "name": f"Synthetic city {parameters.size} × {parameters.size} cells, {parameters.buildings} buildings",
        "elevation": {"path": "mnt.tif"},
        "landcover": {"path": "occupation_sol.tif"},
        "buildings": {"path": "batiments.gpkg"},  # cleabs, hauteur and usage are detected
        "soil_group": {"path": "sols.gpkg", "field": "groupe"},
        "trees": {"path": "arbres.gpkg", "height": "hauteur", "crown_radius": "rayon"},
        "sites": {"path": "equipements.gpkg", "type": "type", "name": "nom"},
    }
    (folder / "site.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _raster(values: np.ndarray, transform: Affine, nodata: float | None) -> xr.DataArray:
    rows, cols = values.shape
    array = xr.DataArray(
        values, dims=("y", "x"),
        coords={"y": transform.f + (np.arange(rows) + 0.5) * transform.e,
                "x": transform.c + (np.arange(cols) + 0.5) * transform.a},
    )
    array = array.rio.write_crs(CRS).rio.write_transform(transform)
    return array.rio.write_nodata(nodata) if nodata is not None else array


def _parks(layout: Layout, rng: np.random.Generator) -> np.ndarray:
    """Boolean (blocks, blocks): which blocks are parks."""
    parks = np.zeros(layout.blocks**2, dtype=bool)
    parks[rng.choice(layout.blocks**2, int(PARK_SHARE * layout.blocks**2), replace=False)] = True  # floor: keeps enough lots
    return parks.reshape(layout.blocks, layout.blocks)


def _buildings(parameters: CityParameters, layout: Layout, parks: np.ndarray, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """One footprint in each of ``buildings`` lots drawn among the non-park blocks' lots."""
    by, bx, ly, lx = np.nonzero(np.broadcast_to(~parks[:, :, None, None], (*parks.shape, LOTS, LOTS)))
    chosen = np.sort(rng.choice(len(by), parameters.buildings, replace=False))
    by, bx, ly, lx = by[chosen], bx[chosen], ly[chosen], lx[chosen]
    n = parameters.buildings
    cx = ORIGIN[0] + bx * layout.pitch + ROAD / 2 + (lx + 0.5) * layout.lot
    cy = ORIGIN[1] + by * layout.pitch + ROAD / 2 + (ly + 0.5) * layout.lot
    room = layout.lot / 2 - MARGIN  # half-width available around the lot centre

    width = rng.uniform(0.5, 1.0, n) * 2 * room
    depth = rng.uniform(0.5, 1.0, n) * 2 * room
    angle = np.where(rng.random(n) < 0.4, rng.uniform(0, np.pi / 2, n), 0.0)
    # A rotated rectangle stays in its lot if its diagonal fits the lot's inscribed circle.
    shrink = np.where(angle > 0, np.minimum(1.0, 2 * room / np.hypot(width, depth)), 1.0)
    width, depth = width * shrink, depth * shrink
    shed = rng.random(n) < SHED_SHARE
    width[shed], depth[shed] = rng.uniform(0.8, 1.8, (2, shed.sum()))
    cx[shed] += rng.uniform(-room / 2, room / 2, shed.sum())
    cy[shed] += rng.uniform(-room / 2, room / 2, shed.sum())

    corner_x = np.array([-1, 1, 1, -1, -1]) * width[:, None] / 2
    corner_y = np.array([-1, -1, 1, 1, -1]) * depth[:, None] / 2
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    rings = np.stack([cx[:, None] + corner_x * cos - corner_y * sin, cy[:, None] + corner_x * sin + corner_y * cos], axis=-1)

    names, shares = zip(*USES, strict=True)
    use = rng.choice(names, n, p=shares).astype(object)
    use[shed] = "Annexe"
    height = np.clip(rng.lognormal(math.log(9.0), 0.5, n), 3.0, 60.0).round(1)
    height[shed] = rng.uniform(2.2, 3.5, shed.sum()).round(1)
    height[rng.random(n) < NO_HEIGHT_SHARE] = np.nan
    return gpd.GeoDataFrame(
        {"cleabs": [f"BATIMENT{i:016d}" for i in range(1, n + 1)], "hauteur": height, "usage": use},
        geometry=shapely.polygons(rings), crs=CRS,
    )


def _landcover(parameters: CityParameters, layout: Layout, parks: np.ndarray, buildings: gpd.GeoDataFrame,
               transform: Affine, rng: np.random.Generator) -> np.ndarray:
    centres = (np.arange(parameters.size) + 0.5) * parameters.resolution
    bx, lx, road_x = layout.position(centres)
    by, ly, road_y = layout.position(centres[::-1])  # row 0 is the northern edge
    by, ly, road_y = by[:, None], ly[:, None], road_y[:, None]
    lot_ground = _draw(LOT_GROUND, (layout.blocks, layout.blocks, LOTS, LOTS), rng)
    park_ground = _draw(PARK_GROUND, (layout.blocks, layout.blocks, LOTS, LOTS), rng)
    ground = np.where(parks[:, :, None, None], park_ground, lot_ground).astype("uint8")

    codes = ground[by, bx, np.maximum(ly, 0), np.maximum(lx, 0)]
    codes[np.minimum(road_y, road_x) < PAVEMENT] = PAVING
    codes[(ly < 0) | (lx < 0)] = ROAD_ASPHALT

    # Half the parks have a pond at their centre, ringed by wetland.
    ponds = parks & (rng.random(parks.shape) < 0.5)
    from_centre = np.hypot(
        (centres[::-1][:, None] - (by + 0.5) * layout.pitch), (centres[None, :] - (bx + 0.5) * layout.pitch)
    )
    pond = ponds[by, bx]
    codes[pond & (from_centre < 0.28 * layout.pitch)] = WETLAND
    codes[pond & (from_centre < 0.2 * layout.pitch)] = WATER

    roofs = rasterio.features.rasterize(buildings.geometry, out_shape=codes.shape, transform=transform, fill=0, dtype="uint8")
    codes[roofs > 0] = BUILDING
    return codes


def _draw(choices: tuple[tuple[int, float], ...], shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    values, shares = zip(*choices, strict=True)
    return rng.choice(values, shape, p=shares)


def _elevation(parameters: CityParameters, rng: np.random.Generator) -> np.ndarray:
    """Smooth hills (a few Gaussian bumps on a gentle slope) with 5 cm noise, in metres."""
    centres = (np.arange(parameters.size, dtype="float32") + 0.5) * parameters.resolution
    x, y = centres[None, :], centres[::-1, None]
    extent = parameters.extent
    elevation = np.float32(35.0) + np.float32(8.0 / extent) * x + np.zeros_like(y)
    for _ in range(6):
        hx, hy = rng.uniform(0, extent, 2)
        amplitude, spread = rng.uniform(4, 25), rng.uniform(0.08, 0.3) * extent
        # Separable: exp(-(dx² + dy²)) as an outer product keeps it to two 1-D exponentials.
        elevation += np.float32(amplitude) * np.exp(-((y - hy) / spread) ** 2) * np.exp(-((x - hx) / spread) ** 2)
    elevation += rng.normal(0, 0.05, elevation.shape).astype("float32")
    return elevation


def _trees(parameters: CityParameters, landcover: np.ndarray, transform: Affine, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Tree points on green cells, jittered within their cell."""
    green = np.flatnonzero(np.isin(landcover, GREEN))
    cells = rng.choice(green, parameters.trees, replace=False)
    rows, cols = np.divmod(cells, landcover.shape[1])
    x = transform.c + (cols + rng.random(len(cells))) * transform.a
    y = transform.f + (rows + rng.random(len(cells))) * transform.e
    return gpd.GeoDataFrame(
        {"hauteur": rng.uniform(4, 25, len(cells)).round(1), "rayon": rng.uniform(1.5, 7, len(cells)).round(1)},
        geometry=shapely.points(x, y), crs=CRS,
    )


def _sites(buildings: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Sites of interest at a point inside some (non-shed) buildings."""
    candidates = np.flatnonzero(buildings["usage"].to_numpy() != "Annexe")
    chosen = np.sort(rng.choice(candidates, max(len(SITE_TYPES), len(buildings) // SITE_EVERY), replace=False))
    kinds = [SITE_TYPES[i % len(SITE_TYPES)] for i in range(len(chosen))]
    return gpd.GeoDataFrame(
        {"type": kinds, "nom": [f"{kind[0].upper()}{kind[1:]} n° {i + 1}" for i, kind in enumerate(kinds)]},
        geometry=shapely.point_on_surface(buildings.geometry.to_numpy()[chosen]), crs=CRS,
    )


def _soils(parameters: CityParameters, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """A checkerboard of soil polygons, each with a group letter, covering the district."""
    edges = np.linspace(0, parameters.extent, SOIL_TILES + 1)
    tiles = [shapely.box(ORIGIN[0] + x0, ORIGIN[1] + y0, ORIGIN[0] + x1, ORIGIN[1] + y1)
             for x0, x1 in itertools.pairwise(edges) for y0, y1 in itertools.pairwise(edges)]
    return gpd.GeoDataFrame({"groupe": rng.choice(SOIL_LETTERS, len(tiles))}, geometry=tiles, crs=CRS)


def main() -> None:
    defaults = CityParameters()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=defaults.size, help="cells per side")
    parser.add_argument("--resolution", type=float, default=defaults.resolution, help="cell size in metres")
    parser.add_argument("--buildings", type=int, default=defaults.buildings)
    parser.add_argument("--trees", type=int, default=defaults.trees)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    args = parser.parse_args()
    print(city(CityParameters(args.size, args.resolution, args.buildings, args.trees, args.seed)))


if __name__ == "__main__":
    main()
