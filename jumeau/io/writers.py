"""Writers for the standard files jumeau produces, all atomic (see :mod:`jumeau.io.atomic`)."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import rioxarray  # noqa: F401 - registers the .rio accessor
import xarray as xr

from jumeau.io.atomic import atomic_path


def write_geotiff(layer: xr.DataArray, target: str | os.PathLike) -> Path:
    """Write a 2-D layer with a CRS as a tiled, DEFLATE-compressed GeoTIFF."""
    predictor = 3 if layer.dtype.kind == "f" else 2
    with atomic_path(target) as tmp:
        layer.rio.to_raster(
            tmp, driver="GTiff", compress="DEFLATE", predictor=predictor, tiled=True
        )
    return Path(target)


def write_vector(frame: gpd.GeoDataFrame, target: str | os.PathLike, layer: str | None = None) -> Path:
    """Write a GeoDataFrame; the format follows the suffix (.gpkg, .geojson, .fgb, .shp)."""
    target = Path(target)
    if target.suffix.lower() == ".shp":
        raise ValueError("jumeau writes GeoPackage, GeoJSON or FlatGeobuf, not Shapefile")
    with atomic_path(target) as tmp:
        frame.to_file(tmp, layer=layer or target.stem, engine="pyogrio")
    return target


def write_netcdf(dataset: xr.Dataset, target: str | os.PathLike) -> Path:
    """Write a Dataset as NetCDF with per-variable zlib compression, every map layer tied to its CRS.

    Each layer on the grid names the ``spatial_ref`` variable in its ``grid_mapping``
    attribute, without which QGIS, GDAL and rioxarray see no CRS (layers merged from several
    models had lost it, and the compression settings replaced it on the rest).
    """
    crs = dataset.rio.crs
    if crs is not None:
        dataset = dataset.rio.write_crs(crs)
    # an encoding given here replaces each variable's own, where rioxarray keeps the grid mapping
    encoding = {name: {"zlib": True, "complevel": 4} | {key: value for key, value in dataset[name].encoding.items()
                                                     if key == "grid_mapping"} for name in dataset.data_vars}
    with atomic_path(target) as tmp:
        dataset.to_netcdf(tmp, encoding=encoding)
    return Path(target)


def write_figure(figure, target: str | os.PathLike, dpi: int = 150) -> Path:
    """Save a matplotlib figure (format from the suffix)."""
    with atomic_path(target) as tmp:
        figure.savefig(tmp, dpi=dpi, bbox_inches="tight")
    return Path(target)
