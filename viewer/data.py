"""What the viewer reads: the site, the scenarios and their results, through the engine's API.

Results come from the same cache as ``jumeau run`` (one run folder per scenario under the
results folder, read back by :mod:`jumeau.io.runfolder`); loading is memoised per folder
and cache key, so switching scenarios only reads what was not read yet. A scenario the
room runs under another storm or heat wave (a *variant*) is a Scenario object handed to
the runner; its run folder records its definition, so it is listed again next time
without any file of its own.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import streamlit as st
import yaml

import jumeau
from jumeau.flood.forcing import StormForcing
from jumeau.heat.forcing import HeatForcing
from jumeau.io.runfolder import Result, read_run
from jumeau.plan.interventions import apply
from jumeau.plan.scenario import Forcing, Scenario, ScenarioSet, load_scenario
from jumeau.study.runner import RunReport, run

VARIANT_MARK = "__"  # a variant's id is its parent's, this mark, and its forcing


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


def ensure_results(site: jumeau.Site, chosen: ScenarioSet, runs: Path, progress=None,
                   only: list[str] | None = None) -> RunReport:
    """Run what is not cached yet (the engine's runner skips cached scenarios)."""
    return run(site, chosen, runs, only=only, progress=progress)


@st.cache_resource(show_spinner=False, max_entries=32)
def _load_result(folder: str, key: str) -> Result:
    return Result(folder)


def load_result(folder: Path) -> Result | None:
    """A scenario's results, or None if the folder holds none."""
    result = read_run(folder)
    return _load_result(str(folder), result.key) if result is not None else None


def unpack_site(upload: bytes) -> Path:
    """Extract an uploaded zipped site folder; return its site file (the one YAML naming an elevation)."""
    target = Path(tempfile.mkdtemp(prefix="jumeau-site-"))
    with zipfile.ZipFile(io.BytesIO(upload)) as archive:
        for member in archive.namelist():
            if Path(member).is_absolute() or ".." in Path(member).parts:
                raise jumeau.InputError(f"zip: unsafe path {member!r} in the archive.")
        archive.extractall(target)
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
