"""The viewer's page parts: each a small function drawing one thing from engine results."""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import json
import math
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pydeck as pdk
import streamlit as st
import xarray as xr
from pyproj import Transformer

from jumeau.io.atomic import atomic_path
from jumeau.io.runfolder import Result
from jumeau.outputs import DIFFERENCE_CMAP, OUTPUTS, PRODUCTS
from jumeau.render.maps import draw_map, site_map
from jumeau.site.state import Site
from jumeau.site.vocabulary import LABELS_FR
from jumeau.study.compare import compare, scorecard
from jumeau.study.indicators import DIMENSIONS, INDICATORS, dimension_label
from jumeau.study.report import render_html
from viewer import data, scene3d
from viewer.text import KINDS, QUESTIONS, UNITS

# pyplot's figures and rcParams (the map's type size) are the process's: the sessions' threads and
# the background drawing take turns
DRAWING = threading.Lock()
# s without a page run before the shown scenario's 3-D scene is built ahead (seconds of CPU): not
# while someone goes through the scenarios, whose pages it would slow down
SCENE_QUIET = 2.0
MAP_FOLDER = "viewer-maps"  # in a run's folder: the maps servers drew of it, gone with it when the run is redone
MAPS_QUIET = 0.3  # s without a page run before the next map is drawn ahead (a fraction of a second each)
HEADLINES = ("residents_flooded", "buildings_flooded", "sensitive_sites_flooded", "stress_hours_outdoor",
             "residents_long_stress", "sensitive_sites_stress_hours", "canopy_cover", "investment")


def available_layers(result: Result) -> list[str]:
    return [name for name in PRODUCTS.viewer_layers if name in data.grids(result)]


def layer_label(name: str, language: str) -> str:
    return OUTPUTS[name].label(language, units=True)


def colour_range(results: list[Result], name: str) -> tuple[float, float]:
    """One range for a layer over every scenario shown, so colours mean the same everywhere."""
    spans = [span for r in results if (span := layer_span(r, name)) is not None]
    low = min(span[0] for span in spans)
    high = max(span[1] for span in spans)
    if OUTPUTS[name].empty_at_zero:
        low = 0.0
    return (low, high) if high > low else (low, low + 1.0)


@st.cache_resource(show_spinner=False, max_entries=512)
def _layer_span(_result: Result, folder: str, key: str, name: str) -> tuple[float, float] | None:
    def measured() -> bytes:
        values = data.grids(_result)[name].values if name in data.grids(_result) else None
        span = None if values is None else [float(np.nanpercentile(values, 1)), float(np.nanpercentile(values, 99.5))]
        return json.dumps(span).encode()

    span = json.loads(kept_in_run(_result.folder, f"span-{key[:24]}-{name}.json", measured))
    return None if span is None else (span[0], span[1])


def layer_span(result: Result, name: str) -> tuple[float, float] | None:
    """A layer's 1st and 99.5th percentiles in one run (None if the run has no such layer), once per run.

    Kept in the run's folder: a fresh server's first page read the layer of every scenario
    (seven files) to colour one map.
    """
    return _layer_span(result, str(result.folder), result.key, name)


def kept_in_run(folder: Path | None, name: str, make: Callable[[], bytes]) -> bytes:
    """What a server made of a run (a map, a layer's span), from the run's folder if a server made it before,
    else made and kept there (in :data:`MAP_FOLDER`, gone with the run when it is redone)."""
    stored = None if folder is None else folder / MAP_FOLDER / name
    if stored is not None and stored.is_file():
        return stored.read_bytes()
    made = make()
    if stored is not None:
        try:
            stored.parent.mkdir(exist_ok=True)
            with atomic_path(stored) as partial:
                partial.write_bytes(made)
        except OSError:
            pass  # a results folder the server may only read: made again by the next server
    return made


def layer_key(result: Result, name: str) -> str:
    """What a result layer is: its folder, the run's cache key (it changes when the run does) and its name."""
    return f"{result.folder}:{result.key}:{name}"


def difference(result: Result, baseline: Result, name: str) -> xr.DataArray:
    diff = data.grids(result)[name] - data.grids(baseline)[name]
    diff.attrs = dict(data.grids(baseline)[name].attrs)
    return diff.rename(name)


COUNTS = ("hab.", "bâtiments", "sites", "arbres", "trees", "buildings", "residents")


def format_value(value: float, unit: str, language: str = "fr", with_unit: bool = True) -> str:
    """A value with its unit as the page's language writes numbers: ``1 234,5 m²`` in French, ``1 234.5 m²``
    in English (thousands always with a narrow space, as the report does); counts and euros are whole."""
    if not np.isfinite(value):
        return "—"
    if unit in ("€", "€/an", "€/year", *COUNTS) or abs(value) >= 1000:
        text = f"{value:,.0f}".replace(",", "\u202f")
    else:
        text = f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    number = text.replace('.', ',') if language == 'fr' else text
    return f"{number} {unit}" if with_unit else number


def signed(value: float, unit: str, language: str = "fr", with_unit: bool = True) -> str:
    """A change, signed as print writes it: ``+12 hab.``, ``−453 hab.`` (a minus sign, not a hyphen)."""
    text = format_value(value, unit, language, with_unit)
    return text if not np.isfinite(value) else ("+" + text if value > 0 else text.replace("-", "\u2212", 1))


# -- choosing -----------------------------------------------------------------------

# What a person chose in one view (a layer, an hour, a viewpoint, the compared scenarios, the
# weights, a place), kept while they look at another: Streamlit forgets a widget's value on a run
# that does not draw it, so the map came back on the heat layer after a look at the 3-D scene.
KEPT_CHOICES = ("map_layer", "map_hour", "before_after", "hover_map", "scene_layer", "scene_view", "cmp_a", "cmp_b",
                "cmp_layer", "place", *(f"w_{d}" for d in DIMENSIONS))


def keep_choices() -> None:
    """Carry the views' choices through this run, drawn or not (to be called before any of them is drawn).

    Values no longer among a widget's options fall back to its default (Streamlit's rule)."""
    for key in KEPT_CHOICES:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def unless_chosen(key: str, **default) -> dict:
    """A widget's ``default`` argument, left out once a choice is kept for ``key`` (Streamlit warns when a
    widget gets both)."""
    return {} if key in st.session_state else default


def scenario_picker(results: dict[str, Result], text: dict, language: str, workshop: bool,
                    pending: dict[str, str] | None = None) -> str:
    """The scenario shown: big buttons in workshop mode (greyed for the ``pending`` ones, id → title, still
    computing), a select box at the desk."""
    ids = list(results)
    current = st.session_state.get("scenario", ids[0])
    if current not in ids:
        current = ids[0]
    if workshop:
        waiting = {s: title for s, title in (pending or {}).items() if s not in results}
        columns = st.columns(min(len(ids) + len(waiting), 4))
        for number, scenario in enumerate([*ids, *waiting]):
            # on_click runs before the page is drawn again, so the new choice is highlighted at once
            title = results[scenario].title(language) if scenario in results else \
                f"{waiting[scenario]} ({text['not_ready']})"
            columns[number % len(columns)].button(
                title, key=f"pick_{scenario}", width="stretch", disabled=scenario in waiting,
                type="primary" if scenario == current else "secondary",
                on_click=st.session_state.__setitem__, args=("scenario", scenario))
        st.session_state.setdefault("scenario", current)
        return current
    choice = st.selectbox(text["scenario"], ids, index=ids.index(current),
                          format_func=lambda s: results[s].title(language), key="scenario_select")
    st.session_state["scenario"] = choice
    return choice


# -- indicators ---------------------------------------------------------------------

def headline(result: Result, baseline: Result, language: str, workshop: bool, per_row: int = 4) -> None:
    """Headline indicators with their change against the baseline (questions in workshop mode), ``per_row``
    to a row."""
    columns = st.columns(per_row)
    for number, key in enumerate(HEADLINES):
        spec = INDICATORS[key]
        value = float(result.indicators.at[key, "value"])
        delta = value - float(baseline.indicators.at[key, "value"])
        label = spec.label(language)
        question, explanation = QUESTIONS[language][key]
        with columns[number % per_row]:
            if workshop:
                st.markdown(f"<div class='question'>{question}</div>", unsafe_allow_html=True)
            unit = spec.unit_in(language)
            changed = result.scenario != baseline.scenario and abs(delta) >= 1e-9
            better = (delta < 0) == (spec.better == "lower")
            # in the workshop the unit is the figure's label, just above it. Colour and arrow are given:
            # Streamlit reads them from a leading hyphen, which the minus sign is not.
            st.metric(label if not workshop else unit, format_value(value, unit, language, with_unit=not workshop),
                      delta=signed(delta, unit, language, with_unit=not workshop) if changed else None,
                      delta_color="green" if better else "red", delta_arrow="down" if delta < 0 else "up",
                      help=explanation)
            if workshop:
                st.markdown(f"<div class='explain'>{explanation}</div>", unsafe_allow_html=True)


def scenario_story(result: Result, baseline: Result, text: dict, language: str, workshop: bool) -> None:
    """What the scenario does: its description, its works with their costs, and the sensitive sites' values.

    A few rows each: plain tables, which a browser draws at once (an interactive grid per table
    took a tenth of a second or more of each scenario switch) and which the workshop's type reaches."""
    with st.expander(text["story"], expanded=workshop or result.scenario != baseline.scenario):
        description = result.description(language)
        if description:
            st.markdown(html.escape(description))
        works = result.interventions
        if len(works):
            st.markdown(f"**{text['story_works']}**")
            st.table(works_table(works, text, language), hide_index=True)
            if works["investment_eur"].sum() <= 0:
                st.caption(text["story_no_cost"])
        sites = result.sites
        if len(sites) and "sensitive" in sites:
            st.markdown(f"**{text['story_sites']}**")
            st.table(sites_table(sites, baseline.sites, text, language), hide_index=True)


def place_panel(result: Result, baseline: Result, text: dict, language: str) -> None:
    """What changes at one place: a site of interest or a building picked from a list, before and after."""
    places = {f"site:{row.id}": str(row.name) for row in result.sites.itertuples()} if len(result.sites) else {}
    uses = result.buildings["use"].astype(str)
    places |= {f"building:{bid}": f"{text['building']} {bid} — "
               f"{LABELS_FR.get(use, use) if language == 'fr' else use.replace('_', ' ')}"
               for bid, use in zip(result.buildings["id"].astype(str), uses, strict=True)}
    if not places:
        return
    with st.expander(text["place"], expanded=False):
        chosen = st.selectbox(text["place_pick"], list(places), format_func=places.get, key="place")
        kind, place_id = chosen.split(":", 1)
        st.table(place_changes(result, baseline, kind, place_id, text, language), hide_index=True)


def place_changes(result: Result, baseline: Result, kind: str, place_id: str, text: dict,
                  language: str) -> pd.DataFrame:
    """A site's (``kind`` "site") or a building's values before and after: water, heat stress, felt heat, air."""
    frame_after, frame_before = (result.sites, baseline.sites) if kind == "site" else \
        (result.buildings, baseline.buildings)
    after = frame_after[frame_after["id"].astype(str) == place_id]
    before = frame_before[frame_before["id"].astype(str) == place_id]
    depth = "peak_depth" if kind == "site" else "wall_depth"
    rows = []
    for column, label, unit in ((depth, text["col_water"], "m"),
                                ("stress_hours_around", text["col_stress_hours"], "h"),
                                ("utci_around", text["col_utci"], "°C"),
                                ("t_air", layer_label("t_air", language), "°C")):
        if column not in after or not len(after):
            continue
        now = float(after[column].iloc[0])
        then = float(before[column].iloc[0]) if len(before) and column in before else float("nan")
        change = now - then
        rows.append({"": label, baseline.title(language): format_value(then, unit, language),
                     result.title(language): format_value(now, unit, language),
                     "Δ": signed(change, unit, language)})
    return pd.DataFrame(rows)


def works_table(works: pd.DataFrame, text: dict, language: str) -> pd.DataFrame:
    """One row per intervention (its name, kind, quantity and costs, French number formats) and a total."""
    per_year = "€/an" if language == "fr" else "€/year"
    rows = [{text["col_intervention"]: row.intervention, text["col_kind"]: KINDS[language].get(row.type, row.type),
             text["col_quantity"]: format_value(row.quantity, UNITS[language].get(row.unit, row.unit), language),
             text["col_investment"]: format_value(row.investment_eur, "€", language),
             text["col_maintenance"]: format_value(row.maintenance_eur_per_year, per_year, language)}
            for row in works.itertuples()]
    rows.append({text["col_intervention"]: text["story_total"], text["col_kind"]: "", text["col_quantity"]: "",
                 text["col_investment"]: format_value(float(works["investment_eur"].sum()), "€", language),
                 text["col_maintenance"]: format_value(float(works["maintenance_eur_per_year"].sum()), per_year,
                                                       language)})
    return pd.DataFrame(rows)


def sites_table(sites: pd.DataFrame, baseline_sites: pd.DataFrame, text: dict, language: str) -> pd.DataFrame:
    """The sensitive sites by name with their heat and water values, and the change from the baseline."""
    sensitive = sites[sites["sensitive"].astype(bool)]
    before = baseline_sites.set_index("name") if "name" in baseline_sites else None

    def with_change(value: float, name: str, column: str, unit: str) -> str:
        shown = format_value(float(value), unit, language)
        if before is None or name not in before.index or not np.isfinite(value):
            return shown
        delta = float(value) - float(before.at[name, column])
        return shown if abs(delta) < 0.005 else f"{shown} ({signed(delta, unit, language)})"

    return pd.DataFrame([{
        text["col_site"]: row["name"],
        text["col_stress_hours"]: with_change(row["stress_hours_around"], row["name"], "stress_hours_around", "h"),
        text["col_utci"]: with_change(row["utci_around"], row["name"], "utci_around", "°C"),
        text["col_water"]: with_change(row["peak_depth"], row["name"], "peak_depth", "m"),
    } for _, row in sensitive.iterrows()])


def indicator_table(first: Result, second: Result, language: str, text: dict) -> pd.DataFrame:
    """Both scenarios' indicators with the change, coloured better/worse."""
    rows = []
    for key, spec in INDICATORS.items():
        a, b = float(first.indicators.at[key, "value"]), float(second.indicators.at[key, "value"])
        change = b - a
        verdict = "same" if abs(change) <= 1e-9 * max(1.0, abs(a)) else (
            "better" if (change < 0) == (spec.better == "lower") else "worse")
        rows.append({"": spec.label(language), text["unit"]: spec.unit_in(language),
                     first.title(language): a, second.title(language): b, "Δ": change, "verdict": text[verdict]})
    table = pd.DataFrame(rows)
    colours = {text["better"]: "background-color: #cfe8ff", text["worse"]: "background-color: #ffd9b3"}
    number = lambda value: format_value(value, "", language, with_unit=False)  # noqa: E731
    change = lambda value: signed(value, "", language, with_unit=False)  # noqa: E731
    st.dataframe(table.style.apply(lambda row: [colours.get(row["verdict"], "")] * len(row), axis=1)
                 .format({first.title(language): number, second.title(language): number, "Δ": change}),
                 hide_index=True, width="stretch")
    return table


# -- maps ----------------------------------------------------------------------------

def static_map(site: Site, layer: xr.DataArray, limits: tuple[float, float], title: str, language: str,
               difference: bool = False, key: str | None = None, works: np.ndarray | None = None,
               projector: bool = False, folder: Path | None = None) -> bytes:
    """A 2-D map as a PNG, the scenario's ``works`` outlined, type for a room if ``projector``; with ``key``
    (what the layer is, e.g. its result folder and name) the image is drawn once per server, so switching
    back to a scenario is instant, and kept in the run's ``folder`` if given, for the next servers.
    Returns the PNG."""
    if key is None:
        png = _map_png(site, layer, limits, title, language, difference, works, projector)
    else:
        png = _cached_map_png(site, layer, limits, title, language, difference, key, works, projector, folder)
    st.image(png)
    return png


def _map_png(site: Site, layer: xr.DataArray, limits: tuple[float, float], title: str, language: str,
             difference: bool, works: np.ndarray | None = None, projector: bool = False) -> bytes:
    with DRAWING:
        return png_of(draw_map(layer, outlines=site.buildings.geometry, vmin=limits[0], vmax=limits[1], title=title,
                             language=language, difference=difference, mask_zero=True if difference else None,
                             works=works, projector=projector))


def png_of(figure, dpi: int = 110) -> bytes:
    """A drawn figure as a PNG, the figure closed (while holding :data:`DRAWING`)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    plt.close(figure)
    return buffer.getvalue()


@st.cache_data(show_spinner=False, max_entries=128)
def _cached_map_png(_site: Site, _layer: xr.DataArray, limits: tuple[float, float], title: str, language: str,
                    difference: bool, key: str, _works: np.ndarray | None = None, projector: bool = False,
                    _folder: Path | None = None) -> bytes:
    """The map, from the run's folder if a server drew it before (a map takes 0.3–0.7 s; a fresh server's
    first page waited for it), else drawn and kept there."""
    name = hashlib.sha256(repr((limits, title, language, difference, key, projector, _map_style())).encode()).hexdigest()
    return kept_in_run(_folder, name[:24] + ".png",
                       lambda: _map_png(_site, _layer, limits, title, language, difference, _works, projector))


@functools.cache
def _map_style() -> str:
    """What a map's look depends on besides its arguments: the drawing code and matplotlib's version."""
    sources = [Path(draw_map.__code__.co_filename), Path(__file__), Path(__file__).with_name("style.py")]
    return hashlib.sha256(b"".join(p.read_bytes() for p in sources) + matplotlib.__version__.encode()).hexdigest()


def file_name(*parts: str, suffix: str) -> str:
    """A file name for slides from words in the page's language: ``carte_plan-combine_heures-de-stress.png``."""
    words = ["-".join(re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", part).encode("ascii", "ignore")
                                 .decode().lower())) for part in parts]
    return "_".join(w for w in words if w)[:120] + suffix


def png_download(png: bytes, name: str, text: dict, key: str) -> None:
    st.download_button(text["download_png"], png, file_name=name, mime="image/png", key=key)


def hover_map(site: Site, result: Result, baseline: Result, layer: xr.DataArray, cmap: str,
              limits: tuple[float, float], text: dict, language: str) -> None:
    """Buildings over the coloured layer, in the browser, with each building's values on hover; a click on
    one shows what changes there against the baseline."""
    colormap = matplotlib.colormaps[cmap]
    norm = matplotlib.colors.Normalize(*limits)
    rgba = colormap(norm(np.nan_to_num(layer.values, nan=limits[0])))
    rgba[..., 3] = np.where(np.isfinite(layer.values), 0.85, 0.0)
    buffer = io.BytesIO()
    plt.imsave(buffer, rgba, format="png")
    xmin, ymin, xmax, ymax = site.grid.rio.bounds()
    to_lonlat = _to_lonlat(site.crs.to_wkt())
    # the bitmap's four corners, in longitude/latitude (the grid is rotated against the meridians)
    bounds = [list(to_lonlat.transform(x, y)) for x, y in ((xmin, ymin), (xmin, ymax), (xmax, ymax), (xmax, ymin))]
    shown = hover_table(result.buildings.to_crs("EPSG:4326"), language)
    centre = np.mean(bounds, axis=0)
    # pydeck reads a plain string as a JavaScript expression: the image is a string literal
    image = pdk.types.String("data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode())
    deck = pdk.Deck(
        layers=[
            pdk.Layer("BitmapLayer", data=None, image=image, bounds=bounds),
            pdk.Layer("PolygonLayer", shown, id="buildings", get_polygon="polygon",
                      get_fill_color=[235, 235, 235, 170], get_line_color=[40, 40, 40], line_width_min_pixels=1,
                      pickable=True, auto_highlight=True),
        ],
        initial_view_state=pdk.ViewState(longitude=float(centre[0]), latitude=float(centre[1]),
                                         zoom=fitting_zoom(np.asarray(bounds))),
        map_provider=None,  # no base map: the layer covers the site, and a workshop room may be offline
        tooltip={"html": f"<b>{text['building']} {{label}}</b><br>{text['use']} : {{use}}<br>{text['residents']} : "
                         f"{{residents}}<br>{layer_label('t_air', language)} : {{t_air}}<br>"
                         f"{text['stress_hours_around']} : {{stress_hours}}<br>"
                         f"{text['wall_depth']} : {{wall_depth}}"},
    )
    event = st.pydeck_chart(deck, width="stretch", on_select="rerun", selection_mode="single-object",
                            key="building_pick")
    st.caption(text["buildings_hover"])
    picked = (event.selection.get("objects") or {}).get("buildings") if event is not None else None
    if picked:  # what changes at the building clicked, right under the map
        building = str(picked[0]["pick"])
        st.text(f"{text['building']} {building} — {html.unescape(str(picked[0]['use']))}")  # as text: never run
        st.table(place_changes(result, baseline, "building", building, text, language), hide_index=True)


@functools.cache
def _to_lonlat(crs_wkt: str) -> Transformer:
    """A site's CRS to longitude/latitude; building it took a sixth of a second of the first page."""
    return Transformer.from_crs(crs_wkt, "EPSG:4326", always_xy=True)


def fitting_zoom(corners: np.ndarray, width_px: float = 900, height_px: float = 480) -> float:
    """The deck.gl zoom at which the longitude/latitude ``corners`` fit a map of about this many pixels.

    deck.gl's world is 512 pixels wide at zoom 0 (its tiles are 512 pixels).
    """
    lon_span = float(np.ptp(corners[:, 0]))
    latitude = math.radians(float(corners[:, 1].mean()))
    lat_span = float(np.ptp(corners[:, 1])) / math.cos(latitude)  # Mercator stretches latitudes
    return float(min(math.log2(360 * width_px / (512 * lon_span)), math.log2(360 * height_px / (512 * lat_span))))


def hover_table(buildings: pd.DataFrame, language: str = "fr") -> pd.DataFrame:
    """One row per building for the hover map: its outline and the values its tooltip shows (uses in ``language``).

    Ids and uses come from the city's own files and go into the tooltip's HTML: escaped, so
    that a ``<`` or a script in a field is shown as text, never run.
    """
    return pd.DataFrame({
        "polygon": [np.asarray(g.exterior.coords if g.geom_type == "Polygon" else g.geoms[0].exterior.coords)[:, :2].tolist()
                    for g in buildings.geometry],
        "label": buildings["id"].astype(str).map(html.escape), "use": buildings["use"].astype(str).map(
            lambda use: html.escape(LABELS_FR.get(use, use) if language == "fr" else use.replace("_", " "))),
        "residents": buildings["population"].round(0), "t_air": buildings["t_air"].round(1),
        "stress_hours": buildings["stress_hours_around"].round(1), "wall_depth": buildings["wall_depth"].round(2),
        "pick": buildings["id"].astype(str),  # data, never shown: what a click picks
    })


@dataclass(frozen=True)
class MapRequest:
    """What one 2-D map of a result shows: its layer, colours, title, cache key and the works outlined."""

    layer: xr.DataArray
    limits: tuple[float, float]
    title: str
    key: str
    works: np.ndarray | None
    difference: bool
    cmap: str
    folder: Path  # the run's folder, where the drawn map is kept


def map_request(result: Result, baseline: Result, all_results: list[Result], choice: str, label: str, language: str,
                hour: float | None = None) -> MapRequest:
    """The map of ``choice`` (a layer's name, or ``diff:`` and a name) for ``result``; felt heat at ``hour``."""
    shows_difference = choice.startswith("diff:")
    name = choice[5:] if shows_difference else choice
    grids = data.grids(result)
    if shows_difference:
        layer = difference(result, baseline, name)
        bound = max(float(np.nanmax(np.abs(difference(r, baseline, name).values))) for r in all_results) or 1e-3
        limits, cmap = (-bound, bound), DIFFERENCE_CMAP
    else:
        layer, limits, cmap = grids[name], colour_range(all_results, name), OUTPUTS[name].cmap
    title = f"{result.title(language)} — {label}"
    if hour is not None:  # felt heat at an hour of the day
        layer = grids["utci_hourly"].sel(hour=hour)
        if shows_difference:
            layer = layer - data.grids(baseline)["utci_hourly"].sel(hour=hour)
        else:
            limits = colour_range(all_results, "utci_hourly")
        title, choice = f"{title} — {hour:g} h", f"{choice}@{hour:g}"
    works = grids["works_area"].values > 0 if "works_area" in grids else None
    return MapRequest(layer, limits, title, f"{layer_key(result, choice)}:{layer_key(baseline, choice)}", works,
                      shows_difference, cmap, result.folder)


def hourly(result: Result, choice: str) -> bool:
    """Whether ``choice`` is felt heat with its hours: the map then has an hour slider."""
    return choice.removeprefix("diff:") == "utci" and "utci_hourly" in data.grids(result)


def map_view(site: Site, result: Result, baseline: Result, all_results: list[Result], text: dict, language: str,
             workshop: bool, site_of: Callable[[str], Site] | None = None) -> None:
    """The chosen layer's map; ``site_of`` (a scenario's id to its site) lets the other scenarios' maps of
    the same layer be drawn in the background, so that switching to one shows it at once."""
    names = available_layers(result)
    choices = [*names, *(f"diff:{n}" for n in names)] if not workshop else names
    label = {n: layer_label(n, language) for n in names} | {
        f"diff:{n}": f"{text['difference_from_baseline']} — {layer_label(n, language)}" for n in names}
    if workshop:  # one line, so that the map starts on a projector's first screen
        chooser, switch = st.columns([3, 2], vertical_alignment="center")  # the layer's whole name
        choice = chooser.selectbox(text["layer"], choices, format_func=label.get, key="map_layer",
                                   label_visibility="collapsed")
    else:
        choice = st.radio(text["layer"], choices, format_func=label.get, horizontal=True, key="map_layer")
        switch = st.container()
    hour = None
    if hourly(result, choice):
        hours = [float(h) for h in data.grids(result)["hour"].values]
        hour = st.select_slider(text["hour"], options=hours, format_func=lambda h: f"{h:g} h", key="map_hour",
                                **unless_chosen("map_hour", value=map_hour(result, hours)))
    request = map_request(result, baseline, all_results, choice, label[choice], language, hour)
    side_by_side = result.scenario != baseline.scenario and not request.difference and switch.toggle(
        text["before_after"], key="before_after")
    if side_by_side:  # before and after, the same colours, the works outlined on both
        before_column, after_column = st.columns(2)
        before = map_request(baseline, baseline, all_results, choice, label[choice], language, hour)
        with before_column:
            static_map(site, before.layer, request.limits, f"{text['before']} — {baseline.title(language)}", language,
                       key=f"before:{request.key}", works=request.works, projector=workshop, folder=request.folder)
        with after_column:
            png = static_map(site, request.layer, request.limits, f"{text['after']} — {result.title(language)}",
                             language, key=f"after:{request.key}", works=request.works, projector=workshop,
                             folder=request.folder)
    else:
        png = static_map(site, request.layer, request.limits, request.title, language, request.difference,
                         key=request.key, works=request.works, projector=workshop, folder=request.folder)
        if site_of is not None:
            prepare_maps(tuple(all_results), baseline, choice, label[choice], language, workshop, site_of)
    png_download(png, file_name(text["map_word"], result.title(language), label[choice],
                                f"{hour:g}h" if hour is not None else "", suffix=".png"), text, "dl_map_png")
    # On demand: deck.gl's 3 MB of script and its WebGL start took 0.6–1 s of a fresh server's first page.
    if not workshop and st.toggle(text["hover_toggle"], key="hover_map"):
        hover_map(site, result, baseline, request.layer, request.cmap, request.limits, text, language)


def map_hour(result: Result, hours: list[float]) -> float:
    """The hour a felt-heat map opens at: the scenario's map hour if computed, else the first."""
    shown = float(result.forcing["heat"]["hour"])
    return shown if shown in hours else hours[0]


@st.cache_resource(show_spinner=False)
def maps_ahead() -> data.Ahead:
    """The server's thread drawing maps ahead (:func:`prepare_maps`)."""
    return data.Ahead("jumeau-maps", MAPS_QUIET)


def prepare_maps(results: tuple[Result, ...], baseline: Result, choice: str, label: str, language: str,
                 projector: bool, site_of: Callable[[str], Site]) -> None:
    """Draw the map of ``choice`` for every scenario in the background, into the server's cache: a scenario's
    first visit then finds its map drawn (a map takes 0.3–0.7 s). A layer chosen since stops the drawing."""

    def draw() -> bool:
        ahead = maps_ahead()
        for result in results:
            if ahead.superseded():
                return False
            data.ACTIVITY.wait_quiet(MAPS_QUIET)
            hour = map_hour(result, [float(h) for h in data.grids(result)["hour"].values]) \
                if hourly(result, choice) else None
            request = map_request(result, baseline, list(results), choice, label, language, hour)
            _cached_map_png(site_of(result.scenario), request.layer, request.limits, request.title, language,
                            request.difference, request.key, request.works, projector, request.folder)
        return True

    keys = ",".join(layer_key(result, choice) for result in results)
    maps_ahead().want(f"{keys}:{label}:{language}:{projector}", draw)


def scene_view(site: Site, result: Result, baseline: Result, all_results: list[Result], text: dict,
               language: str) -> None:
    """The district in 3-D, coloured by a layer, the works outlined, from a chosen point of view."""
    names = available_layers(result)
    # here, not at the top: pyvista and VTK take seconds to import, and the first page needs no 3-D
    from jumeau.render.viewpoints import camera_views

    views = camera_views(site, language)
    layer_column, view_column = st.columns([3, 2], vertical_alignment="bottom")
    choice = layer_column.selectbox(text["layer"], names, format_func=lambda n: layer_label(n, language),
                                    key="scene_layer")
    view = view_column.selectbox(text["viewpoint"], list(views), format_func=views.get, key="scene_view")
    arguments, works = scene_arguments(site, result, all_results, choice, language)
    with st.spinner(text["scene_loading"]):
        page = _scene_page(*arguments, _works=works, view=view, key=layer_key(result, choice))
    st.iframe(page, height=620)
    st.caption(text["scene_help"])
    st.download_button(text["download_scene_png"], lambda: scene3d.scene_png(*arguments, works=works, view=view),
                       file_name=file_name(text["scene_word"], result.title(language), layer_label(choice, language),
                                           views[view], suffix=".png"), mime="image/png", key="dl_scene_png")


def scene_arguments(site: Site, result: Result, all_results: list[Result], choice: str, language: str
                    ) -> tuple[tuple, np.ndarray | None]:
    """What the 3-D scene of ``choice`` for ``result`` is drawn from, and the works it outlines."""
    grids = data.grids(result)
    works = grids["works_area"].values > 0 if "works_area" in grids else None
    return (site, grids[choice], grids["max_depth"], colour_range(all_results, choice), language), works


@st.cache_resource(show_spinner=False, max_entries=8)
def _scene_page(_site: Site, _layer: xr.DataArray, _depth: xr.DataArray, limits: tuple[float, float], language: str,
                _works: np.ndarray | None, view: str, key: str) -> str:
    """A 3-D scene's page (a few MB), built once per server for every session (``key`` names the layer)."""
    return scene3d.scene_html(_site, _layer, _depth, limits, language, works=_works, view=view)


@st.cache_resource(show_spinner=False)
def scene_ahead() -> data.Ahead:
    """The server's thread building 3-D scenes ahead (:func:`prepare_scene`)."""
    return data.Ahead("jumeau-scene", SCENE_QUIET)


def prepare_scene(site: Site, result: Result, all_results: tuple[Result, ...], language: str) -> None:
    """Build the shown scenario's 3-D scene as the view opens it (first layer, first point of view) in the
    background, once the renderer is loaded: a click on the 3-D view then only sends it. Only the scene of
    the last page shown is built: the scenarios someone went past are not."""

    def build() -> bool:
        scene3d.prepare_renderer().join()
        from jumeau.render.viewpoints import camera_views

        choice = available_layers(result)[0]
        arguments, works = scene_arguments(site, result, list(all_results), choice, language)
        _scene_page(*arguments, _works=works, view=next(iter(camera_views(site, language))),
                    key=layer_key(result, choice))
        return True

    scene_ahead().want(f"{layer_key(result, available_layers(result)[0])}:{language}", build)


def waiting_view(site: Site, storm_depth: float, seconds_left: float | None, text: dict, language: str,
                 workshop: bool) -> None:
    """While the baseline computes: the district's land cover and the instant screening of its storm."""
    from viewer.progress import duration_text

    st.info(text["first_results"].format(left=duration_text(seconds_left, text)))
    left, right = st.columns(2)
    with left:
        st.image(_site_map_png(site, str(site.source or site.name), "landcover", language, workshop))
    with right:
        screening_map(site, storm_depth, text, language, workshop)


@st.cache_data(show_spinner=False, max_entries=8)
def _site_map_png(_site: Site, site_key: str, name: str, language: str, projector: bool) -> bytes:
    with DRAWING:
        return png_of(site_map(_site, name, language=language, projector=projector))


def screening_map(site: Site, storm_depth: float, text: dict, language: str, projector: bool = False):
    """The screening's ponding depths as a map; returns the hollows found (largest first)."""
    from jumeau.flood.screening import screen

    result, depressions = screen(site, storm_depth)
    depth = result["ponding_depth"]
    static_map(site, depth, (0.0, max(float(depth.max()), 0.05)), f"{text['screening']} — {storm_depth:.0f} mm",
               language, projector=projector)
    return depressions


def screening_view(site: Site, storm_depth: float, text: dict, language: str) -> None:
    """The instant bluespot screening of a storm: where water can pond, labelled as no simulation."""
    st.info(text["screening_note"].format(depth=storm_depth))
    depressions = screening_map(site, storm_depth, text, language)
    largest = depressions.nlargest(8, "capacity_m3")
    st.dataframe(pd.DataFrame({
        text["screening_area"]: largest["area_m2"].round(0), text["screening_capacity"]: largest["capacity_m3"].round(0),
        text["screening_held"]: largest["held_m3"].round(0),
        text["screening_filled"]: (100 * largest["filled_share"]).round(0),
        text["screening_buildings"]: largest["buildings"]}), hide_index=True)


# -- compare ---------------------------------------------------------------------------

def compare_view(site: Site, results: dict[str, Result], baseline_id: str, text: dict, language: str,
                 workshop: bool) -> None:
    ids = list(results)
    left, right = st.columns(2)
    first = left.selectbox(text["first"], ids, index=0, format_func=lambda s: results[s].title(language), key="cmp_a")
    second = right.selectbox(text["second"], ids, format_func=lambda s: results[s].title(language), key="cmp_b",
                             **unless_chosen("cmp_b", index=min(1, len(ids) - 1)))
    names = available_layers(results[first])
    name = st.radio(text["layer"], names, format_func=lambda n: layer_label(n, language), horizontal=True,
                    key="cmp_layer")
    a, b = results[first], results[second]
    limits = colour_range([a, b], name)
    for column, result in ((left, a), (right, b)):
        with column:
            static_map(site, data.grids(result)[name], limits, result.title(language), language, key=layer_key(result, name))
    diff = difference(b, a, name)
    bound = float(np.nanmax(np.abs(diff.values))) or 1e-3
    static_map(site, diff, (-bound, bound), text["difference_map"], language, difference=True,
               key=f"{layer_key(a, name)}:{layer_key(b, name)}")
    st.subheader(text["indicators"])
    indicator_table(a, b, language, text)
    scorecard_view(results, baseline_id, text, language, workshop)


def scorecard_view(results: dict[str, Result], baseline_id: str, text: dict, language: str, workshop: bool) -> None:
    st.subheader(text["scorecard"])
    st.caption(text["weights"])
    columns = st.columns(len(DIMENSIONS))
    weights = {d: columns[i].slider(dimension_label(d, language), 0.0, 3.0, step=0.5, key=f"w_{d}",
                                    **unless_chosen(f"w_{d}", value=1.0))
               for i, d in enumerate(DIMENSIONS)}
    if sum(weights.values()) == 0:
        weights = dict.fromkeys(DIMENSIONS, 1.0)
    values = pd.DataFrame({s: r.indicators["value"] for s, r in results.items()}).loc[list(INDICATORS)]
    scores = scorecard(values, baseline_id, weights)
    shown = pd.DataFrame({
        text["ranking"]: scores["rank"], text["scenario"]: [results[s].title(language) for s in scores.index],
        **{dimension_label(d, language): scores[d] for d in DIMENSIONS},
        text["created"]: scores["created"], text["destroyed"]: scores["destroyed"], text["overall"]: scores["overall"],
    })
    st.dataframe(shown.style.format(precision=2).background_gradient(cmap="RdBu", vmin=-1, vmax=1,
                                                                     subset=shown.columns[2:]),
                 hide_index=True, width="stretch")
    st.bar_chart(shown.set_index(text["scenario"])[[text["created"], text["destroyed"]]], horizontal=True)


# -- run and download ------------------------------------------------------------------

def downloads_view(results: dict[str, Result], scenario: str, runs: Path, baseline_id: str, text: dict,
                   language: str) -> None:
    result = results[scenario]
    keys = tuple(f"{r.folder}:{r.key}" for r in results.values())
    # made when clicked (then kept by the server), not each time the page is drawn
    st.download_button(text["download_report"], lambda: _report(results, baseline_id, language, keys),
                       file_name=file_name(text["report_file"], suffix=".html"), mime="text/html", key="dl_report",
                       type="primary")
    st.download_button(text["download_indicators"], result.file("indicators.csv").read_bytes(),
                       file_name=f"{scenario}_indicators.csv", mime="text/csv", key="dl_csv")
    st.download_button(text["download_features"], result.file("features.gpkg").read_bytes(),
                       file_name=f"{scenario}.gpkg", mime="application/geopackage+sqlite3", key="dl_gpkg")
    for tif in result.geotiffs:
        label = layer_label(tif.stem, language) if tif.stem in OUTPUTS else tif.stem
        st.download_button(text["download_layer"].format(name=label), tif.read_bytes(),
                           file_name=file_name(result.title(language), label, suffix=".tif"), mime="image/tiff",
                           key=f"dl_{tif.stem}")


@st.cache_data(show_spinner=False, max_entries=8)
def _report(_results: dict[str, Result], baseline_id: str, language: str, keys: tuple[str, ...]) -> bytes:
    """The comparison report of these results (``keys`` names them), made once per server."""
    return render_html(compare(_results, baseline=baseline_id), language).encode("utf-8")
