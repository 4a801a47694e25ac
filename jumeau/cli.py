"""The ``jumeau`` command line: a thin layer over the public API."""

from __future__ import annotations

import functools
import logging
import os
import warnings
from pathlib import Path
from typing import Annotated

import pydantic
import typer
from rich.console import Console
from rich.table import Table

from jumeau.errors import InputError, JumeauError, OutputError, RepairWarning
from jumeau.flood.forcing import StormForcing
from jumeau.heat.forcing import HeatForcing
from jumeau.io.atomic import output_folder
from jumeau.io.schema import field_range
from jumeau.io.writers import write_figure
from jumeau.outputs import PRODUCTS
from jumeau.site.load import load_site
from jumeau.site.state import Site

app = typer.Typer(help="jumeau — digital twin of a city district for heat and flood planning.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
console = Console()
errors = Console(stderr=True)

SiteArgument = Annotated[Path, typer.Argument(help="Site file (YAML).", show_default=False)]


def _option(model: type[pydantic.BaseModel], name: str) -> typer.models.OptionInfo:
    """A command-line option for a field of a forcing schema: its help text and bounds come from the schema.

    Strict bounds (``gt``/``lt``) are checked by the schema itself when the forcing is built.
    """
    spec = field_range(model, name)
    return typer.Option(help=spec.description, min=spec.low, max=spec.high)


def _default(model: type[pydantic.BaseModel], name: str):
    return field_range(model, name).default


def _forcing(model: type[pydantic.BaseModel], options: dict[str, str], **values):
    """A forcing built from command-line values; an out-of-range value is named by its option."""
    try:
        return model(**values)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{options.get(str(item['loc'][0]), str(item['loc'][0])) if item['loc'] else 'options'}: {item['msg']}"
            for item in exc.errors())
        raise InputError(f"{problems}.") from None


def _friendly(command):
    """Print jumeau errors and repair warnings as one readable message each, no traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        def show(message, category, *_rest, **_kw):
            label = "repaired" if issubclass(category, RepairWarning) else "warning"
            errors.print(f"[yellow]{label}:[/yellow] {message}", highlight=False)

        with warnings.catch_warnings():
            warnings.simplefilter("always", RepairWarning)  # every run reports its repairs, not only the first
            warnings.showwarning = show
            try:
                return command(*args, **kwargs)
            except JumeauError as exc:
                errors.print(f"[bold red]error:[/bold red] {exc}", highlight=False)
                raise typer.Exit(code=2) from None
            except KeyboardInterrupt:
                errors.print("[yellow]interrupted:[/yellow] results already written are complete and kept; "
                             "nothing half-written remains. Run the same command again to compute the rest.",
                             highlight=False)
                raise typer.Exit(code=130) from None

    return wrapper


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The kernels' threads wait for each other asleep: spinning, they burnt the CPU that other work
    # on a shared machine needed and a run took 50 minutes instead of one. Read by OpenMP when the
    # first parallel kernel starts, so set before any runs.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _output_file(path: Path) -> None:
    """Check, before computing, that a result file can be written at ``path``."""
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name for the result (-o), e.g. {path / 'result'}.")
    output_folder(path.parent)


def print_summary(site: Site) -> None:
    """The site summary as rich tables."""
    summary = site.summary()
    table = Table(title=f"{summary['name']}", show_header=False, title_justify="left")
    xmin, ymin, xmax, ymax = summary["bounds"]
    heights = summary["building_height_m"]
    rows = [
        ("Grid", f"{summary['shape'][1]} × {summary['shape'][0]} cells ({summary['cells']:,}) at {summary['resolution_m']:g} m"),
        ("CRS", summary["crs"]),
        ("Bounds", f"x {xmin:.1f}–{xmax:.1f}, y {ymin:.1f}–{ymax:.1f} ({summary['area_ha']:.1f} ha)"),
        ("Elevation", "{:.2f}–{:.2f} m".format(*summary["elevation_range_m"])),
        ("Buildings", f"{summary['buildings']:,}"),
        ("Building height", f"min {heights['min']:.1f} m, median {heights['median']:.1f} m, max {heights['max']:.1f} m"),
        ("Buildings without height", f"{summary['buildings_without_height']} (given the default height)"),
        ("Residents", f"{summary['residents']:,.0f}"),
        ("Sensitive buildings", str(summary["sensitive_buildings"])),
        ("Sites of interest", ", ".join(f"{n} {k}" for k, n in summary["sites_of_interest"].items()) or "none"),
        ("Impervious", f"{summary['impervious_percent']:.1f} %"),
        ("Canopy cover", f"{summary['canopy_cover_percent']:.1f} %"),
    ]
    for key, value in rows:
        table.add_row(key, value)
    console.print(table)
    cover = Table(title="Land cover", title_justify="left")
    for column in ("code", "class", "classe", "area (ha)", "%"):
        cover.add_column(column, justify="right" if column in ("code", "area (ha)", "%") else "left")
    for row in site.landcover_areas().itertuples():
        cover.add_row(str(row.lucode), row.name, row.label_fr, f"{row.area_m2 / 1e4:.2f}", f"{row.percent:.1f}")
    console.print(cover)


@app.command()
@_friendly
def info(site: SiteArgument) -> None:
    """Summarise a site: grid, CRS, land cover, buildings and sites of interest."""
    print_summary(load_site(site))


@app.command("init")
@_friendly
def init(
    folder: Annotated[Path, typer.Argument(help="Folder of downloaded files (BD TOPO, RGE ALTI / LiDAR HD, OSO...).")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Site file to write.")] = None,
    name: Annotated[str | None, typer.Option(help="Name of the district (default: the folder's).")] = None,
    no_id: Annotated[bool, typer.Option("--no-id", help="Number the buildings instead of reading an identifier "
                                                        "field (when the file's ids repeat or are missing).")] = False,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of the buildings file (e.g. latin-1), when no "
                                                      ".cpg says it.")] = None,
    population_total: Annotated[float | None, typer.Option(help="Residents of the district (INSEE census): the "
                                                                "estimated residents are scaled to it.")] = None,
) -> None:
    """Write a commented site file from a folder of downloaded files; say what is missing and where to get it."""
    from jumeau.site.discover import WHERE, init_site

    if output is not None:
        _output_file(output)
    written, inventory = init_site(folder, output, name, no_id=no_id, encoding=encoding,
                                   population_total=population_total)
    for note in [*inventory.notes.values(), *(note for _, note in inventory.layers)]:
        console.print(f"[green]found[/green] {note}", highlight=False)
    for section in inventory.missing:
        console.print(f"[yellow]missing[/yellow] {section}: {WHERE[section]}", highlight=False)
    console.print(f"site file written: {written}")
    if {"elevation", "landcover"} <= set(inventory.sections):
        print_summary(load_site(written))


@app.command("map")
@_friendly
def map_(
    site: SiteArgument,
    layer: Annotated[str, typer.Argument(help="Layer to draw (elevation, landcover, building_height, ...).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG file to write.")] = Path("map.png"),
    language: Annotated[str, typer.Option(help="Legend language: fr or en.")] = "fr",
) -> None:
    """Draw one layer of a site as a map with legend and scale bar."""
    from jumeau.render.maps import site_map

    _output_file(output)
    figure = site_map(load_site(site), layer, language=language)
    write_figure(figure, output)
    console.print(f"map written to {output}")


@app.command("demo-data")
@_friendly
def demo_data(
    folder: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the demo district to.")] = Path("data/demo"),
) -> None:
    """Regenerate the demo district's files (deterministic)."""
    from jumeau.demo import write_demo

    site_file = write_demo(folder)
    console.print(f"demo district written to {site_file.parent} (site file {site_file.name})")


@app.command()
@_friendly
def demo(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the maps.")] = Path("out"),
) -> None:
    """Load the embedded demo district, print its summary and draw its first maps."""
    from jumeau import demo_site
    from jumeau.render.maps import site_map

    site = demo_site()
    print_summary(site)
    for layer in ("landcover", "elevation"):
        target = output / f"demo_{layer}.png"
        write_figure(site_map(site, layer), target)
        console.print(f"map written to {target}")


@app.command("run")
@_friendly
def run_(
    site: SiteArgument,
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files (YAML); the baseline always runs.")],
    output: Annotated[Path, typer.Option("--output", "-o",
                                         help="Folder for the results, one sub-folder per scenario.")] = Path("runs"),
    workers: Annotated[int | None, typer.Option(help="Local worker processes (default: one per core).")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Address of a Dask scheduler to run on instead.")] = None,
    only: Annotated[list[str] | None, typer.Option(help="Run only this scenario id (repeatable).")] = None,
) -> None:
    """Run heat and flood for each scenario; unchanged scenarios come from the cache."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    from jumeau.study.runner import run

    output_folder(output)
    client = None
    if scheduler:
        from dask.distributed import Client

        client = Client(scheduler)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        task = progress.add_task("scenarios", total=None)
        floods: dict[str, TaskID] = {}  # one bar per running scenario

        def advance(result) -> None:
            progress.update(task, advance=1, description=f"{result.scenario}: {result.status}")
            if result.scenario in floods:
                progress.remove_task(floods.pop(result.scenario))

        def stage(scenario: str, name: str, share: float) -> None:
            if scenario not in floods:
                floods[scenario] = progress.add_task("", total=1.0)
            # the flood takes most of a scenario's time: its bar shows the flood's share
            progress.update(floods[scenario], description=f"  {scenario}: {name}",
                            completed=share if name == "flood" else 1.0)

        report = run(site, scenarios, output, only=only, workers=workers, client=client, progress=advance,
                     stage_progress=stage)
    table = Table(title=f"results in {output}", title_justify="left")
    for column in ("scenario", "status", "seconds", "error"):
        table.add_column(column)
    for row in report.table().itertuples():
        colour = {"failed": "red", "cached": "cyan"}.get(row.status, "green")
        table.add_row(row.scenario, f"[{colour}]{row.status}[/{colour}]", f"{row.seconds:.1f}", row.error)
    console.print(table)
    if report.failed:
        raise typer.Exit(code=1)


DbOption = Annotated[str | None, typer.Option(
    help="Workshop database: a SQLite file or a URL (default: $JUMEAU_DB, else runs/atelier.sqlite).")]


def _store(db: str | None):
    from jumeau.atelier.store import Store, default_database

    return Store(db or default_database())


@app.command("compare")
@_friendly
def compare_(
    runs: Annotated[Path, typer.Argument(help="Folder of `jumeau run` results.")],
    baseline: Annotated[str, typer.Option(help="Scenario the others are compared with.")] = "baseline",
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="HTML report (a CSV of the table is written next to it).")] = Path("report.html"),
    weights: Annotated[str | None, typer.Option(help="Dimension weights, e.g. health=2,environment=1,cost=1,fairness=2.")] = None,
    language: Annotated[str, typer.Option(help="Report language: fr or en.")] = "fr",
    workshop: Annotated[str | None, typer.Option(help="Weigh with the median weights of this workshop's room (its "
                                                      "code), from the workshop database.")] = None,
    db: DbOption = None,
) -> None:
    """Compare scenario results: deltas, public-value scorecard, ranking, HTML report."""
    from jumeau.study.compare import compare
    from jumeau.study.report import write_report

    if workshop and weights:
        raise JumeauError("--weights and --workshop: give one of them (the room's weights, or yours).")
    parsed = _store(db).room_weights(workshop) if workshop else {}
    for item in (weights or "").split(","):
        if item.strip():
            name, _, value = item.partition("=")
            try:
                parsed[name.strip()] = float(value)
            except ValueError:
                raise JumeauError(f"--weights: {item!r} is not name=number (e.g. health=2).") from None
    _output_file(output)
    comparison = compare(runs, baseline=baseline, weights=parsed)
    write_report(comparison, output, language)
    scores = Table(title="scorecard", title_justify="left")
    for column in ("rank", "scenario", "overall", "created", "destroyed"):
        scores.add_column(column)
    for scenario, row in comparison.scores.iterrows():
        scores.add_row(str(int(row["rank"])), comparison.titles[scenario][language], f"{row['overall']:+.2f}",
                       f"{row['created']:+.2f}", f"{row['destroyed']:+.2f}")
    console.print(scores)
    console.print(f"report written to {output}")


atelier = typer.Typer(help="Consultation workshops: create, list, export, purge.", no_args_is_help=True)
app.add_typer(atelier, name="atelier")
@atelier.command("new")
@_friendly
def atelier_new(
    title: Annotated[str, typer.Argument(help="The workshop's title, e.g. 'Atelier du 12 mars, école Jaurès'.")],
    scenario: Annotated[list[str], typer.Option(help="A scenario shown (repeatable), by id.")],
    place: Annotated[str, typer.Option(help="Where it is held.")] = "",
    held_on: Annotated[str | None, typer.Option("--date", help="When (YYYY-MM-DD).")] = None,
    question: Annotated[list[str] | None, typer.Option(
        help="What participants are asked (repeatable): rate, weights, pins, comments (default: all).")] = None,
    db: DbOption = None,
) -> None:
    """Create a workshop; prints the code participants type to join."""
    import datetime as dt

    try:
        day = dt.date.fromisoformat(held_on) if held_on else None
    except ValueError:
        raise JumeauError(f"--date: {held_on!r} is not a date such as 2026-03-12.") from None
    from jumeau.atelier.store import QUESTIONS

    created = _store(db).create_workshop(title, scenario, place=place, held_on=day, questions=question or QUESTIONS)
    console.print(f"workshop {created.title!r}: code [bold]{created.code}[/bold]")


@atelier.command("list")
@_friendly
def atelier_list(db: DbOption = None) -> None:
    """The workshops of a database, newest first, with their participation."""
    store = _store(db)
    table = Table(title="workshops", title_justify="left")
    for column in ("code", "title", "date", "scenarios", "participants"):
        table.add_column(column)
    for item in store.workshops():
        table.add_row(item.code, item.title, str(item.held_on or ""), ", ".join(item.scenarios),
                      str(store.tally(item.id).participants))
    console.print(table)


@atelier.command("export")
@_friendly
def atelier_export(
    code: Annotated[str, typer.Argument(help="The workshop's code.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write (replaced whole).")],
    crs: Annotated[str, typer.Option(help="The site's coordinate reference system, for the pins' map.")] = "EPSG:2154",
    runs: Annotated[Path | None, typer.Option(help="The workshop's results folder (`jumeau run`), to rank the "
                                                   "scenarios with the room's and each group's weights.")] = None,
    baseline: Annotated[str, typer.Option(help="Scenario the others are compared with.")] = "baseline",
    language: Annotated[str, typer.Option(help="Language of the compte rendu: fr or en.")] = "fr",
    db: DbOption = None,
) -> None:
    """Export a workshop: its compte rendu (HTML), contributions, ratings and weights (GeoPackage, CSV), no token."""
    from jumeau.atelier.export import FILES, export_workshop

    output_folder(output.parent)
    folder = export_workshop(_store(db), code, output, crs=crs, runs=runs, baseline=baseline, language=language)
    console.print(f"{', '.join(FILES)} written to {folder}")


@atelier.command("purge")
@_friendly
def atelier_purge(
    older_than: Annotated[float, typer.Option(help="Delete workshops created more than this many days ago.")],
    db: DbOption = None,
) -> None:
    """Delete old workshops with everything said in them (the retention the privacy notice announces)."""
    if older_than < 0:
        raise JumeauError(f"--older-than: {older_than:g}; give a number of days, 0 or more.")
    console.print(f"{_store(db).purge(older_than)} workshop(s) deleted")


@app.command("flood")
@_friendly
def flood_(
    site: SiteArgument,
    return_period: Annotated[float, _option(StormForcing, "return_period")] = _default(StormForcing, "return_period"),
    duration: Annotated[float, _option(StormForcing, "duration")] = _default(StormForcing, "duration"),
    after_rain: Annotated[float, _option(StormForcing, "after_rain")] = _default(StormForcing, "after_rain"),
    drainage: Annotated[float, _option(StormForcing, "drainage_capacity")] = _default(StormForcing, "drainage_capacity"),
    montana: Annotated[list[str] | None, typer.Option(
        "--montana", help="Your station's Montana coefficients, T,a,b or T,a,b,start-end (years, Météo-France a and b, "
                          "durations in min; default 6-60), repeated per return period and range of durations.",
    )] = None,
    station: Annotated[str | None, typer.Option(help="The station's name (with --montana), or a shipped set.")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for NetCDF, GeoTIFF and PNG.")] = Path("out"),
    screening: Annotated[bool, typer.Option(
        "--screening", help="Instant bluespot screening (depressions and ponding, no dynamics) instead of the model.",
    )] = False,
) -> None:
    """Run the flood model on a site for a design storm; print the volume balance."""
    from jumeau.flood.forcing import storm_of
    from jumeau.flood.model import flood_site

    forcing = _forcing(StormForcing, {"drainage_capacity": "--drainage", "return_period": "--return-period",
                                      "after_rain": "--after-rain", "duration": "--duration", "montana": "--montana",
                                      "station": "--station"},
                       return_period=return_period, duration=duration, after_rain=after_rain,
                       drainage_capacity=drainage, station=station,
                       montana=[_montana_option(text) for text in montana] if montana else None)
    output_folder(output)
    loaded = load_site(site)
    if screening:
        _screening(loaded, storm_of(forcing).total_depth, output)
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from jumeau.machine import free_cores, use_threads

    threads = use_threads(free_cores())
    console.print(f"flood on {threads} thread(s), the cores other work leaves free")
    with Progress(TextColumn("flood"), BarColumn(), TextColumn("{task.percentage:>3.0f} % of the simulated time"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=True) as bar:
        task = bar.add_task("flood", total=1.0)
        result = flood_site(loaded, forcing, progress=lambda share: bar.update(task, completed=share))
    _write_results(loaded, result, output, "flood", PRODUCTS.flood_maps)
    balance = Table(title="volume balance (m³)", title_justify="left")
    for column in ("term", "m³"):
        balance.add_column(column)
    for key, value in result.attrs.items():
        if key.startswith("volume_"):
            balance.add_row(key.removeprefix("volume_"), f"{value:,.6g}")
    console.print(balance)
    console.print(f"{result.attrs['steps']:,.0f} steps (median {result.attrs['step_median']:.2f} s, shortest "
                  f"{result.attrs['step_min']:.2f} s); flow held at the Froude limit on "
                  f"{result.attrs['froude_capped_cells']:,} cell(s)")


def _montana_option(text: str) -> dict:
    """``T,a,b`` or ``T,a,b,start-end`` as one set of Montana coefficients."""
    parts = text.split(",")
    try:
        entry: dict = {"return_period": float(parts[0]), "a": float(parts[1]), "b": float(parts[2])}
        if len(parts) == 4:
            entry["durations"] = tuple(float(v) for v in parts[3].split("-"))
        elif len(parts) != 3:
            raise ValueError
    except (IndexError, ValueError):
        raise InputError(f"--montana {text!r}: write T,a,b or T,a,b,start-end, e.g. 30,6.2,0.56,6-60.") from None
    return entry


def _screening(site: Site, storm_depth: float, output: Path) -> None:
    """Bluespot screening: files like the model's plus a CSV of depressions, and the largest ones printed."""
    from jumeau.flood.screening import screen
    from jumeau.io.atomic import atomic_path

    result, depressions = screen(site, storm_depth)
    _write_results(site, result, output, "screening", PRODUCTS.screening_maps)
    with atomic_path(output / "screening_depressions.csv") as target:
        depressions.to_csv(target, index=False)
    table = Table(title=f"SCREENING, not a simulation — {storm_depth:.0f} mm storm: largest depressions",
                  title_justify="left")
    for column in ("depression", "area m²", "capacity m³", "held m³", "filled", "buildings"):
        table.add_column(column, justify="right")
    for row in depressions.nlargest(10, "capacity_m3").itertuples():
        table.add_row(str(row.depression), f"{row.area_m2:,.0f}", f"{row.capacity_m3:,.0f}", f"{row.held_m3:,.0f}",
                      f"{row.filled_share:.0%}", str(row.buildings))
    console.print(table)
    console.print(f"{len(depressions)} depressions; {int(depressions['buildings'].sum())} buildings beside ponding "
                  f"water; all of them in {output}/screening_depressions.csv")
    console.print(f"runoff {result.attrs['volume_runoff']:,.0f} m³: {result.attrs['volume_held']:,.0f} m³ held, "
                  f"{result.attrs['volume_outflow']:,.0f} m³ out over the edges")


@app.command("heat")
@_friendly
def heat_(
    site: SiteArgument,
    t_ref: Annotated[float, _option(HeatForcing, "t_ref")] = _default(HeatForcing, "t_ref"),
    uhi_max: Annotated[float, _option(HeatForcing, "uhi_max")] = _default(HeatForcing, "uhi_max"),
    t_min: Annotated[float, _option(HeatForcing, "t_min")] = _default(HeatForcing, "t_min"),
    humidity: Annotated[float, _option(HeatForcing, "relative_humidity")] = _default(HeatForcing, "relative_humidity"),
    wind: Annotated[float, _option(HeatForcing, "wind")] = _default(HeatForcing, "wind"),
    hour: Annotated[float, _option(HeatForcing, "hour")] = _default(HeatForcing, "hour"),
    date: Annotated[str, typer.Option(help="Date of the day, YYYY-MM-DD.")] = str(_default(HeatForcing, "date")),
    weather: Annotated[Path | None, typer.Option(help="A measured UMEP/SUEWS met file instead of the design day.")] = None,
    weather_utc_offset: Annotated[float, _option(HeatForcing, "weather_utc_offset")] = _default(
        HeatForcing, "weather_utc_offset"),
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for NetCDF, GeoTIFF and PNG.")] = Path("out"),
) -> None:
    """Run the heat model on a site for a heat-wave day: air temperature, and felt heat hour by hour."""
    from jumeau.heat.model import heat_site

    forcing = _forcing(HeatForcing, {"t_ref": "--t-ref", "uhi_max": "--uhi-max", "t_min": "--t-min",
                                     "relative_humidity": "--humidity", "wind": "--wind", "hour": "--hour",
                                     "date": "--date", "weather": "--weather",
                                     "weather_utc_offset": "--weather-utc-offset"},
                       t_ref=t_ref, uhi_max=uhi_max, t_min=t_min, relative_humidity=humidity, wind=wind, hour=hour,
                       date=date, weather=weather, weather_utc_offset=weather_utc_offset)
    if weather is not None and not weather.is_file():
        raise InputError(f"--weather {weather}: no such file; give a UMEP/SUEWS met file.")
    output_folder(output)
    loaded = load_site(site)
    result = heat_site(loaded, forcing)
    _write_results(loaded, result, output, "heat", PRODUCTS.heat_maps)
    outdoor = loaded.grid["building_id"].values == 0
    console.print(f"air temperature {float(result['t_air'].min()):.1f}–{float(result['t_air'].max()):.1f} °C; "
                  f"felt heat (UTCI) at {forcing.hour:g} h up to {float(result['utci'].max()):.1f} °C; "
                  f"{float(result['very_strong_stress_hours'].values[outdoor].mean()):.1f} h of very strong heat "
                  f"stress outdoors on average ({forcing.hours[0]:g}–{forcing.hours[-1]:g} h)")


def _write_results(site: Site, result, output: Path, stem: str, maps: tuple[str, ...]) -> None:
    """NetCDF of a model's results, and a GeoTIFF and a PNG map of its main layers."""
    import matplotlib.pyplot as plt

    from jumeau.io.writers import write_geotiff, write_netcdf
    from jumeau.render.maps import draw_map

    write_netcdf(result, output / f"{stem}.nc")
    for name in maps:
        write_geotiff(result[name], output / f"{stem}_{name}.tif")
        figure = draw_map(result[name], outlines=site.buildings.geometry)
        write_figure(figure, output / f"{stem}_{name}.png")
        plt.close(figure)
    console.print(f"results written to {output}/{stem}.nc and {stem}_*.tif, {stem}_*.png")
