"""What the viewer reads: the site, the scenarios and their results, through the engine's API.

Results come from the same cache as ``jumeau run`` (one run folder per scenario under the
results folder, read back by :mod:`jumeau.io.runfolder`); loading is memoised per folder
and cache key, so switching scenarios only reads what was not read yet. A scenario the
room runs under another storm or heat wave (a *variant*) is a Scenario object handed to
the runner; its run folder records its definition, so it is listed again next time
without any file of its own.

Each site has its own results folder under the server's (:func:`site_results`): two sites
served by one server never read or overwrite each other's run folders. An uploaded site is
extracted once per content into the temporary folder, within size limits (a zip bomb is
refused before anything is written), and extractions unused for a day are removed.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
import xarray as xr
import yaml

import jumeau
from jumeau.atelier.store import Store
from jumeau.flood.forcing import StormForcing
from jumeau.heat.forcing import HeatForcing
from jumeau.io.atomic import atomic_dir
from jumeau.io.runfolder import Result, read_run
from jumeau.plan.interventions import apply
from jumeau.plan.scenario import Forcing, Scenario, ScenarioSet, load_scenario
from viewer.jobs import Computation

VARIANT_MARK = "__"  # a variant's id is its parent's, this mark, and its forcing
UPLOADS = Path(tempfile.gettempdir()) / "jumeau-uploads"
MAX_UPLOAD_MB = float(os.environ.get("JUMEAU_MAX_UPLOAD_MB", "2048"))  # extracted size of an uploaded site
MAX_UPLOAD_FILES = 10_000
UPLOAD_KEPT_SECONDS = 24 * 3600.0


class Activity:
    """The server's page runs in progress, and when the last one ended: work done ahead in the background
    (the other scenarios' maps, the 3-D scene) waits for a quiet moment, so that no page waits for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._ended = 0.0

    @contextmanager
    def page(self) -> Iterator[None]:
        with self._lock:
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                self._ended = time.monotonic()

    def wait_quiet(self, quiet: float = 0.3) -> None:
        """Return once no page has run for ``quiet`` seconds."""
        while self._running or time.monotonic() - self._ended < quiet:
            time.sleep(0.05)


ACTIVITY = Activity()


class Ahead:
    """A server thread that does, once no page has run for ``quiet`` seconds, the latest job handed to it.

    Work prepared ahead is for what the room looks at now: a job handed in while an older one
    waits replaces it (someone going through the scenarios one by one would otherwise leave a
    queue of scenes nobody looks at any more, built while the next pages wait), and a running
    job may stop early when :meth:`superseded` says a newer one is waiting. A job returns
    whether it finished; a finished job's ``name`` is not done again.
    """

    def __init__(self, name: str, quiet: float) -> None:
        self.quiet = quiet
        self._changed = threading.Condition()
        self._wanted: tuple[str, Callable[[], bool]] | None = None
        self._busy = False
        self._done: set[str] = set()
        threading.Thread(target=self._serve, daemon=True, name=name).start()

    def want(self, name: str, job: Callable[[], bool]) -> None:
        with self._changed:
            if name not in self._done:
                self._wanted = (name, job)
                self._changed.notify_all()

    def superseded(self) -> bool:
        return self._wanted is not None

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job waits or runs (tests); False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self._wanted is None and not self._busy, timeout)

    def _serve(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._wanted is not None)
            ACTIVITY.wait_quiet(self.quiet)
            with self._changed:
                wanted, self._wanted, self._busy = self._wanted, None, True
            try:
                if wanted is not None and wanted[1]():
                    self._done.add(wanted[0])
            except Exception as exc:  # noqa: BLE001 - work ahead is a convenience: the page does it if it failed
                print(f"jumeau: work prepared ahead failed: {exc!r}", file=sys.stderr, flush=True)
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()


def default_site() -> str:
    """The site file the server shows (``JUMEAU_SITE``; the demo district by default)."""
    return os.environ.get("JUMEAU_SITE", str(Path(__file__).resolve().parent.parent / "data" / "demo" / "site.yaml"))


@st.cache_resource(show_spinner=False)
def load_site(path: str) -> jumeau.Site:
    return jumeau.load_site(path)


@st.cache_resource(show_spinner=False)
def _scenario_files(paths: tuple[str, ...]) -> tuple[Scenario, ...]:
    return tuple(load_scenario(p) for p in paths)


def scenario_files(folder: Path) -> tuple[str, ...]:
    return tuple(str(p.resolve()) for p in sorted(folder.glob("*.yaml")))


def scenarios(paths: tuple[str, ...], runs: Path) -> ScenarioSet:
    """The scenario files' scenarios, and the variants run earlier in ``runs``."""
    loaded = _scenario_files(paths)
    known = {s.id for s in loaded} | {"baseline"}
    found = []
    for folder in sorted(runs.glob(f"*{VARIANT_MARK}*")):
        result = read_run(folder)
        if result is None or not result.definitions or result.scenario in known:
            continue
        variant = Scenario.model_validate(result.definitions[-1])
        if set(variant.parents) <= known:
            found.append(variant)
    return ScenarioSet([*loaded, *found])


@st.cache_resource(show_spinner=False, max_entries=16)
def scenario_site(site_path: str, _scenarios: ScenarioSet, scenario_id: str, scenario_ids: tuple[str, ...]
                  ) -> jumeau.Site:
    """The site with a scenario's interventions applied (for the 3-D view); ``scenario_ids`` keys the cache."""
    return apply(load_site(site_path), _scenarios.interventions(scenario_id))


@st.cache_resource(show_spinner=False)
def computation(runs: str) -> Computation:
    """The server's one computation of the results folder ``runs``, shared by every session."""
    return Computation(Path(runs))


@st.cache_resource(show_spinner=False)
def workshop_store(url: str, report_threshold: str = "3") -> Store:
    """The server's workshop database (the operator's ``JUMEAU_DB``, else a file beside the results); an item
    reported by ``report_threshold`` participants is hidden until the facilitator reviews it."""
    if not report_threshold.isdigit() or int(report_threshold) < 1:
        raise jumeau.InputError(f"JUMEAU_REPORT_THRESHOLD={report_threshold!r}: give a whole number of reports, "
                                "1 or more (3 by default).")
    return Store(url, report_threshold=int(report_threshold))


@st.cache_resource(show_spinner=False, max_entries=32)
def _load_result(folder: str, key: str) -> Result:
    return Result(folder)


class LazyGrids:
    """A result's grids read one layer at a time, each once per server and shared by the sessions: reading
    every layer of the seven demo results made the first page wait seconds."""

    def __init__(self, result: Result):
        self.result = result
        self.names = result.layer_names

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> xr.DataArray:
        return _grid_layer(self.result, str(self.result.folder), self.result.key, name)


def grids(result: Result) -> LazyGrids:
    return LazyGrids(result)


@st.cache_resource(show_spinner=False, max_entries=256)
def _grid_layer(_result: Result, folder: str, key: str, name: str) -> xr.DataArray:
    """One layer of a run (``folder`` and ``key`` name it); never changed by the sessions that share it."""
    return _result.layer(name)


def load_result(folder: Path) -> Result | None:
    """A scenario's results, or None if the folder holds none."""
    result = read_run(folder)
    return _load_result(str(folder), result.key) if result is not None else None


def site_results(root: Path, site: jumeau.Site) -> Path:
    """The results folder of ``site`` under the server's ``root``: its folder's name and a hash of its file's path."""
    source = str(Path(site.source).resolve()) if site.source else site.name
    name = Path(site.source).parent.name if site.source else site.name
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:40] or "site"
    return root / f"{slug}-{hashlib.sha256(source.encode()).hexdigest()[:8]}"


def unpack_site(upload: bytes, uploads: Path = UPLOADS) -> Path:
    """Extract an uploaded zipped site folder (once per content); return its site file.

    The site file is the one YAML naming an elevation. Archives whose files would take more
    than ``JUMEAU_MAX_UPLOAD_MB`` once extracted, or hold more than 10,000 files, are refused
    before anything is written.
    """
    target = uploads / hashlib.sha256(upload).hexdigest()[:16]
    if not target.is_dir():
        _remove_stale(uploads)
        try:
            with zipfile.ZipFile(io.BytesIO(upload)) as archive:
                _check_archive(archive, uploads)
                with atomic_dir(target) as folder:
                    archive.extractall(folder)
        except (zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
            raise jumeau.InputError(f"zip: the upload is not a readable zip archive ({exc}); zip the site's folder "
                                    "again.") from None
    os.utime(target)  # in use: kept by the clean-up
    return _site_file(target)


def _check_archive(archive: zipfile.ZipFile, uploads: Path) -> None:
    members = archive.infolist()
    for member in members:
        if Path(member.filename).is_absolute() or ".." in Path(member.filename).parts:
            raise jumeau.InputError(f"zip: unsafe path {member.filename!r} in the archive.")
    if len(members) > MAX_UPLOAD_FILES:
        raise jumeau.InputError(f"zip: {len(members):,} files in the archive, more than {MAX_UPLOAD_FILES:,}; zip only "
                                "the site's folder.")
    size = sum(m.file_size for m in members)  # what extraction writes: a member is never read past its size
    if size > MAX_UPLOAD_MB * 2**20:
        raise jumeau.InputError(f"zip: the archive would take {size / 2**20:,.0f} MB once extracted, more than the "
                                f"{MAX_UPLOAD_MB:,.0f} MB allowed; zip only the site's files, or raise "
                                "JUMEAU_MAX_UPLOAD_MB on the server.")
    uploads.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(uploads).free
    if size > free:
        raise jumeau.OutputError(f"zip: the archive would take {size / 2**20:,.0f} MB once extracted and {uploads} "
                                 f"has {free / 2**20:,.0f} MB free; free some space on the server.")


def _remove_stale(uploads: Path) -> None:
    """Remove the extracted uploads nobody has used for a day."""
    if not uploads.is_dir():
        return
    now = time.time()
    for folder in uploads.iterdir():
        try:
            if now - folder.stat().st_mtime > UPLOAD_KEPT_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:  # removed meanwhile by another session
            continue


def _site_file(target: Path) -> Path:
    for candidate in sorted(target.rglob("*.yaml")):
        try:
            content = yaml.safe_load(candidate.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(content, dict) and "elevation" in content:
            return candidate
    raise jumeau.InputError("zip: no site file (a YAML with an `elevation:` key) in the archive.")


def forcing_variant(scenario_id: str, return_period: float, duration: float, t_ref: float) -> Scenario:
    """``scenario_id`` under another storm and heat wave, as a scenario of its own."""
    variant = f"{scenario_id}{VARIANT_MARK}T{return_period:g}_{duration:g}min_{t_ref:g}C".replace(".", "p")
    return Scenario(
        id=variant,
        title=f"{scenario_id} — orage {return_period:g} ans {duration:g} min, {t_ref:g} °C",
        title_en=f"{scenario_id} — {return_period:g}-year {duration:g}-min storm, {t_ref:g} °C",
        parent=scenario_id,
        forcing=Forcing(storm=StormForcing(return_period=return_period, duration=duration),
                        heat=HeatForcing(t_ref=t_ref)),
    )
