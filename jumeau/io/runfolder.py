"""The run folder: one scenario's results on disk. This module alone writes, finds and reads them.

====================  ======================================================
``grids.nc``          the scenario's site layers and model results (CF NetCDF)
``*.tif``             GeoTIFF of the main layers (depth, hazard, air temperature…)
``*.png``             maps of the same layers
``features.gpkg``     layers ``buildings`` and ``sites`` with their indicators
``indicators.csv``    district indicators with units and labels (also ``.json``)
``interventions.csv`` what each intervention changed, its quantity and costs
``provenance.json``   cache key, inputs, the scenario chain's definitions, forcing,
                      versions, volume balance, and the list of the files above
====================  ======================================================

A folder is written whole or not at all (:func:`jumeau.io.atomic.atomic_dir`), and
counts as a result only if its provenance lists files that are all there. A process
that computes a folder first :func:`claim` s it, so that concurrent runs on the same
results wait for it and reuse its folder instead of computing it again. The
writer takes plain data (datasets, tables, matplotlib figures): what to compute and
draw is the study's business, not this module's.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: no claims, concurrent runs may compute a folder twice
    fcntl = None  # type: ignore[assignment]

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from jumeau.errors import InputError
from jumeau.io.atomic import atomic_dir, write_text
from jumeau.io.writers import write_figure, write_geotiff, write_netcdf

PROVENANCE = "provenance.json"
GRIDS = "grids.nc"
FEATURES = "features.gpkg"
INDICATORS = "indicators.csv"
INTERVENTIONS = "interventions.csv"


@dataclass
class RunContents:
    """What one scenario's run writes (see the module docstring)."""

    grids: xr.Dataset
    indicators: pd.DataFrame
    buildings: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    interventions: pd.DataFrame
    provenance: dict[str, Any]
    geotiffs: tuple[str, ...] = ()  # variables of ``grids`` also written as GeoTIFF
    figures: dict[str, Any] = field(default_factory=dict)  # file stem -> matplotlib Figure, saved as PNG


@contextlib.contextmanager
def claim(folder: str | os.PathLike) -> Iterator[None]:
    """Hold ``folder``'s claim while computing it; waits while another process holds it.

    An exclusive ``flock`` on a ``.<name>.lock`` file beside the folder: released by the
    system if the holder dies, so a killed run never blocks the next. Once held, the
    temporary folders a killed writer of this folder left behind are removed: nobody else
    can be writing them. The lock file stays (removing it would let a third process lock
    a different file).
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
            for leftover in [*folder.parent.glob(f".{folder.name}.*.tmp"), *folder.parent.glob(f".{folder.name}.*.old")]:
                shutil.rmtree(leftover, ignore_errors=True)
        yield


def write_run(folder: str | os.PathLike, contents: RunContents) -> Path:
    """Write a run folder atomically; its provenance, written last, lists every file."""
    folder = Path(folder)
    with atomic_dir(folder) as tmp:
        write_netcdf(contents.grids, tmp / GRIDS)
        files = [GRIDS]
        for name in contents.geotiffs:
            write_geotiff(contents.grids[name], tmp / f"{name}.tif")
            files.append(f"{name}.tif")
        for stem, figure in contents.figures.items():
            write_figure(figure, tmp / f"{stem}.png")
            files.append(f"{stem}.png")
        _plain(contents.buildings).to_file(tmp / FEATURES, layer="buildings", engine="pyogrio")
        if len(contents.sites):
            _plain(contents.sites).to_file(tmp / FEATURES, layer="sites", engine="pyogrio")
        contents.indicators.to_csv(tmp / INDICATORS, index=False)
        json_table = contents.indicators.to_json(orient="records", force_ascii=False, indent=1)
        (tmp / "indicators.json").write_text(json_table, encoding="utf-8")
        contents.interventions.to_csv(tmp / INTERVENTIONS, index=False)
        files += [FEATURES, INDICATORS, "indicators.json", INTERVENTIONS]
        provenance = {**contents.provenance, "files": files}
        write_text(tmp / PROVENANCE, json.dumps(provenance, indent=1, ensure_ascii=False, default=_json_default))
    return folder


def is_complete(folder: str | os.PathLike, key: str | None = None) -> bool:
    """True if ``folder`` holds a whole result (for cache ``key``, if given)."""
    folder = Path(folder)
    provenance = _provenance(folder)
    if provenance is None or (key is not None and provenance.get("key") != key):
        return False
    return all((folder / name).is_file() for name in provenance.get("files", []))


class Result:
    """One scenario's results read back from its folder; parts are read when first asked for."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        provenance = _provenance(self.folder)
        if provenance is None:
            raise InputError(f"{self.folder}: not a scenario result (no readable {PROVENANCE}). Run `jumeau run`.")
        self.provenance: dict[str, Any] = provenance

    def __repr__(self) -> str:
        return f"Result({str(self.folder)!r})"

    @property
    def scenario(self) -> str:
        return str(self.provenance["scenario"])

    @property
    def key(self) -> str:
        return str(self.provenance.get("key", ""))

    @property
    def titles(self) -> dict[str, str]:
        return self.provenance.get("title", {"fr": self.scenario, "en": self.scenario})

    def title(self, language: str = "fr") -> str:
        return self.titles.get(language) or self.titles.get("fr") or self.scenario

    @property
    def forcing(self) -> dict[str, Any]:
        return self.provenance["forcing"]

    @property
    def definitions(self) -> list[dict[str, Any]]:
        """The scenario and its ancestors as written (oldest first), to rebuild them without their files."""
        return self.provenance.get("definitions", [])

    @functools.cached_property
    def indicators(self) -> pd.DataFrame:
        """District indicators indexed by indicator key (``value``, ``unit``, labels...)."""
        return pd.read_csv(self.folder / INDICATORS).set_index("indicator")

    @functools.cached_property
    def grids(self) -> xr.Dataset:
        """Every layer of ``grids.nc``, in memory (the file is closed)."""
        with xr.open_dataset(self.folder / GRIDS, decode_coords="all") as grids:
            return grids.load()

    @functools.cached_property
    def layer_names(self) -> frozenset[str]:
        """The names of the layers and coordinates in ``grids.nc``, read without their values."""
        with xr.open_dataset(self.folder / GRIDS, decode_coords="all") as grids:
            return frozenset(map(str, grids.variables))

    def layer(self, name: str) -> xr.DataArray:
        """One layer (or coordinate) of ``grids.nc`` read alone, in memory: a viewer shows a few of the many
        layers a run writes (the hourly felt heat alone is 12 grids)."""
        if "grids" in self.__dict__:  # everything is read already
            return self.grids[name]
        with xr.open_dataset(self.folder / GRIDS, decode_coords="all") as grids:
            return grids[name].load()

    def description(self, language: str = "fr") -> str:
        """The scenario's description as written in its file (English if given and asked for)."""
        own = self.definitions[-1] if self.definitions else {}
        return (own.get("description_en") if language == "en" else None) or own.get("description", "")

    @functools.cached_property
    def sites(self) -> gpd.GeoDataFrame:
        """The sites of interest with their values (``stress_hours_around``, ``utci_around``, ``peak_depth``...);
        empty when the site has none (the file then holds no such layer)."""
        import pyogrio

        if "sites" not in pyogrio.list_layers(self.folder / FEATURES)[:, 0]:
            return gpd.GeoDataFrame()
        return gpd.read_file(self.folder / FEATURES, layer="sites", engine="pyogrio")

    @functools.cached_property
    def interventions(self) -> pd.DataFrame:
        """What each intervention changed, in the order applied (empty for a scenario without any)."""
        try:
            return pd.read_csv(self.folder / INTERVENTIONS)
        except pd.errors.EmptyDataError:
            return pd.DataFrame()

    @functools.cached_property
    def buildings(self) -> gpd.GeoDataFrame:
        return gpd.read_file(self.folder / FEATURES, layer="buildings", engine="pyogrio")

    def file(self, name: str) -> Path:
        """The path of one of the run's files (``indicators.csv``, ``t_air.tif``...)."""
        if name not in self.provenance.get("files", []):
            raise InputError(f"{self.folder}: the run holds no {name!r}; it holds {', '.join(self.provenance['files'])}.")
        return self.folder / name

    @property
    def geotiffs(self) -> list[Path]:
        return [self.folder / name for name in self.provenance.get("files", []) if name.endswith(".tif")]


def read_run(folder: str | os.PathLike) -> Result | None:
    """The result in ``folder``, or None if it holds no whole result."""
    return Result(folder) if is_complete(folder) else None


def find_runs(folder: str | os.PathLike) -> dict[str, Result]:
    """Every whole result under ``folder``, by scenario id (sub-folders holding a provenance)."""
    folder = Path(folder)
    found = {}
    for provenance in sorted(folder.glob(f"*/{PROVENANCE}")):
        if provenance.parent.name.startswith("."):  # a run being written, or an old one being replaced
            continue
        result = read_run(provenance.parent)
        if result is not None:
            found[result.scenario] = result
    if not found:
        raise InputError(f"{folder}: no scenario results (folders with {PROVENANCE}). Run `jumeau run` first.")
    return found


def _provenance(folder: Path) -> dict[str, Any] | None:
    try:
        provenance = json.loads((folder / PROVENANCE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return provenance if isinstance(provenance, dict) else None


def _plain(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns GeoPackage can hold: booleans as integers."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == bool:
            frame[column] = frame[column].astype("int8")
    return frame


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
