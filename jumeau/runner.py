"""Batch runs of scenarios: apply, run heat and flood, compute indicators, write, cache.

``run(site_file, scenario_files, output)`` runs every scenario (local processes by
default, or a Dask cluster when given a ``dask.distributed.Client``) and writes one
folder per scenario under ``output``:

====================  ======================================================
``grids.nc``          the scenario's site layers and model results (CF NetCDF)
``*.tif``             GeoTIFF of the main layers (depth, hazard, air temperature…)
``features.gpkg``     layers ``buildings`` and ``sites`` with their indicators
``indicators.csv``    district indicators with units and labels (also ``.json``)
``interventions.csv`` what each intervention changed, its quantity and costs
``*.png``             maps of the main results
``provenance.json``   cache key, input hashes, forcing, versions, volume balance
====================  ======================================================

A folder is written whole or not at all (:func:`jumeau.io.atomic.atomic_dir`). The
cache key hashes the site's input files, the scenario and its ancestors, the
forcing, the run options and the code (jumeau's version and the hash of its
sources and data): an unchanged scenario is not rerun, any change reruns it.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import json
import logging
import multiprocessing
import os
import platform
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from pydantic import BaseModel

from jumeau import indicators as indicator_module
from jumeau.errors import JumeauError, ScenarioError
from jumeau.interventions import apply
from jumeau.io.atomic import atomic_dir, write_text
from jumeau.io.site_reader import load_site
from jumeau.io.writers import write_figure, write_geotiff, write_netcdf
from jumeau.paths import DATA_DIR
from jumeau.scenario import Forcing, ScenarioSet
from jumeau.site import Site

log = logging.getLogger(__name__)
PACKAGE_DIR = Path(__file__).resolve().parent
PROVENANCE = "provenance.json"


@dataclass
class ScenarioRun:
    """The outcome of one scenario: where its results are, or why it failed."""

    scenario: str
    folder: Path
    status: str  # "done", "cached" or "failed"
    seconds: float = 0.0
    error: str | None = None
    indicators: pd.DataFrame | None = field(default=None, repr=False)


@dataclass
class RunReport:
    runs: list[ScenarioRun]

    @property
    def failed(self) -> list[ScenarioRun]:
        return [r for r in self.runs if r.status == "failed"]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{"scenario": r.scenario, "status": r.status, "seconds": round(r.seconds, 2),
                              "error": r.error or ""} for r in self.runs])


# -- cache keys ----------------------------------------------------------------------

def _digest(*parts: bytes | str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part if isinstance(part, bytes) else part.encode())
        hasher.update(b"\0")
    return hasher.hexdigest()


def file_digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def input_files(site: Site) -> list[Path]:
    """The site file and every file it names (with a shapefile's sidecars)."""
    files = {site.source} if site.source else set()
    config = site.metadata.get("config")
    stack = [config] if config is not None else []
    while stack:
        item = stack.pop()
        if isinstance(item, Path):
            if item.is_file():
                files |= {p for p in item.parent.glob(item.stem + ".*") if p.is_file()} if item.suffix == ".shp" else {item}
        elif isinstance(item, BaseModel):
            stack += [getattr(item, name) for name in type(item).model_fields]
        elif isinstance(item, list | tuple):
            stack += list(item)
    if site.classes.source:
        files.add(Path(site.classes.source))
    return sorted(files)


@functools.cache
def code_version() -> str:
    """jumeau's version and a hash of its sources and shipped tables (not the demo)."""
    from jumeau import __version__

    sources = sorted(PACKAGE_DIR.rglob("*.py")) + sorted(p for p in DATA_DIR.rglob("*.csv") if "demo" not in p.parts)
    return f"{__version__}+{_digest(*(p.read_bytes() for p in sources))[:12]}"


def scenario_key(inputs: dict[str, str], scenarios: ScenarioSet, scenario_id: str, options: dict) -> str:
    chain = [s.model_dump_json(exclude={"source"}) for s in scenarios.chain(scenario_id)]
    return _digest(json.dumps(inputs, sort_keys=True), *chain, scenarios.forcing(scenario_id).model_dump_json(),
                   json.dumps(options, sort_keys=True, default=str), code_version())


def cached(folder: Path, key: str) -> bool:
    """True if ``folder`` holds a complete result for ``key``."""
    try:
        provenance = json.loads((folder / PROVENANCE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return provenance.get("key") == key and all((folder / name).is_file() for name in provenance.get("files", []))


# -- one scenario ---------------------------------------------------------------------

def run_models(site: Site, forcing: Forcing):
    """Flood and heat results of a Site under a forcing."""
    from jumeau.flood.site import flood_site
    from jumeau.heat.site import heat_site

    flood = flood_site(site, forcing.storm)
    heat = heat_site(site, forcing.heat)
    return flood, heat


def run_scenario(site: Site, scenarios: ScenarioSet, scenario_id: str, folder: Path, key: str,
                 inputs: dict[str, str]) -> ScenarioRun:
    """Run one scenario and write its folder; errors become a failed :class:`ScenarioRun`."""
    start = time.perf_counter()
    try:
        forcing = scenarios.forcing(scenario_id)
        changed = apply(site, scenarios.interventions(scenario_id))
        flood, heat = run_models(changed, forcing)
        table, buildings, sites = indicator_module.compute(changed, flood, heat, forcing)
        _write(folder, changed, scenarios, scenario_id, forcing, flood, heat, table, buildings, sites, key, inputs,
               time.perf_counter() - start)
    except JumeauError as exc:
        return ScenarioRun(scenario_id, folder, "failed", time.perf_counter() - start, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the other scenarios; traceback logged
        log.error("scenario %s failed:\n%s", scenario_id, traceback.format_exc())
        return ScenarioRun(scenario_id, folder, "failed", time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
    return ScenarioRun(scenario_id, folder, "done", time.perf_counter() - start, indicators=table)


MAIN_LAYERS = {
    "max_depth": ("Blues", "Hauteur d'eau maximale"),
    "hazard_rating": ("magma_r", "Danger de l'eau (FD2320)"),
    "t_air": ("inferno", "Température de l'air"),
}


def _write(folder, site, scenarios, scenario_id, forcing, flood, heat, table, buildings, sites, key, inputs, seconds):
    import matplotlib.pyplot as plt

    from jumeau.render.maps import draw_map

    title = scenarios[scenario_id].title
    maps_only = [v for ds in (flood, heat) for v in ds.data_vars if set(ds[v].dims) != {"y", "x"}]
    results = xr.merge([site.grid, flood, heat], compat="override", combine_attrs="override").drop_vars(
        maps_only, errors="ignore")
    results.attrs = {}
    results.attrs.update(site.grid.attrs, scenario=scenario_id, title=f"jumeau: {title}")
    with atomic_dir(folder) as tmp:
        write_netcdf(results, tmp / "grids.nc")
        files = ["grids.nc"]
        for name, (cmap, label) in MAIN_LAYERS.items():
            write_geotiff(results[name], tmp / f"{name}.tif")
            figure = draw_map(site, results[name], cmap=cmap, title=f"{title} — {label}", mask_zero=name != "t_air")
            write_figure(figure, tmp / f"{name}.png")
            plt.close(figure)
            files += [f"{name}.tif", f"{name}.png"]
        _plain(buildings).to_file(tmp / "features.gpkg", layer="buildings", engine="pyogrio")
        if len(sites):
            _plain(sites).to_file(tmp / "features.gpkg", layer="sites", engine="pyogrio")
        table.to_csv(tmp / "indicators.csv", index=False)
        (tmp / "indicators.json").write_text(table.to_json(orient="records", force_ascii=False, indent=1), encoding="utf-8")
        pd.DataFrame([c.summary() for c in site.metadata.get("changes", ())]).to_csv(tmp / "interventions.csv", index=False)
        files += ["features.gpkg", "indicators.csv", "indicators.json", "interventions.csv"]
        chain = scenarios.chain(scenario_id)
        provenance = {
            "key": key, "scenario": scenario_id, "chain": [s.id for s in chain],
            "title": {"fr": title, "en": scenarios[scenario_id].title_in("en")}, "site_file": str(site.source),
            "scenario_files": {s.id: str(s.source) for s in chain if s.source},
            "inputs": inputs, "forcing": json.loads(forcing.model_dump_json()), "code_version": code_version(),
            "versions": _versions(), "volume_balance": {k: v for k, v in flood.attrs.items() if k.startswith("volume")},
            "seconds": round(seconds, 2), "files": files,
        }
        write_text(tmp / PROVENANCE, json.dumps(provenance, indent=1, ensure_ascii=False, default=_json_default))


def _plain(frame):
    """Columns GeoPackage can hold: booleans as integers."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == bool:
            frame[column] = frame[column].astype("int8")
    return frame


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def _versions() -> dict[str, str]:
    import importlib.metadata

    names = ("jumeau", "numpy", "numba", "xarray", "rasterio", "geopandas", "shapely", "scipy", "pvlib")
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


# -- many scenarios ---------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def _site(path: str) -> Site:
    return load_site(path)


def _passive_threads() -> None:
    """Worker processes use every core for numba's kernels, but wait at barriers asleep.

    With OpenMP's default spinning, two workers with two threads each on two cores made
    every scenario five times slower (each step's kernels wait for a descheduled thread);
    one thread per worker instead leaves a core idle while the last scenario runs alone.
    OpenMP reads the policy when numba first starts its threading layer, at the worker's
    first parallel kernel, after this initializer.
    """
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"


def _task(site_path: str, scenario_paths: tuple[str, ...], scenario_id: str, folder: str, key: str,
          inputs: dict[str, str]) -> ScenarioRun:
    """What a worker process (or Dask worker) runs: it loads the site and scenarios itself."""
    scenarios = ScenarioSet.load(scenario_paths)
    return run_scenario(_site(site_path), scenarios, scenario_id, Path(folder), key, inputs)


def run(site: str | os.PathLike, scenarios: Iterable[str | os.PathLike], output: str | os.PathLike, *,
        only: Iterable[str] | None = None, workers: int | None = None, client=None,
        progress: Callable[[ScenarioRun], None] | None = None) -> RunReport:
    """Run scenarios on a site; see the module docstring. Returns a :class:`RunReport`.

    ``site`` is a site file and ``scenarios`` scenario files (the baseline is always
    run). ``workers`` local processes (default: one per core, at most one per
    scenario; 1 runs in this process); ``client`` a ``dask.distributed.Client`` whose
    workers can read the same paths. ``progress`` is called after each scenario.
    """
    site_path = Path(site).resolve()
    scenario_paths = tuple(str(Path(p).resolve()) for p in scenarios)
    scenario_set = ScenarioSet.load(scenario_paths)
    loaded = _site(str(site_path))
    inputs = {str(p): file_digest(p) for p in input_files(loaded)}
    ids = [s.id for s in scenario_set]
    if only is not None:
        unknown = sorted(set(only) - set(ids))
        if unknown:
            raise ScenarioError(f"No scenario {unknown} among {ids}.")
        ids = [i for i in ids if i in set(only)]
    output = Path(output).resolve()
    runs: dict[str, ScenarioRun] = {}
    todo = []
    for scenario_id in ids:
        folder = output / scenario_id
        key = scenario_key(inputs, scenario_set, scenario_id, {})
        if cached(folder, key):
            runs[scenario_id] = ScenarioRun(scenario_id, folder, "cached",
                                            indicators=pd.read_csv(folder / "indicators.csv"))
            if progress:
                progress(runs[scenario_id])
        else:
            todo.append((str(site_path), scenario_paths, scenario_id, str(folder), key, inputs))
    for result in _execute(todo, workers, client, loaded, scenario_set):
        runs[result.scenario] = result
        if progress:
            progress(result)
    return RunReport([runs[i] for i in ids])


def _execute(todo: list[tuple], workers: int | None, client, site: Site, scenarios: ScenarioSet):
    if not todo:
        return
    if client is not None:
        from dask.distributed import as_completed

        futures = [client.submit(_task, *args, pure=False, key=f"jumeau-{args[2]}-{args[4][:8]}") for args in todo]
        for future in as_completed(futures):
            yield future.result()
        return
    workers = min(workers or os.cpu_count() or 1, len(todo))
    if workers == 1:
        for args in todo:
            yield run_scenario(site, scenarios, args[2], Path(args[3]), args[4], args[5])
        return
    # spawn: a forked child would inherit numba's and GDAL's threads in an unknown state
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                initializer=_passive_threads) as pool:
        futures = [pool.submit(_task, *args) for args in todo]
        for future in concurrent.futures.as_completed(futures):
            yield future.result()
