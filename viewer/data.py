"""What the viewer reads: the site, the scenarios and their results, through the engine's API.

Results come from the same cache as ``jumeau run`` (one folder per scenario under the
results folder); loading is memoised per folder and cache key, so switching scenarios
only reads what was not read yet.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st
import xarray as xr
import yaml

import jumeau
from jumeau.interventions import apply
from jumeau.io.atomic import write_text
from jumeau.runner import PROVENANCE, RunReport, run
from jumeau.scenario import ScenarioSet


@dataclass(frozen=True)
class Result:
    """One scenario's results as the viewer shows them."""

    scenario: str
    title: dict[str, str]
    grids: xr.Dataset
    indicators: pd.DataFrame  # indexed by indicator key
    buildings: gpd.GeoDataFrame
    forcing: dict
    folder: Path


@st.cache_resource(show_spinner=False)
def load_site(path: str) -> jumeau.Site:
    return jumeau.load_site(path)


@st.cache_resource(show_spinner=False)
def load_scenarios(paths: tuple[str, ...]) -> ScenarioSet:
    return ScenarioSet.load(paths)


@st.cache_resource(show_spinner=False)
def scenario_site(site_path: str, scenario_paths: tuple[str, ...], scenario_id: str) -> jumeau.Site:
    """The site with a scenario's interventions applied (for the 3-D view)."""
    scenarios = load_scenarios(scenario_paths)
    return apply(load_site(site_path), scenarios.interventions(scenario_id))


def scenario_files(folder: Path, extra: Path | None = None) -> tuple[str, ...]:
    files = sorted(folder.glob("*.yaml"))
    if extra is not None and extra.is_dir():
        files += sorted(extra.glob("*.yaml"))
    return tuple(str(p.resolve()) for p in files)


def ensure_results(site_path: str, scenario_paths: tuple[str, ...], runs: Path, progress=None,
                   only: list[str] | None = None) -> RunReport:
    """Run what is not cached yet (the engine's runner skips cached scenarios)."""
    return run(site_path, scenario_paths, runs, only=only, progress=progress)


def cache_key(folder: Path) -> str:
    try:
        return json.loads((folder / PROVENANCE).read_text(encoding="utf-8"))["key"]
    except (OSError, ValueError, KeyError):
        return ""


@st.cache_resource(show_spinner=False, max_entries=32)
def _load_result(folder: str, key: str) -> Result:
    path = Path(folder)
    provenance = json.loads((path / PROVENANCE).read_text(encoding="utf-8"))
    with xr.open_dataset(path / "grids.nc") as grids:
        loaded = grids.load()
    return Result(
        scenario=provenance["scenario"], title=provenance["title"], grids=loaded,
        indicators=pd.read_csv(path / "indicators.csv").set_index("indicator"),
        buildings=gpd.read_file(path / "features.gpkg", layer="buildings", engine="pyogrio"),
        forcing=provenance["forcing"], folder=path,
    )


def load_result(folder: Path) -> Result | None:
    """A scenario's results, or None if the folder holds none."""
    key = cache_key(folder)
    return _load_result(str(folder), key) if key else None


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


def forcing_variant(scenario_id: str, return_period: float, duration: float, t_ref: float,
                    folder: Path) -> tuple[str, str]:
    """Write a scenario that is ``scenario_id`` under another storm and heat wave; return (file, id)."""
    variant = f"{scenario_id}__T{return_period:g}_{duration:g}min_{t_ref:g}C".replace(".", "p")
    document = {
        "id": variant,
        "title": f"{scenario_id} — orage {return_period:g} ans {duration:g} min, {t_ref:g} °C",
        "title_en": f"{scenario_id} — {return_period:g}-year {duration:g}-min storm, {t_ref:g} °C",
        "parent": scenario_id,
        "forcing": {"storm": {"return_period": return_period, "duration": duration}, "heat": {"t_ref": t_ref}},
    }
    path = write_text(folder / f"{variant}.yaml", yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    return str(path.resolve()), variant
