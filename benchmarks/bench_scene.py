"""3-D scene benchmark: ``jumeau.render.scene`` on the demo district.

Run from the repository root with the project's Python::

    .venv/bin/python benchmarks/bench_scene.py            # full: 5 runs of each stage
    .venv/bin/python benchmarks/bench_scene.py --quick    # CI smoke check: 2 runs

Times the scene build (terrain, buildings, trees, sensitive sites; then the same
coloured by a result with a water surface; then with a scenario's works outlined, seen
from the street), the vtk.js HTML export with its size, an off-screen PNG screenshot
(colour bar included), and a first scene in a fresh interpreter (imports and OpenGL
context included). The issue's target is a 3-D view ready in ≤ 3 s once
results exist, and an HTML page of a few MB. Until the flood and heat models give
results, the coloured scene uses stand-ins of the same shape (see benchmarks/SCENE.md).
The table is printed and written to ``benchmarks/results/scene.json``
(``scene-quick.json`` with ``--quick``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import bench_load
import numpy as np
import pyvista
import vtk

import jumeau
from jumeau.render import scene

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
RUNS = 5
QUICK_RUNS = 2
BUILD_TARGET_S = 3.0
HTML_TARGET_MB = 8.0
SCREENSHOT_SIZE = (1600, 1000)


# A first scene in a fresh interpreter also pays the imports (PyVista, VTK, trame-vtk)
# and the creation of VTK's first off-screen OpenGL context.
COLD_PROBE = """
import json, sys, time
start = time.perf_counter()
import jumeau
from jumeau.render import scene
imported = time.perf_counter()
site = jumeau.demo_site()
loaded = time.perf_counter()
scene.export_html(scene.build_scene(site), sys.argv[1])
print(json.dumps({"import_s": imported - start, "scene_s": time.perf_counter() - loaded}))
"""


@dataclass
class Row:
    stage: str
    unit: str  # "s" or "MB"
    median: float
    minimum: float | None = None
    runs: int = 1
    target: float | None = None  # upper bound in `unit`

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.median <= self.target


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    meshes: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def scenario_works(site: jumeau.Site, scenario: str = "rues_arborees") -> np.ndarray:
    """Where a demo scenario's works act (its works_area, as a run writes it): the longest outlines of the demo."""
    from jumeau.plan.interventions import apply
    from jumeau.plan.scenario import load_scenario
    from jumeau.study.indicators import works_area

    changed = apply(site, load_scenario(SCENARIOS / f"{scenario}.yaml").interventions)
    return works_area(changed) > 0


def stand_in_results(site: jumeau.Site) -> dict:
    """Result-shaped layers for the coloured scene: a depth filling the lowest 3 m, an air temperature."""
    elevation = site.grid["elevation"]
    low = float(elevation.quantile(0.02))
    depth = (low + 3.0 - elevation).clip(min=0).rename("max_depth").assign_attrs(units="m", long_name="maximum water depth")
    t_air = (34.0 + 2.0 * site.grid["impervious"] - 3.0 * site.grid["canopy_cover"]).rename("t_air")
    return {"water_depth": depth, "color_by": t_air.assign_attrs(units="°C", long_name="air temperature at 15:00")}


def repeat(function: Callable[[], object], runs: int) -> tuple[list[float], object]:
    times, value = [], None
    for _ in range(runs):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return times, value


def cold_start(report: Report, html: Path) -> None:
    """Import time and first build + export in a new interpreter (the demo's load excluded)."""
    probe = subprocess.run([sys.executable, "-c", COLD_PROBE, str(html)], capture_output=True, text=True, check=True)
    figures = json.loads(probe.stdout.strip().splitlines()[-1])
    report.rows.append(Row("fresh process: import jumeau + jumeau.render.scene", "s", figures["import_s"]))
    report.rows.append(Row("fresh process: first build_scene + export_html", "s", figures["scene_s"], target=BUILD_TARGET_S))


def add(report: Report, stage: str, times: list[float], target: float | None = None) -> None:
    report.rows.append(Row(stage, "s", statistics.median(times), min(times), len(times), target))


def machine() -> dict:
    return {**bench_load.machine(), "pyvista": pyvista.__version__, "vtk": vtk.vtkVersion.GetVTKVersion()}


def print_report(report: Report, title: str) -> None:
    def cell(value: float | None, unit: str) -> str:
        return "—" if value is None else f"{value:.2f} {unit}"

    header = ("stage", "median", "min", "runs", "target", "result")
    lines = [(row.stage, cell(row.median, row.unit), cell(row.minimum, row.unit), str(row.runs),
              "—" if row.target is None else f"≤ {cell(row.target, row.unit)}",
              {None: "—", True: "pass", False: "FAIL"}[row.passed]) for row in report.rows]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    print(f"\n{title}")
    for line in [header, *lines]:
        cells = enumerate(zip(line, widths, strict=True))
        print("  ".join(text.ljust(width) if i == 0 else text.rjust(width) for i, (text, width) in cells))
    print("\nMeshes of the coloured scene with works (points, cells):")
    for name, size in report.meshes.items():
        print(f"  {name:<16} {size['points']:>8} {size['cells']:>8}")
    for note in report.notes:
        print(f"note: {note}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Time the 3-D scene of the demo district.")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_RUNS} runs per stage instead of {RUNS}")
    args = parser.parse_args()
    runs = QUICK_RUNS if args.quick else RUNS
    report = Report()
    site = jumeau.demo_site()
    results = stand_in_results(site)
    report.notes.append("coloured scene: stand-in t_air and max_depth layers (flood/heat models not wired in yet)")

    scene.build_scene(site)  # warm-up: lazy imports, VTK's render-window set-up, font caches
    add(report, "build_scene: plain (terrain, buildings, trees, sites)", repeat(lambda: scene.build_scene(site), runs)[0],
        BUILD_TARGET_S)
    times, coloured = repeat(lambda: scene.build_scene(site, **results), runs)
    add(report, "build_scene: coloured by t_air + water surface", times, BUILD_TARGET_S)
    works = scenario_works(site)
    times, with_works = repeat(lambda: scene.build_scene(site, **results, works=works, view="street"), runs)
    add(report, "build_scene: coloured + water + works outline, street view", times, BUILD_TARGET_S)
    report.meshes = {name: {"points": actor.mapper.dataset.n_points, "cells": actor.mapper.dataset.n_cells}
                     for name, actor in with_works.actors.items()
                     if getattr(actor, "mapper", None) is not None and not name.startswith("label:")}
    report.notes.append(f"works: rues_arborees' works area ({int(works.sum())} cells)")

    with tempfile.TemporaryDirectory() as folder:
        html = Path(folder) / "scene.html"
        add(report, "export_html (vtk.js page)", repeat(lambda: scene.export_html(coloured, html), runs)[0])
        size_mb = html.stat().st_size / 1e6
        report.rows.append(Row("HTML size", "MB", size_mb, target=HTML_TARGET_MB))
        png = Path(folder) / "scene.png"
        add(report, f"screenshot {SCREENSHOT_SIZE[0]}×{SCREENSHOT_SIZE[1]} PNG (off-screen)",
            repeat(lambda: scene.screenshot(coloured, png, size=SCREENSHOT_SIZE), runs)[0])

        def end_to_end() -> None:
            plotter = scene.build_scene(site, **results)
            scene.export_html(plotter, html)
            scene.screenshot(plotter, png, size=SCREENSHOT_SIZE)

        add(report, "build + export_html + screenshot, end to end", repeat(end_to_end, runs)[0])
        report.rows.append(Row("PNG size", "MB", png.stat().st_size / 1e6))
        cold_start(report, html)

    host = machine()
    title = (f"jumeau 3-D scene benchmark{' (--quick)' if args.quick else ''} on {host['cpu']}, {host['cores']} cores; "
             f"Python {host['python']}, PyVista {host['pyvista']}, VTK {host['vtk']}")
    print_report(report, title)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    output = RESULTS_DIR / ("scene-quick.json" if args.quick else "scene.json")
    output.write_text(json.dumps({
        "quick": args.quick, "machine": host, "rows": [{**asdict(row), "passed": row.passed} for row in report.rows],
        "meshes": report.meshes, "notes": report.notes,
    }, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nwritten {output}")
    return 0 if all(row.passed is not False for row in report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
