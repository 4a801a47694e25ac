"""Reading city vector files, validated and reprojected onto the twin's CRS."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors
import pyproj
import shapely

from jumeau.errors import InputError, RepairWarning
from jumeau.grid import parse_crs

VECTOR_FORMATS = "GeoPackage (.gpkg), GeoJSON (.geojson), Shapefile (.shp) or FlatGeobuf (.fgb)"


def read_vector(
    path: Path, section: str, layer: str | None = None, crs_override: str | None = None,
    target_crs: pyproj.CRS | None = None, encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector layer, refuse it without CRS, repair invalid geometries and reproject.

    Null and empty geometries are dropped and invalid ones repaired with
    :func:`shapely.make_valid`, each with a :class:`RepairWarning` giving the count.
    ``encoding`` is the text encoding of a shapefile's attributes; without it, a shapefile
    without ``.cpg`` is read as GDAL does (ISO-8859-1), and read again as UTF-8 with a
    warning when its text turns out to be UTF-8 (``RÃ©sidentiel`` for ``Résidentiel``).
    """
    if not path.exists():
        raise InputError(f"{section}: file {path} not found. Check `path:` in the site file (relative to the site file).")
    frame = _read_file(path, section, layer, encoding)
    if encoding is None and path.suffix.lower() == ".shp" and not path.with_suffix(".cpg").exists() \
            and _utf8_read_as_latin1(frame):
        frame = _read_file(path, section, layer, "UTF-8")
        warnings.warn(f"{section}: {path.name} has no .cpg file and its text is UTF-8; read as UTF-8. Add "
                      "`encoding: UTF-8` under this input (or a .cpg file) to say so.", RepairWarning, stacklevel=3)
    if crs_override is not None:
        frame = frame.set_crs(parse_crs(crs_override, f"{section} → crs"), allow_override=True)
    elif frame.crs is None:
        raise InputError(
            f"{section}: {path} has no coordinate reference system. Add `crs: EPSG:…` under `{section}:` "
            "in the site file (e.g. EPSG:2154 for Lambert-93), or save the file with its CRS."
        )
    if len(frame) == 0:
        raise InputError(f"{section}: {path} has no features.")
    frame = _drop_empty(frame, section, path)
    frame = _repair(frame, section, path)
    if target_crs is not None and pyproj.CRS.from_user_input(frame.crs) != target_crs:
        frame = frame.to_crs(target_crs)
    return frame.reset_index(drop=True)


def _read_file(path: Path, section: str, layer: str | None, encoding: str | None) -> gpd.GeoDataFrame:
    options = {"encoding": encoding} if encoding else {}
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio", **options)
    except UnicodeDecodeError as exc:
        raise InputError(f"{section}: the text of {path.name} is not {encoding} ({exc.reason} at byte {exc.start}); "
                         "give its real encoding with `encoding:` (UTF-8, ISO-8859-1, CP1252).") from None
    except pyogrio.errors.DataLayerError as exc:
        layers = ", ".join(name for name, _ in pyogrio.list_layers(path))
        raise InputError(f"{section}: {path} has no usable layer {layer!r} ({exc}). Layers in the file: {layers}.") from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.GeometryError, ValueError) as exc:
        raise InputError(
            f"{section}: {path} is not a readable vector file ({str(exc).splitlines()[0]}). Give {VECTOR_FORMATS}."
        ) from None


def _utf8_read_as_latin1(frame: gpd.GeoDataFrame) -> bool:
    """True if the frame's non-ASCII text all reads back as UTF-8 once encoded as Latin-1 (mojibake)."""
    seen = False
    for column in frame.columns:
        if column == frame.geometry.name or not (pd.api.types.is_string_dtype(frame[column])
                                                  or pd.api.types.is_object_dtype(frame[column])):
            continue
        for value in frame[column].dropna().unique():
            if not isinstance(value, str) or value.isascii():
                continue
            try:
                value.encode("latin-1").decode("utf-8")
            except UnicodeError:
                return False
            seen = True
    return seen


def _drop_empty(frame: gpd.GeoDataFrame, section: str, path: Path) -> gpd.GeoDataFrame:
    empty = frame.geometry.isna() | frame.geometry.is_empty
    if empty.all():
        raise InputError(f"{section}: {path} has no geometry (all {len(frame)} features are empty).")
    if empty.any():
        warnings.warn(f"{section}: {int(empty.sum())} feature(s) of {path.name} without geometry were ignored.",
                      RepairWarning, stacklevel=4)
    return frame[~empty]


def _repair(frame: gpd.GeoDataFrame, section: str, path: Path) -> gpd.GeoDataFrame:
    invalid = ~frame.geometry.is_valid
    if not invalid.any():
        return frame
    frame = frame.copy()
    frame.loc[invalid, frame.geometry.name] = shapely.make_valid(frame.geometry[invalid].to_numpy())
    warnings.warn(
        f"{section}: {int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'} of {path.name} "
        "repaired (self-intersections, bad rings).",
        RepairWarning,
        stacklevel=4,
    )
    return frame


def polygonal(frame: gpd.GeoDataFrame, section: str, path: Path) -> gpd.GeoDataFrame:
    """Keep the polygonal part of each geometry; refuse layers with none (e.g. points for footprints)."""
    kinds = frame.geometry.geom_type
    areal = kinds.isin(["Polygon", "MultiPolygon"])
    collections = kinds == "GeometryCollection"
    if collections.any():
        frame = frame.copy()
        frame.loc[collections, frame.geometry.name] = [
            shapely.union_all([g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")])
            for geom in frame.geometry[collections]
        ]
        areal |= collections & ~frame.geometry.is_empty
    if not areal.any():
        raise InputError(
            f"{section}: {path} holds {', '.join(sorted(set(kinds)))} geometries; polygons are needed here."
        )
    dropped = int((~areal).sum())
    if dropped:
        warnings.warn(f"{section}: {dropped} non-polygon feature(s) of {path.name} ignored.", RepairWarning, stacklevel=3)
    return frame[areal]


def require_field(frame: gpd.GeoDataFrame, name: str | None, section: str, path: Path, key: str) -> str:
    """``name`` if the layer has that field, else an error listing the fields it has."""
    fields = ", ".join(c for c in frame.columns if c != "geometry")
    if name is None:
        raise InputError(f"{section}: name the field of {path} to read with `{key}:`. Fields: {fields}.")
    if name not in frame.columns:
        raise InputError(f"{section}: {path} has no field {name!r} (given as `{key}:`). Fields: {fields}.")
    return name
