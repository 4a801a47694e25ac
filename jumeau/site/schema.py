"""The site file: a YAML document naming a city's inputs and how to read them.

Paths are relative to the site file's folder. Every section is validated by the
pydantic models below; unknown keys are refused so that a typo does not silently
fall back to a default. A complete example is ``data/demo/site.yaml``; the schema
is documented in ``docs/site-file.md``.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from jumeau.io.schema import RelativePath, Section
from jumeau.io.yamlfile import load_model
from jumeau.site.residents import FLOOR_AREA_PER_RESIDENT, PERSONS_PER_DWELLING, STOREY_HEIGHT

RASTER_SUFFIXES = {".tif", ".tiff", ".asc", ".vrt", ".img"}
VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".fgb"}
SOIL_GROUPS = ("A", "B", "C", "D")


class Source(Section):
    """A file on disk. ``crs`` is only for files that carry none (e.g. an ASCII grid without .prj)."""

    path: RelativePath
    layer: str | None = Field(None, description="Layer name in a multi-layer file (GeoPackage).")
    crs: str | None = Field(None, description="CRS of a file that has none, e.g. 'EPSG:2154'.")
    encoding: str | None = Field(None, description="Text encoding of a shapefile without .cpg (UTF-8, CP1252...).")

    @field_validator("encoding", mode="after")
    @classmethod
    def _known_encoding(cls, encoding: str | None) -> str | None:
        if encoding is not None:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise ValueError(f"unknown encoding {encoding!r}; give one such as UTF-8, ISO-8859-1 or CP1252") from None
        return encoding

    @property
    def is_raster(self) -> bool:
        return self.path.suffix.lower() in RASTER_SUFFIXES


class ElevationSource(Source):
    """Bare-earth terrain model: GeoTIFF or ESRI ASCII grid, in metres."""

    fill_pits: bool = Field(False, description="Fill one-cell pits (a cell below its eight neighbours) to their "
                                               "lowest neighbour; the volume added is warned.")
    smooth_terraces: bool = Field(False, description="Smooth the flat steps of a terrain resampled from a coarser or "
                                                     "rounded model, on sloping ground; the ground moved is warned.")

    @field_validator("path", mode="after")
    @classmethod
    def _must_be_raster(cls, path: Path) -> Path:
        if path.suffix.lower() not in RASTER_SUFFIXES:
            raise ValueError(
                f"elevation must be a raster ({', '.join(sorted(RASTER_SUFFIXES))}), got {path.name}"
            )
        return path


class PopulationTilesSource(Source):
    """Residents counted on a grid of squares, as INSEE's Filosofi 200 m tiles give them."""

    field: str | None = Field(None, description="Field with the residents of each tile; null: detected (Filosofi's ind).")


class BuildingsSource(Source):
    """Building footprints. Heights come from ``height`` or are detected (see ``jumeau.site.buildings``)."""

    id: str | Literal[False] | None = Field(
        None, description="Field with a unique building identifier; null: detected; false: none (buildings numbered)."
    )
    height: str | None = Field(None, description="Field with the building height in metres.")
    floors: str | None = Field(None, description="Field with the number of storeys.")
    storey_height: float = Field(STOREY_HEIGHT, gt=1.5, le=10.0,
                                 description="Metres per storey when deriving height from floors.")
    default_height: float | None = Field(
        6.0, gt=0, le=400, description="Height given to buildings without any height (warned); null makes them an error."
    )
    invalid_heights: Literal["error", "default"] = Field(
        "error", description="What to do with negative or absurd (> 400 m) heights: refuse, or treat them as missing."
    )
    use: str | None = Field(None, description="Field with the building use/type.")
    population: str | None = Field(None, description="Field with the number of residents per building.")
    dwellings: str | None = Field(None, description="Field with the number of dwellings per building.")
    persons_per_dwelling: float = Field(PERSONS_PER_DWELLING, gt=0.5, le=10,
                                        description="Residents per dwelling, to estimate residents from dwellings.")
    floor_area_per_person: float = Field(
        FLOOR_AREA_PER_RESIDENT, gt=5,
        description="m² of residential floor area per resident, to estimate population when no field is given."
    )
    population_total: float | None = Field(
        None, gt=0, description="Known residents of the modelled area (INSEE): estimated residents are scaled to it."
    )
    population_tiles: PopulationTilesSource | None = Field(
        None, description="Residents per square (INSEE Filosofi 200 m tiles): estimated residents are scaled to each."
    )

    @model_validator(mode="after")
    def _one_calibration(self) -> BuildingsSource:
        if self.population_total is not None and self.population_tiles is not None:
            raise ValueError("give population_total or population_tiles, not both (the tiles already give the total)")
        return self


class _ClassedSource(Source):
    """A raster of codes or polygons whose ``field`` holds the code."""

    field: str | None = None
    what: ClassVar[str] = "layer"

    @model_validator(mode="after")
    def _field_for_polygons(self) -> _ClassedSource:
        if not self.is_raster and self.field is None:
            raise ValueError(f"{self.what} {self.path.name} is a vector file: name its class field with `field:`")
        return self


REMAP_PRESETS = Literal["umep", "corine", "oso", "bdtopo_vegetation", "bdtopo_sport", "bdtopo_cemetery"]


class LandcoverLayer(Source):
    """Features drawn over the land cover: polygons, or lines with a width, of one class or of a class field."""

    code: int | None = Field(None, description="The class of every feature (e.g. 12 for water surfaces).")
    field: str | None = Field(None, description="Field holding each feature's class code or name.")
    remap: REMAP_PRESETS | RelativePath | dict[int | str, int] | None = Field(
        None, description="Field values to class codes: 'bdtopo_vegetation', 'bdtopo_sport', 'bdtopo_cemetery', 'oso', "
                          "'corine', 'umep', a CSV "
                          "(code,lucode) or a mapping; names are matched without case or accents.")
    width: float | None = Field(None, gt=0, le=200, description="Width (m) of line features (roads, rivers).")
    width_field: str | None = Field(None, description="Field with each line's width in m (BD TOPO: LARGEUR).")

    @model_validator(mode="after")
    def _one_class(self) -> LandcoverLayer:
        if (self.code is None) == (self.field is None):
            raise ValueError(f"{self.path.name}: give either `code:` (one class for all) or `field:` (a class field)")
        if self.is_raster:
            raise ValueError(f"{self.path.name}: a land-cover layer is a vector file; give rasters as the base `path:`")
        return self


class LandcoverSource(_ClassedSource):
    """Land cover: a raster of class codes, or polygons with a class field, with layers drawn over it."""

    field: str | None = Field(None, description="Class field, for polygons.")
    what: ClassVar[str] = "land cover"
    classes: RelativePath | None = Field(None, description="Class table CSV; default: jumeau's table.")
    remap: REMAP_PRESETS | RelativePath | dict[int | str, int] | None = Field(
        None, description="Code remapping to the class table: 'umep', 'corine', 'oso', a CSV (code,lucode) or a "
                          "mapping."
    )
    layers: list[LandcoverLayer] = Field(
        [], description="Vector layers drawn over the base land cover, the first listed on top (e.g. water, "
                        "roads, vegetation of BD TOPO over an OSO raster).")
    building_class: int | Literal["roof"] | None = Field(
        "roof", description="Class burnt under building footprints so roofs and land cover agree: a code, 'roof' "
                            "(the class table's class of role roof), or null to keep the input."
    )
    fill_class: int | None = Field(None, description="Class for cells with no class (raster nodata, or no polygon).")


class SoilSource(_ClassedSource):
    """Hydrologic soil group: raster of 1–4 (A–D) or polygons with a letter field."""

    field: str | None = Field(None, description="Field holding the letter A–D, for polygons.")
    what: ClassVar[str] = "soil group"
    default: Literal["A", "B", "C", "D"] | None = Field(None, description="Group for cells the file leaves empty.")


class TreesSource(Source):
    """Trees: points (height and crown radius fields) or a canopy-height raster (metres)."""

    height: str | None = Field(None, description="Tree height field (points).")
    crown_radius: str | None = Field(None, description="Crown radius field in metres (points).")
    crown_diameter: str | None = Field(None, description="Crown diameter field in metres, instead of a radius.")
    default_height: float = Field(8.0, gt=0, le=120)
    default_crown_radius: float = Field(3.0, gt=0, le=40)
    min_canopy_height: float = Field(2.0, ge=0, description="Canopy-height raster: cells above this are canopy.")


class SitesSource(Source):
    """Sites of interest (schools, care homes, hospitals, crèches...) as points or polygons."""

    type: str = Field("type", description="Field with the site type (school, EHPAD, hôpital, crèche...).")
    name: str | None = Field(None, description="Field with the site's name.")


class EdgeLevel(Section):
    """A water level imposed on an edge of the grid: the sea, a river, a lake (same datum as the elevation)."""

    level: float | None = Field(None, ge=-500, le=9000, description="Constant water level (m).")
    file: RelativePath | None = Field(None, description="Levels over time: CSV with columns time (min) and level (m).")

    @model_validator(mode="after")
    def _one(self) -> EdgeLevel:
        if (self.level is None) == (self.file is None):
            raise ValueError("give either `level:` (m) or `file:` (a CSV of time in min and level in m)")
        if self.file is not None and not self.file.is_file():
            raise ValueError(f"{self.file} not found (a CSV of time in min and level in m, beside the site file)")
        return self


class SiteFile(Section):
    """Root of a site file."""

    name: str = Field("Unnamed site", description="Name of the district.")
    crs: str | None = Field(None, description="Working CRS (projected, metres); default: the elevation's.")
    resolution: Annotated[float, Field(gt=0, le=1000)] | None = Field(
        None, description="Cell size in metres; default: the elevation's."
    )
    bounds: tuple[float, float, float, float] | None = Field(
        None, description="xmin, ymin, xmax, ymax in the working CRS; default: study area, else the inputs' intersection."
    )
    max_cells: int = Field(25_000_000, gt=0, description="Largest grid accepted (cells).")
    elevation: ElevationSource = Field(
        ..., description="the bare-earth terrain model, e.g. `elevation: {path: mnt.tif}`. In France: IGN's RGE ALTI "
                         "(1 m or 5 m, ASC tiles) or LiDAR HD terrain models (0.5 m GeoTIFF tiles), from "
                         "geoservices.ign.fr; several tiles: gather them with gdalbuildvrt and give the .vrt.")
    buildings: BuildingsSource | None = None
    landcover: LandcoverSource
    soil_group: Literal["A", "B", "C", "D"] | SoilSource = "B"
    trees: TreesSource | None = None
    sites: SitesSource | None = None
    study_area: Source | None = None
    boundary: dict[Literal["north", "south", "west", "east"], Literal["open", "closed"] | EdgeLevel] = Field(
        {}, description="What the flood model does at each edge of the grid: 'open' (water leaves, the default), "
                        "'closed' (a wall), or a water level (the sea, a river: {level: 2.1} or {file: tide.csv}).")

    @field_validator("soil_group", mode="before")
    @classmethod
    def _upper_letter(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("bounds", mode="after")
    @classmethod
    def _ordered(cls, bounds: tuple | None) -> tuple | None:
        if bounds is not None and not (bounds[0] < bounds[2] and bounds[1] < bounds[3]):
            raise ValueError("bounds must be [xmin, ymin, xmax, ymax] with xmin < xmax and ymin < ymax")
        return bounds


def read_site_file(path: str | os.PathLike) -> SiteFile:
    """Read and validate a site file (raises :class:`jumeau.errors.InputError`)."""
    return load_model(path, SiteFile)
