"""From a folder of downloaded files to a site file: what each file is, and what is missing.

``jumeau init FOLDER`` looks at every raster and vector file in a folder (and its
sub-folders), recognises what French planners download, and writes a commented
``site.yaml`` that loads without hand edits when the inputs are there:

* **terrain**: IGN RGE ALTI (ESRI ASCII tiles, Lambert-93, usually without ``.prj``) or
  LiDAR HD terrain models (GeoTIFF tiles), or any floating-point raster whose name says
  terrain (``MNT``, ``DEM``, ``DTM``, ``RGEALTI``…). Several tiles are gathered in a GDAL
  virtual mosaic (``elevation.vrt``, written beside them);
* **land cover**: a raster of integer classes, Theia OSO (codes 1–23, ``remap: oso``) or
  CORINE (111–523, ``remap: corine``), with BD TOPO's ``SURFACE_HYDROGRAPHIQUE`` (water),
  ``TRONCON_DE_ROUTE`` (roads, widened by ``LARGEUR``), ``ZONE_DE_VEGETATION``,
  ``TERRAIN_DE_SPORT`` and ``CIMETIERE`` layers drawn over it;
* **buildings**: BD TOPO ``BATIMENT`` (shapefile, or the layer ``batiment`` of a
  GeoPackage), whose fields :mod:`jumeau.site.buildings` reads by their names;
* **sites of interest**: BD TOPO ``ZONE_D_ACTIVITE_OU_D_INTERET`` (their ``NATURE``:
  schools, care homes, hospitals… are recognised, named by ``TOPONYME``);
* trees, sites of interest and a study area, by their file names.

What is missing is reported with where a French planner gets it. Nothing is guessed
silently: each choice is a comment in the file written.
"""

from __future__ import annotations

import codecs
import os
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyogrio
import rasterio

from jumeau.errors import InputError
from jumeau.io.atomic import write_text
from jumeau.site.vocabulary import fold

RASTERS = (".tif", ".tiff", ".asc")
VECTORS = (".shp", ".gpkg", ".geojson", ".fgb")
LAMBERT_93 = "EPSG:2154"  # RGE ALTI tiles come without .prj, in Lambert-93
TERRAIN_WORDS = ("mnt", "dem", "dtm", "rgealti", "rge alti", "lidar", "terrain", "elevation", "altitude")
WHERE = {
    "elevation": "IGN RGE ALTI 1 m or 5 m (ASC tiles) or LiDAR HD terrain models (GeoTIFF tiles), geoservices.ign.fr",
    "landcover": "Theia OSO land-cover map (GeoTIFF, 10 m, theia.cnes.fr) or CORINE Land Cover (land.copernicus.eu), "
                 "with BD TOPO's water, road and vegetation layers (geoservices.ign.fr)",
    "buildings": "IGN BD TOPO, layer BATIMENT (per département, geoservices.ign.fr)",
    "trees": "the city's tree inventory (points with height and crown), often on its open-data portal",
    "sites": "schools, crèches and care homes: BD TOPO ZONE_D_ACTIVITE_OU_D_INTERET or the city's list",
    "population": "INSEE Filosofi 200 m tiles (carreaux, insee.fr) as buildings → population_tiles, or the census "
                  "population of the district as buildings → population_total",
    "rain": "Météo-France Montana coefficients of the nearest station, in each scenario's storm → montana",
}
# BD TOPO layer -> land-cover layer written in the site file, in the order they are drawn in
# (the first on top): water over roads (a bridge's deck is not in the terrain model), roads over
# the sports grounds and cemeteries they cross, and all over the vegetation zones
LAYER_NAMES: dict[str, dict] = {
    "surface_hydrographique": {"code": 12},
    "troncon_de_route": {"code": 2, "width_field": "LARGEUR"},
    "terrain_de_sport": {"field": "NATURE", "remap": "bdtopo_sport"},
    "cimetiere": {"field": "NATURE", "remap": "bdtopo_cemetery"},
    "zone_de_vegetation": {"field": "NATURE", "remap": "bdtopo_vegetation"},
}


@dataclass
class Inventory:
    """What a folder holds, as site-file sections, with the notes explaining each choice."""

    folder: Path
    sections: dict[str, dict] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    layers: list[tuple[dict, str]] = field(default_factory=list)  # land-cover layers and their notes

    @property
    def missing(self) -> list[str]:
        return [name for name in ("elevation", "landcover", "buildings", "trees", "sites") if name not in self.sections]


def discover(folder: str | Path) -> Inventory:
    """What each file of ``folder`` is (see the module docstring)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"init: {folder} is not a folder. Give the folder holding the downloaded files.")
    inventory = Inventory(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in (*RASTERS, *VECTORS))
    terrain = [p for p in files if p.suffix.lower() in RASTERS and _is_terrain(p)]
    if terrain:
        _terrain(inventory, terrain)
    for path in files:
        if path.suffix.lower() in RASTERS and path not in terrain:
            _classes_raster(inventory, path)
        elif path.suffix.lower() in VECTORS:
            for layer in _layers(path):
                _vector(inventory, path, layer)
    inventory.layers.sort(key=lambda layer: list(LAYER_NAMES).index(_layer_name(layer[0])))  # drawing order
    return inventory


def _is_terrain(path: Path) -> bool:
    name = fold(path.stem.replace("_", " "))
    if path.suffix.lower() == ".asc" or any(word in name for word in TERRAIN_WORDS):
        with rasterio.open(path) as src:
            return src.dtypes[0].startswith("float") or path.suffix.lower() == ".asc"
    return False


def _terrain(inventory: Inventory, tiles: list[Path]) -> None:
    with rasterio.open(tiles[0]) as src:
        has_crs = src.crs is not None
    section: dict = {}
    if len(tiles) == 1:
        section["path"] = tiles[0]
        note = f"terrain model {tiles[0].name}"
    else:
        mosaic = inventory.folder / "elevation.vrt"
        write_mosaic(tiles, mosaic, None if has_crs else LAMBERT_93)
        section["path"] = mosaic
        note = f"{len(tiles)} terrain tiles gathered in elevation.vrt (a GDAL virtual mosaic, written in this folder)"
    if not has_crs and len(tiles) == 1:
        section["crs"] = LAMBERT_93
    if not has_crs:
        note += "; no CRS in the files: Lambert-93 (EPSG:2154) assumed, as IGN delivers RGE ALTI"
    inventory.sections["elevation"] = section
    inventory.notes["elevation"] = note


def _classes_raster(inventory: Inventory, path: Path) -> None:
    with rasterio.open(path) as src:
        if src.dtypes[0].startswith("float"):
            return
        values = src.read(1, out_shape=(1, min(src.height, 512), min(src.width, 512)))
        nodata = src.nodata
    present = np.unique(values[values != nodata] if nodata is not None else values)
    present = present[present > 0]
    if "landcover" in inventory.sections or not len(present):
        return
    section: dict = {"path": path}
    if present.max() <= 23 and ("oso" in fold(path.stem) or "ocs" in fold(path.stem) or present.max() > 17):
        section["remap"] = "oso"
        note = f"land cover {path.name}: Theia OSO codes (1–23), remapped by remap: oso"
    elif present.min() >= 111 and present.max() <= 523:
        section["remap"] = "corine"
        note = f"land cover {path.name}: CORINE codes (111–523), remapped by remap: corine"
    else:
        note = f"land cover {path.name}: codes taken as jumeau's classes (check them against the class table)"
    section["fill_class"] = 9
    inventory.sections["landcover"] = section
    inventory.notes["landcover"] = note + "; cells without a class become meadow (fill_class: 9)"


def _layers(path: Path) -> Iterable[str | None]:
    if path.suffix.lower() != ".gpkg":
        return [None]
    try:
        return [str(name) for name, _ in pyogrio.list_layers(path)]
    except pyogrio.errors.DataSourceError:
        return []


def _vector(inventory: Inventory, path: Path, layer: str | None) -> None:
    entry: dict = {"path": path} | ({"layer": layer} if layer else {})
    name = _layer_name(entry)
    where = f"{path.name}" + (f", layer {layer}" if layer else "")
    if name in ("batiment", "bati", "buildings", "batiments") and "buildings" not in inventory.sections:
        inventory.sections["buildings"] = entry
        inventory.notes["buildings"] = (f"buildings {where}: heights, storeys, uses, dwellings and ids are read from "
                                        "their BD TOPO fields; residents are estimated from dwellings and floor area")
    elif name in LAYER_NAMES:
        inventory.layers.append(({**entry, **LAYER_NAMES[name]}, f"{where} drawn over the land cover"))
    elif name == "zone_d_activite_ou_d_interet" and "sites" not in inventory.sections:
        fields = {str(f).lower(): str(f) for f in pyogrio.read_info(path, layer=layer)["fields"]}
        if "nature" in fields:
            inventory.sections["sites"] = {**entry, "type": fields["nature"]} | (
                {"name": fields["toponyme"]} if "toponyme" in fields else {})
            inventory.notes["sites"] = (f"sites of interest {where}: schools, crèches, care homes and hospitals "
                                        "recognised from NATURE")
    elif re.search(r"carreau|filosofi", name) and "population_tiles" not in inventory.sections:
        inventory.sections["population_tiles"] = entry
        inventory.notes["population_tiles"] = (f"residents per INSEE 200 m tile {where}: the estimated residents are "
                                               "scaled square by square")
    elif re.search(r"arbre|tree", name) and "trees" not in inventory.sections:
        inventory.sections["trees"] = entry
        inventory.notes["trees"] = f"trees {where}: heights and crowns from its fields, or defaults (8 m, 3 m)"
    elif re.search(r"perimetre|study|emprise|zone_d_etude", name) and "study_area" not in inventory.sections:
        inventory.sections["study_area"] = entry
        inventory.notes["study_area"] = f"study area {where}: the grid covers it"


def _layer_name(entry: dict) -> str:
    return fold(entry.get("layer") or Path(entry["path"]).stem).replace(" ", "_")


def write_mosaic(tiles: list[Path], target: Path, crs: str | None) -> Path:
    """A GDAL virtual mosaic (VRT) of tiles of one resolution, paths relative to it, nodata kept per tile."""
    infos = []
    for tile in tiles:
        with rasterio.open(tile) as src:
            infos.append((tile, src.transform, src.width, src.height, src.nodata, src.crs, src.dtypes[0]))
    resolutions = {(round(t.a, 9), round(-t.e, 9)) for _, t, *_ in infos}
    if len(resolutions) > 1:
        raise InputError(f"init: the terrain tiles have different resolutions {sorted(resolutions)}; gather tiles of "
                         "one product (RGE ALTI 1 m, or 5 m, or LiDAR HD).")
    (res_x, res_y), = resolutions
    xmin = min(t.c for _, t, *_ in infos)
    ymax = max(t.f for _, t, *_ in infos)
    xmax = max(t.c + w * res_x for _, t, w, *_ in infos)
    ymin = min(t.f - h * res_y for _, t, _, h, *_ in infos)
    width, height = round((xmax - xmin) / res_x), round((ymax - ymin) / res_y)
    nodata = next((n for *_, n, _, _ in infos if n is not None), -99999.0)
    dataset = ElementTree.Element("VRTDataset", rasterXSize=str(width), rasterYSize=str(height))
    srs = crs or (infos[0][5].to_wkt() if infos[0][5] is not None else None)
    if srs:
        ElementTree.SubElement(dataset, "SRS").text = srs
    ElementTree.SubElement(dataset, "GeoTransform").text = f"{xmin!r}, {res_x!r}, 0, {ymax!r}, 0, {-res_y!r}"
    band = ElementTree.SubElement(dataset, "VRTRasterBand", dataType="Float32", band="1")
    ElementTree.SubElement(band, "NoDataValue").text = repr(float(nodata))
    for tile, transform, w, h, tile_nodata, _, _ in infos:
        column, row = (transform.c - xmin) / res_x, (ymax - transform.f) / res_y
        if abs(column - round(column)) > 1e-6 or abs(row - round(row)) > 1e-6:
            raise InputError(f"init: terrain tile {tile.name} is not on the other tiles' lattice of cells (offset "
                             f"{column % 1:.2f}, {row % 1:.2f} cell); gather tiles of one product.")
        source = ElementTree.SubElement(band, "ComplexSource")
        ElementTree.SubElement(source, "SourceFilename", relativeToVRT="1").text = \
            Path(os.path.relpath(tile.resolve(), target.parent.resolve())).as_posix()
        ElementTree.SubElement(source, "SourceBand").text = "1"
        ElementTree.SubElement(source, "SrcRect", xOff="0", yOff="0", xSize=str(w), ySize=str(h))
        ElementTree.SubElement(source, "DstRect", xOff=str(round(column)), yOff=str(round(row)), xSize=str(w),
                               ySize=str(h))
        if tile_nodata is not None:
            ElementTree.SubElement(source, "NODATA").text = repr(float(tile_nodata))
    ElementTree.indent(dataset)
    return write_text(target, ElementTree.tostring(dataset, encoding="unicode") + "\n")


def site_file_text(inventory: Inventory, name: str, base: Path) -> str:
    """The commented site file of an inventory, its paths relative to ``base`` (the site file's folder)."""
    lines = ["# Site file written by `jumeau init` from the files of this folder. Every choice is explained",
             "# below; see docs/site-file.md for every key.", f"name: {_quoted(name)}", ""]
    for section in ("elevation", "landcover", "buildings", "trees", "sites", "study_area"):
        content: dict = {key: _path(value, base) for key, value in inventory.sections.get(section, {}).items()}
        layers = [{key: _path(value, base) for key, value in layer.items()} for layer, _ in inventory.layers]
        if not content:
            if section in WHERE:
                lines.append(f"# {section}: missing. Get: {WHERE[section]}.")
                if section == "landcover" and layers:
                    lines.append(f"#   (found, to draw over it: {', '.join(str(layer['path']) for layer in layers)})")
                lines.append("")
            continue
        lines.append(f"# {inventory.notes[section]}")
        if section == "buildings" and "population_tiles" in inventory.sections:
            lines.append(f"#   {inventory.notes['population_tiles']}")
            content["population_tiles"] = {key: _path(value, base)
                                           for key, value in inventory.sections["population_tiles"].items()}
        if section == "landcover":
            lines += [f"#   {note}" for _, note in inventory.layers]
            if layers:
                content["layers"] = layers
        lines.append(f"{section}:")
        for key, value in content.items():
            if key == "layers":
                lines.append("  layers:                 # the first listed on top")
                lines += [f"    - {_inline(layer)}" for layer in value]
            elif isinstance(value, dict):
                lines.append(f"  {key}: {_inline(value)}")
            else:
                lines.append(f"  {key}: {_quoted(value)}")
        if section == "elevation":
            lines += ["  # fill_pits: true        # if loading reports one-cell pits (they hold water in the flood)",
                      "  # smooth_terraces: true  # if loading reports terraces (a terrain resampled from a coarser one)"]
        lines.append("")
    if "population_tiles" not in inventory.sections and "population_total" not in inventory.sections.get("buildings", {}):
        lines.append(f"# residents: {WHERE['population']}.")
    lines += [f"# rain: {WHERE['rain']}.", ""]
    return "\n".join(lines)


def _path(value: object, base: Path) -> object:
    return Path(os.path.relpath(value.resolve(), base.resolve())).as_posix() if isinstance(value, Path) else value


def _quoted(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return f'"{text}"' if re.search(r"[:#{}\[\],&*!|>'\"%@`]|^\s|\s$", text) else text


def _inline(mapping: dict) -> str:
    return "{" + ", ".join(f"{key}: {_quoted(value)}" for key, value in mapping.items()) + "}"


def init_site(folder: str | Path, output: str | Path | None = None, name: str | None = None, *,
              no_id: bool = False, encoding: str | None = None,
              population_total: float | None = None) -> tuple[Path, Inventory]:
    """Write the site file of ``folder`` (default ``FOLDER/site.yaml``); return it and the inventory.

    For the buildings: ``no_id`` numbers them instead of reading an identifier field;
    ``encoding`` is their text's; ``population_total`` scales the estimated residents to a known
    total (INSEE tiles found in the folder are then left out, with a note).
    """
    inventory = discover(folder)
    _buildings_options(inventory, no_id, encoding, population_total)
    target = Path(output) if output is not None else inventory.folder / "site.yaml"
    write_text(target, site_file_text(inventory, name or inventory.folder.name, target.parent))
    return target, inventory


def _buildings_options(inventory: Inventory, no_id: bool, encoding: str | None, population_total: float | None) -> None:
    given: dict[str, object] = {"id": False} if no_id else {}
    if encoding is not None:
        try:
            given["encoding"] = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(f"--encoding {encoding!r} is not a text encoding Python knows; give e.g. UTF-8, "
                             "latin-1 or cp1252.") from None
    if population_total is not None:
        if not population_total > 0:
            raise InputError(f"--population-total {population_total:g}: give the residents of the district, above 0.")
        given["population_total"] = population_total
    if not given:
        return
    if "buildings" not in inventory.sections:
        options = ", ".join({"id": "--no-id"}.get(key, f"--{key.replace('_', '-')}") for key in given)
        raise InputError(f"{inventory.folder}: no buildings file found (BD TOPO BATIMENT) for {options}; "
                         "add it to the folder first.")
    inventory.sections["buildings"].update(given)
    if population_total is not None and "population_tiles" in inventory.sections:
        del inventory.sections["population_tiles"]
        inventory.notes["buildings"] += (f"; residents scaled to the {population_total:g} given, the INSEE tiles found "
                                         "in the folder left out")
