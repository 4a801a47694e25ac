"""Batch runs: output folders, cache, failures, Dask, comparison and report, CLI."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import CRS, X0, Y0
from typer.testing import CliRunner

from jumeau.cli import app
from jumeau.io.runfolder import PROVENANCE, Result
from jumeau.study.compare import compare, intervention_effects
from jumeau.study.indicators import INDICATORS
from jumeau.study.report import render_html
from jumeau.study.runner import run

ROAD = f"POLYGON(({X0 + 40} {Y0}, {X0 + 48} {Y0}, {X0 + 48} {Y0 + 80}, {X0 + 40} {Y0 + 80}, {X0 + 40} {Y0}))"
LAWN = f"POLYGON(({X0 + 50} {Y0 + 2}, {X0 + 98} {Y0 + 2}, {X0 + 98} {Y0 + 36}, {X0 + 50} {Y0 + 36}, {X0 + 50} {Y0 + 2}))"
STORM = "forcing: {storm: {return_period: 10, duration: 20, after_rain: 10}, heat: {cooling_distance: 60, mixing_radius: 60}}"


def write_scenarios(folder):
    """A baseline (short storm, small cooling distances) and two scenarios for the small test site."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "baseline.yaml").write_text(f"id: baseline\ntitle: Actuel\n{STORM}\n", encoding="utf-8")
    (folder / "depave.yaml").write_text(textwrap.dedent(f"""\
        id: depave
        title: Rue dépavée
        title_en: Depaved street
        description: La rue est dépavée <b>vite</b>.
        interventions:
          - {{type: depave, where: {{wkt: "{ROAD}"}}, cost: {{unit_cost: 100}}}}
        """), encoding="utf-8")
    (folder / "trees.yaml").write_text(textwrap.dedent(f"""\
        id: trees
        title: Arbres
        interventions:
          - {{type: plant_trees, where: {{wkt: "{LAWN}"}}, cover: 0.8, cost: {{unit_cost: 1000}}}}
        """), encoding="utf-8")
    return sorted(folder.glob("*.yaml"))


@pytest.fixture
def batch(city, tmp_path):
    return city.write(), write_scenarios(tmp_path / "scenarios"), tmp_path / "runs"


def test_a_run_writes_every_output_and_reruns_from_the_cache(batch):
    site, scenarios, runs = batch
    first = run(site, scenarios, runs, workers=1)
    assert [r.status for r in first.runs] == ["done"] * 3, first.table()
    folder = runs / "depave"
    provenance = json.loads((folder / PROVENANCE).read_text(encoding="utf-8"))
    assert isinstance(provenance["input_repairs"], list)  # what loading the site repaired or assumed
    for name in provenance["files"]:
        assert (folder / name).stat().st_size > 0
    indicators = pd.read_csv(folder / "indicators.csv").set_index("indicator")
    assert set(indicators.index) == set(INDICATORS)
    assert indicators.at["investment", "value"] == pytest.approx(100 * 8 * 80)
    with xr.open_dataset(folder / "grids.nc", decode_coords="all") as grids:
        assert {"max_depth", "t_air", "landcover", "elevation"} <= set(grids.data_vars)
        assert grids["max_depth"].attrs["units"] == "m"
        # every map layer names its CRS (grid_mapping), as QGIS and GDAL read it: the models' merge had lost it
        for name in ("max_depth", "t_air", "landcover", "elevation", "utci"):
            assert grids[name].rio.crs == CRS, name
    assert abs(provenance["volume_balance"]["volume_relative_error"]) < 1e-6
    stamp = (folder / "grids.nc").stat().st_mtime_ns

    again = run(site, scenarios, runs, workers=1)
    assert [r.status for r in again.runs] == ["cached"] * 3
    assert (folder / "grids.nc").stat().st_mtime_ns == stamp


def test_any_change_invalidates_the_cache(batch, city):
    site, scenarios, runs = batch
    run(site, scenarios, runs, workers=1)
    depave = next(p for p in scenarios if p.stem == "depave")
    depave.write_text(depave.read_text(encoding="utf-8").replace("unit_cost: 100", "unit_cost: 120"), encoding="utf-8")
    statuses = {r.scenario: r.status for r in run(site, scenarios, runs, workers=1).runs}
    assert statuses == {"baseline": "cached", "depave": "done", "trees": "cached"}
    dem = city.path("dem.tif")
    dem.write_bytes(dem.read_bytes())  # same bytes: still cached
    assert {r.status for r in run(site, scenarios, runs, workers=1).runs} == {"cached"}
    from conftest import sloping_dem

    city.elevation(sloping_dem() + np.float32(0.5))  # an input changes: everything reruns
    assert {r.status for r in run(site, scenarios, runs, workers=1).runs} == {"done"}


def test_a_failing_scenario_does_not_stop_the_others(batch, tmp_path):
    site, scenarios, runs = batch
    bad = tmp_path / "scenarios" / "outside.yaml"
    bad.write_text('id: outside\ntitle: Hors site\ninterventions:\n  - {type: depave, where: {wkt: "POINT (0 0)"}}\n',
                   encoding="utf-8")
    report = run(site, [*scenarios, bad], runs, workers=1)
    statuses = {r.scenario: r.status for r in report.runs}
    assert statuses["outside"] == "failed" and statuses["baseline"] == "done"
    assert "outside the site" in report.failed[0].error
    assert not (runs / "outside").exists()
    result = CliRunner().invoke(app, ["run", str(site), *map(str, [*scenarios, bad]), "-o", str(runs), "--workers", "1"])
    assert result.exit_code == 1
    assert "failed" in result.output


def test_invariants_of_interventions_on_the_models(batch):
    """Depaving never adds runoff; trees never warm the air anywhere."""
    site, scenarios, runs = batch
    run(site, scenarios, runs, workers=1)
    values = {s: pd.read_csv(runs / s / "indicators.csv").set_index("indicator")["value"]
              for s in ("baseline", "depave", "trees")}
    assert values["depave"]["runoff_leaving"] <= values["baseline"]["runoff_leaving"] + 1e-6
    with xr.open_dataset(runs / "baseline" / "grids.nc") as base, xr.open_dataset(runs / "trees" / "grids.nc") as trees:
        assert (trees["t_air"].values <= base["t_air"].values + 1e-9).all()
        assert (trees["t_air"].values < base["t_air"].values - 1e-6).any()


def test_stages_come_in_order_and_a_cancelled_run_leaves_the_rest_unwritten(batch):
    site, scenarios, runs = batch
    stages: dict[str, list[str]] = {}
    finished: list[str] = []

    def stage(scenario: str, name: str, share: float) -> None:
        if not stages.get(scenario) or stages[scenario][-1] != name:
            stages.setdefault(scenario, []).append(name)

    report = run(site, scenarios, runs, workers=1, stage_progress=stage,
                 progress=lambda outcome: finished.append(outcome.scenario), cancelled=lambda: len(finished) >= 1)
    assert [r.status for r in report.runs] == ["done", "cancelled", "cancelled"], report.table()
    assert stages == {"baseline": ["flood", "heat", "indicators"]}
    assert report.runs[0].result is not None and report.runs[1].result is None
    done = report.runs[0].result  # one layer read alone is the layer of the whole file
    assert {"t_air", "utci_hourly", "hour"} <= done.layer_names
    separate = done.layer("t_air")
    assert separate.identical(Result(done.folder).grids["t_air"])
    assert not (runs / "depave").exists() and not (runs / "trees").exists()
    again = run(site, scenarios, runs, workers=1)  # what was dropped is computed next time, the rest kept
    assert [r.status for r in again.runs] == ["cached", "done", "done"], again.table()


def test_dask_gives_the_same_numbers_as_local_processes(batch, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    site, scenarios, runs = batch
    shares: dict[str, list[float]] = {}
    local = run(site, scenarios, runs, workers=2, stage_progress=lambda s, stage, share: shares.setdefault(s, []).append(
        share) if stage == "flood" else None)
    # each worker's flood reported its progress back to this process, up to the end
    assert set(shares) == {"baseline", "depave", "trees"}
    assert all(values == sorted(values) and values[-1] == 1.0 for values in shares.values())
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = run(site, scenarios, tmp_path / "dask_runs", client=client)
    assert [r.status for r in remote.runs] == ["done"] * 3, remote.table()
    for a, b in zip(local.runs, remote.runs, strict=True):
        pd.testing.assert_frame_equal(pd.read_csv(a.folder / "indicators.csv"), pd.read_csv(b.folder / "indicators.csv"))


def test_comparison_scorecard_and_report(batch, tmp_path):
    site, scenarios, runs = batch
    run(site, scenarios, runs, workers=1)
    comparison = compare(runs)
    assert comparison.scenarios[0] == "baseline"
    assert comparison.verdict("impervious_area", "depave") == "better"
    assert comparison.verdict("investment", "depave") == "worse"
    assert comparison.scores.loc["baseline", "overall"] == 0
    assert comparison.scores.loc["depave", "destroyed"] < 0 < comparison.scores.loc["depave", "created"]
    heavier = compare(runs, weights={"cost": 0.0})
    assert heavier.scores.loc["depave", "overall"] >= comparison.scores.loc["depave", "overall"]
    effects = intervention_effects(comparison).set_index("scenario")
    assert set(effects.index) == {"depave", "trees"}  # one row per intervention acting on the felt heat
    assert effects.at["trees", "stress_hours_avoided"] > 0 and effects.at["trees", "stress_m2h_avoided"] > 0
    page = render_html(comparison)
    assert "Rue dépavée" in page and "data:image/png;base64," in page
    assert "Effet de chaque intervention sur la chaleur ressentie" in page
    assert "http://" not in page and "https://" not in page  # opens with no network
    result = CliRunner().invoke(app, ["compare", str(runs), "-o", str(tmp_path / "report.html"),
                                      "--weights", "health=2,cost=0.5"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.html").is_file() and (tmp_path / "report.csv").is_file()
    # the room's weights: the median of what a workshop's participants chose
    from jumeau.atelier.store import Store

    store = Store(tmp_path / "atelier.sqlite")
    room = store.create_workshop("Atelier", ["baseline", "depave", "trees"])
    for health in (0.0, 3.0, 3.0):
        store.set_weights(store.join(room.code), {"health": health, "cost": 0.0})
    result = CliRunner().invoke(app, ["compare", str(runs), "-o", str(tmp_path / "room.html"), "--workshop",
                                      room.code.lower(), "--db", str(tmp_path / "atelier.sqlite")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "room.html").read_text(encoding="utf-8")
    assert "Santé et qualité de vie 3," in page and "Coût 0," in page  # medians of 0, 3, 3 and of 0, 0, 0
    assert CliRunner().invoke(app, ["compare", str(runs), "--workshop", room.code, "--weights", "cost=1",
                                    "--db", str(tmp_path / "atelier.sqlite")]).exit_code == 2


def test_compare_errors(tmp_path, batch):
    site, scenarios, runs = batch
    with pytest.raises(Exception, match="no scenario results"):
        compare(tmp_path)
    run(site, scenarios[:1], runs, workers=1)
    with pytest.raises(Exception, match="weights"):
        compare(runs, weights={"beauty": 1})
    with pytest.raises(Exception, match="baseline 'nope'"):
        compare(runs, baseline="nope")


def test_a_retention_basin_never_floods_more_downstream(city):
    """Water runs west on the test site; a basin across the slope holds some of it back."""
    import jumeau
    from jumeau.flood.model import flood_site
    from jumeau.plan.interventions import apply
    from jumeau.plan.scenario import Scenario, StormForcing

    site = jumeau.load_site(city.write())
    basin = f"POLYGON(({X0 + 50} {Y0}, {X0 + 58} {Y0}, {X0 + 58} {Y0 + 80}, {X0 + 50} {Y0 + 80}, {X0 + 50} {Y0}))"
    scenario = Scenario.model_validate({"id": "b", "title": "Bassin", "interventions": [
        {"type": "retention_basin", "where": {"wkt": basin}, "depth": 1.0}]})
    storm = StormForcing(return_period=10, duration=20, after_rain=10)
    before = flood_site(site, storm)["max_depth"].values
    after = flood_site(apply(site, scenario.interventions), storm)["max_depth"].values
    downstream = np.zeros(site.shape, bool)
    downstream[:, :25] = True  # west of the basin (x < 50 m)
    for threshold in (0.01, 0.05, 0.10):
        assert ((after > threshold) & downstream).sum() <= ((before > threshold) & downstream).sum()
    assert after[:, 25:29].max() > before[:, 25:29].max()  # the basin does hold water


def test_a_site_and_scenarios_given_as_objects_share_the_cache_of_their_files(batch):
    """Workers get the objects themselves; the cache key hashes what the models see, not where it came from."""
    import jumeau
    from jumeau.plan.scenario import load_scenario

    site, scenarios, runs = batch
    run(site, scenarios, runs, workers=1)
    again = run(jumeau.load_site(site), [load_scenario(p) for p in scenarios], runs, workers=1)
    assert {r.status for r in again.runs} == {"cached"}


def test_a_run_folder_records_its_scenarios_so_a_variant_needs_no_file(batch):
    from jumeau.flood.forcing import StormForcing
    from jumeau.plan.scenario import Forcing, Scenario, ScenarioSet, load_scenario

    site, scenarios, runs = batch
    files = [load_scenario(p) for p in scenarios]
    variant = Scenario(id="trees__T5", title="Arbres, orage de 5 ans", parent="trees",
                       forcing=Forcing(storm=StormForcing(return_period=5, duration=20)))
    (done,) = run(site, ScenarioSet([*files, variant]), runs, only=["trees__T5"], workers=1).runs
    assert done.status == "done" and done.result is not None
    assert done.result.forcing["storm"]["return_period"] == 5
    assert done.result.forcing["storm"]["after_rain"] == 10  # the baseline's, inherited: unset keys stay unset
    rebuilt = Scenario.model_validate(done.result.definitions[-1])
    (again,) = run(site, ScenarioSet([*files, rebuilt]), runs, only=["trees__T5"], workers=1).runs
    assert again.status == "cached"


def test_threads_stay_within_the_free_cores():
    import os

    import numba

    from jumeau.machine import free_cores, use_threads

    assert 1 <= free_cores() <= (os.cpu_count() or 1)
    before = numba.get_num_threads()
    try:
        assert use_threads(1) == 1 and numba.get_num_threads() == 1
        assert use_threads(10_000) == numba.config.NUMBA_NUM_THREADS
    finally:
        numba.set_num_threads(before)


def _statuses(site, scenarios, runs) -> dict[str, str]:
    return {r.scenario: r.status for r in run(site, scenarios, runs, workers=1).runs}


@pytest.mark.parametrize("together", ["processes", "threads"])
def test_concurrent_runs_on_one_folder_compute_each_scenario_once(batch, together):
    """Two processes (two `jumeau run`), or two threads (two viewer sessions on one server), run the same
    scenarios on one results folder together: for each scenario one computes, the other waits for it and
    reuses its folder; no temporary folder is left behind."""
    import concurrent.futures
    import multiprocessing

    site, scenarios, runs = batch
    pool = (concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
            if together == "processes" else concurrent.futures.ThreadPoolExecutor(2))
    with pool:
        outcomes = [f.result() for f in [pool.submit(_statuses, site, scenarios, runs) for _ in range(2)]]
    for scenario in ("baseline", "depave", "trees"):
        assert sorted(outcome[scenario] for outcome in outcomes) == ["cached", "done"]
    assert not [p for p in runs.iterdir() if p.name.endswith((".tmp", ".old"))]


def test_ctrl_c_stops_the_workers_cleanly_and_the_rerun_completes(batch, tmp_path):
    """Ctrl-C (SIGINT to the process group, as a terminal sends it) during `jumeau run --workers 2`: one
    message, no worker traceback, exit 130; the rerun computes what is missing and leaves no temporary folder."""
    import os
    import signal
    import subprocess
    import sys
    import time

    site, scenarios, runs = batch
    slow = tmp_path / "slow.yaml"  # long enough to be interrupted while the workers compute
    slow.write_text("id: baseline\ntitle: Actuel\nforcing: {storm: {return_period: 100, duration: 60, after_rain: 240}}\n",
                    encoding="utf-8")
    chosen = [str(slow), *[str(s) for s in scenarios if s.name != "baseline.yaml"]]
    from pathlib import Path

    command = [str(Path(sys.executable).parent / "jumeau"), "run", str(site), *chosen, "-o", str(runs), "--workers", "2"]
    # a shell's background job (`cmd &`) starts with SIGINT ignored, which Python then keeps: restore the
    # default, as in a terminal
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(8)
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, out + err
    assert "interrupted" in err and "Traceback" not in err + out and "KeyboardInterrupt" not in err + out
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert not [p for p in runs.iterdir() if p.name.endswith((".tmp", ".old"))]


def test_netcdf_layers_carry_their_crs_for_gdal(tmp_path):
    """QGIS opens a NetCDF layer through GDAL, which finds the CRS through the layer's grid_mapping."""
    import rasterio

    from jumeau.io.writers import write_netcdf

    grid = {"y": [3.0, 2.0, 1.0], "x": [0.0, 1.0, 2.0, 3.0]}
    depth = xr.DataArray(np.zeros((3, 4)), dims=("y", "x"), coords=grid, name="max_depth").rio.write_crs(CRS)
    hourly = xr.DataArray(np.zeros((2, 3, 4)), dims=("hour", "y", "x"), coords={"hour": [14, 15], **grid}, name="utci")
    write_netcdf(xr.merge([depth, hourly]), tmp_path / "grids.nc")
    for name in ("max_depth", "utci"):
        with rasterio.open(f'NETCDF:"{tmp_path / "grids.nc"}":{name}') as layer:
            assert layer.crs == CRS, name


def test_the_cache_key_follows_the_models_code_not_the_workshops_or_the_command_line():
    from jumeau.study.runner import PACKAGE_DIR, code_sources

    paths = {p.relative_to(PACKAGE_DIR).as_posix() for p in code_sources()}
    parts = {path.split("/")[0] for path in paths}
    assert {"flood", "heat", "site", "plan", "study", "render", "data", "outputs.py"} <= parts
    assert "render/maps.py" in paths  # a run writes its maps
    assert not parts & {"atelier", "cli.py"}  # editing them keeps every cached result
    assert not {path for path in paths if path.startswith("render/")} - {"render/maps.py", "render/__init__.py"}

    import subprocess
    import sys

    # nothing a run imports draws in 3-D: the scene's modules are outside the key because of it
    loaded = subprocess.run([sys.executable, "-c", "import sys, jumeau.study.runner, jumeau.study.report; "
                             "print(' '.join(m for m in sys.modules if m.startswith('jumeau.render')))"],
                            capture_output=True, text=True, check=True).stdout.split()
    assert set(loaded) <= {"jumeau.render", "jumeau.render.maps"}


def test_a_scenario_with_its_parents_flood_inputs_reuses_its_flood(batch):
    """Trees change what the heat model sees, not what the flood model receives: the flood is computed once per
    distinct inputs, kept in the results folder's .floods, and read back by the scenario (same inputs key in
    both provenances, the same maps); the depaved street's flood is its own."""
    site, scenarios, runs = batch
    report = run(site, scenarios, runs, workers=1)
    keys = {r.scenario: json.loads((r.folder / PROVENANCE).read_text(encoding="utf-8"))["flood_run"]["flood_key"]
            for r in report.runs}
    assert keys["trees"] == keys["baseline"] != keys["depave"]
    assert len(list((runs / ".floods").glob("*.nc"))) == 2
    with xr.open_dataset(runs / "baseline" / "grids.nc") as baseline, xr.open_dataset(runs / "trees" / "grids.nc") as trees:
        for name in ("max_depth", "max_speed", "hazard_rating", "arrival_time"):
            np.testing.assert_array_equal(baseline[name].values, trees[name].values)
        assert not np.array_equal(baseline["utci"].values, trees["utci"].values)  # the heat is the trees' own


def test_a_damaged_kept_flood_is_computed_again_and_a_half_written_one_removed(batch):
    site, scenarios, runs = batch
    run(site, scenarios[:1], runs, workers=1)
    [kept] = (runs / ".floods").glob("*.nc")
    kept.write_bytes(b"not a NetCDF file")
    leftover = kept.parent / f".{kept.stem}.x1y2.tmp.nc"  # what a writer killed mid-write leaves
    leftover.write_bytes(b"half")
    (runs / "baseline" / PROVENANCE).unlink()  # the scenario must be computed again, and its flood with it
    assert [r.status for r in run(site, scenarios[:1], runs, workers=1).runs] == ["done"]
    with xr.open_dataset(kept) as flood:
        assert float(flood["max_depth"].max()) > 0
    assert not leftover.exists()


def test_the_flood_key_follows_each_input_of_the_flood(city):
    from jumeau.flood.forcing import StormForcing
    from jumeau.site.load import load_site
    from jumeau.study.runner import flood_key

    site = load_site(city.write())
    storm = StormForcing(return_period=10, duration=20, after_rain=10)
    key = flood_key(site, storm)
    assert flood_key(site, storm) == key
    assert flood_key(site, StormForcing(return_period=10, duration=20, after_rain=20)) != key
    grid = site.grid.copy(deep=True)
    grid["elevation"].values[0, 0] += 0.01
    assert flood_key(site.evolve(grid=grid), storm) != key
