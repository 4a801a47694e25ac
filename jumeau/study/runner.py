"""Batch runs of scenarios: apply, run heat and flood, compute indicators, write, cache.

``run(site, scenarios, output)`` runs every scenario (local processes by default, or a
Dask cluster when given a ``dask.distributed.Client``) and writes one run folder per
scenario under ``output`` (:mod:`jumeau.io.runfolder` describes and owns the folder).
``site`` is a :class:`~jumeau.site.state.Site` or a site file; ``scenarios`` a
:class:`~jumeau.plan.scenario.ScenarioSet`, or scenarios and scenario files. Workers
get the Site and the scenarios themselves: nothing is written for them to read back.

The cache key hashes the Site's content (its layers, buildings, sites and class
table), the scenario and its ancestors, the forcing and the code (jumeau's version
and the hash of its sources and shipped data): an unchanged scenario is not rerun,
any change reruns it. Within a results folder, each distinct flood is computed once and
kept in ``.floods/`` (:func:`shared_flood`), keyed by the flood model's inputs: a
scenario that changes only what the heat model sees reuses its parent's flood.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import hashlib
import json
import logging
import multiprocessing
import os
import platform
import signal
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
import xarray as xr
from pydantic import BaseModel

from jumeau.errors import JumeauError, ScenarioError
from jumeau.flood.forcing import StormForcing
from jumeau.io.runfolder import Result, RunContents, claim, is_complete, write_run
from jumeau.io.writers import write_netcdf
from jumeau.machine import free_cores, use_threads
from jumeau.outputs import OUTPUTS, PRODUCTS
from jumeau.plan.scenario import Forcing, Scenario, ScenarioSet, load_scenario
from jumeau.site.load import load_site
from jumeau.site.state import Site

log = logging.getLogger(__name__)
PACKAGE_DIR = Path(__file__).resolve().parent.parent


@dataclass
class ScenarioRun:
    """The outcome of one scenario: its result, or why it failed."""

    scenario: str
    folder: Path
    status: str  # "done", "cached", "failed", or "cancelled" (not started, nothing written)
    seconds: float = 0.0
    error: str | None = None

    @property
    def result(self) -> Result | None:
        return Result(self.folder) if self.status in ("done", "cached") else None


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


def site_digest(site: Site) -> str:
    """A hash of what the models see of a Site: every layer, the buildings, the sites, the class table."""
    parts: list[bytes | str] = []
    for name in sorted(map(str, site.grid.data_vars)):
        values = site.grid[name].values
        parts += [name, str(values.dtype), str(values.shape), values.tobytes()]
    for frame in (site.buildings, site.sites):
        parts += [frame.drop(columns=frame.geometry.name).to_csv(), b"".join(shapely.to_wkb(frame.geometry.values))]
    parts.append(site.classes.table.to_csv())
    parts.append(json.dumps([c.summary() for c in site.metadata.get("changes", ())], sort_keys=True, default=str))
    boundary = getattr(site.metadata.get("config"), "boundary", None) or {}
    if boundary:  # the models' edges: a sea level (and its file's content) changes the flood
        parts.append(json.dumps({edge: value if isinstance(value, str) else {
            **value.model_dump(mode="json"), "content": file_digest(value.file) if value.file else None}
            for edge, value in boundary.items()}, sort_keys=True))
    return _digest(*parts)


def input_files(site: Site) -> list[Path]:
    """The site file and every file it names (with a shapefile's sidecars), for the provenance."""
    files = {site.source} if site.source else set()
    config = site.metadata.get("config")
    stack: list[Any] = [config] if config is not None else []
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


# Parts of the package that never change what a run computes or writes: editing them must not
# throw away every cached result (a cold demo is twenty minutes on two cores). The 3-D scene is
# drawn by the viewer from a run's results; a run writes no 3-D view.
OUTSIDE_RUNS = ("atelier", "cli.py", "render/scene.py", "render/viewpoints.py", "render/camera.py",
                "render/labels.py", "render/legend.py")


def code_sources() -> list[Path]:
    """The sources and shipped data a run's results depend on."""
    return sorted(p for p in PACKAGE_DIR.rglob("*") if p.suffix in (".py", ".csv", ".html") and p.is_file()
                  and not any(p.relative_to(PACKAGE_DIR).as_posix().startswith(outside) for outside in OUTSIDE_RUNS))


@functools.cache
def code_version() -> str:
    """jumeau's version and a hash of the sources and shipped data its runs depend on."""
    import importlib.metadata

    return f"{importlib.metadata.version('jumeau')}+{_digest(*(p.read_bytes() for p in code_sources()))[:12]}"


def scenario_key(site: str, scenarios: ScenarioSet, scenario_id: str) -> str:
    chain = [s.model_dump_json(exclude={"source"}) for s in scenarios.chain(scenario_id)]
    return _digest(site, *chain, scenarios.forcing(scenario_id).model_dump_json(), code_version())


def flood_key(site: Site, forcing: StormForcing) -> str:
    """A hash of what the flood model receives for a Site under a storm, and of the code.

    Taken on the model's inputs as computed (:func:`~jumeau.flood.model.flood_inputs`), not
    on the layers they come from, so that no layer the flood reads can be left out: a
    scenario that only plants trees or greens facades has its parent's flood.
    """
    from jumeau.flood.model import flood_inputs, storm_law

    return _digest(storm_law(site, forcing), *_value_parts(flood_inputs(site, forcing)), code_version())


def _value_parts(value: Any) -> Iterator[bytes | str]:
    """The parts a digest takes of a model input: arrays by their bytes, records field by field."""
    if isinstance(value, xr.DataArray):
        yield from _value_parts(value.values)
        for name in value.dims:
            yield from _value_parts(value[name].values)
    elif isinstance(value, np.ndarray):
        yield from (str(value.dtype), str(value.shape), np.ascontiguousarray(value).tobytes())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield type(value).__name__
        for field in dataclasses.fields(value):
            yield field.name
            yield from _value_parts(getattr(value, field.name))
    elif isinstance(value, dict):
        for key in sorted(value):
            yield str(key)
            yield from _value_parts(value[key])
    elif isinstance(value, list | tuple):
        yield f"{type(value).__name__}{len(value)}"
        for item in value:
            yield from _value_parts(item)
    elif value is None or isinstance(value, str | int | float | np.number):
        yield repr(value)
    else:  # a new kind of input must be hashed deliberately, not skipped
        raise TypeError(f"flood_key: no digest for {type(value).__name__}")


# -- one scenario ---------------------------------------------------------------------

STAGES = ("flood", "heat", "indicators")  # a scenario's computation, in order
FLOODS = ".floods"  # in a results folder, each distinct flood once (see shared_flood); hidden: no scenario


def run_models(site: Site, forcing: Forcing, stage_progress: Callable[[str, float], None] | None = None,
               floods: Path | None = None) -> tuple[xr.Dataset, xr.Dataset]:
    """Flood and heat results of a Site under a forcing.

    ``stage_progress`` is called with a stage (``"flood"`` or ``"heat"``) and its share done:
    the flood's from its start as its simulated time advances, the heat's when it starts and ends.
    ``floods``: a folder where each distinct flood is kept (see :func:`shared_flood`).
    """
    # Imported here, as the other modules a computation needs: a run whose scenarios are
    # all cached (a warm `jumeau run`, the viewer's start) must not pay for their imports.
    from jumeau.flood.model import flood_site
    from jumeau.heat.model import heat_site

    report = stage_progress or (lambda stage, share: None)
    report("flood", 0.0)
    flood_progress = functools.partial(report, "flood")
    flood = (flood_site(site, forcing.storm, progress=flood_progress) if floods is None
             else shared_flood(site, forcing.storm, floods, flood_progress))
    report("heat", 0.0)
    heat = heat_site(site, forcing.heat)
    report("heat", 1.0)
    return flood, heat


def shared_flood(site: Site, forcing: StormForcing, floods: Path, progress: Callable[[float], None]) -> xr.Dataset:
    """The flood of a Site, computed once per distinct inputs (:func:`flood_key`) and kept in ``floods``.

    A flood is the longest part of a scenario; scenarios that change only what the heat
    model sees (trees, facades, cool materials) have their parent's, and a workshop's
    what-if of that kind returns in the heat model's time. The file is claimed while it is
    computed, so two workers that need it at once compute it once; its attribute
    ``flood_key`` says which inputs it is of.
    """
    from jumeau.flood.model import flood_site

    key = flood_key(site, forcing)
    path = floods / f"{key[:24]}.nc"
    with claim(path):
        for leftover in floods.glob(f".{path.stem}.*.tmp{path.suffix}"):  # of a writer killed mid-write
            leftover.unlink(missing_ok=True)
        kept = _kept_flood(path, key)
        if kept is not None:
            progress(1.0)
            return kept
        flood = flood_site(site, forcing, progress=progress)
        flood.attrs["flood_key"] = key
        write_netcdf(flood, path)
        return flood


def _kept_flood(path: Path, key: str) -> xr.Dataset | None:
    """The flood kept in ``path`` if it is whole and of inputs ``key``; None otherwise (it is computed again)."""
    if not path.is_file():
        return None
    try:
        kept = xr.load_dataset(path, decode_coords="all")
    except (OSError, ValueError):  # damaged on disk: written atomically, so not by a killed run
        log.warning("%s: unreadable, computing the flood again", path)
        return None
    return kept if kept.attrs.get("flood_key") == key else None


@dataclass(frozen=True)
class _Task:
    """One scenario to run: everything a worker needs, sent whole (no file to read back)."""

    scenario: str
    folder: Path
    key: str
    provenance: dict[str, Any]


def run_scenario(site: Site, scenarios: ScenarioSet, task: _Task,
                 stage_progress: Callable[[str, str, float], None] | None = None) -> ScenarioRun:
    """Run one scenario and write its folder; errors become a failed :class:`ScenarioRun`.

    ``stage_progress`` is called with the scenario's id, a stage of :data:`STAGES` and the
    share of that stage done.
    """
    from jumeau.plan.interventions import apply
    from jumeau.study import indicators

    start = time.perf_counter()
    try:
        with claim(task.folder):
            if is_complete(task.folder, task.key):  # computed meanwhile by a concurrent run
                return ScenarioRun(task.scenario, task.folder, "cached", time.perf_counter() - start)
            forcing = scenarios.forcing(task.scenario)
            changed = apply(site, scenarios.interventions(task.scenario))
            report = None if stage_progress is None else functools.partial(stage_progress, task.scenario)
            flood, heat = run_models(changed, forcing, report, task.folder.parent / FLOODS)
            if report:
                report("indicators", 0.0)
            table, buildings, sites = indicators.compute(changed, flood, heat, forcing)
            write_run(task.folder, _contents(changed, scenarios, task, forcing, flood, heat, table, buildings, sites,
                                             time.perf_counter() - start))
    except JumeauError as exc:
        return ScenarioRun(task.scenario, task.folder, "failed", time.perf_counter() - start, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the other scenarios; traceback logged
        log.error("scenario %s failed:\n%s", task.scenario, traceback.format_exc())
        return ScenarioRun(task.scenario, task.folder, "failed", time.perf_counter() - start,
                           f"{type(exc).__name__}: {exc}")
    return ScenarioRun(task.scenario, task.folder, "done", time.perf_counter() - start)


def _contents(site: Site, scenarios: ScenarioSet, task: _Task, forcing: Forcing, flood: xr.Dataset,
              heat: xr.Dataset, table: pd.DataFrame, buildings, sites, seconds: float) -> RunContents:
    import matplotlib.pyplot as plt

    from jumeau.render.maps import draw_map

    scenario = scenarios[task.scenario]
    from jumeau.study.indicators import works_area

    maps_only = [v for ds in (flood, heat) for v in ds.data_vars if not set(ds[v].dims) <= {"hour", "y", "x"}]
    grids = xr.merge([site.grid, flood, heat], compat="override", combine_attrs="override").drop_vars(
        maps_only, errors="ignore")
    grids["works_area"] = (("y", "x"), works_area(site), OUTPUTS["works_area"].attrs())
    grids.attrs = {**site.grid.attrs, "scenario": task.scenario, "title": f"jumeau: {scenario.title}"}
    figures = {}
    for name in PRODUCTS.scenario_maps:
        figures[name] = draw_map(grids[name], outlines=site.buildings.geometry,
                                 title=f"{scenario.title} — {OUTPUTS[name].label('fr')}",
                                 works=grids["works_area"].values > 0)
    chain = scenarios.chain(task.scenario)
    provenance = {
        **task.provenance, "key": task.key, "scenario": task.scenario, "chain": [s.id for s in chain],
        # as written (unset keys left out), so a definition read back overrides its parents as the original did
        "definitions": [s.model_dump(mode="json", exclude={"source"}, exclude_unset=True) for s in chain],
        "title": {"fr": scenario.title, "en": scenario.title_in("en")},
        "scenario_files": {s.id: str(s.source) for s in chain if s.source},
        "forcing": json.loads(forcing.model_dump_json()), "code_version": code_version(),
        "versions": _versions(), "volume_balance": {k: v for k, v in flood.attrs.items() if k.startswith("volume")},
        "flood_run": {k: v for k, v in flood.attrs.items() if k.startswith(("step", "froude", "storm", "flood_key"))},
        "seconds": round(seconds, 2),
    }
    try:
        return RunContents(grids=grids, indicators=table, buildings=buildings, sites=sites,
                           interventions=pd.DataFrame([c.summary() for c in site.metadata.get("changes", ())]),
                           provenance=provenance, geotiffs=PRODUCTS.scenario_maps, figures=figures)
    finally:
        for figure in figures.values():
            plt.close(figure)


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

def _start_worker(threads: int) -> None:
    """A worker process: numba's kernels on its share of the free cores, waiting at barriers asleep.

    With OpenMP's default spinning, two workers with two threads each on two cores made
    every scenario five times slower (each step's kernels wait for a descheduled thread).
    OpenMP reads the policy when numba starts its threading layer, so it is set first.
    """
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    # Ctrl-C reaches the whole process group: the parent stops the workers itself, and a
    # worker's own KeyboardInterrupt would only print a traceback per worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    use_threads(threads)


def _run_reporting(site: Site, scenarios: ScenarioSet, task: _Task, queue) -> ScenarioRun:
    """:func:`run_scenario` in a worker, its stages' progress sent back through ``queue``."""
    return run_scenario(site, scenarios, task, lambda scenario, stage, share: queue.put((scenario, stage, share)))


def scenario_set(scenarios: ScenarioSet | Iterable[Scenario | str | os.PathLike]) -> ScenarioSet:
    """Scenarios given as a set, as Scenario objects or as files, as one checked set."""
    if isinstance(scenarios, ScenarioSet):
        return scenarios
    return ScenarioSet(s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios)


def run(site: Site | str | os.PathLike, scenarios: ScenarioSet | Iterable[Scenario | str | os.PathLike],
        output: str | os.PathLike, *, only: Iterable[str] | None = None, workers: int | None = None, client=None,
        progress: Callable[[ScenarioRun], None] | None = None,
        stage_progress: Callable[[str, str, float], None] | None = None,
        cancelled: Callable[[], bool] | None = None, isolated: bool = False, threads: int | None = None
        ) -> RunReport:
    """Run scenarios on a site; see the module docstring. Returns a :class:`RunReport`.

    The baseline is always among the scenarios. ``only`` restricts the run to some ids.
    ``workers`` local processes (default: one per free core, at most one per scenario; 1
    runs in this process), which share the free cores' threads; ``client`` a
    ``dask.distributed.Client``. ``progress`` is called after each scenario, cached ones
    included; ``stage_progress`` with a scenario's id, a stage of :data:`STAGES` and the
    share of that stage done, as it runs (locally; a Dask cluster shows it on its
    dashboard). Once ``cancelled()`` returns true, the scenarios not started yet are
    dropped (status ``"cancelled"``, nothing written) and the running ones end normally.
    ``isolated`` runs even a single worker in a process of its own: a server calling from
    a thread keeps its own process free of the computation (and of its HDF5 library, which
    one process must not use from two threads at once). ``threads`` sets the numba threads
    of each worker process (default: the machine's free cores shared among the workers).
    """
    loaded = site if isinstance(site, Site) else load_site(site)
    chosen = scenario_set(scenarios)
    ids = [s.id for s in chosen]
    if only is not None:
        unknown = sorted(set(only) - set(ids))
        if unknown:
            raise ScenarioError(f"No scenario {unknown} among {ids}.")
        ids = [i for i in ids if i in set(only)]
    content = site_digest(loaded)
    shared = {"site_file": str(loaded.source) if loaded.source else None, "site_digest": content,
              "inputs": {str(p): file_digest(p) for p in input_files(loaded)},
              "input_repairs": loaded.metadata.get("repairs", [])}
    output = Path(output).resolve()
    runs: dict[str, ScenarioRun] = {}
    todo = []
    for scenario_id in ids:
        task = _Task(scenario_id, output / scenario_id, scenario_key(content, chosen, scenario_id), shared)
        if is_complete(task.folder, task.key):
            runs[scenario_id] = ScenarioRun(scenario_id, task.folder, "cached")
            if progress:
                progress(runs[scenario_id])
        else:
            todo.append(task)
    for outcome in _execute(todo, workers, client, loaded, chosen, stage_progress, cancelled or (lambda: False),
                            isolated, threads):
        runs[outcome.scenario] = outcome
        if progress:
            progress(outcome)
    return RunReport([runs.get(i) or ScenarioRun(i, output / i, "cancelled") for i in ids])


def _execute(todo: list[_Task], workers: int | None, client, site: Site, scenarios: ScenarioSet,
             stage_progress: Callable[[str, str, float], None] | None,
             cancelled: Callable[[], bool], isolated: bool, threads: int | None) -> Iterator[ScenarioRun]:
    if not todo:
        return
    if client is not None:
        from dask.distributed import as_completed

        [shared_site] = client.scatter([site], broadcast=False)
        futures = [client.submit(run_scenario, shared_site, scenarios, task, pure=False,
                                 key=f"jumeau-{task.scenario}-{task.key[:8]}") for task in todo]
        for future in as_completed(futures):
            if cancelled():
                for waiting in futures:
                    waiting.cancel()
            if not future.cancelled():
                yield future.result()
        return
    free = free_cores()
    workers = min(workers or free, len(todo))
    if workers == 1 and not isolated:
        for task in todo:
            if cancelled():
                return
            yield run_scenario(site, scenarios, task, stage_progress)
        return
    # spawn: a forked child would inherit numba's and GDAL's threads in an unknown state
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, concurrent.futures.ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_start_worker,
            initargs=(threads or max(1, free // workers),)) as pool:
        queue = manager.Queue()
        pending = {pool.submit(_run_reporting, site, scenarios, task, queue) for task in todo}
        try:
            while pending:
                done, pending = concurrent.futures.wait(pending, timeout=0.5,
                                                        return_when=concurrent.futures.FIRST_COMPLETED)
                while not queue.empty():
                    message = queue.get()
                    if stage_progress:
                        stage_progress(*message)
                if cancelled():
                    for waiting in pending:
                        waiting.cancel()  # only those not started: a running scenario ends and is written
                for future in done:
                    if not future.cancelled():
                        yield future.result()
        except KeyboardInterrupt:
            _stop(pool)
            raise


def _stop(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Interrupted: drop the scenarios not started and end the running ones now (their folders are written
    whole or not at all; the next run clears what they left and computes them again)."""
    processes = list(getattr(pool, "_processes", {}).values())  # the executor has no public way to end its workers
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
