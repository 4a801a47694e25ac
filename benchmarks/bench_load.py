"""Loading benchmark: ``jumeau.load_site`` on the demo district and on a synthetic city.

Run from the repository root with the project's Python::

    .venv/bin/python benchmarks/bench_load.py            # full: demo + 4 M cells / 20 000 buildings
    .venv/bin/python benchmarks/bench_load.py --quick    # CI smoke check: demo + 0.25 M cells

Each load is timed against a *floor*: the bare library calls any loader must make on
the same files (rasterio reads of the rasters, pyogrio reads of the vectors, and
``rasterio.features.rasterize`` of footprints and tree crowns), timed in the same
session, alternating with the loads so both see the same machine noise. The ratio
jumeau / floor is what validation, repairs and the extra layers cost. Peak memory is
the RSS high-water mark of one load in a fresh interpreter. The table is printed and
written to ``benchmarks/results/load.json`` (``load-quick.json`` with ``--quick``).
See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import inspect
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import geopandas
import numpy as np
import pyogrio
import rasterio
import rasterio.features
import shapely
import synthetic_city
from affine import Affine
from targets import DEMO_DIR

import jumeau
from jumeau.errors import RepairWarning
from jumeau.site.canopy import SUPERSAMPLING
from jumeau.site.schema import Source, read_site_file

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEMO_SITE = DEMO_DIR / "site.yaml"
DEMO_RUNS = 5
CITY_RUNS = 3
PROFILE_LINES = 15
DEMO_TARGET_S = 5.0
CITY_TARGET_S = 60.0
MEMORY_TARGET_MIB = 4096.0
FULL_CITY = synthetic_city.CityParameters()
QUICK_CITY = synthetic_city.CityParameters(size=500, buildings=1250, trees=1250)

# Run in a fresh interpreter so the high-water mark is that of one load, not of this
# process's runs. It reads VmHWM, the peak RSS of the process's own memory: Linux's
# ru_maxrss (RUSAGE_SELF or RUSAGE_CHILDREN) carries the parent's high-water mark over
# fork and exec, so from this process it would report this process's peak.
MEMORY_PROBE = """
import json, sys, time, warnings

def high_water_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

start = time.perf_counter()
import jumeau
imported = time.perf_counter()
baseline = high_water_kib()
warnings.simplefilter("ignore")
jumeau.load_site(sys.argv[1])
print(json.dumps({"import_s": imported - start, "load_s": time.perf_counter() - imported,
                  "baseline_kib": baseline, "peak_kib": high_water_kib()}))
"""


@dataclass
class Row:
    stage: str
    unit: str  # "s" or "MiB"
    median: float
    minimum: float | None = None
    runs: int = 1
    ratio: float | None = None  # jumeau / floor
    target: float | None = None  # upper bound in `unit`

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.median <= self.target


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    repairs: dict[str, list[str]] = field(default_factory=dict)
    stages: list[dict] = field(default_factory=list)
    profile: list[dict] = field(default_factory=list)


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def floor(site_file: Path) -> Callable[[], None]:
    """The bare reads and rasterizations a loader of ``site_file`` must make, on the elevation's grid.

    The site file is parsed here, outside the timed call; the floor ignores what jumeau
    adds on top (grid choice, reprojection, validation, repairs, soil, sites, tables).
    """
    config = read_site_file(site_file)
    with rasterio.open(config.elevation.path) as src:
        shape, transform = src.shape, src.transform
    fine = transform * Affine.scale(1 / SUPERSAMPLING)
    fine_shape = (shape[0] * SUPERSAMPLING, shape[1] * SUPERSAMPLING)

    def read_raster(source: Source) -> np.ndarray:
        with rasterio.open(source.path) as src:
            return src.read(1)

    def read_vector(source: Source) -> geopandas.GeoDataFrame:
        return pyogrio.read_dataframe(source.path, layer=source.layer)

    def run() -> None:
        read_raster(config.elevation)
        if config.landcover.is_raster:
            read_raster(config.landcover)
        else:
            polygons = read_vector(config.landcover)
            rasterio.features.rasterize(zip(polygons.geometry, polygons[config.landcover.field], strict=True),
                                        out_shape=shape, transform=transform, dtype="int32")
        if config.buildings is not None:
            footprints = read_vector(config.buildings)
            rasterio.features.rasterize(zip(footprints.geometry, range(1, len(footprints) + 1), strict=True),
                                        out_shape=shape, transform=transform, dtype="int32")
        trees = config.trees
        if trees is not None and trees.is_raster:
            read_raster(trees)
        elif trees is not None:
            points = read_vector(trees)
            radius = (points[trees.crown_radius] if trees.crown_radius
                      else points[trees.crown_diameter] / 2 if trees.crown_diameter else trees.default_crown_radius)
            height = points[trees.height] if trees.height else trees.default_height
            disks = shapely.buffer(points.geometry.to_numpy(), np.asarray(radius, dtype="float64"), quad_segs=8)
            # Crowns are burnt at jumeau's supersampling so both produce the same fractional cover.
            rasterio.features.rasterize(zip(disks, np.broadcast_to(height, len(disks)), strict=True),
                                        out_shape=fine_shape, transform=fine, dtype="float32")

    return run


def compare(label: str, site_file: Path, runs: int, target: float, report: Report) -> None:
    """Median load time against the floor's, interleaved run by run."""
    load = functools.partial(jumeau.load_site, site_file)  # the Site is dropped at once, as between runs
    bare = floor(site_file)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RepairWarning)
        timed(load)  # warm-up: OS file cache, lazy imports, library caches
        timed(bare)
    report.repairs[label] = sorted({str(w.message) for w in caught if issubclass(w.category, RepairWarning)})
    loads, floors = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepairWarning)  # reported once above
        for _ in range(runs):
            loads.append(timed(load))
            floors.append(timed(bare))
    ratio = statistics.median(loads) / statistics.median(floors)
    report.rows.append(Row(f"{label}: jumeau.load_site", "s", statistics.median(loads), min(loads), runs, ratio, target))
    report.rows.append(Row(f"{label}: floor (bare library calls)", "s", statistics.median(floors), min(floors), runs))


def memory(label: str, site_file: Path, target: Callable[[float], float], report: Report) -> None:
    """Peak RSS of one load in a fresh interpreter, and of the interpreter with jumeau imported."""
    probe = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(site_file)],
                           capture_output=True, text=True, check=True)
    figures = json.loads(probe.stdout.strip().splitlines()[-1])
    baseline, peak = figures["baseline_kib"] / 1024, figures["peak_kib"] / 1024
    report.rows.append(Row(f"{label}: peak RSS, fresh process", "MiB", peak, target=target(baseline)))
    report.rows.append(Row(f"{label}: RSS of python + imports", "MiB", baseline))
    report.rows.append(Row(f"{label}: load in fresh process", "s", figures["load_s"]))
    report.rows.append(Row("import jumeau, fresh process", "s", figures["import_s"]))


def stages(site_file: Path, report: Report) -> None:
    """Wall time of each jumeau function ``load_site`` calls, for one load, without profiler overhead.

    The functions in the loader's module namespace are wrapped for the load (``load_site``
    looks them up there at each call). A call made from inside another wrapped call counts
    in its caller only, so the stages plus load_site's own code add up to the total.
    """
    module = sys.modules[jumeau.load_site.__module__]
    originals = {name: value for name, value in vars(module).items()
                 if inspect.isfunction(value) and value.__module__.startswith("jumeau") and value is not jumeau.load_site}
    seconds: dict[str, float] = {}
    calls: dict[str, int] = {}
    depth = 0

    def wrap(name: str, function: Callable) -> Callable:
        @functools.wraps(function)
        def timed_call(*args, **kwargs):
            nonlocal depth
            depth += 1
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                depth -= 1
                if depth == 0:
                    seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start
                    calls[name] = calls.get(name, 0) + 1
        return timed_call

    try:
        for name, function in originals.items():
            setattr(module, name, wrap(name, function))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RepairWarning)
            total = timed(functools.partial(jumeau.load_site, site_file))
    finally:
        for name, function in originals.items():
            setattr(module, name, function)
    report.stages = [{"stage": name, "calls": calls[name], "seconds": seconds[name]}
                     for name in sorted(seconds, key=seconds.get, reverse=True)]
    report.stages.append({"stage": "load_site's own code (Dataset assembly...)", "calls": 1,
                          "seconds": total - sum(seconds.values())})
    report.stages.append({"stage": "load_site total", "calls": 1, "seconds": total})


def profile(site_file: Path, report: Report) -> None:
    """cProfile of one load: the functions with the largest cumulative time."""
    profiler = cProfile.Profile()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepairWarning)
        profiler.runcall(jumeau.load_site, site_file)
    stats = pstats.Stats(profiler).stats
    entries = sorted(stats.items(), key=lambda item: item[1][3], reverse=True)
    for (path, line, name), (_, calls, own, cumulative, _) in entries[:PROFILE_LINES]:
        where = f"{_short(path)}:{line}" if line else path
        report.profile.append({"function": f"{name} ({where})", "calls": calls, "own_s": own, "cumulative_s": cumulative})


def _short(path: str) -> str:
    """A source path from its package on (``rasterio/features.py``, ``jumeau/site/canopy.py``)."""
    parts = Path(path).parts
    if "site-packages" in parts:
        return str(Path(*parts[parts.index("site-packages") + 1:]))
    if "jumeau" in parts:
        return str(Path(*parts[len(parts) - 1 - parts[::-1].index("jumeau"):]))
    return Path(path).name


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
              if line.startswith("model name")] if cpuinfo.exists() else []
    return {
        "cpu": models[0] if models else platform.processor(), "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(), "numpy": np.__version__, "rasterio": rasterio.__version__,
        "gdal": rasterio.__gdal_version__, "geopandas": geopandas.__version__, "shapely": shapely.__version__,
        "pyogrio": pyogrio.__version__,
    }


def print_report(report: Report, title: str) -> None:
    def cell(value: float | None, unit: str) -> str:
        if value is None:
            return "—"
        return f"{value:.0f} MiB" if unit == "MiB" else f"{value:.2f} s"

    header = ("stage", "median", "min", "runs", "ratio", "target", "result")
    lines = [
        (row.stage, cell(row.median, row.unit), cell(row.minimum, row.unit), str(row.runs),
         "—" if row.ratio is None else f"{row.ratio:.2f}×",
         "—" if row.target is None else f"≤ {cell(row.target, row.unit)}",
         {None: "—", True: "pass", False: "FAIL"}[row.passed])
        for row in report.rows
    ]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    print(f"\n{title}")
    for line in [header, *lines]:
        cells = enumerate(zip(line, widths, strict=True))
        print("  ".join(text.ljust(width) if i == 0 else text.rjust(width) for i, (text, width) in cells))
    for note in report.notes:
        print(f"note: {note}")
    for label, messages in report.repairs.items():
        for message in messages:
            print(f"repair ({label}): {message}")
    if report.stages:
        total = report.stages[-1]["seconds"]
        print("\nStages of one synthetic load (wall time, no profiler; nested calls count in their caller):")
        print(f"{'s':>7} {'share':>6} {'calls':>6}  stage")
        for entry in report.stages:
            print(f"{entry['seconds']:7.2f} {entry['seconds'] / total:6.0%} {entry['calls']:6d}  {entry['stage']}")
    if report.profile:
        print("\nProfile of one synthetic load (cProfile, by cumulative time; cProfile slows Python-heavy code):")
        print(f"{'cum s':>7} {'own s':>7} {'calls':>8}  function")
        for entry in report.profile:
            print(f"{entry['cumulative_s']:7.2f} {entry['own_s']:7.2f} {entry['calls']:8d}  {entry['function']}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Time jumeau.load_site against the bare library calls.")
    parser.add_argument("--quick", action="store_true", help="smaller synthetic city (CI smoke check, < 30 s)")
    args = parser.parse_args()
    city = QUICK_CITY if args.quick else FULL_CITY
    # Targets are set for the full city; a quick run scales them by its cell count
    # (time linearly; memory on the part above the bare interpreter's RSS).
    scale = city.size**2 / FULL_CITY.size**2
    report = Report()

    if DEMO_SITE.is_file():
        compare("demo", DEMO_SITE, DEMO_RUNS, DEMO_TARGET_S, report)
    else:
        report.notes.append(f"demo district skipped: {DEMO_SITE} does not exist yet (generate it with `jumeau demo-data`).")

    cached = (synthetic_city.CACHE_DIR / city.key / "site.yaml").is_file()
    start = time.perf_counter()
    site_file = synthetic_city.city(city)
    origin = "cached" if cached else f"generated in {time.perf_counter() - start:.1f} s"
    report.notes.append(f"synthetic city: {site_file.parent} ({origin})")
    label = f"synthetic {city.size**2 / 1e6:g} M cells, {city.buildings} bldgs"
    compare(label, site_file, CITY_RUNS, CITY_TARGET_S * scale, report)
    memory(label, site_file, lambda baseline: baseline + (MEMORY_TARGET_MIB - baseline) * scale, report)
    stages(site_file, report)
    profile(site_file, report)

    host = machine()
    title = (f"jumeau loading benchmark{' (--quick)' if args.quick else ''} on {host['cpu']}, {host['cores']} cores, "
             f"{host['memory_gib']:g} GiB; Python {host['python']}, GDAL {host['gdal']}")
    print_report(report, title)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    output = RESULTS_DIR / ("load-quick.json" if args.quick else "load.json")
    output.write_text(json.dumps({
        "quick": args.quick, "machine": host, "synthetic_city": {**asdict(city), "key": city.key},
        "rows": [{**asdict(row), "passed": row.passed} for row in report.rows],
        "notes": report.notes, "repairs": report.repairs, "stages": report.stages, "profile": report.profile,
    }, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nwritten {output}")
    return 0 if all(row.passed is not False for row in report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
